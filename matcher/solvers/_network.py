"""The flow network of the optimal method, owned here: its nodes and their order, the costs of
its arcs, the mentee bonus and the weight per place, and node potentials with their conversion.
The optimal solve (``_flow``), its certificate (``_certify``) and the warm repair (``_warm``)
all build on this one description.

Nodes, in this order: mentees ``0 … n_e - 1``, mentors ``n_e … n_e + n_m - 1``, the sink, the
source (of every mentee's first place) and, in the solve only, a second source of further
places (a mentee who wants several mentors).  Arcs: source -> mentee (a first place, worth the
*mentee bonus*; further places worth 0), mentee -> mentor (a pair, cost ``-score`` in integer
units of 1/SCALE), mentor -> sink (one place of the mentor), and, in the residual graph of the
certificate and the repair, the return arc sink -> source.

The lexicographic objective (most places filled, then most mentees with a mentor, then the
highest total score) is one min-cost circulation with pair costs ``-(M + units)``: ``M``, the
weight per place, exceeds every mentee bonus and total score together, and the bonus exceeds
any total score difference.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matcher.solvers._problem import AssignmentProblem

__all__ = [
    "SCALE",
    "Nodes",
    "Potentials",
    "big_m",
    "bonus_of",
    "mentee_weight",
    "pair_costs",
    "residual_arcs",
    "score_units",
]

#: Score resolution of the flow: 1e-6.  Totals stay far below int64 limits at national scale.
SCALE = 1_000_000


@dataclass(frozen=True)
class Nodes:
    """The node numbers of a network of ``n_mentees`` and ``n_mentors``."""

    n_mentees: int
    n_mentors: int

    @property
    def sink(self) -> int:
        return self.n_mentees + self.n_mentors

    @property
    def source(self) -> int:
        return self.n_mentees + self.n_mentors + 1

    @property
    def further(self) -> int:
        """The source of further places (the solve only)."""
        return self.n_mentees + self.n_mentors + 2

    @property
    def count(self) -> int:
        """Nodes of the residual graph: mentees, mentors, sink, source."""
        return self.n_mentees + self.n_mentors + 2

    def mentee(self, i: npt.NDArray[np.integer]) -> npt.NDArray[np.int64]:
        return np.asarray(i, np.int64)

    def mentor(self, j: npt.NDArray[np.integer]) -> npt.NDArray[np.int64]:
        return self.n_mentees + np.asarray(j, np.int64)


def score_units(scores: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
    """Scores as integers of 1/SCALE (what the flow optimises)."""
    return np.rint(scores * SCALE).astype(np.int64)


def mentee_weight(problem: AssignmentProblem) -> int:
    """The bonus for a mentee's first mentor, larger than any total score difference, so
    that among matchings filling the most places, the most mentees get a mentor."""
    places = int(min(problem.mentee_capacity.sum(), problem.mentor_capacity.sum()))
    top = float(np.abs(problem.scores).max(initial=1.0))
    return int(SCALE * max(top, 1.0) * 2 * (places + 1))


def big_m(problem: AssignmentProblem) -> int:
    """A weight per filled place larger than every mentee bonus and total score together."""
    return mentee_weight(problem) * (problem.n_mentees + 2)


def bonus_of(m: int, n_mentees: int) -> int:
    """The mentee bonus that goes with the weight per place ``m`` (:func:`big_m`)."""
    return m // (n_mentees + 2)


def pair_costs(scores: npt.NDArray[np.float64], m: int) -> npt.NDArray[np.int64]:
    """Pair arc costs of the circulation, ``-(M + units)``."""
    return -(m + score_units(scores))


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
        """Every node's potential, in the network's node order (:class:`Nodes`)."""
        return np.concatenate([self.mentee, self.mentor, [self.sink, self.source]]).astype(np.int64)

    @classmethod
    def from_nodes(
        cls, d: npt.NDArray[np.int64], n_mentees: int, n_mentors: int, m: int, iterations: int = 0
    ) -> Potentials:
        """The potentials of every node ``d``, in the network's node order."""
        nodes = Nodes(n_mentees, n_mentors)
        return cls(
            d[:n_mentees].copy(),
            d[n_mentees : n_mentees + n_mentors].copy(),
            m,
            iterations,
            int(d[nodes.source]),
            int(d[nodes.sink]),
        )

    def threshold(
        self, rows: npt.NDArray[np.intp], cols: npt.NDArray[np.intp]
    ) -> npt.NDArray[np.int64]:
        """Integer score above which the pair would have a negative reduced cost."""
        return self.mentee[rows] - self.mentor[cols] - self.big_m


def residual_arcs(
    problem: AssignmentProblem,
    chosen: npt.NDArray[np.int64],
    m: int | None = None,
    bonus: int | None = None,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Tails, heads and costs of every arc of the residual graph of the flow ``chosen``, with
    the weights ``m`` per place and ``bonus`` per mentee (by default those of ``problem``)."""
    n_e, n_m = problem.n_mentees, problem.n_mentors
    nodes = Nodes(n_e, n_m)
    source, sink = nodes.source, nodes.sink
    m = big_m(problem) if m is None else m
    bonus = mentee_weight(problem) if bonus is None else bonus
    cost = pair_costs(problem.scores, m)
    used = np.zeros(problem.n_edges, bool)
    used[chosen] = True
    e_load = np.bincount(problem.rows[chosen], minlength=n_e)
    m_load = np.bincount(problem.cols[chosen], minlength=n_m)
    mentee_node = nodes.mentee(np.arange(n_e))
    mentor_node = nodes.mentor(np.arange(n_m))
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
            mentee_node[rows[~used]],
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
            mentee_node[rows[used]],
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
