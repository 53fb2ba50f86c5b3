"""Incremental re-matching: keep every current pair that is still valid, fill the rest, and
say what changed (the :class:`Change` rows of ``changes.csv``).  Reading ``current.csv`` is
:func:`matcher.io.read_current`."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from matcher._errors import InfeasibleError
from matcher.io import ParticipantSet
from matcher.matching import Change, Matching
from matcher.profiles import vocab
from matcher.scoring import ScoringModel, hard_masks

__all__ = ["IncrementalPlan", "changes", "incremental_plan", "settle_current"]


@dataclass
class IncrementalPlan:
    """Current pairs sorted by what is to become of them."""

    active: list[tuple[str, str]] = field(default_factory=list)
    ended: list[tuple[str, str, str]] = field(default_factory=list)
    forbidden: list[tuple[str, str]] = field(default_factory=list)
    kept: list[tuple[str, str]] = field(default_factory=list)
    dropped: list[tuple[str, str, str]] = field(default_factory=list)


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
            wants = vocab.count(e.capacity, "mentor")
            plan.dropped.append((e.id, m.id, f"the mentee now wants {wants}"))
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
