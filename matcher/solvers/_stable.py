"""The stable solver: mentee-proposing deferred acceptance under mentor capacities
(hospitals/residents), iterative (no recursion, no copies), and a public blocking-pair check.

Preference orders come from ranks (1 = most preferred; 0 = not ranked, placed after the ranked
partners in score order); ties are broken by a seeded random key, so the result is
deterministic for a seed.
"""

from __future__ import annotations

import heapq
from collections import deque

import numpy as np
import numpy.typing as npt
from ortools.graph.python import min_cost_flow

from matcher._errors import SolverError
from matcher.solvers._flow import SCALE
from matcher.solvers._problem import AssignmentProblem, SolverResult

__all__ = ["blocking_pairs", "max_weight_bound", "preference_positions", "solve_stable"]

_UNRANKED = np.iinfo(np.int64).max // 4


def preference_positions(
    problem: AssignmentProblem, *, seed: int = 0
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Per edge, its position in the mentee's order and in the mentor's order (0 = first)."""
    k = problem.n_edges
    rng = np.random.default_rng(seed)
    tie = rng.permutation(k)
    neg_score = -np.round(problem.scores * SCALE).astype(np.int64)
    out = []
    for owner, ranks in ((problem.rows, problem.mentee_rank), (problem.cols, problem.mentor_rank)):
        r = np.zeros(k, np.int64) if ranks is None else np.asarray(ranks, np.int64)
        r = np.where(r > 0, r, _UNRANKED)
        order = np.lexsort((tie, neg_score, r, owner))
        pos = np.empty(k, np.int64)
        starts = np.searchsorted(owner[order], owner[order], side="left")
        pos[order] = np.arange(k) - starts
        out.append(pos)
    return out[0], out[1]


def solve_stable(problem: AssignmentProblem, *, seed: int = 0) -> SolverResult:
    """The mentee-optimal stable matching (deferred acceptance, mentees proposing)."""
    k = problem.n_edges
    if k == 0:
        return SolverResult(
            np.zeros(0, np.int64),
            0.0,
            0.0,
            "stable",
            "stable",
            {"proposals": 0, "blocking_pairs": 0},
        )
    mentee_pos, mentor_pos = preference_positions(problem, seed=seed)
    order = np.lexsort((mentee_pos, problem.rows))  # each mentee's edges, best first
    starts = np.searchsorted(problem.rows[order], np.arange(problem.n_mentees), side="left")
    ends = np.searchsorted(problem.rows[order], np.arange(problem.n_mentees), side="right")
    nxt = starts.copy()
    held = np.zeros(problem.n_mentees, np.int64)
    want = problem.mentee_capacity
    cap = problem.mentor_capacity
    cols = problem.cols
    rows = problem.rows
    heaps: list[list[tuple[int, int]]] = [[] for _ in range(problem.n_mentors)]
    free = deque(int(i) for i in np.flatnonzero((want > 0) & (ends > starts)))
    proposals = 0
    order_l = order.tolist()
    cols_l = cols.tolist()
    rows_l = rows.tolist()
    mpos_l = mentor_pos.tolist()
    while free:
        i = free.popleft()
        while held[i] < want[i] and nxt[i] < ends[i]:
            e = order_l[nxt[i]]
            nxt[i] += 1
            j = cols_l[e]
            if cap[j] == 0:
                continue
            proposals += 1
            heap = heaps[j]
            if len(heap) < cap[j]:
                heapq.heappush(heap, (-mpos_l[e], e))
                held[i] += 1
            elif -heap[0][0] > mpos_l[e]:
                _, dropped = heapq.heapreplace(heap, (-mpos_l[e], e))
                held[i] += 1
                loser = rows_l[dropped]
                held[loser] -= 1
                free.append(loser)
    chosen = np.sort(np.array([e for heap in heaps for _, e in heap], dtype=np.int64))
    objective = float(problem.scores[chosen].sum())
    blocking = blocking_pairs(problem, chosen, positions=(mentee_pos, mentor_pos))
    if blocking.size:
        raise SolverError(f"deferred acceptance left {blocking.size} blocking pairs")
    bound = max_weight_bound(problem)
    return SolverResult(
        chosen,
        objective,
        max(bound, objective),
        "stable",
        "stable",
        {
            "proposals": proposals,
            "blocking_pairs": 0,
            "bound_kind": "max-weight matching total (price of stability)",
        },
    )


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
            -np.rint(scores * SCALE).astype(np.int64),
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
