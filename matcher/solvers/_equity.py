"""Equity across subgroups, exact: coverage floors per subgroup of mentees, or the lowest
coverage rate among the subgroups maximised, then the usual objective under those floors.

Each mentee belongs to exactly one subgroup ``g`` (of ``n_g`` mentees).  A subgroup's
*coverage* is how many of its mentees have at least one mentor (pinned pairs count), its
*rate* that count over ``n_g``.  The network is the optimal method's with one node per
subgroup between the source of first places and its mentees::

    F -> G_g (lower bound: the floor L_g) -> mentee i (1: its first place) -> mentor j -> T
    R -> mentee i (its further places)

* ``min_share``: subgroup g's floor is ``ceil(share_g x n_g x S* / N)``, where ``S* / N`` is
  the *overall rate*: the most mentees that can have a mentor at all (one maximum flow, equity
  ignored) over all mentees.  Since no matching serves more than ``S*``, every subgroup's rate
  is then also at least ``share_g`` times the rate of the matching returned.
* ``equalise``: the lowest rate is one of the fractions ``k / n_g``; a binary search over them,
  each step a maximum flow (can every subgroup reach ``ceil(r x n_g)`` at once?), finds the
  largest, and its floors are then imposed.

Under the floors (lower bounds turned into node supplies), the most places and, among those,
the most mentees served are those without the rule when one maximum flow (from a super
source) shows the floors can hold with them, else one min-cost circulation with small costs
finds them; then a min-cost flow, with those supplies fixed, the highest total score
(``fair``: the best lowest pair score first, by a binary search over the score values, then
the total).  Every step is exact: ``bound`` equals
``objective``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import numpy.typing as npt
from ortools.graph.python import max_flow, min_cost_flow

from matcher._errors import InfeasibleError, SolverError
from matcher.solvers._certify import _distances
from matcher.solvers._network import Potentials, big_m, mentee_weight, score_units
from matcher.solvers._problem import AssignmentProblem, SolverResult

__all__ = [
    "EquityRule",
    "equity_cut",
    "equity_floors",
    "equity_infeasible",
    "equity_potentials",
    "solve_equity",
    "solve_equity_floors",
]

log = logging.getLogger(__name__)

_I = npt.NDArray[np.int64]
_I32 = npt.NDArray[np.int32]


@dataclass(frozen=True)
class EquityRule:
    """The subgroups of the mentees and the rule on their coverage.

    ``subgroup[i]`` is mentee i's subgroup (``0 … len(names) - 1``); ``covered[i]``: mentee i
    already has a mentor (a pinned pair).  ``min_share[g]`` is subgroup g's share of the
    overall rate (None: no floor); with ``equalise`` the lowest rate is maximised instead.
    """

    subgroup: _I
    names: tuple[str, ...]
    covered: npt.NDArray[np.bool_]
    min_share: tuple[Fraction | None, ...] | None = None
    equalise: bool = False

    @property
    def sizes(self) -> _I:
        """Mentees per subgroup."""
        return np.bincount(self.subgroup, minlength=len(self.names)).astype(np.int64)


class _Network:
    """The subgroup network of ``problem`` restricted to the edges ``keep``."""

    def __init__(
        self,
        problem: AssignmentProblem,
        rule: EquityRule,
        keep: npt.NDArray[np.int64],
        order: npt.NDArray[np.int64],
    ) -> None:
        n_e, n_m = problem.n_mentees, problem.n_mentors
        self.problem, self.rule = problem, rule
        self.edges = order[np.isin(order, keep)] if keep.size < problem.n_edges else order
        rows, cols = problem.rows[self.edges], problem.cols[self.edges]
        self.sink, self.first, self.further = n_e + n_m, n_e + n_m + 1, n_e + n_m + 2
        self.group_node = np.arange(len(rule.names), dtype=np.int32) + np.int32(n_e + n_m + 3)
        cap_e = problem.mentee_capacity
        has_edge = np.zeros(n_e, bool)
        has_edge[rows] = True
        #: mentees whose first place this network can fill
        self.open = np.flatnonzero(has_edge & ~rule.covered & (cap_e > 0))
        self.more = np.flatnonzero(has_edge & (cap_e - (~rule.covered).astype(np.int64) > 0))
        self.open_per_group = np.bincount(
            rule.subgroup[self.open], minlength=len(rule.names)
        ).astype(np.int64)
        used_m = np.unique(cols)
        self.used_m = used_m
        self.pairs = (
            rows.astype(np.int32, copy=False),
            (cols + np.int32(n_e)).astype(np.int32, copy=False),
        )
        self.n_edges = rows.size
        self._flow: max_flow.SimpleMaxFlow | None = None

    def _mentee_arcs(self) -> tuple[_I32, _I32, _I]:
        """group -> open mentee, further source -> mentee, pair and mentor -> sink arcs
        (node numbers as int32, as OR-tools takes them: no copy of the pair arcs to make)."""
        p, rule = self.problem, self.rule
        n_e = p.n_mentees
        extra = p.mentee_capacity[self.more] - (~rule.covered[self.more]).astype(np.int64)
        tails = np.concatenate(
            [
                self.group_node[rule.subgroup[self.open]],
                np.full(self.more.size, self.further, np.int32),
                self.pairs[0],
                (n_e + self.used_m).astype(np.int32, copy=False),
            ]
        )
        heads = np.concatenate(
            [
                self.open.astype(np.int32, copy=False),
                self.more.astype(np.int32, copy=False),
                self.pairs[1],
                np.full(self.used_m.size, self.sink, np.int32),
            ]
        )
        caps = np.concatenate(
            [
                np.ones(self.open.size, np.int64),
                extra,
                np.ones(self.n_edges, np.int64),
                p.mentor_capacity[self.used_m],
            ]
        )
        return tails, heads, caps

    def reachable(self, floors: _I) -> bool:
        """Whether every subgroup g can have ``floors[g]`` more mentees served at once."""
        need = int(floors.sum())
        if need == 0:
            return True
        if (floors > self.open_per_group).any():
            return False
        return self.first_places(floors) == need

    def group_flows(self) -> _I:
        """Mentees served per subgroup by the last :meth:`first_places`."""
        groups = self.group_node.size
        if self._flow is None:  # no first place to fill
            return np.zeros(groups, np.int64)
        return np.array([self._flow.flow(g) for g in range(groups)], np.int64)

    def release(self) -> None:
        """Drop the maximum-flow graph (it is rebuilt if needed again)."""
        self._flow = None

    def first_places(self, caps: _I) -> int:
        """The most first places that can be filled with at most ``caps[g]`` in subgroup g:
        a maximum flow on the first places (further places do not cover anyone), built once
        and re-solved with the subgroups' arc capacities changed."""
        if self.open.size == 0:
            return 0
        if self._flow is None:
            tails, heads, arc_caps = self._mentee_arcs()
            first, more = self.open.size, self.more.size
            groups = self.group_node.size
            flow = max_flow.SimpleMaxFlow()
            flow.add_arcs_with_capacity(
                np.concatenate(
                    [np.full(groups, self.first, np.int32), tails[:first], tails[first + more :]]
                ).astype(np.int32, copy=False),
                np.concatenate([self.group_node, heads[:first], heads[first + more :]]).astype(
                    np.int32
                ),
                np.concatenate(
                    [np.zeros(groups, np.int64), arc_caps[:first], arc_caps[first + more :]]
                ),
            )
            self._flow = flow
        flow = self._flow
        for g, cap in enumerate(caps.tolist()):
            flow.set_arc_capacity(g, int(cap))
        status = flow.solve(self.first, self.sink)
        if status != flow.OPTIMAL:
            raise SolverError(f"max-flow ended with status {status} (equity coverage)")
        return int(flow.optimal_flow())

    def most(self, floors: _I) -> tuple[int, int] | None:
        """(places, mentees served beyond the pinned) at best with the floors, or None when
        the floors cannot all be met: one min-cost circulation whose return arcs pay
        ``W + 1`` per first place and ``W`` per further place (``W`` > any count of mentees)."""
        if (floors > self.open_per_group).any():
            return None
        unruled = self._most_unruled()
        if self._meets(floors, *unruled):
            return unruled  # the floors cost no place and no mentee
        smcf, _pairs = self._circulation(floors)
        weight = self.problem.n_mentees + 2
        plenty = int(self.problem.mentor_capacity.sum()) + 1
        back = smcf.add_arcs_with_capacity_and_unit_cost(
            np.array([self.sink, self.sink], np.int32),
            np.array([self.first, self.further], np.int32),
            np.array([plenty, plenty], np.int64),
            np.array([-(weight + 1), -weight], np.int64),
        )
        status = smcf.solve()
        if status == smcf.INFEASIBLE:
            return None
        if status != smcf.OPTIMAL:
            raise SolverError(f"min-cost flow ended with status {status} (equity coverage)")
        flows = smcf.flows(back)
        # F owes the floors to the subgroups: all first places come back through T -> F
        return int(flows[0]) + int(flows[1]), int(flows[0])

    def _most_unruled(self) -> tuple[int, int]:
        """(places, mentees served beyond the pinned) at best without the floors: two maximum
        flows on one graph, without and with the further places.  Both maxima are reached by
        one matching (see :func:`matcher.solvers._flow._most_served`)."""
        tails, heads, caps = self._mentee_arcs()
        groups = self.group_node.size
        flow = max_flow.SimpleMaxFlow()
        flow.add_arcs_with_capacity(
            np.concatenate([np.full(groups + 1, self.first, np.int32), tails]),
            np.concatenate([self.group_node, [np.int32(self.further)], heads]).astype(np.int32),
            np.concatenate([self.open_per_group, [0], caps]),
        )
        found = []
        for further in (0, int(caps.sum()) + 1):
            flow.set_arc_capacity(groups, further)
            if flow.solve(self.first, self.sink) != flow.OPTIMAL:
                raise SolverError("max-flow failed while counting places (equity)")
            found.append(int(flow.optimal_flow()))
        served, places = found
        return places, served

    def _meets(self, floors: _I, places: int, served: int) -> bool:
        """Whether some matching fills ``places`` places with ``served`` first places and meets
        the floors: one maximum flow from a super source giving each subgroup its floor, the
        first-place source the rest of ``served`` and the further source ``places - served``,
        to a super sink taking ``places`` from the sink; feasible when it is saturated."""
        rest = served - int(floors.sum())
        if rest < 0:
            return False
        tails, heads, caps = self._mentee_arcs()
        groups = self.group_node.size
        top = int(self.group_node[-1]) + 1 if groups else self.further + 1
        source, sink = np.int32(top), np.int32(top + 1)
        flow = max_flow.SimpleMaxFlow()
        flow.add_arcs_with_capacity(
            np.concatenate(
                [
                    np.full(groups + 2, source, np.int32),
                    np.full(groups, self.first, np.int32),
                    tails,
                    [np.int32(self.sink)],
                ]
            ),
            np.concatenate(
                [
                    self.group_node,
                    [np.int32(self.first), np.int32(self.further)],
                    self.group_node,
                    heads,
                    [sink],
                ]
            ).astype(np.int32),
            np.concatenate(
                [floors, [rest, places - served], self.open_per_group - floors, caps, [places]]
            ).astype(np.int64),
        )
        if flow.solve(int(source), int(sink)) != flow.OPTIMAL:
            raise SolverError("max-flow failed while testing the floors (equity)")
        return int(flow.optimal_flow()) == places

    def _circulation(self, floors: _I) -> tuple[min_cost_flow.SimpleMinCostFlow, _I]:
        """The network with the floors as supplies (a lower bound ``L`` on F -> G_g: F gives
        ``L`` less, G_g has ``L`` more), zero costs; returns the solver and the pair arcs."""
        tails, heads, caps = self._mentee_arcs()
        t = np.concatenate([np.full(floors.size, self.first, np.int32), tails])
        h = np.concatenate([self.group_node, heads])
        c = np.concatenate([self.open_per_group - floors, caps])
        smcf = min_cost_flow.SimpleMinCostFlow()
        arcs = smcf.add_arcs_with_capacity_and_unit_cost(
            t.astype(np.int32, copy=False),
            h.astype(np.int32, copy=False),
            c,
            np.zeros(t.size, np.int64),
        )
        smcf.set_nodes_supplies(
            np.concatenate([[self.first], self.group_node]).astype(np.int32, copy=False),
            np.concatenate([[-int(floors.sum())], floors]).astype(np.int64),
        )
        start = floors.size + self.open.size + self.more.size
        return smcf, arcs[start : start + self.n_edges]

    def best(self, floors: _I, places: int, served: int) -> npt.NDArray[np.int64]:
        """The highest total score filling ``places`` places, ``served`` first places, the
        floors met: the chosen edges (indices into the problem's edges)."""
        tails, heads, caps = self._mentee_arcs()
        t = np.concatenate([np.full(floors.size, self.first, np.int32), tails])
        h = np.concatenate([self.group_node, heads])
        c = np.concatenate([self.open_per_group - floors, caps])
        costs = np.zeros(t.size, np.int64)
        start = floors.size + self.open.size + self.more.size
        costs[start : start + self.n_edges] = -score_units(self.problem.scores[self.edges])
        smcf = min_cost_flow.SimpleMinCostFlow()
        arcs = smcf.add_arcs_with_capacity_and_unit_cost(
            t.astype(np.int32, copy=False), h.astype(np.int32, copy=False), c, costs
        )
        beyond = served - int(floors.sum())
        smcf.set_nodes_supplies(
            np.concatenate([[self.first, self.further, self.sink], self.group_node]).astype(
                np.int32
            ),
            np.concatenate([[beyond, places - served, -places], floors]).astype(np.int64),
        )
        status = smcf.solve()
        if status != smcf.OPTIMAL:
            raise SolverError(f"min-cost flow ended with status {status} (equity score)")
        flows = smcf.flows(arcs[start : start + self.n_edges])
        return np.sort(self.edges[flows > 0]).astype(np.int64)


def _floors_at(rate: Fraction, sizes: _I) -> _I:
    """``ceil(rate x n_g)`` for every subgroup, exactly."""
    return np.array([-(-rate.numerator * int(n) // rate.denominator) for n in sizes], np.int64)


def equity_rates(sizes: _I, low: Fraction, top: Fraction) -> list[Fraction]:
    """Every lowest rate the search may stop at: each k / n_g of a present subgroup (n_g > 0)
    from ``low`` to ``top``, ascending, once each."""
    return sorted(
        {
            r
            for n_g in sizes[sizes > 0].tolist()
            for k in range(int(n_g) + 1)
            if low <= (r := Fraction(k, int(n_g))) <= top
        }
    )


def _equalise(net: _Network, rule: EquityRule, pinned: _I) -> tuple[Fraction, int]:
    """The largest lowest rate among the subgroups and the number of max-flow tests."""
    sizes = rule.sizes
    present = np.flatnonzero(sizes > 0)
    if present.size == 0:
        return Fraction(0), 0
    # one maximum flow with every first place open: its coverage is a feasible lowest rate
    # (a proven start), and no matching serves more mentees in all, so the lowest rate cannot
    # pass that total over all mentees, nor any subgroup's (pinned + open) / n_g
    served = net.first_places(net.open_per_group)
    got = pinned + net.group_flows()
    low = min(Fraction(int(got[g]), int(sizes[g])) for g in present)
    top = min(Fraction(int(pinned[g] + net.open_per_group[g]), int(sizes[g])) for g in present)
    top = min(top, Fraction(int(pinned.sum()) + served, int(sizes.sum())))
    rates = equity_rates(sizes, low, top)
    lo, hi, tests = 0, len(rates) - 1, 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        tests += 1
        if net.reachable(np.maximum(_floors_at(rates[mid], sizes) - pinned, 0)):
            lo = mid
        else:
            hi = mid - 1
    return rates[lo], tests


def _share_floors(
    net: _Network, rule: EquityRule, shares: tuple[Fraction | None, ...]
) -> tuple[_I, Fraction]:
    """Each subgroup's floor (total coverage) under ``min_share``, and the overall rate."""
    n = rule.subgroup.size
    no_floor = np.zeros(len(rule.names), np.int64)
    # the most mentees served at all: every open mentee's first place may count
    everyone = np.array(net.open_per_group)
    served = int(rule.covered.sum()) + net.first_places(everyone)
    overall = Fraction(served, n) if n else Fraction(0)
    floors = no_floor.copy()
    for g, share in enumerate(shares):
        if share is not None:
            need = share * int(rule.sizes[g]) * overall
            floors[g] = -(-need.numerator // need.denominator)
    return floors, overall


def _infeasible(net: _Network, rule: EquityRule, floors: _I, pinned: _I) -> InfeasibleError:
    """Which floors cannot be met: each subgroup's floor and the most it can reach alone."""
    return _infeasible_with(rule, floors, pinned, net.first_places)


def _infeasible_with(
    rule: EquityRule, floors: _I, pinned: _I, reach: Callable[[_I], int]
) -> InfeasibleError:
    """As :func:`_infeasible`, with ``reach(caps)`` the most first places with at most
    ``caps[g]`` in subgroup g (all that subgroup's open mentees for one subgroup alone)."""
    open_g = np.bincount(rule.subgroup[~rule.covered], minlength=len(rule.names))
    short = []
    for at in map(int, np.flatnonzero(floors > 0)):
        caps = np.zeros(len(rule.names), np.int64)
        caps[at] = open_g[at]
        got = int(pinned[at]) + reach(caps)
        if got < floors[at]:
            short.append((at, got))
    if short:  # the cause: these floors are out of reach even with every place to themselves
        return InfeasibleError(
            f"[equity] subgroup {rule.names[g]!r} needs at least {int(floors[g])} of its "
            f"{int(rule.sizes[g])} mentees matched, but can reach at most {got} even with "
            "every mentor place to itself"
            for g, got in short
        )
    # each floor alone is reachable: the cause is what they ask for together
    need = np.maximum(floors - pinned, 0).astype(np.int64)
    together = int(np.minimum(pinned, floors).sum()) + reach(need)
    asked = ", ".join(
        f"{rule.names[g]} {int(floors[g])} of {int(rule.sizes[g])}"
        for g in map(int, np.flatnonzero(floors > 0))
    )
    reasons = [
        f"[equity] together the floors ask for {int(floors.sum())} mentees matched, and at "
        f"most {together} of them can be matched at once (mentor places and compatible pairs "
        "are shared; floors are rounded up to whole mentees); each floor alone can be met, "
        f"so they are infeasible only together (floors: {asked})"
    ]
    return InfeasibleError(reasons)


def solve_equity(
    problem: AssignmentProblem, rule: EquityRule, *, seed: int = 0, fair: bool = False
) -> SolverResult:
    """The best matching under the equity rule: floors met (or the lowest subgroup rate as high
    as it can be), then the most places, the most mentees, then the highest total score
    (``fair``: the highest lowest pair score, then the total).

    ``stats``: ``floors`` (mentees to serve per subgroup index, pinned included), ``lowest_rate``
    (as ``"k/n"`` and a float), ``overall_rate`` (min_share), ``flow_tests``.  Floors that
    cannot be met raise :class:`InfeasibleError` naming each subgroup, its floor and the most
    it can reach.
    """
    n_e = problem.n_mentees
    if rule.subgroup.shape != (n_e,) or rule.covered.shape != (n_e,):
        raise ValueError(
            f"subgroup and covered must have shape ({n_e},), got "
            f"{rule.subgroup.shape} and {rule.covered.shape}"
        )
    rng = np.random.default_rng(seed)
    order = rng.permutation(problem.n_edges).astype(np.int64)
    everything = np.arange(problem.n_edges, dtype=np.int64)
    net = _Network(problem, rule, everything, order)
    pinned = np.bincount(rule.subgroup[rule.covered], minlength=len(rule.names)).astype(np.int64)
    stats: dict[str, object] = {}
    tests = 0
    if rule.equalise:
        rate, tests = _equalise(net, rule, pinned)
        total_floors = _floors_at(rate, rule.sizes)
        stats["lowest_rate"] = {"fraction": str(rate), "value": round(float(rate), 6)}
    else:
        if rule.min_share is None:
            raise ValueError("an equity rule needs min_share or equalise")
        total_floors, overall = _share_floors(net, rule, rule.min_share)
        stats["overall_rate"] = {"fraction": str(overall), "value": round(float(overall), 6)}
    floors = np.maximum(total_floors - pinned, 0)
    net.release()  # the maximum-flow graph: not held while the min-cost ones are built
    target = net.most(floors)
    tests += 1
    if target is None:
        raise _infeasible(net, rule, total_floors, pinned)
    places, served = target
    chosen_net = net
    if fair and places > 0:
        values = np.unique(problem.scores)
        lo, hi = 0, values.size - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            tests += 1
            keep = np.flatnonzero(problem.scores >= values[mid])
            if _Network(problem, rule, keep, order).most(floors) == target:
                lo = mid
            else:
                hi = mid - 1
        stats["floor"] = round(float(values[lo]), 6)
        chosen_net = _Network(problem, rule, np.flatnonzero(problem.scores >= values[lo]), order)
    chosen = chosen_net.best(floors, places, served) if places > 0 else np.zeros(0, np.int64)
    objective = float(problem.scores[chosen].sum())
    stats.update(
        {
            # by subgroup index: the job records of the service keep the solver's figures,
            # and subgroup names are profile values
            "floors": [int(f) for f in total_floors],
            "flow_tests": tests,
            "places": places,
            "mentees_matched": int(np.unique(problem.rows[chosen]).size),
        }
    )
    log.debug("equity: %d places, %d mentees, %d flow tests", places, served, tests)
    return SolverResult(
        chosen, objective, objective, "optimal", "fair" if fair else "optimal", stats
    )


# --- the pieces of the certified sparse path (matcher.engine._sparse_equity) ----------------


def _places_of(problem: AssignmentProblem, rule: EquityRule) -> tuple[_I, _I]:
    """Per mentee, its first place under the rule (1: an eligible mentee, not covered and
    wanting a mentor) and its further places."""
    first = (~rule.covered & (problem.mentee_capacity > 0)).astype(np.int64)
    return first, np.maximum(problem.mentee_capacity - first, 0)


def equity_cut(
    problem: AssignmentProblem,
    rule: EquityRule,
    keep: npt.NDArray[np.bool_],
    to_group: _I,
    *,
    through_first: tuple[int, _I] | None = None,
    further: int = 0,
    places: int | None = None,
) -> tuple[int, npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """A maximum flow of the subgroup network on the edges in ``keep``, and a minimum cut
    proving it: the mentees and the mentors on its source side (masks).

    A super source gives subgroup g up to ``to_group[g]`` first places, the first-place
    source up to ``through_first[0]`` more (``through_first[1][g]`` at most to subgroup g),
    and the further source up to ``further`` further places; the sink passes at most
    ``places`` (default: no limit).  With ``to_group`` alone this is the most first places
    with at most ``to_group[g]`` in subgroup g; with all four, whether the floors, a number of
    first places and one of places can be met together (the flow reaches ``places``).

    As in :func:`matcher.solvers.coverage_cut`, every mentee and mentor is a node whether or
    not an edge is kept, so the cut stays a cut of the network on every allowed pair unless
    an allowed pair runs from a source-side mentee to a sink-side mentor."""
    n_e, n_m = problem.n_mentees, problem.n_mentors
    groups = len(rule.names)
    sink, first_src, further_src = n_e + n_m, n_e + n_m + 1, n_e + n_m + 2
    source, end = n_e + n_m + 3, n_e + n_m + 4
    group_node = n_e + n_m + 5 + np.arange(groups, dtype=np.int64)
    first, more = _places_of(problem, rule)
    eligible = np.flatnonzero(first > 0)
    extra = np.flatnonzero(more > 0)
    rows, cols = problem.rows[keep], problem.cols[keep]
    share, caps_first = (0, np.zeros(groups, np.int64)) if through_first is None else through_first
    limit = int(problem.mentor_capacity.sum()) + 1 if places is None else places
    tails = np.concatenate(
        [
            np.full(groups, source),
            [source, source],
            np.full(groups, first_src),
            group_node[rule.subgroup[eligible]],
            np.full(extra.size, further_src),
            rows,
            n_e + np.arange(n_m),
            [sink],
        ]
    )
    heads: _I = np.concatenate(
        [
            group_node,
            [first_src, further_src],
            group_node,
            eligible,
            extra,
            n_e + cols,
            np.full(n_m, sink),
            [end],
        ]
    )
    caps = np.concatenate(
        [
            to_group,
            [share, further],
            caps_first,
            np.ones(eligible.size, np.int64),
            more[extra],
            np.ones(rows.size, np.int64),
            problem.mentor_capacity,
            [limit],
        ]
    )
    flow = max_flow.SimpleMaxFlow()
    flow.add_arcs_with_capacity(
        tails.astype(np.int32), heads.astype(np.int32), np.maximum(caps, 0).astype(np.int64)
    )
    status = flow.solve(source, end)
    if status != flow.OPTIMAL:
        raise SolverError(f"max-flow ended with status {status} (equity cut)")
    side = np.zeros(n_e + n_m + 5 + groups, bool)
    side[np.asarray(flow.get_source_side_min_cut(), np.int64)] = True
    return int(flow.optimal_flow()), side[:n_e], side[n_e : n_e + n_m]


def equity_floors(rule: EquityRule, rate: Fraction) -> _I:
    """Each subgroup's floor (total coverage, pinned included) at the lowest rate ``rate``."""
    return _floors_at(rate, rule.sizes)


def equity_infeasible(
    rule: EquityRule, floors: _I, pinned: _I, reach: Callable[[_I], int]
) -> InfeasibleError:
    """The error naming floors that cannot be met, with ``reach(caps)`` the most first places
    with at most ``caps[g]`` in subgroup g (proven on every allowed pair)."""
    return _infeasible_with(rule, floors, pinned, reach)


def solve_equity_floors(
    problem: AssignmentProblem,
    rule: EquityRule,
    floors: _I,
    *,
    seed: int = 0,
    target: tuple[int, int] | None = None,
) -> SolverResult | None:
    """The best matching on ``problem``'s edges meeting ``floors`` (first places per subgroup
    beyond the pinned): the most places, then the most mentees, then the highest total; with
    ``target`` (places, mentees), exactly that coverage.  None when the floors (or the
    target) cannot be met on these edges."""
    order = np.random.default_rng(seed).permutation(problem.n_edges).astype(np.int64)
    net = _Network(problem, rule, np.arange(problem.n_edges, dtype=np.int64), order)
    most = net.most(floors)
    if most is None or (target is not None and most != target):
        return None
    places, served = most
    chosen = net.best(floors, places, served) if places > 0 else np.zeros(0, np.int64)
    objective = float(problem.scores[chosen].sum())
    return SolverResult(
        chosen,
        objective,
        objective,
        "optimal",
        "optimal",
        {"flow": places, "mentees_matched": int(np.unique(problem.rows[chosen]).size)},
    )


def equity_potentials(
    problem: AssignmentProblem,
    rule: EquityRule,
    floors: _I,
    chosen: npt.NDArray[np.int64],
    *,
    max_iterations: int = 20_000,
) -> Potentials | None:
    """Potentials of the flow ``chosen`` in the subgroup network with the floors as lower
    bounds, the costs those of the optimal method (``-(M + units)`` per pair, a bonus per
    first place); None when Bellman–Ford does not settle (``chosen`` is not optimal).

    Only the mentee -> mentor arcs of a pair left out are missing from ``problem``, so
    these potentials certify ``chosen`` on every allowed pair exactly as the optimal
    method's do (:class:`Potentials`'s ``threshold``)."""
    n_e, n_m = problem.n_mentees, problem.n_mentors
    groups = len(rule.names)
    m, bonus = big_m(problem), mentee_weight(problem)
    sink, first_src, further_src = n_e + n_m, n_e + n_m + 1, n_e + n_m + 2
    group_node = n_e + n_m + 3 + np.arange(groups, dtype=np.int64)
    n = n_e + n_m + 3 + groups
    first, more = _places_of(problem, rule)
    used = np.zeros(problem.n_edges, bool)
    used[chosen] = True
    load = np.bincount(problem.rows[chosen], minlength=n_e).astype(np.int64)
    first_used = np.minimum(load, first)
    more_used = load - first_used
    m_load = np.bincount(problem.cols[chosen], minlength=n_m)
    covered_g = np.bincount(rule.subgroup, weights=first_used, minlength=groups).astype(np.int64)
    eligible_g = np.bincount(rule.subgroup, weights=first, minlength=groups).astype(np.int64)
    if (covered_g < floors).any() or (load > problem.mentee_capacity).any():
        return None
    if (m_load > problem.mentor_capacity).any():
        return None
    rows, cols = problem.rows.astype(np.int64), problem.cols.astype(np.int64)
    cost = -(m + score_units(problem.scores))
    e_all = np.arange(n_e, dtype=np.int64)
    g_of = group_node[rule.subgroup]
    f_open = np.flatnonzero((first > 0) & (first_used == 0))
    f_used = np.flatnonzero(first_used > 0)
    r_open = np.flatnonzero(more_used < more)
    r_used = np.flatnonzero(more_used > 0)
    g_up = np.flatnonzero(covered_g < eligible_g)
    g_down = np.flatnonzero(covered_g > floors)
    open_m = np.flatnonzero(m_load < problem.mentor_capacity)
    busy_m = np.flatnonzero(m_load > 0)
    back = [first_src] * bool(f_used.size) + [further_src] * bool(r_used.size)
    parts = [  # (tails, heads, costs)
        (g_of[f_open], e_all[f_open], np.full(f_open.size, -bonus)),
        (e_all[f_used], g_of[f_used], np.full(f_used.size, bonus)),
        (np.full(r_open.size, further_src), e_all[r_open], np.zeros(r_open.size)),
        (e_all[r_used], np.full(r_used.size, further_src), np.zeros(r_used.size)),
        (rows[~used], n_e + cols[~used], cost[~used]),
        (n_e + cols[used], rows[used], -cost[used]),
        (n_e + open_m, np.full(open_m.size, sink), np.zeros(open_m.size)),
        (np.full(busy_m.size, sink), n_e + busy_m, np.zeros(busy_m.size)),
        (np.full(g_up.size, first_src), group_node[g_up], np.zeros(g_up.size)),
        (group_node[g_down], np.full(g_down.size, first_src), np.zeros(g_down.size)),
        (np.array([sink, sink]), np.array([first_src, further_src]), np.zeros(2)),
        (np.array(back, np.int64), np.full(len(back), sink), np.zeros(len(back))),
    ]
    tails = np.concatenate([t for t, _, _ in parts]).astype(np.int64)
    heads = np.concatenate([h for _, h, _ in parts]).astype(np.int64)
    costs = np.concatenate([np.asarray(c, np.int64) for _, _, c in parts])
    order = np.argsort(tails, kind="stable")
    start = np.zeros(n + 1, np.int64)
    np.cumsum(np.bincount(tails, minlength=n), out=start[1:])
    d = np.zeros(n, np.int64)
    if _distances(start, heads[order], costs[order], d, max_iterations) < 0:
        return None
    return Potentials(
        d[:n_e].copy(), d[n_e : n_e + n_m].copy(), m, 0, int(d[first_src]), int(d[sink])
    )
