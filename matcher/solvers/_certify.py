"""Optimality certificates for min-cost flow solved on a subset of the allowed pairs.

The lexicographic objective (most places filled, then the highest total score) is a min-cost
circulation with pair costs ``-(M + s)``, where ``M`` exceeds any total score.  After solving
on a candidate subset, shortest-path distances in the residual graph (Bellman–Ford, vectorised)
are node potentials ``d`` with non-negative reduced costs on every residual arc.  A pair left
out, of integer score ``s``, could improve the solution only if its reduced cost
``-(M + s) + d[mentee] - d[mentor]`` is negative, i.e. ``s > d[mentee] - d[mentor] - M``.  No
such pair means the subset's optimum is the optimum of the full problem.

The distances are found by a queue-based Bellman–Ford (compiled, numba): only the nodes whose
distance fell in the last pass are scanned again.  Every order of relaxations reaches the same
distances (the shortest from a virtual source joined to every node at cost 0).
"""

from __future__ import annotations

from dataclasses import dataclass

import numba as nb
import numpy as np
import numpy.typing as npt

from matcher.solvers._flow import SCALE, mentee_weight
from matcher.solvers._problem import AssignmentProblem

__all__ = ["Potentials", "big_m", "flow_potentials", "holds"]


@dataclass
class Potentials:
    """Node potentials of an optimal flow; ``threshold(i, j)`` is the most a left-out pair
    (mentee i, mentor j) may score, in integer units of 1/SCALE, without improving it."""

    mentee: npt.NDArray[np.int64]
    mentor: npt.NDArray[np.int64]
    big_m: int
    iterations: int
    #: the potentials of the source and the sink (equal while any place is filled)
    source: int = 0
    sink: int = 0

    def nodes(self) -> npt.NDArray[np.int64]:
        """Every node's potential: mentees, mentors, source, sink (the flow's node order)."""
        return np.concatenate([self.mentee, self.mentor, [self.source, self.sink]]).astype(np.int64)

    def threshold(
        self, rows: npt.NDArray[np.intp], cols: npt.NDArray[np.intp]
    ) -> npt.NDArray[np.int64]:
        """Integer score above which the pair would have a negative reduced cost."""
        return self.mentee[rows] - self.mentor[cols] - self.big_m


def big_m(problem: AssignmentProblem) -> int:
    """A weight per filled place larger than every mentee bonus and total score together."""
    return mentee_weight(problem) * (problem.n_mentees + 2)


def _residual(
    problem: AssignmentProblem,
    chosen: npt.NDArray[np.int64],
    m: int | None = None,
    bonus: int | None = None,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Tails, heads and costs of every arc of the residual graph of the flow ``chosen``, with
    the weights ``m`` per place and ``bonus`` per mentee (by default those of ``problem``)."""
    n_e, n_m = problem.n_mentees, problem.n_mentors
    source, sink = n_e + n_m, n_e + n_m + 1
    m = big_m(problem) if m is None else m
    bonus = mentee_weight(problem) if bonus is None else bonus
    cost = -(m + np.rint(problem.scores * SCALE).astype(np.int64))
    used = np.zeros(problem.n_edges, bool)
    used[chosen] = True
    e_load = np.bincount(problem.rows[chosen], minlength=n_e)
    m_load = np.bincount(problem.cols[chosen], minlength=n_m)
    mentee_node = np.arange(n_e, dtype=np.int64)
    mentor_node = n_e + np.arange(n_m, dtype=np.int64)
    rows = problem.rows.astype(np.int64)
    cols = problem.cols.astype(np.int64)
    cap_e = problem.mentee_capacity
    # source -> mentee: a first place worth -bonus, further places worth 0 (as in the solve)
    first_open = np.flatnonzero((e_load == 0) & (cap_e > 0))
    first_used = np.flatnonzero(e_load >= 1)
    more_open = np.flatnonzero((e_load < cap_e) & (cap_e > 1))
    more_used = np.flatnonzero(e_load >= 2)
    open_m = np.flatnonzero(m_load < problem.mentor_capacity)
    busy_m = np.flatnonzero(m_load > 0)
    tails = np.concatenate(
        [
            np.full(first_open.size, source),
            mentee_node[first_used],
            np.full(more_open.size, source),
            mentee_node[more_used],
            rows[~used],
            mentor_node[cols[used]],  # mentee <-> mentor
            mentor_node[open_m],
            np.full(busy_m.size, sink),  # mentor <-> sink
            [sink, source][: 1 + bool(chosen.size)],  # the return arc (and its reverse)
        ]
    )
    heads = np.concatenate(
        [
            mentee_node[first_open],
            np.full(first_used.size, source),
            mentee_node[more_open],
            np.full(more_used.size, source),
            mentor_node[cols[~used]],
            rows[used],
            np.full(open_m.size, sink),
            mentor_node[busy_m],
            [source, sink][: 1 + bool(chosen.size)],
        ]
    )
    costs = np.concatenate(
        [
            np.full(first_open.size, -bonus, np.int64),
            np.full(first_used.size, bonus, np.int64),
            np.zeros(more_open.size + more_used.size, np.int64),
            cost[~used],
            -cost[used],
            np.zeros(open_m.size + busy_m.size + 1 + bool(chosen.size), np.int64),
        ]
    )
    return tails, heads, costs


def holds(
    problem: AssignmentProblem,
    chosen: npt.NDArray[np.int64],
    d: npt.NDArray[np.int64],
    m: int,
    bonus: int,
) -> bool:
    """Whether ``chosen`` is a flow within every capacity and ``d`` (mentees, mentors, source,
    sink) leaves no residual arc with a negative reduced cost, with weights ``m`` per place and
    ``bonus`` per mentee at least those of ``problem``: then ``chosen`` is optimal."""
    if bonus < mentee_weight(problem) or m < bonus * (problem.n_mentees + 2):
        return False
    if np.unique(chosen).size != chosen.size:
        return False
    e_load = np.bincount(problem.rows[chosen], minlength=problem.n_mentees)
    m_load = np.bincount(problem.cols[chosen], minlength=problem.n_mentors)
    if (e_load > problem.mentee_capacity).any() or (m_load > problem.mentor_capacity).any():
        return False
    tails, heads, costs = _residual(problem, chosen, m, bonus)
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
    tails, heads, costs = _residual(problem, chosen)
    n = n_e + n_m + 2
    order = np.argsort(tails, kind="stable")
    start = np.zeros(n + 1, np.int64)
    np.cumsum(np.bincount(tails, minlength=n), out=start[1:])
    d = np.zeros(n, np.int64)
    passes = _distances(start, heads[order], costs[order], d, max_iterations)
    if passes < 0:
        return None
    return Potentials(
        d[:n_e].copy(),
        d[n_e : n_e + n_m].copy(),
        m,
        passes,
        int(d[n_e + n_m]),
        int(d[n_e + n_m + 1]),
    )


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
