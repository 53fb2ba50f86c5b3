"""The optimal solver on AssignmentProblem and through ``matcher.solve`` on score matrices.

Objective (DESIGN.md): fill as many mentee places as possible; among those, the largest total
score; never a pair that is not allowed or below ``min_score``; capacities hold.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reference import allowed_edges, brute_force, flow_optimum, lsa_optimum
from strategies import ScoreProblem, score_problems

import matcher
from matcher import InvalidInputError
from matcher.engine import solver_for
from matcher.solvers import AssignmentProblem, solve_optimal

TOL = 1e-6


def problem_of(sp: ScoreProblem, min_score: float | None = None) -> AssignmentProblem:
    edges = allowed_edges(sp.scores, min_score)
    return AssignmentProblem(
        sp.scores.shape[0],
        sp.scores.shape[1],
        np.array([i for i, _, _ in edges], dtype=np.int32),
        np.array([j for _, j, _ in edges], dtype=np.int32),
        np.array([s for _, _, s in edges], dtype=np.float64),
        sp.mentee_capacity,
        sp.mentor_capacity,
    )


def solve_matrix(sp: ScoreProblem, **kwargs: object) -> matcher.Matching:
    return matcher.solve(
        sp.scores,
        capacities=sp.mentor_capacity,
        mentee_capacities=sp.mentee_capacity,
        **kwargs,  # type: ignore[arg-type]
    )


def check_valid(sp: ScoreProblem, result: matcher.Matching, min_score: float | None) -> None:
    """Capacities hold, only allowed pairs are used, each at most once, with their score."""
    n_e, n_m = sp.scores.shape
    used = [(int(p.mentee_id), int(p.mentor_id)) for p in result.pairs]
    assert len(set(used)) == len(used), "a pair used twice"
    per_e = np.bincount([i for i, _ in used], minlength=n_e)
    per_m = np.bincount([j for _, j in used], minlength=n_m)
    assert np.all(per_e <= sp.mentee_capacity)
    assert np.all(per_m <= sp.mentor_capacity)
    for p, (i, j) in zip(result.pairs, used, strict=True):
        assert np.isfinite(sp.scores[i, j]), f"pair {i},{j} is not allowed"
        assert p.score == sp.scores[i, j]
        if min_score is not None:
            assert p.score >= min_score
    # everyone is accounted for: in a pair or unmatched with a reason, never both
    unmatched = {(u.role, u.id) for u in result.unmatched}
    assert all(u.reason for u in result.unmatched)
    for i in range(n_e):
        assert (per_e[i] > 0) != (("mentee", str(i)) in unmatched)
    for j in range(n_m):
        assert (per_m[j] > 0) != (("mentor", str(j)) in unmatched)
    assert result.objective == pytest.approx(sum(p.score for p in result.pairs), abs=TOL)


# --- the problem object ---------------------------------------------------------------------


def test_problem_rejects_malformed_arrays_listing_every_problem() -> None:
    with pytest.raises(InvalidInputError) as info:
        AssignmentProblem(
            2,
            2,
            np.array([0, 5], dtype=np.int32),
            np.array([0], dtype=np.int32),
            np.array([0.5, np.nan]),
            np.array([1, -1]),
            np.array([1]),
        )
    messages = [p.message for p in info.value.problems]
    assert "rows, cols and scores must have the same length" in messages
    assert "mentor_capacity must have shape (n_mentors,)" in messages
    assert "scores must be finite numbers" in messages
    assert "capacities must be >= 0" in messages


def test_no_edges_gives_an_empty_optimal_result() -> None:
    empty = np.zeros(0, dtype=np.int32)
    problem = AssignmentProblem(
        2, 1, empty, empty, np.zeros(0), np.ones(2, np.int64), np.ones(1, np.int64)
    )
    result = solve_optimal(problem)
    assert result.chosen.size == 0
    assert result.objective == 0.0
    assert result.status == "optimal"


def test_textbook_example_prefers_coverage_over_total() -> None:
    # mentee 0 scores 0.9 with mentor 0, but only mentor 0 can take mentee 1: covering both
    # (0.5 + 0.2 = 0.7) beats the best single pair (0.9)
    scores = np.array([[0.9, 0.5], [0.2, np.nan]])
    result = matcher.solve(scores, capacities=[1, 1])
    assert [(p.mentee_id, p.mentor_id) for p in result.pairs] == [("0", "1"), ("1", "0")]
    assert result.objective == pytest.approx(0.7)
    assert result.bound == pytest.approx(result.objective)
    assert result.status == "optimal"
    assert result.method == "optimal"


def test_negative_scores_still_fill_places() -> None:
    result = matcher.solve(np.array([[-0.5]]))
    assert len(result.pairs) == 1
    assert result.objective == -0.5


def test_mentee_wanting_two_mentors_gets_two_different_ones() -> None:
    scores = np.array([[0.9, 0.8, 0.1], [0.5, np.nan, np.nan]])
    result = matcher.solve(scores, capacities=[2, 1, 1], mentee_capacities=[2, 1])
    assert result.mentors_of("0") == ["0", "1"]
    assert result.mentors_of("1") == ["0"]
    assert result.objective == pytest.approx(0.9 + 0.8 + 0.5)


def test_no_mentee_gets_a_second_mentor_while_another_could_have_a_first() -> None:
    # mentee 0 wants 2; mentee 1 can only have mentor 0; two places either way
    scores = np.array([[0.9, 0.9], [0.1, np.nan]])
    result = matcher.solve(scores, capacities=[1, 1], mentee_capacities=[2, 1])
    assert result.matched == 2


def test_min_score_removes_pairs() -> None:
    scores = np.array([[0.9, 0.3], [0.4, 0.2]])
    result = matcher.solve(scores, capacities=[1, 1], min_score=0.35)
    assert {(p.mentee_id, p.mentor_id) for p in result.pairs} == {("0", "0")}
    # mentee 1 only has 0.4 with mentor 0 (taken) and 0.2 below the threshold
    reasons = {(u.role, u.id): u.reason for u in result.unmatched}
    assert "at capacity" in reasons[("mentee", "1")]
    assert reasons[("mentor", "1")] == "no allowed pair at or above min_score 0.35 in the edge list"
    assert result.summary_extra["edges"] == 4
    assert result.summary_extra["candidate_pairs"] == 2


def test_names_and_mapping_capacities() -> None:
    scores = np.array([[0.9, 0.7], [0.8, np.nan], [0.6, 0.5]])
    result = matcher.solve(
        scores,
        capacities={"ana": 2},
        mentee_ids=["x", "y", "z"],
        mentor_ids=["ana", "bo"],
    )
    # 0.9 + 0.8 + 0.5 = 2.2 beats 0.7 + 0.8 + 0.6 = 2.1; "bo" is not in the dict: capacity 1
    assert sorted((p.mentee_id, p.mentor_id) for p in result.pairs) == [
        ("x", "ana"),
        ("y", "ana"),
        ("z", "bo"),
    ]
    assert result.objective == pytest.approx(2.2)


def test_bad_matrices_are_rejected() -> None:
    with pytest.raises(InvalidInputError, match="2-D"):
        matcher.solve(np.array([0.5, 0.4]))
    with pytest.raises(InvalidInputError, match=r"\+inf"):
        matcher.solve(np.array([[np.inf]]))
    with pytest.raises(InvalidInputError, match="mentee_ids/mentor_ids"):
        matcher.solve(np.zeros((2, 2)), mentee_ids=["a"])
    with pytest.raises(InvalidInputError, match="from 0 to"):
        matcher.solve(np.zeros((1, 1)), capacities=[-1])


def test_capacities_naming_unknown_mentors_are_rejected() -> None:
    with pytest.raises(InvalidInputError, match="ana"):
        matcher.solve(np.full((3, 1), 0.5), capacities={"ana": 3})


def test_wrong_capacity_length_message_names_the_mentors() -> None:
    with pytest.raises(InvalidInputError, match="one entry per mentor"):
        matcher.solve(np.zeros((2, 3)), capacities=[1, 1])


def test_a_pair_listed_twice_is_never_used_twice() -> None:
    try:
        result = matcher.solve([("a", "m", 0.5), ("a", "m", 0.6)], capacities={"m": 2, "a": 2})
    except InvalidInputError:
        return
    assert len(result.pairs) <= 1


def test_edge_list_input() -> None:
    edges = [("e1", "m1", 0.9), ("e1", "m2", 0.8), ("e2", "m1", 0.7)]
    result = matcher.solve(edges, capacities={"m1": 1, "m2": 1, "m3": 2})
    assert sorted((p.mentee_id, p.mentor_id) for p in result.pairs) == [
        ("e1", "m2"),
        ("e2", "m1"),
    ]
    reasons = {(u.role, u.id): u.reason for u in result.unmatched}
    assert reasons == {("mentor", "m3"): "no allowed pair in the edge list"}


def test_single_allowed_mentor_reason_reads_well() -> None:
    result = matcher.solve(np.array([[0.9], [0.5]]))
    (reason,) = [u.reason for u in result.unmatched]
    assert reason == "the only allowed mentor is at capacity"


def test_mentee_wanting_no_mentor_gets_a_true_reason() -> None:
    try:
        result = matcher.solve(np.array([[0.5]]), capacities=[3], mentee_capacities=[0])
    except InvalidInputError:
        return  # rejecting a mentee who wants no mentor is also a fix
    reasons = {u.role: u.reason for u in result.unmatched}
    assert "at capacity" not in reasons["mentee"]
    assert "matched to other mentors" not in reasons["mentor"]


# --- properties -----------------------------------------------------------------------------

MIN_SCORES = st.sampled_from([None, None, 0.0, 0.5])


@given(score_problems(), MIN_SCORES)
@settings(max_examples=80, deadline=None)
def test_solve_matches_the_hungarian_optimum(sp: ScoreProblem, min_score: float | None) -> None:
    result = solve_matrix(sp, min_score=min_score)
    check_valid(sp, result, min_score)
    places, total = lsa_optimum(sp.scores, sp.mentor_capacity, min_score)
    assert len(result.pairs) == places
    assert result.objective == pytest.approx(total, abs=TOL)
    assert result.bound == pytest.approx(result.objective, abs=TOL)


@given(score_problems(max_mentees=3, max_mentors=4, max_mentee_capacity=3), MIN_SCORES)
@settings(max_examples=60, deadline=None)
def test_solve_matches_brute_force_with_multi_mentor_mentees(
    sp: ScoreProblem, min_score: float | None
) -> None:
    result = solve_matrix(sp, min_score=min_score)
    check_valid(sp, result, min_score)
    edges = allowed_edges(sp.scores, min_score)
    places, total = brute_force(edges, sp.mentee_capacity, sp.mentor_capacity)
    assert len(result.pairs) == places
    assert result.objective == pytest.approx(total, abs=TOL)


@given(score_problems(max_mentees=6, max_mentors=5, max_mentee_capacity=3))
@settings(max_examples=40, deadline=None)
def test_solve_optimal_matches_networkx_max_flow(sp: ScoreProblem) -> None:
    problem = problem_of(sp)
    result = solve_optimal(problem, seed=3)
    chosen = result.chosen
    assert len(np.unique(chosen)) == len(chosen)
    assert np.all(
        np.bincount(problem.rows[chosen], minlength=problem.n_mentees) <= problem.mentee_capacity
    )
    assert np.all(
        np.bincount(problem.cols[chosen], minlength=problem.n_mentors) <= problem.mentor_capacity
    )
    edges = allowed_edges(sp.scores)
    places, total = flow_optimum(edges, sp.mentee_capacity, sp.mentor_capacity)
    assert len(chosen) == places
    assert result.objective == pytest.approx(total, abs=TOL)
    assert result.objective == pytest.approx(float(problem.scores[chosen].sum()), abs=TOL)
    assert result.status == "optimal"


@given(score_problems(max_mentee_capacity=2), st.integers(0, 2**32 - 1))
@settings(max_examples=40, deadline=None)
def test_same_seed_same_result(sp: ScoreProblem, seed: int) -> None:
    first = solve_matrix(sp, seed=seed)
    again = solve_matrix(sp, seed=seed)
    assert first.pairs == again.pairs
    assert first.unmatched == again.unmatched
    other = solve_matrix(sp, seed=seed + 1)
    # another seed may break ties differently, never change the optimum
    assert len(other.pairs) == len(first.pairs)
    assert other.objective == pytest.approx(first.objective, abs=TOL)


@given(
    score_problems(max_mentee_capacity=2).flatmap(
        lambda sp: st.tuples(
            st.just(sp),
            st.permutations(range(sp.scores.shape[0])),
            st.permutations(range(sp.scores.shape[1])),
        )
    )
)
@settings(max_examples=40, deadline=None)
def test_permuting_rows_and_columns_keeps_the_optimum(
    case: tuple[ScoreProblem, list[int], list[int]],
) -> None:
    sp, rows, cols = case
    base = solve_matrix(sp)
    r, c = np.array(rows, dtype=np.intp), np.array(cols, dtype=np.intp)
    shuffled = ScoreProblem(
        sp.scores[np.ix_(r, c)] if r.size and c.size else sp.scores[r][:, c],
        sp.mentor_capacity[c],
        sp.mentee_capacity[r],
    )
    result = solve_matrix(
        shuffled,
        mentee_ids=[str(k) for k in r],
        mentor_ids=[str(k) for k in c],
    )
    assert len(result.pairs) == len(base.pairs)
    assert result.objective == pytest.approx(base.objective, abs=TOL)
    # the pairs name the original rows and columns, so they are valid in the original problem
    check_valid(sp, result, None)


# --- every registered solver keeps the invariants -------------------------------------------


@pytest.mark.parametrize(
    "method", sorted(n for n, m in matcher.METHODS.items() if m.solver is not None)
)
@given(sp=score_problems(max_mentee_capacity=2))
@settings(max_examples=30, deadline=None)
def test_every_registered_solver_keeps_the_invariants(method: str, sp: ScoreProblem) -> None:
    result = solve_matrix(sp, method=method, min_score=0.0)
    check_valid(sp, result, 0.0)
    assert result.method == method
    assert result.bound >= result.objective - TOL
    again = solve_matrix(sp, method=method, min_score=0.0)
    assert again.pairs == result.pairs


def test_method_table_lookup() -> None:
    assert solver_for("optimal") is solve_optimal
    with pytest.raises(InvalidInputError, match="optimal"):
        solver_for("simplex")
