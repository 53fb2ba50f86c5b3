"""Re-optimising a flow after pairs are added (``matcher.solvers._warm``) and the check that
certifies the result (``matcher.solvers._certify.holds``).

The repair must reach exactly the optimum a solve from scratch reaches on all the pairs (the
same places filled, the same mentees served, the same total score), and its potentials must
pass the reduced-cost check; the check itself must refuse a flow over capacity or potentials
that leave an improving pair.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matcher.solvers import (
    SCALE,
    AssignmentProblem,
    Potentials,
    WarmResult,
    flow_potentials,
    holds,
    mentee_weight,
    reoptimize,
    solve_optimal,
)


def _random_problem(
    rng: np.random.Generator, n_e: int, n_m: int, density: float
) -> AssignmentProblem:
    allowed = rng.random((n_e, n_m)) < density
    rows, cols = np.nonzero(allowed)
    # few distinct scores: ties between equally good matchings are common, as in real programmes
    scores = np.round(rng.integers(0, 8, rows.size) / 8 + rng.random(rows.size) * 0.01, 3)
    return AssignmentProblem(
        n_e,
        n_m,
        rows.astype(np.int32),
        cols.astype(np.int32),
        scores,
        rng.choice([0, 1, 1, 1, 2, 3], n_e).astype(np.int64),
        rng.integers(0, 4, n_m).astype(np.int64),
    )


def _start(
    problem: AssignmentProblem, keep: npt.NDArray[np.bool_]
) -> tuple[npt.NDArray[np.bool_], Potentials]:
    """The optimum on the pairs in ``keep`` (as a flag per pair of ``problem``) and its
    potentials."""
    part = problem.subset(keep)
    result = solve_optimal(part)
    potentials = flow_potentials(part, result.chosen)
    assert potentials is not None
    used = np.zeros(problem.n_edges, bool)
    used[np.flatnonzero(keep)[result.chosen]] = True
    return used, potentials


def _repair(
    problem: AssignmentProblem,
    used: npt.NDArray[np.bool_],
    potentials: Potentials,
    **limits: int,
) -> WarmResult | None:
    """``reoptimize`` on every pair of ``problem``, from ``used`` and ``potentials``."""
    return reoptimize(
        problem.rows,
        problem.cols,
        -(potentials.big_m + np.rint(problem.scores * SCALE).astype(np.int64)),
        used,
        problem.mentee_capacity,
        problem.mentor_capacity,
        mentee_weight(problem),
        potentials.nodes(),
        **limits,
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n_e=st.integers(1, 30),
    n_m=st.integers(1, 10),
    density=st.floats(0.05, 1.0),
    share=st.floats(0.0, 1.0),
    seed=st.integers(0, 2**32 - 1),
)
def test_repair_reaches_the_optimum_of_a_new_solve(
    n_e: int, n_m: int, density: float, share: float, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    problem = _random_problem(rng, n_e, n_m, density)
    keep = rng.random(problem.n_edges) < share
    used, potentials = _start(problem, keep)
    bonus = mentee_weight(problem)
    warm = _repair(problem, used, potentials)
    assert warm is not None
    chosen = np.flatnonzero(warm.used)
    fresh = solve_optimal(problem)
    assert holds(problem, chosen, warm.d, potentials.big_m, bonus)
    assert chosen.size == fresh.chosen.size  # as many places filled
    assert np.unique(problem.rows[chosen]).size == np.unique(problem.rows[fresh.chosen]).size
    assert problem.scores[chosen].sum() == np.float64(fresh.objective) or np.isclose(
        problem.scores[chosen].sum(), fresh.objective, rtol=1e-12, atol=1e-9
    )


def test_repair_of_an_optimal_flow_changes_nothing() -> None:
    rng = np.random.default_rng(3)
    problem = _random_problem(rng, 40, 8, 0.5)
    used, potentials = _start(problem, np.ones(problem.n_edges, bool))
    warm = _repair(problem, used, potentials)
    assert warm is not None
    assert warm.freed == 0 and warm.paths == 0
    assert (warm.used == used).all()


def test_repair_gives_way_when_it_would_free_too_many_mentees() -> None:
    rng = np.random.default_rng(5)
    problem = _random_problem(rng, 60, 10, 0.6)
    keep = rng.random(problem.n_edges) < 0.2
    used, potentials = _start(problem, keep)
    assert _repair(problem, used, potentials, max_freed=0) is None
    assert _repair(problem, used, potentials, max_settled=0) is None
    assert _repair(problem, used, potentials) is not None


def test_check_refuses_a_flow_over_capacity_or_an_improving_pair() -> None:
    rng = np.random.default_rng(11)
    problem = _random_problem(rng, 30, 6, 0.7)
    result = solve_optimal(problem)
    potentials = flow_potentials(problem, result.chosen)
    assert potentials is not None
    d, m = potentials.nodes(), potentials.big_m
    bonus = mentee_weight(problem)
    assert holds(problem, result.chosen, d, m, bonus)
    # a pair left out, made to look improving: its mentee's potential lowered below the bar
    unused = np.setdiff1d(np.arange(problem.n_edges), result.chosen)
    i = int(problem.rows[unused[0]])
    lowered = d.copy()
    lowered[i] -= 10 * SCALE * m
    assert not holds(problem, result.chosen, lowered, m, bonus)
    # every pair taken: over some mentor's capacity
    assert not holds(problem, np.arange(problem.n_edges), d, m, bonus)
    # weights too small to rank places above scores
    assert not holds(problem, result.chosen, d, m, bonus - 1)
