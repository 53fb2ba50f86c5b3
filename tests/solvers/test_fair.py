"""The fair solver: at maximum coverage, the best lowest score, then the best total.

DESIGN.md: "``fair`` maximises the lowest score among matched mentees (at the same coverage),
then the total."  Checked against an exhaustive search over every capacity-respecting
assignment on tiny random instances, and on a textbook case where fair and optimal differ.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reference import Edge, allowed_edges
from strategies import ScoreProblem, score_problems

import matcher
from matcher.solvers import AssignmentProblem, solve_fair, solve_optimal

TOL = 1e-6


def problem_of(edges: list[Edge], sp: ScoreProblem) -> AssignmentProblem:
    return AssignmentProblem(
        sp.scores.shape[0],
        sp.scores.shape[1],
        np.array([i for i, _, _ in edges], dtype=np.int32),
        np.array([j for _, j, _ in edges], dtype=np.int32),
        np.array([s for _, _, s in edges], dtype=np.float64),
        sp.mentee_capacity,
        sp.mentor_capacity,
    )


def brute_force_fair(
    edges: list[Edge], mentee_cap: np.ndarray, mentor_cap: np.ndarray
) -> tuple[int, float | None, float]:
    """(most places, best lowest score at that coverage, best total at that floor).

    Every subset of edges that respects both capacities is tried (tiny instances only).
    """
    for size in range(len(edges), 0, -1):
        found: list[tuple[float, float]] = []  # (lowest score, total) per assignment
        for subset in combinations(edges, size):
            e_count = np.bincount([i for i, _, _ in subset], minlength=len(mentee_cap))
            m_count = np.bincount([j for _, j, _ in subset], minlength=len(mentor_cap))
            if np.all(e_count <= mentee_cap) and np.all(m_count <= mentor_cap):
                found.append((min(s for _, _, s in subset), sum(s for _, _, s in subset)))
        if found:
            floor = max(low for low, _ in found)
            total = max(t for low, t in found if abs(low - floor) < 1e-9)
            return size, floor, total
    return 0, None, 0.0


# each mentee wants one mentor, so "coverage" (places filled = mentees matched) is unambiguous
TINY = score_problems(max_mentees=5, max_mentors=3, max_mentee_capacity=1, max_mentor_capacity=2)


@given(TINY, st.integers(0, 2**31 - 1))
@settings(max_examples=80, deadline=None)
def test_fair_matches_brute_force_maximin(sp: ScoreProblem, seed: int) -> None:
    edges = allowed_edges(sp.scores)
    problem = problem_of(edges, sp)
    places, floor, total = brute_force_fair(edges, sp.mentee_capacity, sp.mentor_capacity)
    result = solve_fair(problem, seed=seed)
    chosen = result.chosen
    assert len(chosen) == places
    if places:
        assert result.stats["floor"] == pytest.approx(floor, abs=TOL)
        assert float(problem.scores[chosen].min()) == pytest.approx(floor, abs=TOL)
        # at that floor, no max-coverage assignment has a larger total
        assert result.objective == pytest.approx(total, abs=TOL)
    assert result.objective == pytest.approx(float(problem.scores[chosen].sum()), abs=TOL)
    assert result.stats.get("coverage", 0) == places


@given(score_problems(max_mentees=7, max_mentors=5, max_mentee_capacity=1))
@settings(max_examples=60, deadline=None)
def test_fair_covers_as_many_mentees_as_optimal(sp: ScoreProblem) -> None:
    problem = problem_of(allowed_edges(sp.scores), sp)
    fair = solve_fair(problem)
    optimal = solve_optimal(problem)
    assert len(fair.chosen) == len(optimal.chosen)
    # fair never has a higher total, and its lowest score is never below optimal's
    assert fair.objective <= optimal.objective + TOL
    if len(optimal.chosen):
        assert fair.stats["floor"] >= float(problem.scores[optimal.chosen].min()) - TOL


def test_fair_matches_as_many_mentees_as_optimal_when_mentees_want_two() -> None:
    # mentee 0 wants two mentors and scores 0.0 with both; mentee 1 can only have mentor 1,
    # at -0.05.  Both fill two places; optimal matches both mentees, fair only mentee 0
    scores = np.array([[0.0, 0.0], [np.nan, -0.05]])
    kwargs = {"capacities": [1, 1], "mentee_capacities": [2, 1]}
    optimal = matcher.solve(scores, method="optimal", **kwargs)  # type: ignore[arg-type]
    fair = matcher.solve(scores, method="fair", **kwargs)  # type: ignore[arg-type]
    assert optimal.matched == 2
    assert len(fair.pairs) == len(optimal.pairs)
    assert fair.matched == optimal.matched


def test_textbook_fair_differs_from_optimal() -> None:
    # mentee 0: mentor 0 scores 1.0, mentor 1 0.5; mentee 1: mentor 0 0.6, mentor 1 0.2.
    # optimal takes 1.0 + 0.2 = 1.2 and leaves mentee 1 with a poor 0.2;
    # fair takes 0.5 + 0.6 = 1.1: a lower total, but nobody below 0.5
    scores = np.array([[1.0, 0.5], [0.6, 0.2]])
    optimal = matcher.solve(scores, capacities=[1, 1], method="optimal")
    fair = matcher.solve(scores, capacities=[1, 1], method="fair")
    assert sorted((p.mentee_id, p.mentor_id) for p in optimal.pairs) == [("0", "0"), ("1", "1")]
    assert optimal.objective == pytest.approx(1.2)
    assert sorted((p.mentee_id, p.mentor_id) for p in fair.pairs) == [("0", "1"), ("1", "0")]
    assert fair.objective == pytest.approx(1.1)
    assert fair.method == "fair"
    summary = fair.summary(version="x")
    assert summary["floor"] == pytest.approx(0.5)
    assert min(p.score for p in optimal.pairs) == pytest.approx(0.2)


def test_fair_prefers_the_larger_total_among_equal_floors() -> None:
    # every perfect matching has floor 0.3 (mentee 2 only scores 0.3 anywhere); among them
    # mentee 0 with mentor 0 (0.9) and mentee 1 with mentor 1 (0.8) is the best total
    scores = np.array([[0.9, 0.4, 0.5], [0.4, 0.8, 0.5], [0.3, 0.3, 0.3]])
    fair = matcher.solve(scores, capacities=[1, 1, 1], method="fair")
    assert sorted((p.mentee_id, p.mentor_id) for p in fair.pairs) == [
        ("0", "0"),
        ("1", "1"),
        ("2", "2"),
    ]
    assert fair.summary_extra["floor"] == pytest.approx(0.3)
    assert fair.objective == pytest.approx(2.0)


def test_fair_keeps_coverage_before_floor() -> None:
    # covering both mentees needs the 0.1 pair; a higher floor would leave one unmatched
    scores = np.array([[0.9, 0.1], [0.8, np.nan]])
    fair = matcher.solve(scores, capacities=[1, 1], method="fair")
    assert len(fair.pairs) == 2
    assert fair.summary_extra["floor"] == pytest.approx(0.1)


def test_fair_reports_no_floor_when_nothing_is_matched() -> None:
    problem = AssignmentProblem(
        1,
        1,
        np.array([0], np.int32),
        np.array([0], np.int32),
        np.array([0.4]),
        np.array([1], np.int64),
        np.array([0], np.int64),
    )
    result = solve_fair(problem)
    assert result.chosen.size == 0
    assert result.stats["floor"] is None
