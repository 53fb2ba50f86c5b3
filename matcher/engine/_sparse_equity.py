"""``[equity]`` at scale: the optimal and fair methods under a coverage rule across subgroups,
exact and certified on every allowed pair, without listing them.

It starts from the certified sparse result without the rule (:func:`certified_optimal` or
:func:`certified_fair`, which is also the "without" of the figures) and its candidate pairs.
The network is the dense rule's (:mod:`matcher.solvers._equity`): one node per subgroup
between the source of first places and its mentees.  Those nodes change nothing about the
pairs left out: they are still mentee -> mentor arcs, so two certificates cover every question.

* **Maximum flows** (the overall rate of ``min_share``, each step of ``equalise``'s search, the
  reach of infeasible floors, the fair floor): a maximum flow on the candidates is the true
  maximum when no allowed pair runs from a mentee on the source side of its minimum cut to a
  mentor on the sink side (every mentee and mentor is a node of the cut network, whether or
  not a candidate touches it).  The compiled kernel prices exactly those pairs (mentor
  potential 0 on the sink side, far below on the source side); any found join the
  candidates and the flow runs again.  A search over candidates only goes up (a flow found on
  some pairs exists on all); the first level above it is then shown out of reach this way.
* **The best matching at the floors** (most places, most mentees, highest total; ``fair``:
  first the highest lowest score): a min-cost flow on the candidates with the floors as lower
  bounds; Bellman–Ford potentials of its residual graph (:func:`equity_potentials`) price every
  left-out pair by reduced cost (:func:`matcher.engine._pricing.price`), exactly as the
  optimal method's certificate; improving pairs join and it solves again.

Every answer is therefore the dense rule's on every allowed pair, and ``bound`` equals
``objective``.
"""

from __future__ import annotations

import logging
import time
from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt

from matcher._errors import SolverError
from matcher.engine._options import SparseOptions
from matcher.engine._pricing import price, pricing_limits
from matcher.engine._sparse import certified_optimal
from matcher.engine._sparse_fair import certified_fair
from matcher.scoring import Candidates, Progress, ScoringModel
from matcher.solvers import (
    AssignmentProblem,
    EquityRule,
    Potentials,
    SolverResult,
    equity_cut,
    equity_floors,
    equity_infeasible,
    equity_potentials,
    equity_rates,
    score_units,
    solve_equity_floors,
)

__all__ = ["certified_equity"]

log = logging.getLogger(__name__)

_I = npt.NDArray[np.int64]
#: A mentor potential below every bar: the source-side mentors, which no crossing pair reaches.
_OUT = -(np.int64(1) << np.int64(61))


class _Equity:
    """The candidates, the rule and the certificates that grow the candidates."""

    def __init__(
        self,
        model: ScoringModel,
        cand: Candidates,
        rule: EquityRule,
        pinned_keys: _I,
        mentee_cap: _I,
        mentor_cap: _I,
        options: SparseOptions,
        seed: int,
    ) -> None:
        self.model, self.cand, self.rule = model, cand, rule
        self.pinned_keys, self.mentee_cap, self.mentor_cap = pinned_keys, mentee_cap, mentor_cap
        self.o, self.seed = options, seed
        self.width = max(model.shape[1], 1)
        self.cut_added = self.cost_added = self.cut_rounds = self.cost_rounds = 0
        self.tests = 0

    def problem(self, min_units: int | None = None) -> tuple[_I, _I, AssignmentProblem]:
        """The candidates' pair keys, the candidates in the problem (indices) and the problem:
        those not pinned (and scoring at least ``min_units``)."""
        cand = self.cand
        keys = cand.rows.astype(np.int64) * self.width + cand.cols
        keep = (
            ~np.isin(keys, self.pinned_keys) if self.pinned_keys.size else np.ones(keys.size, bool)
        )
        if min_units is not None:
            keep &= score_units(cand.scores) >= min_units
        at = np.flatnonzero(keep).astype(np.int64)
        problem = AssignmentProblem(
            self.mentee_cap.size,
            self.mentor_cap.size,
            cand.rows[at],
            cand.cols[at],
            cand.scores[at],
            self.mentee_cap,
            self.mentor_cap,
            check_pairs=False,
        )
        return keys, at, problem

    def _crossing(
        self, keys: _I, e_side: npt.NDArray[np.bool_], m_side: npt.NDArray[np.bool_], level: int
    ) -> int:
        """Add every allowed pair scoring at least ``level`` units (left out of the candidates)
        from a source-side mentee to a sink-side mentor; how many were added."""
        bar = Potentials(
            np.full(self.model.shape[0], level - 1, np.int64),
            np.where(m_side, _OUT, 0).astype(np.int64),
            0,
            0,
        )
        only = e_side & (self.mentee_cap > 0)
        if not only.any():
            return 0
        r, c, sc, _, _ = price(
            self.model, self.cand, bar, keys, self.pinned_keys, self.o.pricing_per_row, 0, only,
            options=self.o,
        )  # fmt: skip
        if r.size:
            self.cand.extend(r, c, sc)
            self.cut_added += int(r.size)
        return int(r.size)

    def reach(
        self,
        to_group: _I,
        *,
        through_first: tuple[int, _I] | None = None,
        further: int = 0,
        places: int | None = None,
        level: int = 0,
    ) -> int:
        """The maximum flow of :func:`equity_cut` on every allowed pair scoring at least
        ``level`` units, certified by its minimum cut (pairs crossing it join the candidates
        and the flow runs again)."""
        most = int(to_group.sum()) + further + (0 if through_first is None else through_first[0])
        if places is not None:
            most = min(most, places)
        while True:
            keys, _, problem = self.problem()
            keep = score_units(problem.scores) >= level
            value, e_side, m_side = equity_cut(
                problem, self.rule, keep, to_group,
                through_first=through_first, further=further, places=places,
            )  # fmt: skip
            self.tests += 1
            if value >= most:
                return value
            self.cut_rounds += 1
            if self._crossing(keys, e_side, m_side, level) == 0:
                return value

    def first_places(self, caps: _I) -> int:
        """The most first places with at most ``caps[g]`` in subgroup g, on every pair."""
        return self.reach(np.asarray(caps, np.int64))

    def on_candidates(self, to_group: _I) -> int:
        """The most first places with at most ``to_group[g]`` in subgroup g, on the
        candidates only (a lower bound on every pair)."""
        _, _, problem = self.problem()
        self.tests += 1
        keep = np.ones(problem.n_edges, bool)
        return equity_cut(problem, self.rule, keep, to_group)[0]

    def best(
        self,
        need: _I,
        progress: Progress | None,
        *,
        min_units: int | None = None,
        target: tuple[int, int] | None = None,
    ) -> tuple[_I, SolverResult]:
        """The best matching meeting the floors ``need`` (beyond the pinned), on every pair
        (scoring at least ``min_units``): solved on the candidates, certified by reduced costs.
        Returns the candidates it uses (indices) and the result (its ``chosen`` indexing them)."""
        rounds = 0
        while True:
            rounds += 1
            self.cost_rounds += 1
            if progress is not None:
                progress("solving", min(0.5 + rounds / 10, 0.99))
            keys, at, problem = self.problem(min_units)
            result = solve_equity_floors(problem, self.rule, need, seed=self.seed, target=target)
            if result is None:
                raise SolverError("equity: the certified floors are out of reach of the candidates")
            potentials = equity_potentials(problem, self.rule, need, result.chosen)
            if potentials is None:
                raise SolverError("equity: the optimum on the candidates could not be certified")
            per_row, slack = pricing_limits(len(self.cand), self.o.pricing_per_row, rounds, self.o)
            r, c, sc, _, _ = price(
                self.model, self.cand, potentials, keys, self.pinned_keys, per_row, slack,
                options=self.o, min_units=min_units,
            )  # fmt: skip
            improving = score_units(sc) > potentials.threshold(r.astype(np.intp), c.astype(np.intp))
            log.info(
                "equity round %d: %d candidate pairs, %d pairs priced in, %d improving",
                rounds,
                problem.n_edges,
                r.size,
                int(improving.sum()),
            )
            if not improving.any():
                return at, result
            self.cand.extend(r, c, sc)
            self.cost_added += int(r.size)


def _equalise(eq: _Equity, rule: EquityRule, pinned: _I, low: Fraction) -> Fraction:
    """The largest lowest rate among the subgroups, proven on every allowed pair: a search on
    the candidates, then the next rate shown out of reach by a certified maximum flow."""
    sizes = rule.sizes
    present = np.flatnonzero(sizes > 0)
    if present.size == 0:
        return Fraction(0)
    eligible = np.bincount(
        rule.subgroup[~rule.covered & (eq.mentee_cap > 0)], minlength=len(rule.names)
    )
    top = min(Fraction(int(pinned[g] + eligible[g]), int(sizes[g])) for g in present)
    rates = equity_rates(sizes, low, top)
    lo, hi = 0, len(rates) - 1

    def need_at(rate: Fraction) -> _I:
        need: _I = np.maximum(equity_floors(rule, rate) - pinned, 0).astype(np.int64)
        return need

    while True:
        while lo < hi:
            mid = (lo + hi + 1) // 2
            need = need_at(rates[mid])
            if eq.on_candidates(need) == int(need.sum()):
                lo = mid
            else:
                hi = mid - 1
        if lo + 1 >= len(rates):
            return rates[lo]  # the highest rate any subgroup's mentees allow
        need = need_at(rates[lo + 1])
        if eq.reach(need) < int(need.sum()):
            return rates[lo]
        lo, hi = lo + 1, len(rates) - 1  # pairs found by the cut raised it: search again


def _fair_floor(eq: _Equity, need: _I, target: tuple[int, int], low: int) -> int:
    """The highest score level (units) at which the floors and the target coverage can still
    be met, proven on every allowed pair (``low``: a level known to meet them)."""
    places, served = target
    rule = eq.rule
    eligible = np.bincount(
        rule.subgroup[~rule.covered & (eq.mentee_cap > 0)], minlength=len(rule.names)
    ).astype(np.int64)
    args: dict[str, Any] = {
        "through_first": (served - int(need.sum()), eligible - need),
        "further": places - served,
        "places": places,
    }
    floor = low
    while True:
        _, _, problem = eq.problem()
        units = score_units(problem.scores)
        values = np.unique(units[units >= floor])
        lo, hi = 0, values.size - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            eq.tests += 1
            value, _, _ = equity_cut(problem, rule, units >= values[mid], need, **args)
            if value >= places:
                lo = mid
            else:
                hi = mid - 1
        floor = int(values[lo])
        if eq.reach(need, level=floor + 1, **args) < places:
            return floor
        # pairs at or above floor + 1 crossed the cut and now reach the target: search again


def certified_equity(
    model: ScoringModel,
    pin_r: _I,
    pin_c: _I,
    mentee_cap: _I,
    mentor_cap: _I,
    rule: EquityRule,
    *,
    fair: bool,
    seed: int,
    progress: Progress | None,
    options: SparseOptions,
) -> tuple[Candidates, SolverResult, SolverResult]:
    """The method (``fair`` or optimal) without and with the rule, both certified on every
    allowed pair: the candidates (both results' ``chosen`` index them) and the two results.
    Floors that cannot be met raise :class:`InfeasibleError`, as on the dense path."""
    o = options
    started = time.perf_counter()
    if fair:
        cand, plain = certified_fair(
            model,
            pin_r,
            pin_c,
            mentee_cap,
            mentor_cap,
            seed=seed,
            progress=progress,
            options=o,
            all_pairs=True,
        )
    else:
        cand, plain = certified_optimal(
            model, pin_r, pin_c, mentee_cap, mentor_cap, seed=seed, progress=progress,
            options=o, keep_dense=True,
        )  # fmt: skip
    without_s = time.perf_counter() - started
    if plain.status != "optimal":
        raise SolverError(
            "[equity] starts from the certified result without the rule, and the time limit "
            f"stopped that first ({plain.status}): raise time_limit_s or leave it unset"
        )
    width = max(model.shape[1], 1)
    pinned_keys = np.sort(pin_r * width + pin_c)
    eq = _Equity(model, cand, rule, pinned_keys, mentee_cap, mentor_cap, o, seed)
    groups = len(rule.names)
    pinned = np.bincount(rule.subgroup[rule.covered], minlength=groups).astype(np.int64)
    sizes = rule.sizes
    stats: dict[str, Any] = {}
    if rule.equalise:
        # the result without the rule is feasible on every pair: its lowest rate is a start
        rows = cand.rows[plain.chosen]
        got = np.zeros(model.shape[0], bool)
        got[rows] = True
        got |= rule.covered
        served = np.bincount(rule.subgroup[got], minlength=groups)
        present = np.flatnonzero(sizes > 0)
        low = min((Fraction(int(served[g]), int(sizes[g])) for g in present), default=Fraction(0))
        rate = _equalise(eq, rule, pinned, low)
        floors = equity_floors(rule, rate)
        stats["lowest_rate"] = {"fraction": str(rate), "value": round(float(rate), 6)}
    else:
        if rule.min_share is None:
            raise ValueError("an equity rule needs min_share or equalise")
        n = rule.subgroup.size
        open_g = np.bincount(rule.subgroup[~rule.covered], minlength=groups).astype(np.int64)
        overall = (
            Fraction(int(rule.covered.sum()) + eq.first_places(open_g), n) if n else Fraction(0)
        )
        floors = np.zeros(groups, np.int64)
        for g, share in enumerate(rule.min_share):
            if share is not None:
                want = share * int(sizes[g]) * overall
                floors[g] = -(-want.numerator // want.denominator)
        stats["overall_rate"] = {"fraction": str(overall), "value": round(float(overall), 6)}
    need = np.maximum(floors - pinned, 0).astype(np.int64)
    if eq.reach(need) < int(need.sum()):
        raise equity_infeasible(rule, floors, pinned, eq.first_places)
    floored = time.perf_counter()
    at, result = eq.best(need, progress)
    target = (int(result.stats["flow"]), int(result.stats["mentees_matched"]))
    # mentees served beyond the pinned (first places), as the dense rule counts them
    _, _, problem = eq.problem()
    if fair and target[0] > 0:
        chosen_units = score_units(cand.scores[at[result.chosen]])
        first = _first_places(problem, rule, cand.rows[at[result.chosen]])
        floor = _fair_floor(eq, need, (target[0], first), int(chosen_units.min()))
        stats["floor"] = round(floor / 1e6, 6)
        if floor > int(chosen_units.min()):
            at, result = eq.best(need, progress, min_units=floor, target=None)
    chosen = at[result.chosen]
    objective = float(cand.scores[chosen].sum())
    stats.update(
        {
            "floors": [int(f) for f in floors],
            "flow_tests": eq.tests,
            "places": int(chosen.size),
            "mentees_matched": int(np.unique(cand.rows[chosen]).size),
            "certificate": "min cuts and reduced costs on every allowed pair",
            "cut_rounds": eq.cut_rounds,
            "pairs_added_by_cuts": eq.cut_added,
            "cost_rounds": eq.cost_rounds,
            "pairs_added_by_certificate": eq.cost_added,
        }
    )
    log.info(
        "equity (%s) certified on every pair: without the rule in %.2f s, floors in %.2f s, "
        "the best at the floors in %.2f s; %d pairs added",
        "fair" if fair else "optimal",
        without_s,
        floored - started - without_s,
        time.perf_counter() - floored,
        eq.cut_added + eq.cost_added,
    )
    ruled = SolverResult(
        chosen, objective, objective, "optimal", "fair" if fair else "optimal", stats
    )
    cand.dense = None
    return cand, plain, ruled


def _first_places(problem: AssignmentProblem, rule: EquityRule, rows: npt.NDArray[np.int32]) -> int:
    """First places filled by a matching with these mentees (pinned mentees have none)."""
    hit = np.zeros(problem.n_mentees, bool)
    hit[rows] = True
    return int((hit & ~rule.covered).sum())
