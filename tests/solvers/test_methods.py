"""One check suite for every method in :data:`matcher.METHODS` with an array solver.

A solver added to the method table is checked here without touching this file: on random
:class:`AssignmentProblem` arrays and through :func:`matcher.match` on random profiles, it must
never exceed a capacity, use only allowed pairs (hard constraints hold, ``min_score`` too),
account for every participant exactly once, and give identical output for the same seed.
For the exact methods (optimal, fair), relabelling the inputs must not change the coverage
(nor, for optimal, the total).
"""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from invariants import broken_rules, feasible_pairs
from reference import allowed_edges
from strategies import Program, ScoreProblem, programs, score_problems

import matcher
from matcher import Participant
from matcher.engine import solver_for
from matcher.solvers import AssignmentProblem, SolverResult

TOL = 1e-6
SOLVERS = {name: m.solver for name, m in matcher.METHODS.items() if m.solver is not None}
ALL = sorted(SOLVERS)
EXACT = [m for m in ("optimal", "fair") if m in SOLVERS]
SEEDS = st.integers(0, 2**31 - 1)


# --- helpers --------------------------------------------------------------------------------


def problem_of(sp: ScoreProblem) -> AssignmentProblem:
    """The allowed (finite) cells of a score matrix as an edge-list problem."""
    edges = allowed_edges(sp.scores)
    return AssignmentProblem(
        sp.scores.shape[0],
        sp.scores.shape[1],
        np.array([i for i, _, _ in edges], dtype=np.int32),
        np.array([j for _, j, _ in edges], dtype=np.int32),
        np.array([s for _, _, s in edges], dtype=np.float64),
        sp.mentee_capacity,
        sp.mentor_capacity,
    )


def check_result(problem: AssignmentProblem, result: SolverResult, method: str) -> None:
    """Chosen edges exist, each once, within both capacities; objective and bound agree."""
    chosen = result.chosen
    assert chosen.dtype.kind == "i"
    assert len(np.unique(chosen)) == len(chosen), "an edge chosen twice"
    assert np.all((chosen >= 0) & (chosen < problem.n_edges)), "a chosen edge does not exist"
    per_e = np.bincount(problem.rows[chosen], minlength=problem.n_mentees)
    per_m = np.bincount(problem.cols[chosen], minlength=problem.n_mentors)
    assert np.all(per_e <= problem.mentee_capacity), "a mentee has more mentors than wanted"
    assert np.all(per_m <= problem.mentor_capacity), "a mentor is over capacity"
    assert result.objective == pytest.approx(float(problem.scores[chosen].sum()), abs=TOL)
    assert result.bound >= result.objective - TOL
    assert result.method == method


def relabelled(
    problem: AssignmentProblem, rng: np.random.Generator
) -> tuple[AssignmentProblem, np.ndarray]:
    """The same problem with mentees, mentors and edges renumbered; also the edge order used."""
    pe = rng.permutation(problem.n_mentees)
    pm = rng.permutation(problem.n_mentors)
    order = rng.permutation(problem.n_edges)
    new_e = np.empty_like(pe)
    new_e[pe] = np.arange(problem.n_mentees)
    new_m = np.empty_like(pm)
    new_m[pm] = np.arange(problem.n_mentors)
    shuffled = AssignmentProblem(
        problem.n_mentees,
        problem.n_mentors,
        new_e[problem.rows[order]].astype(np.int32),
        new_m[problem.cols[order]].astype(np.int32),
        problem.scores[order],
        problem.mentee_capacity[pe],
        problem.mentor_capacity[pm],
    )
    return shuffled, order


def check_matching(prog: Program, result: matcher.Matching) -> None:
    """Capacities, hard rules, min_score and accounting on a profile-level result."""
    cfg = prog.config
    mentees = {p.id: p for p in prog.mentees}
    mentors = {p.id: p for p in prog.mentors}
    used = [(p.mentee_id, p.mentor_id) for p in result.pairs]
    assert len(set(used)) == len(used), "a pair listed twice"
    per_e = Counter(e for e, _ in used)
    per_m = Counter(m for _, m in used)
    for pid, count in per_e.items():
        assert count <= mentees[pid].capacity, f"mentee {pid} has {count} mentors"
    for pid, count in per_m.items():
        assert count <= mentors[pid].capacity, f"mentor {pid} has {count} mentees"
    allowed = feasible_pairs(prog.mentees, prog.mentors, cfg)
    for pair in result.pairs:
        e, m = mentees[pair.mentee_id], mentors[pair.mentor_id]
        assert broken_rules(e, m, cfg) == [], (pair, broken_rules(e, m, cfg))
        assert (e.id, m.id) in allowed, f"{pair} is not allowed by the model"
        assert pair.score >= cfg.min_score - TOL, f"{pair} is below min_score {cfg.min_score}"
    # every participant: in a pair or unmatched (with a reason), never both, never twice
    listed = Counter((u.role, u.id) for u in result.unmatched)
    assert all(n == 1 for n in listed.values()), f"listed twice as unmatched: {listed}"
    assert all(u.reason for u in result.unmatched)
    assert set(listed) <= {("mentee", i) for i in mentees} | {("mentor", i) for i in mentors}
    for pid in mentees:
        assert (pid in per_e) != (("mentee", pid) in listed), pid
    for pid in mentors:
        assert (pid in per_m) != (("mentor", pid) in listed), pid
    assert result.matched == len(per_e)
    assert result.objective == pytest.approx(sum(p.score for p in result.pairs), abs=1e-4)


def comparable_files(result: matcher.Matching) -> dict[str, bytes]:
    """The output files as bytes, with summary.json's wall-clock ``elapsed_s`` blanked."""
    files = result.files(version="x")
    summary = files["summary.json"]
    assert b'"elapsed_s":' in summary
    files["summary.json"] = re.sub(rb'"elapsed_s": [-+.0-9eE]+', b'"elapsed_s": 0', summary)
    return files


# --- the registry ---------------------------------------------------------------------------


def test_the_method_table_holds_the_documented_solvers() -> None:
    assert {"optimal", "fair", "stable"} == set(SOLVERS)
    assert list(matcher.METHODS) == ["optimal", "fair", "stable", "groups", "suggest"]
    assert list(matcher.METHODS) == list(matcher.profiles.METHOD_NAMES)
    for name in SOLVERS:
        assert solver_for(name) is SOLVERS[name]


# --- on arrays ------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ALL)
@given(sp=score_problems(max_mentees=6, max_mentors=5, max_mentee_capacity=2), seed=SEEDS)
@settings(max_examples=40, deadline=None)
def test_solver_keeps_capacities_and_is_deterministic(
    method: str, sp: ScoreProblem, seed: int
) -> None:
    problem = problem_of(sp)
    solver = SOLVERS[method]
    result = solver(problem, seed=seed)
    check_result(problem, result, method)
    again = solver(problem, seed=seed)
    assert np.array_equal(again.chosen, result.chosen)
    assert again.objective == result.objective
    assert again.bound == result.bound


@pytest.mark.parametrize("method", ALL)
def test_solver_on_an_empty_problem(method: str) -> None:
    empty = np.zeros(0, np.int32)
    problem = AssignmentProblem(
        3, 2, empty, empty, np.zeros(0), np.ones(3, np.int64), np.ones(2, np.int64)
    )
    result = SOLVERS[method](problem, seed=0)
    assert result.chosen.size == 0
    assert result.objective == 0.0


@pytest.mark.parametrize("method", EXACT)
@given(
    sp=score_problems(max_mentees=6, max_mentors=5, max_mentee_capacity=2),
    seed=SEEDS,
    shuffle=SEEDS,
)
@settings(max_examples=40, deadline=None)
def test_relabelling_keeps_coverage_and_optimal_total(
    method: str, sp: ScoreProblem, seed: int, shuffle: int
) -> None:
    problem = problem_of(sp)
    base = SOLVERS[method](problem, seed=seed)
    shuffled, _ = relabelled(problem, np.random.default_rng(shuffle))
    result = SOLVERS[method](shuffled, seed=seed)
    check_result(shuffled, result, method)
    assert len(result.chosen) == len(base.chosen)
    if method == "optimal":
        assert result.objective == pytest.approx(base.objective, abs=TOL)
    if method == "fair":
        assert result.stats["floor"] == base.stats["floor"]
        assert result.objective == pytest.approx(base.objective, abs=TOL)


# --- through matcher.solve (score matrices) ---------------------------------------------------


@pytest.mark.parametrize("method", ALL)
@given(sp=score_problems(max_mentee_capacity=2), min_score=st.sampled_from([None, 0.0, 0.4]))
@settings(max_examples=25, deadline=None)
def test_solve_uses_only_allowed_pairs_above_min_score(
    method: str, sp: ScoreProblem, min_score: float | None
) -> None:
    result = matcher.solve(
        sp.scores,
        capacities=sp.mentor_capacity,
        mentee_capacities=sp.mentee_capacity,
        method=method,
        min_score=min_score,
    )
    n_e, n_m = sp.scores.shape
    used = [(int(p.mentee_id), int(p.mentor_id)) for p in result.pairs]
    assert len(set(used)) == len(used)
    assert np.all(np.bincount([i for i, _ in used], minlength=n_e) <= sp.mentee_capacity)
    assert np.all(np.bincount([j for _, j in used], minlength=n_m) <= sp.mentor_capacity)
    for (i, j), pair in zip(used, result.pairs, strict=True):
        assert np.isfinite(sp.scores[i, j])
        assert pair.score == sp.scores[i, j]
        if min_score is not None:
            assert pair.score >= min_score
    listed = Counter((u.role, u.id) for u in result.unmatched)
    assert all(n == 1 for n in listed.values())
    for i in range(n_e):
        assert any(e == i for e, _ in used) != (("mentee", str(i)) in listed)
    for j in range(n_m):
        assert any(m == j for _, m in used) != (("mentor", str(j)) in listed)


# --- through matcher.match (profiles) ---------------------------------------------------------


@pytest.mark.parametrize("method", ALL)
@given(prog=programs(), seed=SEEDS)
@settings(max_examples=35, deadline=None)
def test_match_keeps_every_invariant(method: str, prog: Program, seed: int) -> None:
    result = matcher.match(prog.mentors, prog.mentees, config=prog.config, method=method, seed=seed)
    assert result.method == method
    assert result.seed == seed
    check_matching(prog, result)
    assert result.bound >= result.objective - 1e-4


@pytest.mark.parametrize("method", ALL)
@given(prog=programs(), seed=SEEDS)
@settings(max_examples=20, deadline=None)
def test_match_same_seed_gives_identical_files(method: str, prog: Program, seed: int) -> None:
    first = matcher.match(prog.mentors, prog.mentees, config=prog.config, method=method, seed=seed)
    again = matcher.match(prog.mentors, prog.mentees, config=prog.config, method=method, seed=seed)
    assert [(p.mentee_id, p.mentor_id) for p in again.pairs] == [
        (p.mentee_id, p.mentor_id) for p in first.pairs
    ]
    assert comparable_files(again) == comparable_files(first)


@pytest.mark.parametrize("method", ALL)
def test_match_same_seed_gives_identical_files_on_a_tied_programme(method: str) -> None:
    # six identical mentees and three identical mentors of capacity 1: every choice ties,
    # so only the seed decides; the bytes must not depend on anything else
    mentors = [
        Participant(id=f"m{k}", role="mentor", languages="fr|en", formats="virtual")
        for k in range(3)
    ]
    mentees = [Participant(id=f"e{k}", languages="fr", formats="virtual") for k in range(6)]
    runs = [matcher.match(mentors, mentees, method=method, seed=7) for _ in range(3)]
    files = [comparable_files(r) for r in runs]
    assert files[0] == files[1] == files[2]
    assert runs[0].matched == 3


@pytest.mark.parametrize("method", EXACT)
@given(prog=programs(), seed=SEEDS, shuffle=SEEDS)
@settings(max_examples=25, deadline=None)
def test_match_permuting_participants_keeps_coverage(
    method: str, prog: Program, seed: int, shuffle: int
) -> None:
    rng = np.random.default_rng(shuffle)
    mentors = [prog.mentors[k] for k in rng.permutation(len(prog.mentors))]
    mentees = [prog.mentees[k] for k in rng.permutation(len(prog.mentees))]
    base = matcher.match(prog.mentors, prog.mentees, config=prog.config, method=method, seed=seed)
    result = matcher.match(mentors, mentees, config=prog.config, method=method, seed=seed)
    check_matching(prog, result)
    assert len(result.pairs) == len(base.pairs)
    if method == "optimal":
        assert result.objective == pytest.approx(base.objective, abs=1e-4)
    if method == "fair":
        assert result.summary_extra["floor"] == pytest.approx(base.summary_extra["floor"], abs=1e-4)
