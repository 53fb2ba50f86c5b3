"""Specific reasons for everyone left unmatched ("no mentor shares a language: fr")."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from matcher.profiles import Participant
from matcher.scoring import Candidates, ScoringModel, hard_masks

__all__ = ["mentee_reason", "mentor_reason"]


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
        text = "the only compatible mentor is at capacity"
        return text + (" (takes no mentees at present)" if closed else "")
    text = f"all {n_edges} compatible mentors are at capacity"
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
    return (
        f"{who} matched to other mentors, which serves more mentees or gives a higher total score"
    )
