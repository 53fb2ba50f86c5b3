"""Optimality certificates for min-cost flow solved on a subset of the allowed pairs.

The lexicographic objective (most places filled, then the highest total score) is a min-cost
circulation with pair costs ``-(M + s)``, where ``M`` exceeds any total score (the network of
:mod:`matcher.solvers._network`). After solving on a candidate subset, shortest-path distances
in the residual graph (Bellman–Ford, compiled) are node potentials ``d`` with non-negative
reduced costs on every residual arc. A pair left out, of integer score ``s``, could improve the
solution only if its reduced cost ``-(M + s) + d[mentee] - d[mentor]`` is negative, i.e. ``s >
d[mentee] - d[mentor] - M``. No such pair means the subset's optimum is the optimum of the full
problem.

The distances are found by a queue-based Bellman–Ford (compiled, numba): only the nodes whose
distance fell in the last pass are scanned again.  Every order of relaxations reaches the same
distances (the shortest from a virtual source joined to every node at cost 0).
"""

from __future__ import annotations

import numba as nb
import numpy as np
import numpy.typing as npt

from matcher.solvers._network import Nodes, Potentials, big_m, mentee_weight, residual_arcs
from matcher.solvers._problem import AssignmentProblem

__all__ = ["flow_potentials", "holds"]


def holds(
    problem: AssignmentProblem,
    chosen: npt.NDArray[np.int64],
    d: npt.NDArray[np.int64],
    m: int,
    bonus: int,
) -> bool:
    """Whether ``chosen`` is a flow within every capacity and ``d`` (every node's potential,
    in the network's order) leaves no residual arc with a negative reduced cost, with weights
    ``m`` per place and ``bonus`` per mentee at least those of ``problem``: then ``chosen`` is
    optimal."""
    if bonus < mentee_weight(problem) or m < bonus * (problem.n_mentees + 2):
        return False
    if np.unique(chosen).size != chosen.size:
        return False
    e_load = np.bincount(problem.rows[chosen], minlength=problem.n_mentees)
    m_load = np.bincount(problem.cols[chosen], minlength=problem.n_mentors)
    if (e_load > problem.mentee_capacity).any() or (m_load > problem.mentor_capacity).any():
        return False
    tails, heads, costs = residual_arcs(problem, chosen, m, bonus)
    return bool(np.all(d[tails] + costs >= d[heads]))


def flow_potentials(
    problem: AssignmentProblem,
    chosen: npt.NDArray[np.int64],
    *,
    max_iterations: int = 20_000,
) -> Potentials | None:
    """Potentials for the optimal flow ``chosen`` on ``problem``; None if Bellman–Ford does not
    settle within ``max_iterations`` (then certify another way)."""
    n_e, n_m = problem.n_mentees, problem.n_mentors
    m = big_m(problem)
    tails, heads, costs = residual_arcs(problem, chosen)
    n = Nodes(n_e, n_m).count
    order = np.argsort(tails, kind="stable")
    start = np.zeros(n + 1, np.int64)
    np.cumsum(np.bincount(tails, minlength=n), out=start[1:])
    d = np.zeros(n, np.int64)
    passes = _distances(start, heads[order], costs[order], d, max_iterations)
    if passes < 0:
        return None
    return Potentials.from_nodes(d, n_e, n_m, m, passes)


@nb.njit(cache=True, nogil=True)
def _distances(start, heads, costs, d, max_passes):  # type: ignore[no-untyped-def]
    """Shortest distances from a virtual source joined to every node at cost 0, into ``d``
    (zeros on entry), over the arcs of each node ``v`` at ``start[v]:start[v + 1]``.  Returns
    the passes taken (the first scans every node, each next one the nodes whose distance fell
    in the pass before), or -1 after ``max_passes`` (a negative cycle, or too slow)."""
    n = d.shape[0]
    now = np.arange(n)
    size = n
    nxt = np.empty(n, np.int64)
    queued = np.zeros(n, np.bool_)
    passes = 0
    while size:
        passes += 1
        if passes > max_passes:
            return -1
        count = 0
        for k in range(size):
            v = now[k]
            queued[v] = False
        for k in range(size):
            v = now[k]
            dv = d[v]
            for a in range(start[v], start[v + 1]):
                w = heads[a]
                if dv + costs[a] < d[w]:
                    d[w] = dv + costs[a]
                    if not queued[w]:
                        queued[w] = True
                        nxt[count] = w
                        count += 1
        now, nxt = nxt, now
        size = count
    return passes
