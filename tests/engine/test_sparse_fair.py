"""The fair method on the certified sparse path (``matcher.engine._sparse_fair``).

It must give the dense ``fair`` answer exactly (coverage, floor, total to 1e-9 relative),
agree with an exhaustive search on tiny programmes, certify the floor on every allowed pair
(a candidate set too thin for the true floor is caught by the min cut and completed), and
report a bound no lower than its objective.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import Program, programs, score_problems

import matcher
from matcher.engine import SparseOptions
from matcher.engine._pricing import units_floor
from matcher.io import write_synthetic
from matcher.scoring import ScoringModel
from matcher.solvers import AssignmentProblem, coverage_cut, max_coverage

#: The thinnest candidate lists: two pairs per mentee, no extra pairs for mentors, and pricing
#: that adds one pair per mentee per round, so every certificate has work to do.
THIN = SparseOptions(sparse_top=0, pairs_per_place=0, pricing_per_row=1, pricing_slack=0)
PROPERTY = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)


def _match(prog: Program, **kwargs: Any) -> matcher.Matching:
    return matcher.match(prog.mentors, prog.mentees, config=prog.config, method="fair", **kwargs)


def _facts(result: matcher.Matching) -> tuple[int, int, float | None]:
    """(places filled, mentees matched, floor)."""
    floor = result.summary_extra["solver"].get("floor")
    return len(result.pairs), result.matched, floor


def _assert_same_fair(sparse: matcher.Matching, dense: matcher.Matching) -> None:
    assert _facts(sparse) == _facts(dense)
    assert sparse.objective == pytest.approx(dense.objective, rel=1e-9, abs=1e-9)
    assert sparse.bound >= sparse.objective - 1e-9
    if sparse.pairs:
        floor = sparse.summary_extra["solver"]["floor"]
        assert min(p.score for p in sparse.pairs) == pytest.approx(floor, abs=1e-6)


@PROPERTY
@given(programs(max_mentors=5, max_mentees=7), st.sampled_from([True, THIN]))
def test_sparse_fair_equals_dense_fair(prog: Program, sparse: bool | SparseOptions) -> None:
    _assert_same_fair(_match(prog, sparse=sparse), _match(prog, sparse=False))


def _brute_force_fair(
    edges: list[tuple[int, int, float]], mentee_cap: np.ndarray, mentor_cap: np.ndarray
) -> tuple[int, int, float | None, float]:
    """(places, mentees, floor, total): the lexicographic best over every subset of edges
    that respects both capacities (tiny programmes only)."""
    best: tuple[int, int, float, float] = (0, 0, 0.0, 0.0)
    e_left = [int(c) for c in mentee_cap]
    m_left = [int(c) for c in mentor_cap]
    got = [0] * len(e_left)
    taken: list[float] = []

    def walk(k: int) -> None:
        nonlocal best
        if taken:
            key = (len(taken), sum(g > 0 for g in got), min(taken), sum(taken))
            if key[:3] > best[:3] or (key[:3] == best[:3] and key[3] > best[3] + 1e-9):
                best = key
        if k == len(edges):
            return
        i, j, s = edges[k]
        if e_left[i] > 0 and m_left[j] > 0:
            e_left[i] -= 1
            m_left[j] -= 1
            got[i] += 1
            taken.append(s)
            walk(k + 1)
            taken.pop()
            got[i] -= 1
            e_left[i] += 1
            m_left[j] += 1
        walk(k + 1)

    walk(0)
    places, mentees, floor, total = best
    return places, mentees, (floor if places else None), total


@PROPERTY
@given(programs(max_mentors=3, max_mentees=4))
def test_sparse_fair_equals_brute_force_on_tiny_programmes(prog: Program) -> None:
    model = ScoringModel(prog.mentees, prog.mentors, prog.config)
    cand = model.candidates(prog.config.min_score)
    edges = [
        (int(i), int(j), float(s))
        for i, j, s in zip(cand.rows, cand.cols, cand.scores, strict=True)
    ]
    places, mentees, floor, total = _brute_force_fair(
        edges, model.enc.mentees.capacity, model.enc.mentors.capacity
    )
    result = _match(prog, sparse=THIN)
    got_places, got_mentees, got_floor = _facts(result)
    assert (got_places, got_mentees) == (places, mentees)
    if floor is None:
        assert got_floor is None
    else:
        assert got_floor == pytest.approx(floor, abs=1e-9)
    assert result.objective == pytest.approx(total, abs=1e-6)
    assert result.bound >= result.objective - 1e-9


@pytest.mark.parametrize(("size", "seed"), [((30, 8, 2), 8), ((20, 6, 2), 10)])
def test_the_cut_adds_the_pairs_a_thin_candidate_set_misses(
    tmp_path: Path, size: tuple[int, int, int], seed: int
) -> None:
    """Programmes (found by a search over synthetic seeds with THIN lists) where the floor the
    first candidates allow is too low: only pairs found by pricing the min cut over every
    allowed pair raise it to the true floor, which the dense solver confirms."""
    n_e, n_m, cap = size
    folder = write_synthetic(tmp_path / "p", n_e, n_m, seed=seed, mentor_capacity=cap)
    dense = _run(folder, sparse=False)
    sparse = _run(folder, sparse=THIN)
    stats = sparse.summary_extra["solver"]
    assert stats["floor_certificate"] == "min cut on every allowed pair"
    assert stats["pairs_added_by_floor_cut"] > 0
    assert stats["floor_cut_rounds"] > 1
    assert stats["floor_on_first_candidates"] < stats["floor"]
    _assert_same_fair(sparse, dense)


@pytest.fixture(scope="module")
def programme(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_synthetic(tmp_path_factory.mktemp("syn") / "p", 400, 60, seed=7, mentor_capacity=4)


def _run(folder: Path, **kwargs: Any) -> matcher.Matching:
    return matcher.match(
        folder / "mentors.csv",
        folder / "mentees.csv",
        config=folder / "program.toml",
        method="fair",
        **kwargs,
    )


@pytest.mark.parametrize(
    "options",
    [
        pytest.param(SparseOptions(sparse_top=0), id="dense-cache"),
        pytest.param(THIN, id="thin"),
        pytest.param(SparseOptions(sparse_top=0, dense_cache_cells=0), id="rescoring"),
    ],
)
def test_sparse_fair_on_a_synthetic_programme(programme: Path, options: SparseOptions) -> None:
    dense = _run(programme, sparse=False)
    sparse = _run(programme, sparse=options)
    _assert_same_fair(sparse, dense)
    stats = sparse.summary_extra["solver"]
    assert stats["certificate"] == "reduced costs"
    assert stats["coverage_stage"]["certificate"] == "reduced costs"
    assert stats["total_at_floor"] == "certified optimum at or above the floor"
    assert sparse.summary_extra["floor"] == stats["floor"]


def test_an_optimum_that_keeps_the_floor_is_the_answer() -> None:
    """Every pair scores the same: the certified optimum's lowest score is the floor, so it is
    returned as it stands (the third step is skipped), as the dense solver agrees."""
    mentors = [
        matcher.Participant(id=f"m{k}", role="mentor", languages="en", capacity=2) for k in range(2)
    ]
    mentors += [matcher.Participant(id="m9", role="mentor", languages="en", capacity=1)]
    mentees = [matcher.Participant(id=f"e{k}", languages="en") for k in range(5)]
    prog = Program(mentors, mentees, matcher.ProgramConfig())
    sparse = _match(prog, sparse=SparseOptions(sparse_top=0))
    stats = sparse.summary_extra["solver"]
    assert stats["total_at_floor"] == "the certified optimum (its lowest score is the floor)"
    _assert_same_fair(sparse, _match(prog, sparse=False))


def test_sparse_fair_keeps_pinned_pairs(programme: Path) -> None:
    dense = _run(programme, sparse=False)
    pin = [(p.mentee_id, p.mentor_id) for p in dense.pairs[:5]]
    sparse = _run(programme, sparse=THIN, pinned=pin)
    assert set(pin) <= {(p.mentee_id, p.mentor_id) for p in sparse.pairs}
    _assert_same_fair(sparse, _run(programme, sparse=False, pinned=pin))


def test_time_limit_returns_a_feasible_matching_with_a_proven_bound(programme: Path) -> None:
    """Out of time in the coverage step (too few candidates to certify in one round): its
    matching is returned, status time_limit, the floor it has, and a bound that holds for
    the fair total too (no matching at all scores more)."""
    dense = _run(programme, sparse=False)
    found = _run(programme, sparse=SparseOptions(sparse_top=0), time_limit_s=1e-9)
    stats = found.summary_extra["solver"]
    assert found.status == "time_limit"
    assert stats["floor_certificate"] == "none: time limit"
    assert found.bound >= dense.objective - 1e-6
    assert found.summary()["gap"] >= 0
    assert stats["floor"] == pytest.approx(min(p.score for p in found.pairs), abs=1e-6)


@given(st.integers(1, 1_000_000))
def test_units_floor_is_exact(units: int) -> None:
    x = units_floor(units)
    below = np.nextafter(x, np.float32(-np.inf))
    assert np.rint(np.float64(x) * 1e6) >= units
    assert np.rint(np.float64(below) * 1e6) < units


@PROPERTY
@given(score_problems(max_mentees=6, max_mentors=4, max_mentee_capacity=2), st.booleans())
def test_coverage_cut_is_a_minimum_cut(sp: Any, one_each: bool) -> None:
    rows, cols = np.nonzero(np.isfinite(sp.scores))
    problem = AssignmentProblem(
        sp.scores.shape[0],
        sp.scores.shape[1],
        rows.astype(np.int32),
        cols.astype(np.int32),
        sp.scores[rows, cols],
        sp.mentee_capacity,
        sp.mentor_capacity,
    )
    keep = problem.scores >= 0
    flow, e_side, m_side = coverage_cut(problem, keep, one_each=one_each)
    assert flow == max_coverage(problem, keep, one_each=one_each)
    cap_e = np.minimum(problem.mentee_capacity, 1) if one_each else problem.mentee_capacity
    crossing = keep & e_side[problem.rows] & ~m_side[problem.cols]
    capacity = cap_e[~e_side].sum() + problem.mentor_capacity[m_side].sum() + crossing.sum()
    assert capacity == flow
