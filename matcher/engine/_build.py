"""Assembling a :class:`Matching` from the scoring model (or precomputed scores) and a
solver's result: pairs with their criteria and reasons, everyone unmatched with a reason
(the sentences are :mod:`matcher.matching`'s), and the summary's counts."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from itertools import repeat

import numpy as np
import numpy.typing as npt

from matcher.matching import (
    ASSIGNED,
    KEPT,
    PRECOMPUTED,
    Matching,
    Pair,
    Unmatched,
    Wording,
    edge_mentee_reason,
    edge_mentor_reason,
    mentee_reason,
    mentor_reason,
    partial_note,
)
from matcher.scoring import Candidates, ScoringModel, pair_reasons_many
from matcher.solvers import SolverResult

__all__ = ["from_edges", "from_model"]


def _method_facts(result: SolverResult) -> dict[str, object]:
    """Facts a method proves, lifted to the top of summary.json (fair's floor, stability)."""
    return {k: result.stats[k] for k in ("floor", "blocking_pairs") if k in result.stats}


def _explain_partial(
    pairs: list[Pair],
    model: ScoringModel,
    got: npt.NDArray[np.int64],
    allowed: npt.NDArray[np.int64],
) -> list[Pair]:
    """Say, on the pairs of a mentee who got fewer mentors than wanted, why."""
    wanted = model.enc.mentees.capacity
    short = {model.mentees[i].id: int(i) for i in np.flatnonzero((got > 0) & (got < wanted))}
    if not short:
        return pairs
    out = []
    for pair in pairs:
        i = short.get(pair.mentee_id)
        if i is None:
            out.append(pair)
            continue
        note = partial_note(int(got[i]), int(wanted[i]), int(allowed[i]) - int(got[i]))
        out.append(replace(pair, reasons="; ".join(filter(None, [pair.reasons, note]))))
    return out


def from_model(
    model: ScoringModel,
    cand: Candidates,
    result: SolverResult,
    *,
    pinned: Sequence[tuple[int, int]],
    residual_mentor_capacity: npt.NDArray[np.int64],
    seed: int,
    wording: Wording = ASSIGNED,
) -> Matching:
    """Pairs with per-criterion scores and reasons, and a reason for everyone unmatched
    (``wording``: matches, or suggestions shown)."""
    cfg = model.config
    chosen_r = cand.rows[result.chosen].astype(np.intp)
    chosen_c = cand.cols[result.chosen].astype(np.intp)
    pin_r = np.array([r for r, _ in pinned], dtype=np.intp)
    pin_c = np.array([c for _, c in pinned], dtype=np.intp)
    rows = np.concatenate([chosen_r, pin_r])
    cols = np.concatenate([chosen_c, pin_c])
    is_pinned = np.concatenate([np.zeros(len(chosen_r), bool), np.ones(len(pin_r), bool)])
    total, _, per = model.pair_parts(rows, cols)
    # the solver's own scores for its pairs, so that the objective is exactly what it optimised
    total64 = total.astype(np.float64)
    total64[: len(chosen_r)] = cand.scores[result.chosen]
    pairs: list[Pair] = []
    all_reasons = pair_reasons_many(model, rows, cols, per)
    names = list(model.active)
    # each pair's criteria, None where a criterion does not apply (NaN)
    per_pair: Iterable[tuple[float | None, ...]] = (
        zip(*([None if v != v else v for v in per[name].tolist()] for name in names), strict=True)
        if names
        else repeat((), len(rows))
    )
    mentees, mentors = model.mentees, model.mentors
    for i, j, score, values, reasons, kept in zip(
        rows.tolist(),
        cols.tolist(),
        total64.tolist(),
        per_pair,
        all_reasons,
        is_pinned.tolist(),
        strict=True,
    ):
        if kept:
            reasons = "; ".join(filter(None, [KEPT, reasons]))
        pairs.append(
            Pair(
                mentees[i].id,
                mentors[j].id,
                score,
                dict(zip(names, values, strict=True)),
                reasons,
                None,
                kept,
            )
        )
    pairs.sort(key=lambda p: (p.mentee_id, p.mentor_id))
    pinned_total = float(total64[len(chosen_r) :].sum())
    objective = result.objective + pinned_total
    bound = result.bound + pinned_total

    got_e = np.bincount(rows, minlength=len(model.mentees))
    got_m = np.bincount(cols, minlength=len(model.mentors))
    # the counts and bests behind the reasons, exact for whoever reads them
    model.complete_stats(
        cand,
        np.flatnonzero(got_e < model.enc.mentees.capacity),
        np.flatnonzero(got_m == 0),
    )
    edges_per_mentee = cand.allowed_per_mentee
    edges_per_mentor = cand.allowed_per_mentor
    pairs = _explain_partial(pairs, model, got_e, edges_per_mentee)
    unmatched: list[Unmatched] = []
    shut = model.enc.mentors.capacity[cand.cols] == 0
    closed = np.bincount(cand.rows[shut], minlength=len(model.mentees))
    for i in map(int, np.flatnonzero(got_e == 0)):
        unmatched.append(
            Unmatched(
                model.mentees[i].id,
                "mentee",
                mentee_reason(
                    model,
                    cand,
                    int(i),
                    int(edges_per_mentee[i]),
                    cfg.min_score,
                    residual_mentor_capacity,
                    closed,
                    wording,
                ),
            )
        )
    for j in map(int, np.flatnonzero(got_m == 0)):
        unmatched.append(
            Unmatched(
                model.mentors[j].id,
                "mentor",
                mentor_reason(
                    model, cand, int(j), int(edges_per_mentor[j]), cfg.min_score, wording
                ),
            )
        )

    wanted = model.enc.mentees.capacity
    capacity = model.enc.mentors.capacity
    criteria = [n for n in model.active if cfg.weight(n) > 0 or cfg.hard(n)]
    extra = {
        "mentees": len(model.mentees),
        "mentors": len(model.mentors),
        "mentee_places_wanted": int(wanted.sum()),
        "mentee_places_filled": int(np.minimum(got_e, wanted).sum()),
        "mentees_partly_matched": int(((got_e > 0) & (got_e < wanted)).sum()),
        "mentor_capacity": int(capacity.sum()),
        "mentor_capacity_used": int(got_m.sum()),
        "mentors_with_spare_capacity": int(((got_m > 0) & (got_m < capacity)).sum()),
        "pinned_pairs": len(pinned),
        "candidate_pairs": len(cand),
        "min_score": cfg.min_score,
        "mean_score": round(objective / len(pairs), 6) if pairs else 0.0,
        "weights": {n: cfg.weight(n) for n in criteria},
        "hard": sorted(n for n in criteria if cfg.hard(n)),
        "solver": result.stats,
        **_method_facts(result),
    }
    return Matching(
        pairs=pairs,
        unmatched=unmatched,
        objective=objective,
        bound=bound,
        method=result.method,
        status=result.status,
        seed=seed,
        criteria=criteria,
        summary_extra=extra,
        mentee_extra={p.id: p.extra for p in model.mentees if p.extra},
        mentor_extra={p.id: p.extra for p in model.mentors if p.extra},
        _explainer=model.explain,
    )


def from_edges(
    mentee_ids: Sequence[str],
    mentor_ids: Sequence[str],
    rows: npt.NDArray[np.int32],
    cols: npt.NDArray[np.int32],
    scores: npt.NDArray[np.float64],
    mentee_capacity: npt.NDArray[np.int64],
    mentor_capacity: npt.NDArray[np.int64],
    result: SolverResult,
    *,
    all_edges: int,
    min_score: float | None,
    seed: int,
) -> Matching:
    """A Matching for precomputed scores (no profiles: reasons are about scores and capacity)."""
    chosen_r = rows[result.chosen]
    chosen_c = cols[result.chosen]
    pairs = [
        Pair(mentee_ids[r], mentor_ids[c], float(s), {}, PRECOMPUTED)
        for r, c, s in zip(chosen_r, chosen_c, scores[result.chosen], strict=True)
    ]
    pairs.sort(key=lambda p: (p.mentee_id, p.mentor_id))
    n_e, n_m = len(mentee_ids), len(mentor_ids)
    wants = mentee_capacity[rows] > 0  # edges to mentees who want no mentor do not count
    edges_e = np.bincount(rows, minlength=n_e)
    edges_m = np.bincount(cols[wants], minlength=n_m)
    got_e = np.bincount(chosen_r, minlength=n_e)
    got_m = np.bincount(chosen_c, minlength=n_m)
    below = f" at or above min_score {min_score:g}" if min_score is not None else ""
    unmatched: list[Unmatched] = []
    for i in map(int, np.flatnonzero(got_e == 0)):
        reason = edge_mentee_reason(int(mentee_capacity[i]), int(edges_e[i]), below)
        unmatched.append(Unmatched(mentee_ids[i], "mentee", reason))
    for j in map(int, np.flatnonzero(got_m == 0)):
        reason = edge_mentor_reason(int(mentor_capacity[j]), int(edges_m[j]), below)
        unmatched.append(Unmatched(mentor_ids[j], "mentor", reason))
    extra = {
        "mentees": n_e,
        "mentors": n_m,
        "mentee_places_wanted": int(mentee_capacity.sum()),
        "mentee_places_filled": int(np.minimum(got_e, mentee_capacity).sum()),
        "mentor_capacity": int(mentor_capacity.sum()),
        "mentor_capacity_used": int(got_m.sum()),
        "candidate_pairs": len(rows),
        "edges": all_edges,
        "min_score": min_score,
        "solver": result.stats,
        **_method_facts(result),
    }
    return Matching(
        pairs=pairs,
        unmatched=unmatched,
        objective=result.objective,
        bound=result.bound,
        method=result.method,
        status=result.status,
        seed=seed,
        criteria=[],
        summary_extra=extra,
    )
