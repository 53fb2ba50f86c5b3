"""The sparse optimal path: solve on each mentee's best pairs, certify on all of them.

It must give exactly the dense optimum, and the certificate must catch a candidate set that is
too small and repair it (pairs added back until the reduced-cost check holds).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import matcher
from matcher.engine import SparseOptions
from matcher.io import write_synthetic
from matcher.solvers import (
    AssignmentProblem,
    flow_potentials,
    most_served_known,
    residual_arcs,
    solve_optimal,
)


@pytest.fixture(scope="module")
def programme(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_synthetic(tmp_path_factory.mktemp("syn") / "p", 400, 60, seed=7, mentor_capacity=4)


def _run(folder: Path, **kwargs: object) -> matcher.Matching:
    return matcher.match(
        folder / "mentors.csv", folder / "mentees.csv", config=folder / "program.toml", **kwargs
    )  # type: ignore[arg-type]


def _assert_same_optimum(sparse: matcher.Matching, dense: matcher.Matching) -> None:
    """The same optimum: total score (1e-9 relative), mentees matched and places filled."""
    assert sparse.objective == pytest.approx(dense.objective, rel=1e-9)
    assert sparse.matched == dense.matched
    assert len(sparse.pairs) == len(dense.pairs)


def test_sparse_path_reaches_the_dense_optimum(programme: Path) -> None:
    dense = _run(programme, sparse=False)
    sparse = _run(programme, sparse=True)
    assert sparse.summary_extra["solver"]["certificate"] == "reduced costs"
    _assert_same_optimum(sparse, dense)


def test_too_small_candidate_set_is_caught_and_repaired(programme: Path) -> None:
    options = SparseOptions(
        sparse_top=0,  # two pairs per mentee: far too few
    )
    dense = _run(programme, sparse=False)
    sparse = _run(programme, sparse=options)
    stats = sparse.summary_extra["solver"]
    assert stats["pairs_added_by_certificate"] > 0
    assert stats["certificate_rounds"] > 1
    _assert_same_optimum(sparse, dense)


def test_certificate_without_the_dense_cache_rescoring_rows(programme: Path) -> None:
    options = SparseOptions(
        sparse_top=0,
        dense_cache_cells=0,  # price by scoring rows again
    )
    dense = _run(programme, sparse=False)
    sparse = _run(programme, sparse=options)
    assert sparse.summary_extra["solver"]["mentees_rescored"] > 0
    _assert_same_optimum(sparse, dense)


def test_sparse_path_keeps_pinned_pairs(programme: Path) -> None:
    dense = _run(programme, sparse=False)
    pin = [(p.mentee_id, p.mentor_id) for p in dense.pairs[:5]]
    sparse = _run(programme, sparse=True, pinned=pin)
    chosen = {(p.mentee_id, p.mentor_id) for p in sparse.pairs}
    assert set(pin) <= chosen
    assert sparse.objective == pytest.approx(
        _run(programme, sparse=False, pinned=pin).objective, rel=1e-9
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n_e=st.integers(1, 9),
    n_m=st.integers(1, 5),
    seed=st.integers(0, 2**16),
)
def test_potentials_give_non_negative_reduced_costs(n_e: int, n_m: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    allowed = rng.random((n_e, n_m)) < 0.7
    rows, cols = np.nonzero(allowed)
    scores = np.round(rng.random(rows.size), 3)
    problem = AssignmentProblem(
        n_e,
        n_m,
        rows.astype(np.int32),
        cols.astype(np.int32),
        scores,
        rng.integers(1, 3, n_e).astype(np.int64),
        rng.integers(0, 3, n_m).astype(np.int64),
    )
    result = solve_optimal(problem)
    pot = flow_potentials(problem, result.chosen)
    assert pot is not None
    # every unused allowed pair is priced out: no improving pair exists
    unused = np.setdiff1d(np.arange(problem.n_edges), result.chosen)
    units = np.rint(scores[unused] * 1e6).astype(np.int64)
    assert (units <= pot.threshold(rows[unused], cols[unused])).all()


def test_pairs_set_aside_after_the_first_solve_are_priced_again(programme: Path) -> None:
    options = SparseOptions(
        sparse_top=0,
        active_pairs=0,  # set pairs aside even on a small programme
        active_slack=0,  # every unused pair with a positive margin
    )
    dense = _run(programme, sparse=False)
    sparse = _run(programme, sparse=options)
    stats = sparse.summary_extra["solver"]
    assert stats["pairs_set_aside"] > 0
    _assert_same_optimum(sparse, dense)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_pairs_set_aside_after_every_new_solve_are_priced_again(tmp_path: Path, seed: int) -> None:
    folder = write_synthetic(tmp_path / "p", 300, 100, seed=seed, mentor_capacity=2)
    options = SparseOptions(
        sparse_top=0,  # many rounds
        warm_start=False,  # each one a new solve
        active_pairs=0,
        active_slack=10**12,  # none after the first solve
        later_active_slack=0,  # every far pair after later ones
        large_pricing_per_row=1,  # one pair back per mentee
        pricing_slack=0,
    )
    dense = _run(folder, sparse=False)
    sparse = _run(folder, sparse=options)
    stats = sparse.summary_extra["solver"]
    assert stats["certificate_rounds"] > 2
    assert stats["pairs_set_aside"] > 0
    _assert_same_optimum(sparse, dense)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_round_repaired_reaches_the_dense_optimum(tmp_path: Path, seed: int) -> None:
    folder = write_synthetic(tmp_path / "p", 300, 40, seed=seed, mentor_capacity=3)
    options = SparseOptions(
        sparse_top=0,  # many rounds
        warm_freed_share=1.0,  # and each one repaired
        pricing_per_row=1,
    )
    dense = _run(folder, sparse=False)
    sparse = _run(folder, sparse=options)
    stats = sparse.summary_extra["solver"]
    assert stats["rounds_repaired"] == stats["certificate_rounds"] - 1 > 0
    _assert_same_optimum(sparse, dense)


def test_later_rounds_price_only_the_mentees_whose_costs_fell(programme: Path) -> None:
    options = SparseOptions(
        sparse_top=0,
        warm_freed_share=1.0,
    )
    sparse = _run(programme, sparse=options)
    stats = sparse.summary_extra["solver"]
    priced = stats["mentees_priced_per_round"]
    assert len(priced) == stats["certificate_rounds"] > 1
    # the first round prices every mentee whose list was cut; the last, after a repair, only
    # those whose reduced costs may have fallen by more than their margin
    assert priced[-1] < priced[0]


def test_solving_every_round_from_scratch_gives_the_same_optimum(programme: Path) -> None:
    warm = _run(programme, sparse=SparseOptions(sparse_top=0))
    cold = _run(programme, sparse=SparseOptions(sparse_top=0, warm_start=False))
    assert cold.summary_extra["solver"]["rounds_repaired"] == 0
    assert warm.objective == pytest.approx(cold.objective, rel=1e-9)
    assert warm.matched == cold.matched


def test_repaired_rounds_keep_pinned_pairs_and_reach_the_optimum(programme: Path) -> None:
    options = SparseOptions(
        sparse_top=0,
        warm_freed_share=1.0,
    )
    dense_free = _run(programme, sparse=False)
    pin = [(p.mentee_id, p.mentor_id) for p in dense_free.pairs[3:9]]
    sparse = _run(programme, sparse=options, pinned=pin)
    assert sparse.summary_extra["solver"]["rounds_repaired"] > 0
    assert set(pin) <= {(p.mentee_id, p.mentor_id) for p in sparse.pairs}
    dense = _run(programme, sparse=False, pinned=pin)
    _assert_same_optimum(sparse, dense)


def _random_problem(n_e: int, n_m: int, seed: int) -> AssignmentProblem:
    rng = np.random.default_rng(seed)
    allowed = rng.random((n_e, n_m)) < 0.6
    rows, cols = np.nonzero(allowed)
    return AssignmentProblem(
        n_e,
        n_m,
        rows.astype(np.int32),
        cols.astype(np.int32),
        np.round(rng.random(rows.size), 3),
        rng.integers(0, 3, n_e).astype(np.int64),
        rng.integers(0, 3, n_m).astype(np.int64),
    )


def _sweeps(
    problem: AssignmentProblem, chosen: np.ndarray, limit: int = 10_000
) -> np.ndarray | None:
    """Reference: plain Bellman-Ford sweeps over every residual arc, from zeros."""
    tails, heads, costs = residual_arcs(problem, chosen)
    d = np.zeros(problem.n_mentees + problem.n_mentors + 2, np.int64)
    for _ in range(limit):
        best = d.copy()
        np.minimum.at(best, heads, d[tails] + costs)
        if np.array_equal(best, d):
            return d
        d = best
    return None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n_e=st.integers(1, 12), n_m=st.integers(1, 6), seed=st.integers(0, 2**16))
def test_potentials_are_the_shortest_distances_of_plain_sweeps(
    n_e: int, n_m: int, seed: int
) -> None:
    problem = _random_problem(n_e, n_m, seed)
    chosen = solve_optimal(problem).chosen
    pot = flow_potentials(problem, chosen)
    reference = _sweeps(problem, chosen)
    assert pot is not None and reference is not None
    assert np.array_equal(pot.nodes(), reference)


def test_potentials_of_a_flow_that_is_not_optimal_are_refused() -> None:
    # two mentees, two mentors of one place: the flow takes the two weak pairs
    problem = AssignmentProblem(
        2,
        2,
        np.array([0, 0, 1, 1], np.int32),
        np.array([0, 1, 0, 1], np.int32),
        np.array([0.9, 0.1, 0.1, 0.9]),
        np.ones(2, np.int64),
        np.ones(2, np.int64),
    )
    assert flow_potentials(problem, np.array([1, 2]), max_iterations=200) is None
    assert flow_potentials(problem, np.array([0, 3])) is not None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n_e=st.integers(1, 12), n_m=st.integers(1, 6), seed=st.integers(0, 2**16))
def test_known_most_served_skips_the_maximum_flows_with_the_same_optimum(
    n_e: int, n_m: int, seed: int
) -> None:
    problem = _random_problem(n_e, n_m, seed)
    full = solve_optimal(problem)
    places = int(full.stats["flow"])
    served = int(full.stats["mentees_matched"])
    assume(most_served_known(problem, places, served))  # about 4 draws in 5
    known = solve_optimal(problem, most=(places, served))
    assert known.stats["flow"] == places
    assert known.stats["mentees_matched"] == served
    assert known.objective == pytest.approx(full.objective, abs=1e-9)


def test_most_served_is_known_only_at_its_plain_bounds() -> None:
    problem = _random_problem(4, 3, 0)
    problem.mentee_capacity = np.array([1, 2, 0, 1], np.int64)
    problem.mentor_capacity = np.array([2, 1, 1], np.int64)
    # places: min(4 wanted, 4 offered); mentees: min(3 who want one, 4 offered)
    assert most_served_known(problem, 4, 3)
    assert not most_served_known(problem, 3, 3)
    assert not most_served_known(problem, 4, 2)


@pytest.mark.parametrize("how", ["options", "argument"])
def test_time_limit_returns_the_best_found_with_a_proven_bound(programme: Path, how: str) -> None:
    """Out of time after the first round (too few candidates, so it is not certified): the
    round's matching is returned, feasible, with status time_limit and a bound that holds."""
    dense = _run(programme, sparse=False)
    if how == "options":
        found = _run(programme, sparse=SparseOptions(sparse_top=0, time_limit_s=1e-9))
    else:
        found = _run(programme, sparse=SparseOptions(sparse_top=0), time_limit_s=1e-9)
    stats = found.summary_extra["solver"]
    assert found.status == "time_limit"
    assert stats["certificate_rounds"] == 1
    assert stats["certificate"].startswith("none: time limit")
    assert found.objective <= dense.objective + 1e-6
    assert found.bound >= dense.objective - 1e-6  # proven: never below the true optimum
    summary = found.summary()
    assert summary["status"] == "time_limit" and summary["gap"] >= 0
    load: dict[str, int] = {}
    for p in found.pairs:
        load[p.mentor_id] = load.get(p.mentor_id, 0) + 1
    assert max(load.values()) <= 4  # capacities hold
    # with time to spare the same call certifies the optimum
    full = _run(programme, sparse=SparseOptions(sparse_top=0), time_limit_s=600)
    assert full.status == "optimal"
    _assert_same_optimum(full, dense)
