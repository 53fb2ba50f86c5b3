"""Small groups: the CP-SAT model and the greedy fallback on GroupProblem arrays, and
``matcher.match(..., method="groups")`` on profiles (peer-led, leader-led, mixed with pairs).

Every group must hold ``min_size`` to ``max_size`` members (and no more than its leader takes),
share one weekly window, one language and one format (with its leader), meet the composition
rules, keep members of one organisation apart when asked, and never put together two members
who may not be together.  CP-SAT time limits stay at 1-3 s here.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from itertools import product

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import matcher
from matcher import Participant
from matcher.solvers import GroupProblem, GroupResult, check_groups, solve_groups
from matcher.solvers._groups import (  # private helpers, tested where they live
    GroupSearch,
    _columns,
    _cut_bound,
    _dives,
    _heuristic,
    _improve,
    _lp_bound,
    _packing,
    _tighten,
    simple_bound,
)

TIME = 1.0


# --- building problems ----------------------------------------------------------------------


def _rows(rng: np.random.Generator, n: int, k: int, p: float) -> np.ndarray:
    """(n, k) booleans, each row with at least one True."""
    out = rng.random((n, k)) < p
    out[np.arange(n), rng.integers(0, k, n)] = True
    return out


def _symmetric(rng: np.random.Generator, n: int) -> np.ndarray:
    a = np.round(rng.random((n, n)), 2)
    a = (a + a.T) / 2
    np.fill_diagonal(a, 0.0)
    return a


def random_problem(seed: int, *, n: int, leaders: int, rules: bool, orgs: bool) -> GroupProblem:
    """A small random grouping problem with every kind of rule switched on or off."""
    rng = np.random.default_rng(seed)
    w, k, f = 3, 2, 2
    ok = rng.random((n, n)) > 0.15
    ok = ok & ok.T
    np.fill_diagonal(ok, True)
    min_size = int(rng.integers(2, 4))
    return GroupProblem(
        member_leader_score=np.round(rng.random((n, leaders)), 2),
        member_leader_ok=rng.random((n, leaders)) > 0.15,
        member_member_score=_symmetric(rng, n),
        member_member_ok=ok,
        member_window=_rows(rng, n, w, 0.6),
        leader_window=_rows(rng, leaders, w, 0.7),
        member_lang=_rows(rng, n, k, 0.7),
        leader_lang=_rows(rng, leaders, k, 0.8),
        member_fmt=_rows(rng, n, f, 0.7),
        leader_fmt=_rows(rng, leaders, f, 0.8),
        profession=rng.integers(0, 3, n).astype(np.int64),
        organization=rng.integers(-1, 4, n).astype(np.int64),
        leader_organization=rng.integers(-1, 4, leaders).astype(np.int64),
        leader_capacity=rng.integers(2, 6, leaders).astype(np.int64),
        min_size=min_size,
        max_size=min_size + int(rng.integers(0, 3)),
        rules=[(0, 1, -1), (1, 1, 2)] if rules else [],
        distinct_organizations=orgs,
        max_same_profession=int(rng.choice([0, 2])),
        member_weight=float(rng.choice([0.5, 1.0])),
    )


def simple_problem(
    *,
    windows: list[list[bool]],
    profession: list[int] | None = None,
    organization: list[int] | None = None,
    exclusions: tuple[tuple[int, int], ...] = (),
    min_size: int = 2,
    max_size: int = 3,
    **kwargs: object,
) -> GroupProblem:
    """A peer-led problem: one language and format for all; the windows given per member."""
    n = len(windows)
    ok = np.ones((n, n), bool)
    for a, b in exclusions:
        ok[a, b] = ok[b, a] = False
    score = np.full((n, n), 0.5)
    np.fill_diagonal(score, 0.0)
    return GroupProblem(
        member_leader_score=np.zeros((n, 0)),
        member_leader_ok=np.ones((n, 0), bool),
        member_member_score=score,
        member_member_ok=ok,
        member_window=np.array(windows, bool),
        leader_window=np.zeros((0, len(windows[0])), bool),
        member_lang=np.ones((n, 1), bool),
        leader_lang=np.zeros((0, 1), bool),
        member_fmt=np.ones((n, 1), bool),
        leader_fmt=np.zeros((0, 1), bool),
        profession=np.array(profession or [0] * n, np.int64),
        organization=np.array(organization or [-1] * n, np.int64),
        leader_organization=np.zeros(0, np.int64),
        leader_capacity=np.zeros(0, np.int64),
        min_size=min_size,
        max_size=max_size,
        **kwargs,  # type: ignore[arg-type]
    )


# --- an independent validity check ------------------------------------------------------------


def violations(problem: GroupProblem, result: GroupResult) -> list[str]:
    """Every rule the grouping breaks, written here from the rules, not from check_groups."""
    group = result.group
    out = []
    n_grp = problem.n_groups()
    if not np.all((group >= -1) & (group < n_grp)):
        out.append("a group number out of range")
    leaders = problem.n_leaders
    for g in sorted(set(group[group >= 0].tolist())):
        members = np.flatnonzero(group == g)
        size = len(members)
        most = (
            min(problem.max_size, int(problem.leader_capacity[g])) if leaders else problem.max_size
        )
        if not problem.min_size <= size <= most:
            out.append(f"group {g}: {size} members, not {problem.min_size}-{most}")
        for name, m_arr, l_arr, chosen in (
            ("window", problem.member_window, problem.leader_window, result.window),
            ("language", problem.member_lang, problem.leader_lang, result.language),
            ("format", problem.member_fmt, problem.leader_fmt, result.fmt),
        ):
            shared = m_arr[members].all(axis=0)
            if leaders:
                shared &= l_arr[g]
            if not shared.any():
                out.append(f"group {g}: no common {name}")
            elif not shared[chosen[g]]:
                out.append(f"group {g}: the reported {name} is not shared")
        if leaders and not problem.member_leader_ok[members, g].all():
            out.append(f"group {g}: a member not allowed with the leader")
        for a in members:
            for b in members:
                if a < b and not problem.member_member_ok[a, b]:
                    out.append(f"group {g}: members {a} and {b} may not be together")
        counts = Counter(problem.profession[members].tolist())
        for code, low, high in problem.rules:
            if counts[code] < low or (high >= 0 and counts[code] > high):
                out.append(f"group {g}: {counts[code]} of profession {code}")
        if problem.max_same_profession and max(counts.values()) > problem.max_same_profession:
            out.append(f"group {g}: too many of one profession")
        if problem.distinct_organizations:
            orgs = [o for o in problem.organization[members].tolist() if o >= 0]
            if len(set(orgs)) < len(orgs):
                out.append(f"group {g}: two members of one organisation")
            if leaders and problem.leader_organization[g] in orgs:  # orgs holds known ones
                out.append(f"group {g}: a member of the leader's organisation")
    return out


def score_of(problem: GroupProblem, group: np.ndarray) -> float:
    total = 0.0
    for g in set(group[group >= 0].tolist()):
        members = np.flatnonzero(group == g)
        if problem.n_leaders:
            total += float(problem.member_leader_score[members, g].sum())
        for a in members:
            for b in members:
                if a < b:
                    total += problem.member_weight * float(problem.member_member_score[a, b])
    return total


def brute_force(problem: GroupProblem) -> tuple[int, float]:
    """(most members placed, best score at that many) over every assignment (tiny only)."""
    best = (0, 0.0)
    for assignment in product(range(-1, problem.n_groups()), repeat=problem.n):
        group = np.array(assignment, np.int64)
        placed = int((group >= 0).sum())
        if placed < best[0] or check_groups(problem, group):
            continue
        # an empty group is fine; check_groups only looks at groups that have members
        value = score_of(problem, group)
        if (placed, value) > best:
            best = (placed, value)
    return best


PROBLEMS = st.builds(
    random_problem,
    st.integers(0, 2**31 - 1),
    n=st.integers(2, 9),
    leaders=st.sampled_from([0, 0, 1, 2]),
    rules=st.booleans(),
    orgs=st.booleans(),
)


# --- the solvers on arrays --------------------------------------------------------------------


@given(PROBLEMS, st.integers(0, 1000))
@settings(max_examples=25, deadline=None)
def test_cp_sat_groups_keep_every_rule(problem: GroupProblem, seed: int) -> None:
    result = solve_groups(problem, time_limit=TIME, seed=seed)
    assert violations(problem, result) == []
    assert check_groups(problem, result.group) == []
    assert result.objective == pytest.approx(score_of(problem, result.group), abs=1e-6)
    if result.stats["engine"] == "cp-sat":
        assert result.bound >= result.objective - 1e-9


@given(PROBLEMS, st.integers(0, 1000))
@settings(max_examples=25, deadline=None)
def test_greedy_fallback_keeps_every_rule(problem: GroupProblem, seed: int) -> None:
    result = solve_groups(problem, time_limit=TIME, seed=seed, max_exact_members=1)
    if problem.n > 1 and problem.n_groups() > 0:
        # peer-led: the vectorised greedy used at scale; leader-led: greedy + local search
        engine = "greedy+local-search" if problem.n_leaders else "greedy"
        assert result.stats["engine"] == engine
        assert "max_exact_members" in result.stats["note"]
    assert violations(problem, result) == []
    assert check_groups(problem, result.group) == []
    again = solve_groups(problem, time_limit=TIME, seed=seed, max_exact_members=1)
    assert np.array_equal(again.group, result.group)


@given(
    st.builds(
        random_problem,
        st.integers(0, 2**31 - 1),
        n=st.integers(2, 6),
        leaders=st.sampled_from([0, 1, 2]),
        rules=st.booleans(),
        orgs=st.booleans(),
    ),
    st.integers(0, 1000),
)
@settings(max_examples=20, deadline=None)
def test_the_heuristic_reports_a_proven_bound_not_its_own_objective(
    problem: GroupProblem, seed: int
) -> None:
    # before the fix the greedy reported bound = objective (a gap of 0: "proven optimal")
    result = solve_groups(problem, time_limit=TIME, seed=seed, max_exact_members=1)
    _, best = brute_force(problem)
    assert result.bound >= best - 1e-9  # a bound on every grouping, not only this one
    if result.stats["engine"] == "none":  # no group can form: 0 is proven
        assert result.bound == result.objective == best == 0
    else:
        assert result.status == "feasible"
        assert result.bound == pytest.approx(max(simple_bound(problem), result.objective))


@given(
    st.builds(
        random_problem,
        st.integers(0, 2**31 - 1),
        n=st.integers(2, 6),
        leaders=st.sampled_from([0, 1, 2]),
        rules=st.booleans(),
        orgs=st.booleans(),
    )
)
@settings(max_examples=15, deadline=None)
def test_cp_sat_reaches_the_brute_force_optimum_on_tiny_problems(problem: GroupProblem) -> None:
    result = solve_groups(problem, time_limit=3.0, seed=0)
    placed, best = brute_force(problem)
    assert int((result.group >= 0).sum()) == placed
    if result.status == "optimal":
        # the CP-SAT objective is on a 1/1000 grid per term
        assert result.objective == pytest.approx(best, abs=0.01 * max(problem.n, 1) ** 2)
        assert result.bound >= best - 0.01 * max(problem.n, 1) ** 2


def test_same_seed_gives_the_same_groups() -> None:
    for seed in (0, 5):
        problem = random_problem(seed + 100, n=9, leaders=0, rules=True, orgs=True)
        runs = [solve_groups(problem, time_limit=2.0, seed=seed) for _ in range(2)]
        assert np.array_equal(runs[0].group, runs[1].group)
        assert runs[0].objective == runs[1].objective
        greedy = [solve_groups(problem, seed=seed, max_exact_members=1) for _ in range(2)]
        assert np.array_equal(greedy[0].group, greedy[1].group)


def test_members_without_a_common_window_are_never_grouped() -> None:
    # members 0-2 are free in window 0 only, 3-5 in window 1 only, 6 in window 2 only
    windows = [[True, False, False]] * 3 + [[False, True, False]] * 3 + [[False, False, True]]
    problem = simple_problem(windows=windows, min_size=3, max_size=3)
    for kwargs in ({}, {"max_exact_members": 1}):
        result = solve_groups(problem, time_limit=TIME, **kwargs)  # type: ignore[arg-type]
        assert violations(problem, result) == []
        groups = {frozenset(np.flatnonzero(result.group == g).tolist()) for g in range(2)}
        assert groups == {frozenset({0, 1, 2}), frozenset({3, 4, 5})}
        assert result.group[6] == -1


def test_composition_rule_needs_one_of_each_profession() -> None:
    # professions 0,0,0,0,1,1: a group of 3 needs a 0 and a 1, so two groups of 3
    problem = simple_problem(
        windows=[[True]] * 6,
        profession=[0, 0, 0, 0, 1, 1],
        min_size=3,
        max_size=3,
        rules=[(0, 1, -1), (1, 1, -1)],
    )
    for kwargs in ({}, {"max_exact_members": 1}):
        result = solve_groups(problem, time_limit=TIME, **kwargs)  # type: ignore[arg-type]
        assert violations(problem, result) == []
        for g in set(result.group[result.group >= 0].tolist()):
            profs = set(problem.profession[result.group == g].tolist())
            assert profs == {0, 1}
    exact = solve_groups(problem, time_limit=TIME)
    assert (exact.group >= 0).sum() == 6


def test_distinct_organisations_and_exclusions() -> None:
    # 0 and 1 share an organisation; 2 and 3 may not be together; groups of 2
    problem = simple_problem(
        windows=[[True]] * 4,
        organization=[7, 7, 8, 9],
        exclusions=((2, 3),),
        min_size=2,
        max_size=2,
        distinct_organizations=True,
    )
    result = solve_groups(problem, time_limit=TIME)
    assert violations(problem, result) == []
    assert (result.group >= 0).sum() == 4
    assert result.group[0] != result.group[1]
    assert result.group[2] != result.group[3]


def test_check_groups_names_every_broken_rule() -> None:
    problem = simple_problem(
        windows=[[True, False], [False, True], [True, False], [True, False]],
        profession=[0, 0, 0, 1],
        organization=[3, 3, -1, -1],
        exclusions=((0, 2),),
        min_size=2,
        max_size=3,
        rules=[(1, 1, -1)],
        distinct_organizations=True,
    )
    broken = check_groups(problem, np.array([0, 0, 0, -1]))
    text = "; ".join(broken)
    assert "no common window" in text
    assert "may not be together" in text
    assert "composition rule" in text
    assert "one organisation" in text
    assert check_groups(problem, np.array([0, -1, -1, 0])) == []
    assert any("size 1" in b for b in check_groups(problem, np.array([0, -1, -1, -1])))


# --- through matcher.match --------------------------------------------------------------------

EVENING = "mon 18:00-20:00"
MORNING = "tue 08:00-10:00"


def member(pid: str, **kwargs: object) -> Participant:
    fields: dict[str, object] = {
        "languages": "en",
        "formats": "virtual",
        "availability": EVENING,
        "group_formats": "small_group",
    }
    fields.update(kwargs)
    return Participant(id=pid, **fields)  # type: ignore[arg-type]


def leader(pid: str, capacity: int, **kwargs: object) -> Participant:
    return member(pid, role="mentor", capacity=capacity, **kwargs)


def groups_config(**groups: object) -> dict[str, object]:
    return {"program": {"method": "groups"}, "groups": {"time_limit_s": TIME, **groups}}


def read_pairs(result: matcher.Matching) -> tuple[list[str], list[dict[str, str]]]:
    text = result.files(version="x")["pairs.csv"].decode("utf-8")
    header, *rows = list(csv.reader(io.StringIO(text)))
    return header, [dict(zip(header, r, strict=True)) for r in rows]


def by_group(result: matcher.Matching) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for p in result.pairs:
        if p.group_id:
            out.setdefault(p.group_id, []).append(p.mentee_id)
    return out


def accounted(result: matcher.Matching, mentors: list[Participant], mentees: list[Participant]):
    """Every mentee in exactly one pair/group row or unmatched; mentors in a row or unmatched."""
    rows = Counter(p.mentee_id for p in result.pairs)
    listed = Counter((u.role, u.id) for u in result.unmatched)
    assert all(n == 1 for n in listed.values())
    for p in mentees:
        assert (rows[p.id] > 0) != (("mentee", p.id) in listed), p.id
    used = {p.mentor_id for p in result.pairs}
    for p in mentors:
        assert (p.id in used) != (("mentor", p.id) in listed), p.id


def test_peer_led_groups_from_profiles() -> None:
    mentees = [
        member(f"g{k}", profession="genetic_counsellor", organization=f"H{k % 4}") for k in range(6)
    ] + [member(f"q{k}", profession="medical_geneticist", organization=f"H{k}") for k in range(3)]
    config = groups_config(
        leader="none",
        min_size=3,
        max_size=4,
        require=[{"profession": "genetic_counsellor"}, {"profession": "medical_geneticist"}],
    )
    result = matcher.match([], mentees, config=config, seed=3)
    assert result.method == "groups"
    accounted(result, [], mentees)
    groups = by_group(result)
    assert len(groups) == 3  # three medical geneticists: three groups of three
    assert result.matched == 9
    profession = {p.id: p.profession for p in mentees}
    for ids in groups.values():
        assert 3 <= len(ids) <= 4
        assert {profession[i] for i in ids} == {"genetic_counsellor", "medical_geneticist"}
    assert all(p.mentor_id == "" for p in result.pairs)
    header, rows = read_pairs(result)
    assert header[:4] == ["mentee_id", "mentor_id", "score", "group_id"]
    assert {r["group_id"] for r in rows} == set(groups)
    again = matcher.match([], mentees, config=config, seed=3)
    assert again.files(version="x")["pairs.csv"] == result.files(version="x")["pairs.csv"]


def test_peer_led_groups_keep_organisations_and_exclusions_apart() -> None:
    mentees = [
        member("a", organization="Horizon", exclude="b"),
        member("b", organization="Vitalité"),
        member("c", organization="Horizon"),
        member("d", organization="IWK"),
        member("e", organization="Vitalité"),
        member("f", organization="IWK", exclude="a"),
    ]
    config = groups_config(leader="none", min_size=2, max_size=3, distinct_organizations=True)
    result = matcher.match([], mentees, config=config)
    accounted(result, [], mentees)
    org = {p.id: p.organization for p in mentees}
    for ids in by_group(result).values():
        assert len({org[i] for i in ids}) == len(ids)
        assert not {"a", "b"} <= set(ids)
        assert not {"a", "f"} <= set(ids)
    assert result.matched == 6


def test_leader_led_groups_from_profiles() -> None:
    mentors = [
        leader("L1", 4, languages="en"),
        leader("L2", 3, languages="fr"),
        leader("L3", 5, availability=MORNING),  # nobody is free then
    ]
    mentees = [member(f"en{k}", languages="en") for k in range(5)] + [
        member(f"fr{k}", languages="fr") for k in range(3)
    ]
    config = groups_config(leader="mentor", min_size=3, max_size=6)
    result = matcher.match(mentors, mentees, config=config)
    accounted(result, mentors, mentees)
    led: dict[str, set[str]] = {}
    for p in result.pairs:
        led.setdefault(p.group_id or "", set()).add(p.mentor_id)
    assert all(len(ls) == 1 for ls in led.values()), "a group with two leaders"
    members_of = {next(iter(led[g])): ids for g, ids in by_group(result).items()}
    assert set(members_of) == {"L1", "L2"}
    assert len(members_of["L1"]) == 4  # capacity 4 < max_size 6
    assert all(i.startswith("en") for i in members_of["L1"])
    assert sorted(members_of["L2"]) == ["fr0", "fr1", "fr2"]
    reasons = {(u.role, u.id): u.reason for u in result.unmatched}
    assert ("mentor", "L3") in reasons
    left = next(i for i in ("en0", "en1", "en2", "en3", "en4") if i not in members_of["L1"])
    assert ("mentee", left) in reasons
    # the reason names the group that almost fitted, and what kept this member out of it
    group_l1 = next(g for g, ids in by_group(result).items() if "L1" in led[g])
    assert f"nearest group {group_l1} (" in reasons[("mentee", left)]
    assert "led by L1" in reasons[("mentee", left)]
    assert "full (4 of 4)" in reasons[("mentee", left)]


def test_mixed_mode_pairs_one_to_one_and_groups_the_rest() -> None:
    mentors = [
        leader("L1", 4),
        Participant(id="M1", role="mentor", languages="en", formats="virtual",
                    group_formats="one_to_one", capacity=2),
    ]  # fmt: skip
    mentees = [member(f"g{k}") for k in range(4)] + [
        member("s1", group_formats="one_to_one"),
        member("s2", group_formats="one_to_one"),
    ]
    result = matcher.match(mentors, mentees, config=groups_config(min_size=3, max_size=4))
    accounted(result, mentors, mentees)
    singles = {p.mentee_id: p for p in result.pairs if not p.group_id}
    assert set(singles) == {"s1", "s2"}
    assert {p.mentor_id for p in singles.values()} == {"M1"}
    assert by_group(result) and all(
        i.startswith("g") for ids in by_group(result).values() for i in ids
    )
    header, rows = read_pairs(result)
    assert "group_id" in header
    assert {r["group_id"] for r in rows if r["mentee_id"].startswith("s")} == {""}


@pytest.mark.parametrize("leader_mode", ["mentor", "none"])
def test_every_mentor_is_accounted_for_when_nobody_chose_one_to_one(leader_mode: str) -> None:
    mentors = [
        leader("L1", 4),
        Participant(id="M1", role="mentor", languages="en", group_formats="one_to_one"),
    ]
    mentees = [member(f"g{k}") for k in range(4)]
    result = matcher.match(
        mentors, mentees, config=groups_config(leader=leader_mode, min_size=3, max_size=4)
    )
    accounted(result, mentors, mentees)


def test_a_member_free_at_another_time_is_told_the_nearest_window() -> None:
    # four members meet on Monday evenings; one is free on Tuesday evening with one other
    mentees = [member(f"e{k}") for k in range(4)] + [
        member("late", availability="tue 18:00-20:00"),
        member("also", availability="mon 18:00-20:00|tue 18:00-20:00"),
    ]
    config = groups_config(leader="none", min_size=3, max_size=5)
    config["program"] = {"method": "groups", "session_minutes": 60}
    result = matcher.match([], mentees, config=config)
    reasons = {u.id: u.reason for u in result.unmatched}
    assert "late" in reasons
    reason = reasons["late"]
    assert reason.startswith("no session window in which at least 3 group members")
    assert "nearest window: tue 18:00-19:00 your local time, when 1 other member is free " in (
        reason
    )
    assert "(2 needed)" in reason
    assert "; nearest group G01 (meets mon 18:00-19:00 your local time" in reason
    assert reason.endswith("): not free then; full (5 of 5)")


# --- every feasible group, and the set-partitioning bound -------------------------------------


def feasible_groups(problem: GroupProblem) -> set[tuple[int, tuple[int, ...]]]:
    """(leader or -1, members) of every group that keeps every rule, by brute force."""
    from itertools import combinations

    out = set()
    owners = range(problem.n_leaders) if problem.n_leaders else [-1]
    for owner in owners:
        for size in range(problem.min_size, problem.max_size + 1):
            for members in combinations(range(problem.n), size):
                group = np.full(problem.n, -1, np.int64)
                group[list(members)] = max(owner, 0)
                if problem.n_leaders and not problem.member_leader_ok[list(members), owner].all():
                    continue
                if not check_groups(problem, group):
                    out.add((owner, members))
    return out


@given(
    st.builds(
        random_problem,
        st.integers(0, 2**31 - 1),
        n=st.integers(2, 8),
        leaders=st.sampled_from([0, 0, 1, 2]),
        rules=st.booleans(),
        orgs=st.booleans(),
    )
)
@settings(max_examples=30, deadline=None)
def test_the_listed_groups_are_exactly_the_feasible_ones(problem: GroupProblem) -> None:
    cols = _columns(problem, 10_000)
    assert cols is not None
    listed = set(zip(cols.leader, cols.members, strict=True))
    assert listed == feasible_groups(problem)
    for owner, members, value in zip(cols.leader, cols.members, cols.value, strict=True):
        sub = problem.member_member_score[np.ix_(members, members)]
        expected = problem.member_weight * float(np.triu(sub, 1).sum())
        if owner >= 0:
            expected += float(problem.member_leader_score[list(members), owner].sum())
        assert value == pytest.approx(expected, abs=1e-9)


def test_listing_stops_above_the_column_limit() -> None:
    problem = simple_problem(windows=[[True]] * 12, min_size=2, max_size=4)
    assert _columns(problem, 50) is None  # C(12,2)+C(12,3)+C(12,4) groups
    assert len(_columns(problem, 10_000).members) == 66 + 220 + 495  # type: ignore[union-attr]


@given(
    st.builds(
        random_problem,
        st.integers(0, 2**31 - 1),
        n=st.integers(2, 6),
        leaders=st.sampled_from([0, 0, 1, 2]),
        rules=st.booleans(),
        orgs=st.booleans(),
    )
)
@settings(max_examples=25, deadline=None)
def test_the_lp_bound_holds_for_the_best_grouping(problem: GroupProblem) -> None:
    placed, best = brute_force(problem)
    cols = _columns(problem, 10_000)
    assert cols is not None
    if cols.members:
        assert _lp_bound(problem, cols, placed) >= best - 1e-6
        assert _lp_bound(problem, cols, 0) >= best - 1e-6


@given(PROBLEMS, st.integers(0, 1000), st.sampled_from([1, 120]))
@settings(max_examples=25, deadline=None)
def test_the_bound_is_never_below_the_objective_or_the_best(
    problem: GroupProblem, seed: int, exact: int
) -> None:
    result = solve_groups(problem, time_limit=TIME, seed=seed, max_exact_members=exact)
    assert result.bound >= result.objective - 1e-9
    if problem.n <= 6:
        assert result.bound >= brute_force(problem)[1] - 1e-6


def test_the_lp_bound_is_tighter_than_the_simple_bound_and_holds() -> None:
    # 12 members in one window, groups of 3-4: the simple bound counts each member's 3 best
    # peers as if each could have them all; disjoint groups cannot
    rng = np.random.default_rng(7)
    problem = simple_problem(windows=[[True]] * 12, min_size=3, max_size=4)
    problem.member_member_score = _symmetric(rng, 12)
    cols = _columns(problem, 10_000)
    assert cols is not None
    exact = solve_groups(problem, time_limit=3.0, seed=0)
    lp = _lp_bound(problem, cols, int((exact.group >= 0).sum()))
    assert exact.objective - 1e-6 <= lp < simple_bound(problem) - 0.1


# --- large peer-led programmes: blocks and the greedy ----------------------------------------

SCALE_CONFIG: dict[str, object] = {
    "program": {"method": "groups", "min_score": 0.0, "session_minutes": 60},
    "groups": {"leader": "none", "min_size": 4, "max_size": 7, "time_limit_s": 2.0},
    "criteria": {"specialty": {"weight": 3.0}, "language": {"hard": True}},
}


def synthetic_members(tmp_path, n: int, seed: int) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    from matcher import io as mio

    files = mio.synthetic_files(n, 1, seed=seed, groups=True)
    assert files["mentors.csv"].count(b"\n") == 1  # the header only: peer-led
    assert b'method = "groups"' in files["program.toml"]
    for name in ("mentors.csv", "mentees.csv"):
        (tmp_path / name).write_bytes(files[name])
    return str(tmp_path / "mentors.csv"), str(tmp_path / "mentees.csv")


def scale_config(max_exact: int) -> dict[str, object]:
    groups = {**SCALE_CONFIG["groups"], "max_exact_members": max_exact}  # type: ignore[dict-item]
    return {**SCALE_CONFIG, "groups": groups}


def test_a_large_peer_led_programme_is_grouped_block_by_block(tmp_path) -> None:  # type: ignore[no-untyped-def]
    mentors, mentees = synthetic_members(tmp_path, 400, seed=3)
    result = matcher.match(mentors, mentees, config=scale_config(50), seed=1)
    summary = result.summary()
    assert summary["solver"]["engine"] == "blocks+greedy"
    assert summary["solver"]["blocks"] > 1
    assert result.bound >= result.objective > 0
    with open(mentees, encoding="utf-8") as handle:
        speaks = {r["id"]: set(r["languages"].split("|")) for r in csv.DictReader(handle)}
    rows = Counter(p.mentee_id for p in result.pairs)
    listed = {u.id for u in result.unmatched}
    assert all(n == 1 for n in rows.values())
    assert len(rows) + len(listed) == 400 and not set(rows) & listed
    for ids in by_group(result).values():
        assert 4 <= len(ids) <= 7
        assert set.intersection(*(speaks[i] for i in ids)), "a group without a common language"
    again = matcher.match(mentors, mentees, config=scale_config(50), seed=1)
    first, second = result.files(version="x"), again.files(version="x")
    for name in ("pairs.csv", "unmatched.csv"):
        assert first[name] == second[name]
    assert result.bound == again.bound and result.objective == again.objective


def test_the_bound_at_scale_holds_for_the_exact_optimum(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # the same 40 members: grouped exactly (CP-SAT), and block by block with the greedy; the
    # bound the large path reports must hold for every grouping, the exact one included
    mentors, mentees = synthetic_members(tmp_path, 40, seed=5)
    exact = matcher.match(mentors, mentees, config=scale_config(120), seed=0)
    blocks = matcher.match(mentors, mentees, config=scale_config(10), seed=0)
    assert blocks.summary()["solver"]["engine"] == "blocks+greedy"
    assert blocks.bound >= exact.objective - 1e-6
    assert blocks.bound >= blocks.objective


@given(
    st.builds(
        random_problem,
        st.integers(0, 2**31 - 1),
        n=st.integers(4, 9),
        leaders=st.sampled_from([0, 0, 1, 2]),
        rules=st.booleans(),
        orgs=st.booleans(),
    ),
    st.integers(0, 1000),
)
@settings(max_examples=25, deadline=None)
def test_two_group_moves_keep_every_rule_and_never_lose(problem: GroupProblem, seed: int) -> None:
    start = _heuristic(problem, seed, iterations=5)
    cols = _columns(problem, 10_000)
    assert cols is not None
    better = _improve(problem, cols, start.group, GroupSearch())
    if better is None:
        return
    assert check_groups(problem, better) == []
    before = (int((start.group >= 0).sum()), score_of(problem, start.group))
    after = (int((better >= 0).sum()), score_of(problem, better))
    assert after > before
    if problem.n <= 6:
        placed, best = brute_force(problem)
        assert after[0] <= placed and (after[0] < placed or after[1] <= best + 1e-9)


# --- subset-row cuts, their bound and the LP dives --------------------------------------------


def best_packings(problem: GroupProblem) -> dict[int, tuple[float, list[int]]]:
    """Per number of members placed, the best total and its groups (indices into the sorted
    brute-force list of feasible groups): every set of disjoint groups, each leader once."""
    groups = sorted(feasible_groups(problem))
    values = []
    for owner, members in groups:
        one = np.full(problem.n, -1, np.int64)
        one[list(members)] = max(owner, 0)
        values.append(score_of(problem, one))
    best: dict[int, tuple[float, list[int]]] = {}

    def walk(start: int, used: frozenset[int], leaders: frozenset[int], chosen: list[int]) -> None:
        placed = len(used)
        total = sum(values[j] for j in chosen)
        if placed not in best or total > best[placed][0]:
            best[placed] = (total, list(chosen))
        for j in range(start, len(groups)):
            owner, members = groups[j]
            if used.intersection(members) or owner in leaders:
                continue
            more = leaders | {owner} if owner >= 0 else leaders
            walk(j + 1, used | frozenset(members), more, [*chosen, j])

    walk(0, frozenset(), frozenset(), [])
    return best


def at_least(best: dict[int, tuple[float, list[int]]], placed: int) -> float:
    return max(total for k, (total, _) in best.items() if k >= placed)


CUT_PROBLEMS = st.builds(
    random_problem,
    st.integers(0, 2**31 - 1),
    n=st.integers(3, 8),
    leaders=st.sampled_from([0, 0, 0, 1, 2]),
    rules=st.booleans(),
    orgs=st.booleans(),
)


@given(CUT_PROBLEMS)
@settings(max_examples=40, deadline=None)
def test_the_cut_bound_holds_for_every_grouping_and_is_no_weaker_than_the_lp(
    problem: GroupProblem,
) -> None:
    cols = _columns(problem, 10_000)
    assert cols is not None
    if not cols.members:
        return
    best = best_packings(problem)
    pack = _packing(problem, cols)
    groups = sorted(feasible_groups(problem))
    most = max(best)
    for placed in sorted({0, most // 2, most}):
        # the LP starts from a grouping that places that many (the brute force's best)
        start = np.array(
            sorted(pack.index[groups[j]] for j in best[min(k for k in best if k >= placed)][1]),
            np.int64,
        )
        cut = _cut_bound(pack, placed, start, GroupSearch())
        assert cut is not None
        assert cut.bound >= at_least(best, placed) - 1e-6  # never below a real grouping
        assert cut.bound <= cut.plain + 1e-9  # the cuts only tighten
        assert cut.plain == pytest.approx(_lp_bound(problem, cols, placed), abs=1e-6)


@given(CUT_PROBLEMS)
@settings(max_examples=40, deadline=None)
def test_lp_dives_keep_every_rule_and_place_as_many(problem: GroupProblem) -> None:
    cols = _columns(problem, 10_000)
    assert cols is not None
    if not cols.members:
        return
    best = best_packings(problem)
    most = max(best)
    pack = _packing(problem, cols)
    groups = sorted(feasible_groups(problem))
    start = np.array(sorted(pack.index[groups[j]] for j in best[most][1]), np.int64)
    cut = _cut_bound(pack, most, start, GroupSearch())
    assert cut is not None
    group = _dives(problem, cols, pack, cut, most, GroupSearch())
    if group is None:
        return
    assert check_groups(problem, group) == []
    assert int((group >= 0).sum()) == most  # at least as many as asked; none can place more
    assert score_of(problem, group) <= best[most][0] + 1e-6


def test_subset_row_cuts_close_the_gap_of_an_odd_cycle() -> None:
    # three members who may each pair with the other two, groups of exactly 2: the LP takes
    # every pair at 1/2 (total 1.5 pairs' worth), but only one pair can form; the cut on the
    # triple says so, and the bound becomes the optimum
    problem = simple_problem(windows=[[True]] * 3, min_size=2, max_size=2)
    cols = _columns(problem, 10_000)
    assert cols is not None and len(cols.members) == 3
    plain = _lp_bound(problem, cols, 0)
    cut = _cut_bound(_packing(problem, cols), 0, np.zeros(0, np.int64), GroupSearch())
    assert cut is not None
    assert plain == pytest.approx(0.75)
    assert cut.bound == pytest.approx(0.5) and cut.cuts.tolist() == [[0, 1, 2]]


def test_the_search_settings_bound_the_cut_rounds() -> None:
    # the same odd cycle with no cut round allowed: the bound stays the plain LP's, no cut
    problem = simple_problem(windows=[[True]] * 3, min_size=2, max_size=2)
    cols = _columns(problem, 10_000)
    assert cols is not None
    none = GroupSearch(cut_rounds=0)
    cut = _cut_bound(_packing(problem, cols), 0, np.zeros(0, np.int64), none)
    assert cut is not None
    assert cut.bound == pytest.approx(0.75) and cut.rounds == 0 and cut.cuts.size == 0


def test_tightening_lowers_the_bound_and_never_loses() -> None:
    # 12 members in one window, groups of 3-4: from the heuristic's grouping, the cut bound is
    # below the plain LP bound, holds for the exact optimum, and the grouping never gets worse
    rng = np.random.default_rng(11)
    problem = simple_problem(windows=[[True]] * 12, min_size=3, max_size=4)
    problem.member_member_score = _symmetric(rng, 12)
    start = _heuristic(problem, 0, iterations=50)
    before = (int((start.group >= 0).sum()), start.objective)
    result = _heuristic(problem, 0, iterations=50)
    _tighten(problem, result, 100_000, GroupSearch())
    assert check_groups(problem, result.group) == []
    assert (int((result.group >= 0).sum()), result.objective) >= before
    assert result.objective == pytest.approx(score_of(problem, result.group), abs=1e-9)
    assert result.stats["cut_bound"] <= result.stats["lp_bound"] + 1e-6
    exact = solve_groups(problem, time_limit=3.0, seed=0)
    assert result.bound >= exact.objective - 1e-6
    assert result.bound >= result.objective


@given(CUT_PROBLEMS, st.integers(0, 1000))
@settings(max_examples=30, deadline=None)
def test_an_unproven_search_reports_a_bound_that_holds_for_every_grouping(
    problem: GroupProblem, seed: int
) -> None:
    # CP-SAT stopped almost at once: the listed groups, the cuts and the dives do the work
    result = solve_groups(problem, time_limit=1e-4, seed=seed)
    assert check_groups(problem, result.group) == []
    assert violations(problem, result) == []
    assert result.objective == pytest.approx(score_of(problem, result.group), abs=1e-6)
    assert result.bound >= result.objective
    best = best_packings(problem)
    placed = int((result.group >= 0).sum())
    assert result.bound >= at_least(best, placed) - 1e-6
    if result.status == "optimal":
        assert (placed, result.objective) >= (max(best), best[max(best)][0] - 1e-3 * problem.n**2)
    again = solve_groups(problem, time_limit=1e-4, seed=seed)
    assert np.array_equal(again.group, result.group) and again.bound == result.bound


def test_the_nearest_group_is_one_whose_language_the_member_speaks() -> None:
    # an English group at the member's time, a Portuguese group at another time: the
    # Portuguese-only member is told about the Portuguese group, and why it cannot join it
    mentees = [member(f"en{k}", languages="en", availability="mon 18:00-20:00") for k in range(4)]
    mentees += [member(f"pt{k}", languages="pt", availability="tue 18:00-20:00") for k in range(3)]
    # as many obstacles with each group counted alike (English: language and a hard rule with
    # its members; Portuguese: the time, and an exclusion), so the language must decide
    mentees.append(member("solo", languages="pt", availability="mon 18:00-20:00", exclude="pt0"))
    config = groups_config(leader="none", min_size=3, max_size=5)
    config["program"] = {"method": "groups", "session_minutes": 60}
    result = matcher.match([], mentees, config=config)
    groups = by_group(result)
    [pt_group] = [g for g, ids in groups.items() if any(i.startswith("pt") for i in ids)]
    reason = {u.id: u.reason for u in result.unmatched}["solo"]
    assert f"; nearest group {pt_group} (meets tue 18:00-19:00 your local time, pt," in reason
    assert reason.endswith("): not free then")
