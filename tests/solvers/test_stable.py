"""The stable solver: mentee-proposing deferred acceptance under mentor capacities.

DESIGN.md: "``stable`` returns the mentee-optimal stable matching for the stated rankings
(deferred acceptance), and reports blocking pairs."  Checked against a textbook deferred
acceptance written here on plain lists and dicts, against an independent blocking-pair check,
on a hospitals/residents example, and on a national-scale sparse instance.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from reference import allowed_edges
from strategies import ScoreProblem, score_problems

import matcher
from matcher import Participant
from matcher.solvers import AssignmentProblem, blocking_pairs, preference_positions, solve_stable

Pairs = set[tuple[int, int]]


# --- a textbook reference -------------------------------------------------------------------


def deferred_acceptance(
    prefs: list[list[int]], rank: list[dict[int, int]], capacity: list[int]
) -> Pairs:
    """Mentee-proposing deferred acceptance (Gale & Shapley 1962; Roth 1984 for capacities).

    ``prefs[i]`` lists the mentors mentee i finds acceptable, best first; ``rank[j][i]`` is
    mentor j's rank of mentee i (lower is better; mentees absent from it are unacceptable);
    ``capacity[j]`` how many mentees mentor j holds.  Each mentee wants one mentor.
    """
    following = [0] * len(prefs)
    held: list[list[int]] = [[] for _ in capacity]
    free = list(range(len(prefs)))
    while free:
        i = free.pop()
        if following[i] == len(prefs[i]):
            continue  # rejected by every acceptable mentor
        j = prefs[i][following[i]]
        following[i] += 1
        if i not in rank[j] or capacity[j] == 0:
            free.append(i)
            continue
        held[j].append(i)
        if len(held[j]) > capacity[j]:
            worst = max(held[j], key=lambda k: rank[j][k])
            held[j].remove(worst)
            free.append(worst)
    return {(i, j) for j, mentees in enumerate(held) for i in mentees}


def reference_blocking(
    prefs: list[list[int]], rank: list[dict[int, int]], capacity: list[int], pairs: Pairs
) -> Pairs:
    """Every acceptable (mentee, mentor) not together where both would rather be."""
    partner = dict(pairs)
    held: dict[int, list[int]] = {}
    for i, j in pairs:
        held.setdefault(j, []).append(i)
    out = set()
    for i, mentors in enumerate(prefs):
        for j in mentors:
            if (i, j) in pairs or capacity[j] == 0 or i not in rank[j]:
                continue
            mentee_wants = i not in partner or prefs[i].index(j) < prefs[i].index(partner[i])
            mine = held.get(j, [])
            mentor_wants = len(mine) < capacity[j] or any(rank[j][i] < rank[j][k] for k in mine)
            if mentee_wants and mentor_wants:
                out.add((i, j))
    return out


@dataclass(frozen=True)
class Ranked:
    """A problem with strict rankings on both sides, and the same rankings as lists/dicts."""

    problem: AssignmentProblem
    prefs: list[list[int]]
    rank: list[dict[int, int]]
    capacity: list[int]


@st.composite
def ranked_problems(
    draw: st.DrawFn, *, max_mentees: int = 7, max_mentors: int = 5, max_capacity: int = 3
) -> Ranked:
    """Random acceptable pairs, random scores, and strict random rankings (1 = best) on both
    sides; mentors take 0 to ``max_capacity`` mentees, mentees want one mentor."""
    n_e = draw(st.integers(0, max_mentees))
    n_m = draw(st.integers(0, max_mentors))
    mask = draw(st.lists(st.booleans(), min_size=n_e * n_m, max_size=n_e * n_m))
    pairs = [(i, j) for k, (i, j) in enumerate(np.ndindex(n_e, n_m)) if mask[k]]
    scores = draw(st.lists(st.integers(0, 20), min_size=len(pairs), max_size=len(pairs)))
    capacity = draw(st.lists(st.integers(0, max_capacity), min_size=n_m, max_size=n_m))
    mentee_rank = np.zeros(len(pairs), np.int64)
    mentor_rank = np.zeros(len(pairs), np.int64)
    prefs: list[list[int]] = [[] for _ in range(n_e)]
    rank: list[dict[int, int]] = [{} for _ in range(n_m)]
    for i in range(n_e):
        mine = [k for k, (a, _) in enumerate(pairs) if a == i]
        order = draw(st.permutations(mine))
        for r, k in enumerate(order, start=1):
            mentee_rank[k] = r
        prefs[i] = [pairs[k][1] for k in order]
    for j in range(n_m):
        mine = [k for k, (_, b) in enumerate(pairs) if b == j]
        order = draw(st.permutations(mine))
        for r, k in enumerate(order, start=1):
            mentor_rank[k] = r
            rank[j][pairs[k][0]] = r
    problem = AssignmentProblem(
        n_e,
        n_m,
        np.array([i for i, _ in pairs], np.int32),
        np.array([j for _, j in pairs], np.int32),
        np.array(scores, np.float64) / 20,
        np.ones(n_e, np.int64),
        np.array(capacity, np.int64),
        mentee_rank,
        mentor_rank,
    )
    return Ranked(problem, prefs, rank, capacity)


def chosen_pairs(problem: AssignmentProblem, chosen: np.ndarray) -> Pairs:
    return {(int(problem.rows[k]), int(problem.cols[k])) for k in chosen}


def edge_index(problem: AssignmentProblem, i: int, j: int) -> int:
    (k,) = np.flatnonzero((problem.rows == i) & (problem.cols == j))
    return int(k)


# --- properties -----------------------------------------------------------------------------


@given(ranked_problems(), st.integers(0, 2**31 - 1))
@settings(max_examples=100, deadline=None)
def test_stable_equals_textbook_deferred_acceptance(case: Ranked, seed: int) -> None:
    result = solve_stable(case.problem, seed=seed)
    got = chosen_pairs(case.problem, result.chosen)
    assert got == deferred_acceptance(case.prefs, case.rank, case.capacity)
    assert reference_blocking(case.prefs, case.rank, case.capacity, got) == set()
    assert blocking_pairs(case.problem, result.chosen).size == 0
    assert result.stats["blocking_pairs"] == 0
    assert result.status == "stable"
    per_m = np.bincount(case.problem.cols[result.chosen], minlength=case.problem.n_mentors)
    assert np.all(per_m <= case.problem.mentor_capacity)


@st.composite
def increasing_maps(draw: st.DrawFn) -> np.ndarray:
    """An increasing map of ranks 1..50 to other numbers: scaled, shifted, with gaps (ranks
    from a longer survey list, NRMP-style numbers, positions left after pairs are removed)."""
    kind = draw(st.sampled_from(("scale", "shift", "gaps")))
    base = np.arange(51, dtype=np.int64)
    if kind == "scale":
        mapped = base * draw(st.integers(2, 10**6))
    elif kind == "shift":
        mapped = base + draw(st.integers(1, 10**8))
    else:
        steps = draw(st.lists(st.integers(1, 10**6), min_size=50, max_size=50))
        mapped = np.concatenate([[0], np.cumsum(steps)])
    mapped[0] = 0  # 0 stays "not ranked"
    return mapped


@given(ranked_problems(), increasing_maps(), increasing_maps(), st.integers(0, 2**31 - 1))
@settings(max_examples=100, deadline=None)
def test_ranks_are_an_order_any_increasing_numbers_give_the_same_matching(
    case: Ranked, mentee_map: np.ndarray, mentor_map: np.ndarray, seed: int
) -> None:
    # before the fix ranks above the number of pairs were squashed into ties and re-ordered by
    # score, so the result was not stable for the stated ranks and the check reported 0
    p = case.problem
    assert p.mentee_rank is not None and p.mentor_rank is not None
    mapped = AssignmentProblem(
        p.n_mentees,
        p.n_mentors,
        p.rows,
        p.cols,
        p.scores,
        p.mentee_capacity,
        p.mentor_capacity,
        mentee_map[p.mentee_rank],
        mentor_map[p.mentor_rank],
    )
    result = solve_stable(mapped, seed=seed)
    got = chosen_pairs(mapped, result.chosen)
    assert got == deferred_acceptance(case.prefs, case.rank, case.capacity)
    assert got == chosen_pairs(p, solve_stable(p, seed=seed).chosen)
    assert blocking_pairs(mapped, result.chosen).size == 0


def test_solve_reads_survey_ranks_with_gaps_as_the_same_order() -> None:
    # mentee e1 ranks m2 (position 40 of a longer list) above m1 (position 95); scores say m1
    edges = [("e1", "m1", 0.9, 95, 1), ("e1", "m2", 0.1, 40, 1), ("e2", "m2", 0.5, 1, 2)]
    result = matcher.solve(edges, capacities={"m1": 1, "m2": 1}, method="stable")
    assert {(q.mentee_id, q.mentor_id) for q in result.pairs} == {("e1", "m2")}
    assert matcher.blocking_pairs(result, edges) == []
    as_floats = [(a, b, s, float(r1), float(r2)) for a, b, s, r1, r2 in edges]
    again = matcher.solve(as_floats, capacities={"m1": 1, "m2": 1}, method="stable")
    assert [(q.mentee_id, q.mentor_id) for q in again.pairs] == [("e1", "m2")]


@given(ranked_problems())
@settings(max_examples=60, deadline=None)
def test_blocking_pairs_agrees_with_an_independent_check_on_any_matching(case: Ranked) -> None:
    # any capacity-respecting matching, stable or not: a greedy one in edge order
    problem = case.problem
    e_left = problem.mentee_capacity.copy()
    m_left = problem.mentor_capacity.copy()
    chosen = []
    for k in range(problem.n_edges):
        i, j = problem.rows[k], problem.cols[k]
        if e_left[i] and m_left[j]:
            chosen.append(k)
            e_left[i] -= 1
            m_left[j] -= 1
    chosen_arr = np.array(chosen, np.int64)
    found = blocking_pairs(problem, chosen_arr)
    expected = reference_blocking(
        case.prefs, case.rank, case.capacity, chosen_pairs(problem, chosen_arr)
    )
    assert {(int(problem.rows[k]), int(problem.cols[k])) for k in found} == expected


@given(score_problems(max_mentees=7, max_mentors=5, max_mentee_capacity=2), st.integers(0, 99))
@settings(max_examples=80, deadline=None)
def test_no_blocking_pairs_on_random_instances_with_ties(sp: ScoreProblem, seed: int) -> None:
    # rankings derived from scores (many ties, broken by the seed); mentees may want two
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
    result = solve_stable(problem, seed=seed)
    chosen = result.chosen
    assert len(np.unique(chosen)) == len(chosen)
    assert np.all(
        np.bincount(problem.rows[chosen], minlength=problem.n_mentees) <= sp.mentee_capacity
    )
    assert np.all(
        np.bincount(problem.cols[chosen], minlength=problem.n_mentors) <= sp.mentor_capacity
    )
    assert blocking_pairs(problem, chosen, seed=seed).size == 0
    assert result.bound >= result.objective - 1e-6
    again = solve_stable(problem, seed=seed)
    assert np.array_equal(again.chosen, chosen)


def test_preference_positions_follow_ranks_then_scores() -> None:
    # mentee 0 ranks mentor 2 first and nobody else: mentors 0 and 1 follow by score
    problem = AssignmentProblem(
        1,
        3,
        np.array([0, 0, 0], np.int32),
        np.array([0, 1, 2], np.int32),
        np.array([0.2, 0.9, 0.1]),
        np.ones(1, np.int64),
        np.ones(3, np.int64),
        np.array([0, 0, 1]),
        np.array([0, 0, 0]),
    )
    mentee_pos, mentor_pos = preference_positions(problem)
    assert mentee_pos.tolist() == [2, 1, 0]
    assert mentor_pos.tolist() == [0, 0, 0]  # each mentor has this one mentee only


# --- textbook examples ----------------------------------------------------------------------


def test_hospitals_residents_example_with_mentor_capacities() -> None:
    # five mentees, mentors 0 and 1 take two each, mentor 2 one
    prefs = [[0, 1], [1, 0, 2], [0, 2], [0, 1, 2], [2, 0]]
    mentor_order = [[1, 3, 0, 2, 4], [0, 3, 1], [2, 4, 1, 3]]
    capacity = [2, 2, 1]
    rank = [{i: r for r, i in enumerate(order, start=1)} for order in mentor_order]
    pairs = [(i, j) for i, mine in enumerate(prefs) for j in mine]
    problem = AssignmentProblem(
        5,
        3,
        np.array([i for i, _ in pairs], np.int32),
        np.array([j for _, j in pairs], np.int32),
        np.full(len(pairs), 0.5),
        np.ones(5, np.int64),
        np.array(capacity, np.int64),
        np.array([prefs[i].index(j) + 1 for i, j in pairs]),
        np.array([rank[j][i] for i, j in pairs]),
    )
    result = solve_stable(problem)
    # mentee 3 displaces mentee 2 at mentor 0; mentee 2 then displaces mentee 4 at mentor 2;
    # mentee 4 is turned down by mentor 0 (full with preferred mentees) and stays unmatched
    expected = {(0, 0), (3, 0), (1, 1), (2, 2)}
    assert chosen_pairs(problem, result.chosen) == expected
    assert deferred_acceptance(prefs, rank, capacity) == expected


def unstable_two_by_two() -> AssignmentProblem:
    # both mentees prefer mentor 0 (x), both mentors prefer mentee 0 (a)
    return AssignmentProblem(
        2,
        2,
        np.array([0, 0, 1, 1], np.int32),  # edges: a-x, a-y, b-x, b-y
        np.array([0, 1, 0, 1], np.int32),
        np.full(4, 0.5),
        np.ones(2, np.int64),
        np.ones(2, np.int64),
        np.array([1, 2, 1, 2]),
        np.array([1, 1, 2, 2]),
    )


def test_blocking_pairs_finds_the_blocking_pair_of_an_unstable_matching() -> None:
    problem = unstable_two_by_two()
    # a with y and b with x: a and x would both rather be together
    unstable = np.array([edge_index(problem, 0, 1), edge_index(problem, 1, 0)], np.int64)
    assert blocking_pairs(problem, unstable).tolist() == [edge_index(problem, 0, 0)]
    stable = np.array([edge_index(problem, 0, 0), edge_index(problem, 1, 1)], np.int64)
    assert blocking_pairs(problem, stable).size == 0
    assert chosen_pairs(problem, solve_stable(problem).chosen) == {(0, 0), (1, 1)}
    # nobody matched: every acceptable pair blocks
    assert blocking_pairs(problem, np.zeros(0, np.int64)).tolist() == [0, 1, 2, 3]


def test_a_closed_mentor_never_blocks() -> None:
    problem = unstable_two_by_two()
    problem.mentor_capacity = np.array([0, 1], np.int64)
    result = solve_stable(problem)
    assert chosen_pairs(problem, result.chosen) == {(0, 1)}
    assert blocking_pairs(problem, result.chosen).size == 0


# --- through matcher.match with stated preferences --------------------------------------------


def test_match_stable_follows_the_preferences_columns() -> None:
    prefs = [[0, 1], [1, 0, 2], [0, 2], [0, 1, 2], [2, 0]]
    mentor_order = [[1, 3, 0, 2, 4], [0, 3, 1], [2, 4, 1, 3]]
    capacity = [2, 2, 1]
    mentees = [
        Participant(id=f"e{i}", languages="en", preferences=[f"m{j}" for j in prefs[i]])
        for i in range(5)
    ]
    mentors = [
        Participant(
            id=f"m{j}",
            role="mentor",
            languages="en",
            capacity=capacity[j],
            preferences=[f"e{i}" for i in mentor_order[j]],
        )
        for j in range(3)
    ]
    config = {"program": {"method": "stable"}, "stable": {"unranked": "unacceptable"}}
    result = matcher.match(mentors, mentees, config=config)
    assert {(p.mentee_id, p.mentor_id) for p in result.pairs} == {
        ("e0", "m0"),
        ("e3", "m0"),
        ("e1", "m1"),
        ("e2", "m2"),
    }
    assert [(u.id, u.role) for u in result.unmatched] == [("e4", "mentee")]
    assert result.summary(version="x")["blocking_pairs"] == 0


def test_unranked_unacceptable_never_pairs_outside_the_rankings() -> None:
    mentors = [Participant(id=f"m{j}", role="mentor", languages="en") for j in range(2)]
    mentees = [Participant(id="e0", languages="en", preferences="m1")]
    after = matcher.match(mentors, mentees, method="stable")
    assert after.mentors_of("e0") == ["m1"]
    # m1 is closed: with "after" e0 falls back to m0, with "unacceptable" nobody
    mentors[1] = Participant(id="m1", role="mentor", languages="en", capacity=0)
    after = matcher.match(mentors, mentees, method="stable")
    assert after.mentors_of("e0") == ["m0"]
    strict = matcher.match(
        mentors,
        mentees,
        config={"program": {"method": "stable"}, "stable": {"unranked": "unacceptable"}},
    )
    assert strict.pairs == []


# --- scale ----------------------------------------------------------------------------------


def test_national_scale_sparse_instance_runs_without_recursion() -> None:
    rng = np.random.default_rng(2026)
    n_e, n_m, per = 10_000, 2_000, 20
    rows = np.repeat(np.arange(n_e), per)
    cols = rng.integers(0, n_m, size=n_e * per)
    keys = np.unique(rows.astype(np.int64) * n_m + cols)  # drop repeated pairs
    rows, cols = (keys // n_m).astype(np.int32), (keys % n_m).astype(np.int32)
    problem = AssignmentProblem(
        n_e,
        n_m,
        rows,
        cols,
        np.round(rng.random(rows.size), 3),
        np.ones(n_e, np.int64),
        rng.integers(1, 6, size=n_m).astype(np.int64),
    )
    assert 19 * n_e < problem.n_edges <= per * n_e
    result = solve_stable(problem, seed=1)
    chosen = result.chosen
    assert np.all(np.bincount(rows[chosen], minlength=n_e) <= 1)
    assert np.all(np.bincount(cols[chosen], minlength=n_m) <= problem.mentor_capacity)
    assert result.stats["blocking_pairs"] == 0
    assert blocking_pairs(problem, chosen, seed=1).size == 0
    assert len(chosen) > 0.5 * problem.mentor_capacity.sum()


def test_public_blocking_pair_check_on_any_matching() -> None:
    import matcher

    edges = [
        ("a", "X", 0.9, 1, 2),
        ("b", "X", 0.8, 1, 1),
        ("a", "Y", 0.5, 2, 1),
        ("b", "Y", 0.4, 2, 2),
    ]
    stable = matcher.solve(edges, method="stable")
    assert matcher.blocking_pairs(stable, edges) == []
    assert matcher.blocking_pairs([("a", "X"), ("b", "Y")], edges) == [("b", "X")]
    optimal = matcher.solve(edges, method="optimal")  # may or may not be stable: checkable
    assert isinstance(matcher.blocking_pairs(optimal, edges), list)
