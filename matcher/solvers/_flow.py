"""The optimal solver: min-cost max-flow on the sparse graph of allowed pairs (OR-tools).

Maximum flow = as many mentee places filled as possible; among those, as many mentees with at
least one mentor as possible (counted first by two maximum flows when some mentee wants
several); then minimum cost = the largest total score.  Scores are scaled to integers
(``SCALE``); the reported objective is the exact float total of the chosen pairs.

The network (nodes, arc costs, the mentee bonus) is the one of :mod:`matcher.solvers._network`,
shared with the optimality certificate (``_certify``) and the repair of a flow (``_warm``).
"""

from __future__ import annotations

import logging

import numpy as np
import numpy.typing as npt
from ortools.graph.python import max_flow, min_cost_flow

from matcher._errors import SolverError
from matcher.solvers._network import Nodes, score_units
from matcher.solvers._problem import AssignmentProblem, SolverResult

__all__ = ["most_served_known", "solve_optimal"]

log = logging.getLogger(__name__)

_STATUS = {
    min_cost_flow.SimpleMinCostFlow.OPTIMAL: "optimal",
    min_cost_flow.SimpleMinCostFlow.FEASIBLE: "feasible",
    min_cost_flow.SimpleMinCostFlow.INFEASIBLE: "infeasible",
    min_cost_flow.SimpleMinCostFlow.NOT_SOLVED: "not solved",
    min_cost_flow.SimpleMinCostFlow.UNBALANCED: "unbalanced",
    min_cost_flow.SimpleMinCostFlow.BAD_RESULT: "bad result",
    min_cost_flow.SimpleMinCostFlow.BAD_COST_RANGE: "bad cost range",
    min_cost_flow.SimpleMinCostFlow.BAD_CAPACITY_RANGE: "bad capacity range",
}


def solve_optimal(
    problem: AssignmentProblem, *, seed: int = 0, most: tuple[int, int] | None = None
) -> SolverResult:
    """Fill as many mentee places as possible; among those matchings, give as many mentees
    at least one mentor; then maximise the total score.

    When some mentee wants several mentors, two maximum flows first find how many places and
    how many mentees can be served; the min-cost flow then maximises the score with exactly
    that many first places and further places.  A single
    solve with a mentee bonus large enough to outweigh any score would take about twice as
    long: the cost range sets the number of cost-scaling phases.

    ``seed`` fixes the order arcs are given to the solver, which decides between equally good
    matchings; the same seed always gives the same matching.  ``most`` is (places, mentees)
    that can be served at most, when the caller knows them exactly: the maximum flows are
    then skipped (see :func:`most_served_known`).
    """
    n_e, n_m, k = problem.n_mentees, problem.n_mentors, problem.n_edges
    if k == 0:
        return SolverResult(
            np.zeros(0, np.int64),
            0.0,
            0.0,
            "optimal",
            "optimal",
            {"arcs": 0, "flow": 0, "mentees_matched": 0},
        )
    rng = np.random.default_rng(seed)
    order = rng.permutation(k)
    # nodes: mentees, mentors, sink, source of first places, source of further places
    nodes = Nodes(n_e, n_m)
    sink, first, further = nodes.sink, nodes.source, nodes.further
    mentee_node = nodes.mentee(np.arange(n_e))
    mentor_node = nodes.mentor(np.arange(n_m))
    # only mentees and mentors with at least one edge need arcs to the sources/sink
    used_e = np.unique(problem.rows)
    used_m = np.unique(problem.cols)
    used_e = used_e[problem.mentee_capacity[used_e] > 0]
    more = used_e[problem.mentee_capacity[used_e] > 1]  # second and later mentors
    tails = np.concatenate(
        [
            np.full(used_e.size, first),
            np.full(more.size, further),
            mentee_node[problem.rows[order]],
            mentor_node[used_m],
        ]
    ).astype(np.int32)
    heads = np.concatenate(
        [
            mentee_node[used_e],
            mentee_node[more],
            mentor_node[problem.cols[order]],
            np.full(used_m.size, sink),
        ]
    ).astype(np.int32)
    caps = np.concatenate(
        [
            np.ones(used_e.size, np.int64),
            problem.mentee_capacity[more] - 1,
            np.ones(k, np.int64),
            problem.mentor_capacity[used_m],
        ]
    ).astype(np.int64)
    scores = -score_units(problem.scores[order])
    first_pair_arc = used_e.size + more.size
    costs = np.concatenate(
        [np.zeros(first_pair_arc, np.int64), scores, np.zeros(used_m.size, np.int64)]
    )
    smcf = min_cost_flow.SimpleMinCostFlow()
    arcs = smcf.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    if more.size or most is not None:
        # how many places, and how many mentees, can be served at most
        if most is None:
            places, served = _most_served(tails, heads, caps, first, further, sink)
        else:
            places, served = most
        smcf.set_node_supply(first, served)
        if more.size:
            smcf.set_node_supply(further, places - served)
        smcf.set_node_supply(sink, -places)
        status = smcf.solve()
    else:
        supply = int(min(used_e.size, problem.mentor_capacity[used_m].sum()))
        smcf.set_node_supply(first, supply)
        smcf.set_node_supply(sink, -supply)
        status = smcf.solve_max_flow_with_min_cost()
    name = _STATUS.get(status, f"status {status}")
    if status != smcf.OPTIMAL:
        raise SolverError(f"min-cost flow ended with status '{name}' on {k} arcs")
    pair_arcs = arcs[first_pair_arc : first_pair_arc + k]
    flows = smcf.flows(pair_arcs)
    chosen = np.sort(order[flows > 0]).astype(np.int64)
    objective = float(problem.scores[chosen].sum())
    log.debug("min-cost flow: %d arcs, flow %d, status %s", len(arcs), len(chosen), name)
    return SolverResult(
        chosen,
        objective,
        objective,
        "optimal",
        "optimal",
        {
            "arcs": len(arcs),
            "flow": len(chosen),
            "mentees_matched": int(np.unique(problem.rows[chosen]).size),
        },
    )


def most_served_known(problem: AssignmentProblem, places: int, served: int) -> bool:
    """Whether a matching of ``problem`` that fills ``places`` places and serves ``served``
    mentees fills and serves the most possible: both reach their plain upper bounds (every
    place offered or wanted, every mentee who wants one).  Adding pairs cannot raise them, so
    a later, larger problem can skip its maximum flows."""
    cap_e, cap_m = problem.mentee_capacity, problem.mentor_capacity
    wanting = int((cap_e > 0).sum())
    return places == min(int(cap_e.sum()), int(cap_m.sum())) and served == min(
        wanting, int(cap_m.sum())
    )


def _most_served(
    tails: npt.NDArray[np.int32],
    heads: npt.NDArray[np.int32],
    caps: npt.NDArray[np.int64],
    first: int,
    further: int,
    sink: int,
) -> tuple[int, int]:
    """The most places that can be filled, and among such matchings the most mentees served:
    (places, mentees).

    Two maximum flows: with every arc (places), and without the further places (mentees).
    Both maxima are reached together: from a flow serving the most mentees, augmenting paths
    reach a maximum flow, and an augmenting path never takes a place from a mentee."""
    solver = max_flow.SimpleMaxFlow()
    source = np.int32(first)
    t = np.where(tails == further, source, tails).astype(np.int32)
    solver.add_arcs_with_capacity(t, heads, caps)
    if solver.solve(int(source), sink) != solver.OPTIMAL:
        raise SolverError("maximum flow failed while counting places")
    places = int(solver.optimal_flow())
    solver = max_flow.SimpleMaxFlow()
    keep = tails != further
    solver.add_arcs_with_capacity(tails[keep], heads[keep], caps[keep])
    if solver.solve(int(source), sink) != solver.OPTIMAL:
        raise SolverError("maximum flow failed while counting mentees")
    return places, int(solver.optimal_flow())
