"""The equity solver against an exhaustive search over every matching of tiny instances.

DESIGN.md: "``[equity]``: coverage floors per subgroup (``min_share``) or "equalise": maximise
the lowest coverage rate among the subgroups of a column, then the usual objective; exact."
The reference enumerates every capacity-respecting set of pairs, keeps those meeting the floors
(pinned mentees count as covered), and takes the best by the same lexicographic order.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from reference import allowed_edges
from strategies import EquityCase, equity_cases

from matcher import InfeasibleError
from matcher.solvers import AssignmentProblem, EquityRule, solve_equity

TOL = 1e-6


def _setup(case: EquityCase) -> tuple[AssignmentProblem, EquityRule, list[tuple[int, int, float]]]:
    sp = case.problem
    edges = allowed_edges(sp.scores)
    problem = AssignmentProblem(
        sp.scores.shape[0],
        sp.scores.shape[1],
        np.array([i for i, _, _ in edges], np.int32),
        np.array([j for _, j, _ in edges], np.int32),
        np.array([s for _, _, s in edges], np.float64),
        sp.mentee_capacity,
        sp.mentor_capacity,
    )
    k = len(case.shares)
    names = tuple(f"g{g}" for g in range(k))
    shares = tuple(None if s is None else Fraction(s, 10) for s in case.shares)
    rule = EquityRule(case.subgroup, names, case.covered, min_share=shares)
    return problem, rule, edges


def _matchings(edges, mentee_cap, mentor_cap):
    """Every set of edges within both capacities, as lists of edge indices."""
    e_left = [int(c) for c in mentee_cap]
    m_left = [int(c) for c in mentor_cap]
    chosen: list[int] = []

    def walk(k: int):
        if k == len(edges):
            yield list(chosen)
            return
        yield from walk(k + 1)
        i, j, _ = edges[k]
        if e_left[i] > 0 and m_left[j] > 0:
            e_left[i] -= 1
            m_left[j] -= 1
            chosen.append(k)
            yield from walk(k + 1)
            chosen.pop()
            e_left[i] += 1
            m_left[j] += 1

    yield from walk(0)


def _facts(pick, edges, rule: EquityRule, groups: int):
    """(coverage per subgroup, places, newly served, lowest score, total)."""
    got = {edges[k][0] for k in pick}
    newly = {i for i in got if not rule.covered[i]}
    cover = np.bincount(rule.subgroup[rule.covered], minlength=groups)
    for i in newly:
        cover[rule.subgroup[i]] += 1
    scores = [edges[k][2] for k in pick]
    return cover, len(pick), len(newly), min(scores, default=0.0), sum(scores)


def _reference(problem, rule, edges, *, equalise: bool, fair: bool):
    """The best (rate, places, served, lowest, total) by brute force; None if infeasible."""
    groups = len(rule.names)
    sizes = rule.sizes
    every = [
        _facts(pick, edges, rule, groups)
        for pick in _matchings(edges, problem.mentee_capacity, problem.mentor_capacity)
    ]
    n = rule.subgroup.size
    if equalise:
        present = [g for g in range(groups) if sizes[g]]

        def rate(f):
            return min((Fraction(int(f[0][g]), int(sizes[g])) for g in present), default=0)

        best_rate = max(rate(f) for f in every)
        ok = [f for f in every if rate(f) == best_rate]
    else:
        most = max(int(rule.covered.sum()) + f[2] for f in every)
        overall = Fraction(most, n) if n else Fraction(0)
        floors = [
            0 if s is None else int(-((-(s * int(sizes[g]) * overall)) // 1))
            for g, s in enumerate(rule.min_share or ())
        ]
        ok = [f for f in every if all(f[0][g] >= floors[g] for g in range(groups))]
        if not ok:
            return None, floors
    top = max((f[1], f[2]) for f in ok)
    ok = [f for f in ok if (f[1], f[2]) == top]
    if fair and top[0] > 0:
        low = max(f[3] for f in ok)
        ok = [f for f in ok if f[3] >= low - TOL]
    return max(ok, key=lambda f: f[4]), None


def _check(case: EquityCase, *, equalise: bool, fair: bool) -> None:
    problem, rule, edges = _setup(case)
    if equalise:
        rule = EquityRule(rule.subgroup, rule.names, rule.covered, equalise=True)
    best, floors = _reference(problem, rule, edges, equalise=equalise, fair=fair)
    if best is None:
        with pytest.raises(InfeasibleError) as info:
            solve_equity(problem, rule, fair=fair)
        # every subgroup named is one with a floor
        assert all(f"'g{g}'" not in str(info.value) for g, f in enumerate(floors) if f == 0)
        return
    result = solve_equity(problem, rule, fair=fair)
    pick = list(result.chosen)
    # a matching: within capacities
    assert all(
        np.bincount(problem.rows[pick], minlength=problem.n_mentees) <= problem.mentee_capacity
    )
    assert all(
        np.bincount(problem.cols[pick], minlength=problem.n_mentors) <= problem.mentor_capacity
    )
    cover, places, served, low, total = _facts(pick, edges, rule, len(rule.names))
    want_cover, want_places, want_served, want_low, want_total = best
    sizes = rule.sizes
    if equalise:
        present = [g for g in range(len(rule.names)) if sizes[g]]
        got_rate = min((Fraction(int(cover[g]), int(sizes[g])) for g in present), default=0)
        want_rate = min((Fraction(int(want_cover[g]), int(sizes[g])) for g in present), default=0)
        assert got_rate == want_rate
    else:
        floors = result.stats["floors"]
        assert all(cover[g] >= floors[g] for g in range(len(rule.names)))
    assert (places, served) == (want_places, want_served)
    if fair and places:
        assert low == pytest.approx(want_low, abs=TOL)
    assert total == pytest.approx(want_total, abs=TOL)
    assert result.bound >= result.objective - TOL
    assert result.objective == pytest.approx(total, abs=TOL)


@settings(max_examples=150, deadline=None)
@given(equity_cases())
def test_min_share_floors_match_brute_force(case: EquityCase) -> None:
    _check(case, equalise=False, fair=False)


@settings(max_examples=150, deadline=None)
@given(equity_cases())
def test_equalise_matches_brute_force(case: EquityCase) -> None:
    _check(case, equalise=True, fair=False)


@settings(max_examples=100, deadline=None)
@given(equity_cases())
def test_fair_under_floors_matches_brute_force(case: EquityCase) -> None:
    _check(case, equalise=False, fair=True)


@settings(max_examples=100, deadline=None)
@given(equity_cases())
def test_fair_equalised_matches_brute_force(case: EquityCase) -> None:
    _check(case, equalise=True, fair=True)


def test_equalise_trades_score_for_the_worse_served_subgroup() -> None:
    """One mentor, two mentees: the better-scoring one is in a subgroup already served."""
    problem = AssignmentProblem(
        3,
        2,
        np.array([0, 1, 2], np.int32),
        np.array([0, 1, 1], np.int32),
        np.array([0.9, 0.9, 0.5], np.float64),
        np.ones(3, np.int64),
        np.ones(2, np.int64),
    )
    # mentees 0 and 1 in "a", mentee 2 alone in "b"
    rule = EquityRule(np.array([0, 0, 1]), ("a", "b"), np.zeros(3, bool), equalise=True)
    result = solve_equity(problem, rule)
    assert sorted(problem.rows[result.chosen].tolist()) == [0, 2]
    assert result.stats["lowest_rate"]["fraction"] == "1/2"
    assert result.objective == pytest.approx(1.4)


def test_infeasible_floor_names_the_subgroup_and_what_it_can_reach() -> None:
    """Subgroup "b" has two mentees but only one mentor they can meet."""
    problem = AssignmentProblem(
        3,
        2,
        np.array([0, 1, 2], np.int32),
        np.array([0, 1, 1], np.int32),
        np.array([0.9, 0.9, 0.5], np.float64),
        np.ones(3, np.int64),
        np.ones(2, np.int64),
    )
    rule = EquityRule(
        np.array([0, 1, 1]), ("a", "b"), np.zeros(3, bool), min_share=(None, Fraction(1))
    )
    with pytest.raises(InfeasibleError) as info:
        solve_equity(problem, rule)
    assert "'b' needs at least 2 of its 2 mentees matched, but can reach at most 1" in str(
        info.value
    )
