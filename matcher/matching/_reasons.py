"""Reason sentences: why everyone left unmatched is ("no mentor shares a language: fr"), why a
mentee got fewer mentors than wanted, why a group member is in no group, and the same for
precomputed scores.  Suggestions speak of mentors *shown*, not matched (:data:`SHOWN`)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matcher.profiles import Participant
from matcher.scoring import Candidates, ScoringModel, hard_masks
from matcher.solvers import GroupProblem

__all__ = [
    "ASSIGNED",
    "KEPT",
    "PRECOMPUTED",
    "SHOWN",
    "Wording",
    "edge_mentee_reason",
    "edge_mentor_reason",
    "group_member_reason",
    "mentee_reason",
    "mentor_reason",
    "partial_note",
]

#: The reason of a pair kept from the current matches (incremental runs), before its own.
KEPT = "kept from the current matches"
#: The reason of a pair from precomputed scores.
PRECOMPUTED = "precomputed score"


@dataclass(frozen=True)
class Wording:
    """How reasons speak of mentors' places: taken by matches, or by suggestions shown."""

    #: all N compatible mentors ...
    full_many: str
    #: the only compatible mentor ...
    full_one: str
    #: a mentor's compatible mentees are ... (and the rest of the sentence)
    elsewhere: str


#: Matches: places are filled by pairs.
ASSIGNED = Wording("are at capacity", "is at capacity", "matched to other mentors")
#: Suggestions: a mentor with c places is shown to at most c x top mentees.
SHOWN = Wording(
    "are already shown to as many mentees as their places allow",
    "is already shown to as many mentees as its places allow",
    "shown other mentors",
)


def _rule_phrase(name: str, p: Participant, model: ScoringModel, other: str) -> str:
    cfg = model.config
    if name == "language":
        return f"no {other} shares a language: {'|'.join(p.languages)}"
    if name == "format":
        return f"no {other} accepts a common meeting format: {'|'.join(p.formats)}"
    if name == "region":
        if set(p.formats) == {"in_person"}:
            return (
                f"meets in person only, and no {other} who meets in person is in region {p.region}"
            )
        return (
            f"every {other} sharing a meeting format is available in person only, and none "
            f"is in region {p.region}"
        )
    if name == "availability":
        need = max(cfg.min_overlap_minutes, 1)
        return f"no {other} has {need} min/week of availability in common"
    if name == "exclude":
        return f"every otherwise compatible {other} is excluded"
    if name == "specialty":
        if p.role == "mentor":
            return f"no {other} seeks an area covered: {'|'.join(p.specialties)}"
        return f"no {other} covers an area sought: {'|'.join(p.specialties)}"
    if name == "organization":
        return f"every {other} is from the same organisation"
    if name == "gender":
        if p.role == "mentor":
            return "no mentee who asked for a gender asked for this mentor's"
        return f"no {other} of the gender asked for ({p.gender_preference})"
    if name == "experience":
        return f"no {other} with the required {cfg.min_experience_gap:g}-year experience gap"
    if name == "profession":
        return f"no {other} meets the profession rule ({cfg.profession_rule})"
    return f"no {other} meets the hard constraint '{name}'"


def _hard_reason(
    masks: dict[str, npt.NDArray[np.bool_]],
    p: Participant,
    model: ScoringModel,
    other: str,
    n_others: int,
) -> str:
    if n_others == 0:
        return f"there are no {other}s in the programme"
    counts = {name: int(mask.sum()) for name, mask in masks.items()}
    for name, count in counts.items():
        if count == 0:
            return _rule_phrase(name, p, model, other)
    # apply the rules one after another and name the one that leaves nobody
    order = [n for n in _ORDER if n in masks] + [n for n in masks if n not in _ORDER]
    alive = np.ones_like(next(iter(masks.values())))
    steps: list[str] = []
    for name in order:
        before = int(alive.sum())
        alive = alive & masks[name]
        after = int(alive.sum())
        steps.append(f"{_LABEL.get(name, name)}: {after} of {before}")
        if after == 0:
            return f"{_rule_phrase(name, p, model, other)}; checked in turn: " + ", ".join(steps)
    return f"no {other} meets all hard constraints together"


_ORDER = (
    "language",
    "format",
    "region",
    "availability",
    "specialty",
    "gender",
    "organization",
    "profession",
    "experience",
    "preference",
    "exclude",
)
_LABEL = {
    "language": "common language",
    "format": "common format",
    "region": "in-person region",
    "availability": "common availability",
    "exclude": "not excluded",
}


def mentee_reason(
    model: ScoringModel,
    cand: Candidates,
    i: int,
    n_edges: int,
    min_score: float,
    mentor_capacity: npt.NDArray[np.int64],
    closed_per_mentee: npt.NDArray[np.int64] | None = None,
    wording: Wording = ASSIGNED,
) -> str:
    """Why mentee ``i`` has no mentor; ``closed_per_mentee`` counts, per mentee, compatible
    mentors who take no mentees at present."""
    p = model.mentees[i]
    n_m = len(model.mentors)
    if cand.feasible_per_mentee[i] == 0:
        masks = hard_masks(model, np.array([i]))
        return _hard_reason({k: v[0] for k, v in masks.items()}, p, model, "mentor", n_m)
    if n_edges == 0 and cand.feasible_per_mentee[i] == 1:
        return (
            f"the only compatible mentor scores below min_score {min_score:g} "
            f"(best {cand.best_per_mentee[i]:.2f})"
        )
    if n_edges == 0:
        return (
            f"all {cand.feasible_per_mentee[i]} compatible mentors score below min_score "
            f"{min_score:g} (best {cand.best_per_mentee[i]:.2f})"
        )
    closed = int(closed_per_mentee[i]) if closed_per_mentee is not None else 0
    if n_edges == 1:
        text = f"the only compatible mentor {wording.full_one}"
        return text + (" (takes no mentees at present)" if closed else "")
    text = f"all {n_edges} compatible mentors {wording.full_many}"
    if closed == 1:
        text += " (one of them takes no mentees at present)"
    elif closed:
        text += f" ({closed} of them take no mentees at present)"
    return text


def mentor_reason(
    model: ScoringModel,
    cand: Candidates,
    j: int,
    n_edges: int,
    min_score: float,
    wording: Wording = ASSIGNED,
) -> str:
    """Why mentor ``j`` has no mentee."""
    p = model.mentors[j]
    if p.capacity == 0:
        return "capacity is 0 (not taking mentees at present)"
    n_e = len(model.mentees)
    if cand.feasible_per_mentor[j] == 0:
        masks = hard_masks(model, slice(None), np.array([j]))
        return _hard_reason({k: v[:, 0] for k, v in masks.items()}, p, model, "mentee", n_e)
    if n_edges == 0 and cand.feasible_per_mentor[j] == 1:
        return (
            f"the only compatible mentee scores below min_score {min_score:g} "
            f"(best {cand.best_per_mentor[j]:.2f})"
        )
    if n_edges == 0:
        return (
            f"all {cand.feasible_per_mentor[j]} compatible mentees score below min_score "
            f"{min_score:g} (best {cand.best_per_mentor[j]:.2f})"
        )
    who = (
        "the only compatible mentee is"
        if n_edges == 1
        else (f"all {n_edges} compatible mentees are")
    )
    return f"{who} {wording.elsewhere}, which serves more mentees or gives a higher total score"


def partial_note(got: int, wanted: int, others: int) -> str:
    """On the pairs of a mentee who got ``got`` of ``wanted`` mentors: why not more
    (``others``: its other compatible mentors)."""
    why = (
        f"the other {others} compatible mentor{'s are' if others != 1 else ' is'} at capacity"
        if others > 0
        else "no other mentor is compatible"
    )
    return f"{got} of {wanted} mentors wanted: {why}"


def edge_mentee_reason(capacity: int, n_edges: int, below: str) -> str:
    """Why a mentee of precomputed scores has no mentor (``below``: the min_score clause)."""
    if capacity == 0:
        return "capacity is 0 (wants no mentor)"
    if n_edges == 0:
        return f"no allowed pair{below} in the edge list"
    if n_edges == 1:
        return "the only allowed mentor is at capacity"
    return f"all {n_edges} allowed mentors are at capacity"


def edge_mentor_reason(capacity: int, n_edges: int, below: str) -> str:
    """Why a mentor of precomputed scores has no mentee."""
    if capacity == 0:
        return "capacity is 0"
    if n_edges == 0:
        return f"no allowed pair{below} in the edge list"
    who = "the only allowed mentee is" if n_edges == 1 else f"all {n_edges} allowed mentees are"
    return (
        f"{who} matched to other mentors, which serves more mentees or gives a higher total score"
    )


def _others(count: int) -> str:
    if count == 0:
        return "no other member shares"
    if count == 1:
        return "only 1 other member shares"
    return f"only {count} other members share"


def group_member_reason(problem: GroupProblem, p: int, min_size: int) -> str:
    """Why member ``p`` is in no group, as specifically as the arrays allow."""
    if problem.n_leaders and not problem.member_leader_ok[p].any():
        return (
            "no group leader is compatible: every leader fails a hard rule with this "
            "person (language, format, organisation, exclusion or min_score)"
        )
    if not problem.member_window[p].any():
        leader = " (and a leader)" if problem.n_leaders else ""
        return f"no session window in which at least {min_size} group members{leader} are all free"
    need = min_size - 1
    shared = {}
    for what, matrix in (
        ("a meeting format", problem.member_fmt),
        ("a language", problem.member_lang),
        ("a session window", problem.member_window),
    ):
        mask = (matrix.astype(np.int32) @ matrix[p].astype(np.int32)) > 0
        mask[p] = False
        shared[what] = mask
        if int(mask.sum()) < need:
            return f"{_others(int(mask.sum()))} {what} with this person; a group needs {min_size}"
    together = (
        shared["a meeting format"]
        & shared["a language"]
        & shared["a session window"]
        & problem.member_member_ok[p]
    )
    if int(together.sum()) < need:
        return (
            f"{_others(int(together.sum()))} a session window, a language and a meeting "
            f"format with this person; a group needs {min_size}"
        )
    return (
        f"could not be placed: no group of {problem.min_size}-{problem.max_size} meets at a "
        "window, in a language and format that suit this person without breaking a size "
        "limit or a composition rule"
    )
