"""The stable solver: mentee-proposing deferred acceptance under mentor capacities
(hospitals/residents), iterative (no recursion, no copies), and a public blocking-pair check.

Preference orders come from ranks (smaller = more preferred; any increasing numbers, gaps
allowed; 0 = not ranked, placed after the ranked partners in score order); ties are broken by
a seeded random key, so the result is deterministic for a seed.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
from ortools.graph.python import min_cost_flow

from matcher._errors import SolverError
from matcher.solvers._network import SCALE, score_units
from matcher.solvers._problem import AssignmentProblem, SolverResult

__all__ = [
    "best_scores_bound",
    "blocking_pairs",
    "max_weight_bound",
    "preference_positions",
    "solve_stable",
]


def _grouped_order(
    owner: npt.NDArray[np.integer[Any]], key: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """Indices sorting by owner, then by ``key`` (stable): one integer sort when both fit."""
    low = key - key.min(initial=0)
    span = int(low.max(initial=0)) + 1
    if int(owner.max(initial=0)) < (1 << 62) // span:
        return np.argsort(owner.astype(np.int64) * span + low, kind="stable")
    return np.lexsort((key, owner))


def _dense_ranks(ranks: npt.NDArray[np.int64], *, unranked: int) -> npt.NDArray[np.int64]:
    """Stated ranks (any increasing numbers, gaps allowed: 10, 20, 35) replaced by their order
    among all stated ranks (1, 2, 3), which keeps every owner's order exactly; 0 (not ranked)
    becomes ``unranked``, after every stated rank."""
    ranked = ranks > 0
    out = np.full(ranks.shape, unranked, np.int64)
    if ranked.any():
        out[ranked] = np.unique(ranks[ranked], return_inverse=True)[1] + 1
    return out


def preference_positions(
    problem: AssignmentProblem, *, seed: int = 0
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Per edge, its position in the mentee's order and in the mentor's order (0 = first).

    Order: stated rank (1 first; unranked after every ranked partner), then score, then a
    seeded random tie-break (the edges are shuffled before a stable sort).
    """
    k = problem.n_edges
    shuffle = np.random.default_rng(seed).permutation(k)
    neg_score = -np.round(problem.scores[shuffle] * SCALE).astype(np.int64)
    spread = int(neg_score.max(initial=0) - neg_score.min(initial=0)) + 1
    out = []
    for owner, ranks in ((problem.rows, problem.mentee_rank), (problem.cols, problem.mentor_rank)):
        r = np.zeros(k, np.int64) if ranks is None else np.asarray(ranks, np.int64)[shuffle]
        r = _dense_ranks(r, unranked=k + 2)
        key = r * spread + (neg_score - neg_score.min(initial=0))
        order = shuffle[_grouped_order(owner[shuffle], key)]
        grouped = owner[order]
        pos = np.empty(k, np.int64)
        pos[order] = np.arange(k) - np.searchsorted(grouped, grouped, side="left")
        out.append(pos)
    return out[0], out[1]


def solve_stable(problem: AssignmentProblem, *, seed: int = 0) -> SolverResult:
    """The mentee-optimal stable matching (deferred acceptance, mentees proposing).

    Proposals are made in rounds, vectorised: every mentee with a free place proposes to its
    next choice, every mentor keeps its best proposals up to capacity and rejects the rest.
    The mentee-optimal stable matching does not depend on the order of proposals, so this is
    the textbook algorithm's result; nothing recurses or copies per participant.
    """
    k = problem.n_edges
    if k == 0:
        return SolverResult(
            np.zeros(0, np.int64),
            0.0,
            0.0,
            "stable",
            "stable",
            {"proposals": 0, "rounds": 0, "blocking_pairs": 0},
        )
    mentee_pos, mentor_pos = preference_positions(problem, seed=seed)
    rows = problem.rows.astype(np.int64)
    cols = problem.cols.astype(np.int64)
    order = np.lexsort((mentee_pos, rows))  # each mentee's edges, best first
    ends = np.searchsorted(rows[order], np.arange(problem.n_mentees), side="right")
    nxt = np.searchsorted(rows[order], np.arange(problem.n_mentees), side="left")
    want = problem.mentee_capacity
    cap = problem.mentor_capacity
    count = np.zeros(problem.n_mentees, np.int64)
    held = np.zeros(0, np.int64)
    proposals = rounds = 0
    while True:
        free = np.flatnonzero((count < want) & (nxt < ends))
        if free.size == 0:
            break
        rounds += 1
        offer = order[nxt[free]]
        nxt[free] += 1
        offer = offer[cap[cols[offer]] > 0]
        proposals += int(offer.size)
        count[rows[offer]] += 1  # one proposal per mentee per round
        pool = np.concatenate([held, offer])
        pool = pool[np.lexsort((mentor_pos[pool], cols[pool]))]
        mentor = cols[pool]
        rank = np.arange(pool.size) - np.searchsorted(mentor, mentor, side="left")
        keep = rank < cap[mentor]
        np.subtract.at(count, rows[pool[~keep]], 1)
        held = pool[keep]
    chosen = np.sort(held)
    objective = float(problem.scores[chosen].sum())
    blocking = blocking_pairs(problem, chosen, positions=(mentee_pos, mentor_pos))
    if blocking.size:
        raise SolverError(f"deferred acceptance left {blocking.size} blocking pairs")
    bound = best_scores_bound(problem)
    return SolverResult(
        chosen,
        objective,
        max(bound, objective),
        "stable",
        "stable",
        {
            "proposals": proposals,
            "rounds": rounds,
            "blocking_pairs": 0,
            "bound_kind": "each side's best scores within capacity (price of stability)",
        },
    )


def best_scores_bound(problem: AssignmentProblem) -> float:
    """An upper bound on any matching's total: every mentee (and, separately, every mentor)
    with its best positive scores up to capacity; the smaller of the two sums."""
    positive = problem.scores > 0
    totals = []
    for owner, capacity in (
        (problem.rows, problem.mentee_capacity),
        (problem.cols, problem.mentor_capacity),
    ):
        o = owner[positive].astype(np.int64)
        s = problem.scores[positive]
        order = _grouped_order(o, -np.round(s * SCALE).astype(np.int64))
        o, s = o[order], s[order]
        rank = np.arange(o.size) - np.searchsorted(o, o, side="left")
        totals.append(float(s[rank < capacity[o]].sum()))
    return min(totals)


def blocking_pairs(
    problem: AssignmentProblem,
    chosen: npt.NDArray[np.int64],
    *,
    positions: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]] | None = None,
    seed: int = 0,
) -> npt.NDArray[np.int64]:
    """Edges (indices) that block ``chosen``: both sides would rather be together.

    A mentee blocks with a mentor if it has a free place or holds a partner it ranks lower;
    the mentor likewise.  An empty result means ``chosen`` is stable.
    """
    mentee_pos, mentor_pos = positions or preference_positions(problem, seed=seed)
    n_e, n_m = problem.n_mentees, problem.n_mentors
    in_match = np.zeros(problem.n_edges, bool)
    in_match[chosen] = True
    big = np.iinfo(np.int64).max
    worst_e = np.full(n_e, -1, np.int64)
    worst_m = np.full(n_m, -1, np.int64)
    np.maximum.at(worst_e, problem.rows[chosen], mentee_pos[chosen])
    np.maximum.at(worst_m, problem.cols[chosen], mentor_pos[chosen])
    count_e = np.bincount(problem.rows[chosen], minlength=n_e)
    count_m = np.bincount(problem.cols[chosen], minlength=n_m)
    open_e = count_e < problem.mentee_capacity
    open_m = count_m < problem.mentor_capacity
    worst_e = np.where(open_e, big, worst_e)
    worst_m = np.where(open_m, big, worst_m)
    e_wants = mentee_pos < worst_e[problem.rows]
    m_wants = mentor_pos < worst_m[problem.cols]
    usable = problem.mentor_capacity[problem.cols] > 0
    return np.flatnonzero(~in_match & e_wants & m_wants & usable).astype(np.int64)


def max_weight_bound(problem: AssignmentProblem) -> float:
    """The largest total score of any matching under the capacities (coverage not required)."""
    n_e, n_m, k = problem.n_mentees, problem.n_mentors, problem.n_edges
    source, sink = n_e + n_m, n_e + n_m + 1
    keep = problem.scores > 0
    rows, cols, scores = problem.rows[keep], problem.cols[keep], problem.scores[keep]
    if rows.size == 0:
        return 0.0
    used_e = np.unique(rows)
    used_m = np.unique(cols)
    supply = int(problem.mentee_capacity[used_e].sum())
    tails = np.concatenate([np.full(used_e.size, source), rows, n_e + used_m, [source]])
    heads = np.concatenate([used_e, n_e + cols, np.full(used_m.size, sink), [sink]])
    caps = np.concatenate(
        [
            problem.mentee_capacity[used_e],
            np.ones(rows.size, np.int64),
            problem.mentor_capacity[used_m],
            [supply],
        ]
    )
    costs = np.concatenate(
        [
            np.zeros(used_e.size, np.int64),
            -score_units(scores),
            np.zeros(used_m.size + 1, np.int64),
        ]
    )
    smcf = min_cost_flow.SimpleMinCostFlow()
    smcf.add_arcs_with_capacity_and_unit_cost(
        tails.astype(np.int32), heads.astype(np.int32), caps.astype(np.int64), costs
    )
    smcf.set_node_supply(source, supply)
    smcf.set_node_supply(sink, -supply)
    status = smcf.solve()
    if status != smcf.OPTIMAL:
        raise SolverError(f"bound computation ended with status {status} on {k} edges")
    return float(-smcf.optimal_cost() / SCALE)
