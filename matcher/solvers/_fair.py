"""The fair solver: at maximum coverage, maximise the lowest score of any matched pair, then
the total.  Exact: a binary search over the distinct score values with a max-flow feasibility
test (can every covered place still be filled using only pairs scoring at least t?), then a
min-cost max-flow on the pairs at or above the floor found."""

from __future__ import annotations

import logging

import numpy as np
import numpy.typing as npt
from ortools.graph.python import max_flow

from matcher._errors import SolverError
from matcher.solvers._flow import solve_optimal
from matcher.solvers._problem import AssignmentProblem, SolverResult

__all__ = ["coverage_cut", "max_coverage", "solve_fair"]

log = logging.getLogger(__name__)


def max_coverage(
    problem: AssignmentProblem,
    keep: npt.NDArray[np.bool_] | None = None,
    *,
    one_each: bool = False,
) -> int:
    """The most mentee places that can be filled using only the edges in ``keep``
    (with ``one_each``: the most mentees that can get at least one mentor)."""
    rows = problem.rows if keep is None else problem.rows[keep]
    cols = problem.cols if keep is None else problem.cols[keep]
    if rows.size == 0:
        return 0
    n_e, n_m = problem.n_mentees, problem.n_mentors
    source, sink = n_e + n_m, n_e + n_m + 1
    used_e = np.unique(rows)
    used_m = np.unique(cols)
    tails = np.concatenate([np.full(used_e.size, source), rows, n_e + used_m]).astype(np.int32)
    heads = np.concatenate([used_e, n_e + cols, np.full(used_m.size, sink)]).astype(np.int32)
    caps = np.concatenate(
        [
            np.minimum(problem.mentee_capacity[used_e], 1)
            if one_each
            else problem.mentee_capacity[used_e],
            np.ones(rows.size, np.int64),
            problem.mentor_capacity[used_m],
        ]
    ).astype(np.int64)
    flow = max_flow.SimpleMaxFlow()
    flow.add_arcs_with_capacity(tails, heads, caps)
    status = flow.solve(source, sink)
    if status != flow.OPTIMAL:
        raise SolverError(f"max-flow ended with status {status} on {len(tails)} arcs")
    return int(flow.optimal_flow())


def coverage_cut(
    problem: AssignmentProblem,
    keep: npt.NDArray[np.bool_],
    *,
    one_each: bool = False,
) -> tuple[int, npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """The most places (``one_each``: mentees) that the edges in ``keep`` can fill, and a
    minimum cut proving it: the mentees and the mentors on its source side (masks).

    Every mentee and mentor is a node of the network, whether or not an edge is kept, so the
    cut's capacity depends on the kept edges only through those from a source-side mentee to
    a sink-side mentor (there are none among them).  Adding edges that all stay off that
    crossing leaves the cut, hence the maximum, unchanged: the certificate of the sparse
    fair path (``matcher.engine``) checks exactly that on every allowed pair.
    """
    n_e, n_m = problem.n_mentees, problem.n_mentors
    source, sink = n_e + n_m, n_e + n_m + 1
    rows, cols = problem.rows[keep], problem.cols[keep]
    cap_e = np.minimum(problem.mentee_capacity, 1) if one_each else problem.mentee_capacity
    # a last arc of capacity 0 names the sink even when no mentor does
    tails = np.concatenate([np.full(n_e, source), rows, n_e + np.arange(n_m), [source]])
    heads = np.concatenate([np.arange(n_e), n_e + cols, np.full(n_m, sink), [sink]])
    caps = np.concatenate([cap_e, np.ones(rows.size, np.int64), problem.mentor_capacity, [0]])
    flow = max_flow.SimpleMaxFlow()
    flow.add_arcs_with_capacity(
        tails.astype(np.int32), heads.astype(np.int32), caps.astype(np.int64)
    )
    status = flow.solve(source, sink)
    if status != flow.OPTIMAL:
        raise SolverError(f"max-flow ended with status {status} on {len(tails)} arcs")
    side = np.zeros(n_e + n_m + 2, bool)
    side[np.asarray(flow.get_source_side_min_cut(), np.int64)] = True
    return int(flow.optimal_flow()), side[:n_e], side[n_e : n_e + n_m]


def _coverage(
    problem: AssignmentProblem, keep: npt.NDArray[np.bool_] | None = None
) -> tuple[int, int]:
    """(places filled, mentees with a mentor) at best, using only the edges in ``keep``.

    Both maxima are reached by one matching (the sets of mentee places that can be filled
    together form a matroid, so a largest matching can cover any set of mentees that can be
    covered at all): two max-flows give the pair.
    """
    return max_coverage(problem, keep), max_coverage(problem, keep, one_each=True)


def solve_fair(problem: AssignmentProblem, *, seed: int = 0) -> SolverResult:
    """Maximin score at maximum coverage, then the largest total at that floor.

    ``stats['floor']`` is the lowest score among the chosen pairs, proven the highest possible
    at maximum coverage; ``stats['flow_tests']`` counts the max-flow tests of the search.
    """
    if problem.n_edges == 0:
        return SolverResult(
            np.zeros(0, np.int64), 0.0, 0.0, "optimal", "fair", {"floor": None, "flow_tests": 0}
        )
    several = bool((problem.mentee_capacity > 1).any())

    def coverage(keep: npt.NDArray[np.bool_] | None = None) -> tuple[int, int]:
        # with one mentor per mentee, places and mentees coincide: a max-flow suffices
        if several:
            return _coverage(problem, keep)
        places = max_coverage(problem, keep)
        return places, places

    target = coverage()
    if target[0] == 0:
        return SolverResult(
            np.zeros(0, np.int64), 0.0, 0.0, "optimal", "fair", {"floor": None, "flow_tests": 1}
        )
    values = np.unique(problem.scores)  # ascending
    lo, hi = 0, values.size - 1  # values[lo] always reaches the target (all edges)
    tests = 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        tests += 1
        if coverage(problem.scores >= values[mid]) == target:
            lo = mid
        else:
            hi = mid - 1
    floor = float(values[lo])
    keep = np.flatnonzero(problem.scores >= floor)
    inner = solve_optimal(problem.subset(keep), seed=seed)
    chosen = np.sort(keep[inner.chosen]).astype(np.int64)
    log.debug("fair: coverage %d, floor %.6f after %d flow tests", target[0], floor, tests)
    return SolverResult(
        chosen,
        inner.objective,
        inner.bound,
        "optimal",
        "fair",
        {
            "floor": round(floor, 6),
            "coverage": target[0],
            "flow_tests": tests,
            **{k: v for k, v in inner.stats.items() if k != "flow"},
        },
    )
