"""Incremental re-matching: keep every current pair that is still valid, fill the rest, and
say what changed (``changes.csv``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from matcher._errors import InfeasibleError, InvalidInputError, Problem
from matcher.io import ParticipantSet, read_pairs
from matcher.matching import Change, Matching
from matcher.profiles import _vocab
from matcher.scoring import ScoringModel, hard_masks

__all__ = ["IncrementalPlan", "changes", "incremental_plan", "read_current", "settle_current"]

_STATUS = {
    "": "active",
    "active": "active",
    "current": "active",
    "ongoing": "active",
    "actif": "active",
    "en cours": "active",
    "ended": "ended",
    "completed": "ended",
    "closed": "ended",
    "finished": "ended",
    "termine": "ended",
    "terminee": "ended",
    "fini": "ended",
    "do not match again": "do_not_match_again",
    "dnma": "do_not_match_again",
    "never again": "do_not_match_again",
    "ne pas rejumeler": "do_not_match_again",
    "ne plus jumeler": "do_not_match_again",
}

CurrentLike = str | Path | Sequence[tuple[str, str] | tuple[str, str, str]]


@dataclass
class IncrementalPlan:
    """Current pairs sorted by what is to become of them."""

    active: list[tuple[str, str]] = field(default_factory=list)
    ended: list[tuple[str, str, str]] = field(default_factory=list)
    forbidden: list[tuple[str, str]] = field(default_factory=list)
    kept: list[tuple[str, str]] = field(default_factory=list)
    dropped: list[tuple[str, str, str]] = field(default_factory=list)


def read_current(source: CurrentLike) -> list[tuple[str, str, str]]:
    """``(mentee_id, mentor_id, status)`` from current.csv or a list; every problem at once."""
    if not isinstance(source, str | Path):
        out = []
        for item in source:
            status = _STATUS.get(_vocab.fold(item[2]) if len(item) > 2 else "")
            if status is None:
                raise InvalidInputError(
                    [
                        Problem(
                            "invalid status",
                            value=str(item[2]),  # type: ignore[misc]
                            expected="active, ended or do_not_match_again",
                        )
                    ]
                )
            out.append((str(item[0]), str(item[1]), status))
        return out
    name, rows = read_pairs(source, optional=("status",))
    problems: list[Problem] = []
    pairs: list[tuple[str, str, str]] = []
    for row in rows:
        status = _STATUS.get(_vocab.fold(row.extra["status"]).replace("_", " "))
        if status is None:
            problems.append(
                Problem(
                    "invalid status",
                    file=name,
                    row=row.row,
                    column="status",
                    value=row.extra["status"],
                    expected="active, ended or do_not_match_again",
                )
            )
            continue
        pairs.append((row.mentee_id, row.mentor_id, status))
    if problems:
        raise InvalidInputError(problems)
    return pairs


def incremental_plan(
    pairs: list[tuple[str, str, str]], mentors: ParticipantSet, mentees: ParticipantSet
) -> IncrementalPlan:
    """Sort current pairs: active (to check), ended, exclusions, and those whose people left."""
    plan = IncrementalPlan()
    mentor_ids, mentee_ids = set(mentors.rows), set(mentees.rows)
    for mentee_id, mentor_id, status in pairs:
        gone = [
            who
            for who, pid, ids in (
                ("mentee", mentee_id, mentee_ids),
                ("mentor", mentor_id, mentor_ids),
            )
            if pid not in ids
        ]
        if status == "do_not_match_again":
            plan.ended.append((mentee_id, mentor_id, "ended; never to be paired again"))
            if not gone:
                plan.forbidden.append((mentee_id, mentor_id))
        elif status == "ended":
            plan.ended.append((mentee_id, mentor_id, "ended"))
        elif gone:
            plan.dropped.append(
                (
                    mentee_id,
                    mentor_id,
                    " and ".join(f"the {who} left the programme" for who in gone),
                )
            )
        else:
            plan.active.append((mentee_id, mentor_id))
    return plan


def settle_current(
    model: ScoringModel, plan: IncrementalPlan, pinned: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    """Pinned pairs: the user's (strict) plus every current pair still valid within capacity."""
    e_pos = {p.id: k for k, p in enumerate(model.mentees)}
    m_pos = {p.id: k for k, p in enumerate(model.mentors)}
    strict = set(pinned)
    candidates: list[tuple[int, int]] = []
    for mentee_id, mentor_id in dict.fromkeys(plan.active):
        i, j = e_pos[mentee_id], m_pos[mentor_id]
        if (i, j) in strict:
            plan.kept.append((mentee_id, mentor_id))
            continue
        masks = hard_masks(model, np.array([i]), np.array([j]))
        broken = [name for name, mask in masks.items() if not mask[0, 0]]
        if broken:
            plan.dropped.append(
                (mentee_id, mentor_id, "no longer allowed: breaks " + ", ".join(broken))
            )
        else:
            candidates.append((i, j))
    # capacity may have shrunk: keep the best-scoring current pairs within it
    if candidates:
        rows = np.array([i for i, _ in candidates])
        cols = np.array([j for _, j in candidates])
        scores, _, _ = model.pair_parts(rows, cols)
        order = np.lexsort((np.arange(len(candidates)), -scores))
    else:
        order = np.zeros(0, np.int64)
    used_e = np.bincount([i for i, _ in strict], minlength=len(model.mentees))
    used_m = np.bincount([j for _, j in strict], minlength=len(model.mentors))
    kept = list(strict)
    for k in order:
        i, j = candidates[int(k)]
        e, m = model.mentees[i], model.mentors[j]
        if used_m[j] >= m.capacity:
            plan.dropped.append((e.id, m.id, f"the mentor's capacity is now {m.capacity}"))
        elif used_e[i] >= e.capacity:
            plan.dropped.append((e.id, m.id, f"the mentee now wants {e.capacity} mentor(s)"))
        else:
            used_e[i] += 1
            used_m[j] += 1
            kept.append((i, j))
            plan.kept.append((e.id, m.id))
    reasons = []
    for j in map(int, np.flatnonzero(used_m > model.enc.mentors.capacity)):
        reasons.append(
            f"mentor {model.mentors[j].id!r} has {used_m[j]} pinned mentees but "
            f"capacity {model.enc.mentors.capacity[j]}"
        )
    if reasons:
        raise InfeasibleError(reasons)
    return kept


def changes(plan: IncrementalPlan, matching: Matching) -> list[Change]:
    """What changed since the current matches: kept, new, ended and dropped pairs."""
    kept = set(plan.kept)
    out = [Change(e, m, "kept", "still valid") for e, m in plan.kept]
    out += [
        Change(p.mentee_id, p.mentor_id, "new", p.reasons)
        for p in matching.pairs
        if (p.mentee_id, p.mentor_id) not in kept
    ]
    out += [Change(e, m, "ended", reason) for e, m, reason in plan.ended]
    out += [Change(e, m, "dropped", reason) for e, m, reason in plan.dropped]
    order = {"kept": 0, "new": 1, "ended": 2, "dropped": 3}
    return sorted(out, key=lambda c: (order[c.change], c.mentee_id, c.mentor_id))
