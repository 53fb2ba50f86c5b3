"""Stable at scale: deferred acceptance with each mentee's list drawn lazily, a batch at a time.

Checked against the dense solver (``solve_stable``) where no order has a tie (the stable
matching is then unique to the preferences), against a textbook deferred acceptance on full
lists with the lazy path's tie-break where orders have ties (any batch size, so that ties
straddle batches), against the ``matching`` library's hospital/residents game where it is
installed, and end to end on programmes (compiled kernel and scored rows) against the
textbook algorithm on every allowed pair.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from strategies import Program, programs

from matcher.engine import build_model
from matcher.engine._assign import edge_ranks
from matcher.engine._lazy_stable import pair_tiebreak, stable_on_edges
from matcher.engine._methods import METHODS, RunOptions
from matcher.io import load_config, load_program, write_synthetic
from matcher.scoring import ScoringModel
from matcher.solvers import SCALE, AssignmentProblem, solve_stable

Pairs = set[tuple[int, int]]

BIG = 1 << 40


def textbook(
    n_e: int,
    n_m: int,
    edges: list[tuple[int, int, int, int, int]],
    want: list[int],
    cap: list[int],
    seed: int,
) -> Pairs:
    """Mentee-proposing deferred acceptance on full lists, one proposal at a time.  ``edges``:
    (mentee, mentor, units, mentee's rank, mentor's rank), rank 0 = unranked; order: rank,
    then score, then the seeded pair hash."""
    tie = {
        (i, j): int(pair_tiebreak(seed, np.array([i]), np.array([j]), max(n_m, 1))[0])
        for i, j, *_ in edges
    }
    prefs: list[list[int]] = [[] for _ in range(n_e)]
    key_m: dict[tuple[int, int], tuple[int, int, int]] = {}
    for i in range(n_e):
        mine = [e for e in edges if e[0] == i]
        mine.sort(key=lambda e: (e[3] or BIG, -e[2], tie[(e[0], e[1])]))
        prefs[i] = [e[1] for e in mine]
    for i, j, u, _, mr in edges:
        key_m[(i, j)] = (mr or BIG, -u, tie[(i, j)])
    nxt = [0] * n_e
    held: list[list[int]] = [[] for _ in range(n_m)]
    count = [0] * n_e
    free = [i for i in range(n_e) for _ in range(want[i])]
    while free:
        i = free.pop()
        while nxt[i] < len(prefs[i]):
            j = prefs[i][nxt[i]]
            nxt[i] += 1
            if cap[j] == 0:
                continue
            held[j].append(i)
            count[i] += 1
            if len(held[j]) > cap[j]:
                worst = max(held[j], key=lambda k: key_m[(k, j)])
                held[j].remove(worst)
                count[worst] -= 1
                if worst == i:
                    continue
                free.append(worst)
            break
    return {(i, j) for j, ms in enumerate(held) for i in ms}


@st.composite
def problems(
    draw: st.DrawFn, *, distinct: bool = False, ranked: float = 0.3, mentors_rank: bool = True
) -> tuple[AssignmentProblem, list[tuple[int, int, int, int, int]]]:
    """Random edges; scores on a coarse grid (many ties) or all distinct; some pairs ranked
    by each side (strict, random; by the mentees only unless ``mentors_rank``); mentees want
    1-2 mentors, mentors take 0-3."""
    n_e = draw(st.integers(0, 8))
    n_m = draw(st.integers(0, 6))
    mask = draw(st.lists(st.booleans(), min_size=n_e * n_m, max_size=n_e * n_m))
    pairs = [(i, j) for k, (i, j) in enumerate(np.ndindex(n_e, n_m)) if mask[k]]
    k = len(pairs)
    if distinct:
        units = draw(st.permutations(list(range(1, k + 1))))
        units = [u * 1000 for u in units]
    else:
        units = draw(st.lists(st.integers(0, 4), min_size=k, max_size=k))
        units = [u * 250_000 for u in units]
    e_rank = np.zeros(k, np.int64)
    m_rank = np.zeros(k, np.int64)
    for side, out in ((0, e_rank), (1, m_rank)):
        if side == 1 and not mentors_rank:
            continue
        for owner in range(n_e if side == 0 else n_m):
            mine = [x for x, p in enumerate(pairs) if p[side] == owner]
            chosen = [x for x in mine if draw(st.floats(0, 1)) < ranked]
            order = draw(st.permutations(chosen))
            for r, x in enumerate(order, start=1):
                out[x] = r * draw(st.integers(1, 3))  # gaps: any increasing numbers
            # make the stated ranks strictly increasing in the order drawn
            acc = 0
            for x in order:
                acc += int(out[x])
                out[x] = acc
    want = draw(st.lists(st.integers(1, 2), min_size=n_e, max_size=n_e))
    cap = draw(st.lists(st.integers(0, 3), min_size=n_m, max_size=n_m))
    problem = AssignmentProblem(
        n_e,
        n_m,
        np.array([p[0] for p in pairs], np.int32),
        np.array([p[1] for p in pairs], np.int32),
        np.array(units, np.float64) / SCALE,
        np.array(want, np.int64),
        np.array(cap, np.int64),
        e_rank,
        m_rank,
    )
    edges = [
        (i, j, int(u), int(a), int(b))
        for (i, j), u, a, b in zip(pairs, units, e_rank, m_rank, strict=True)
    ]
    return problem, edges


def lazy_pairs(
    problem: AssignmentProblem,
    seed: int,
    batch: int,
    *,
    bars: bool = True,
    pool_room: int | None = None,
) -> Pairs:
    found = stable_on_edges(problem, seed=seed, batch=batch, bars=bars, pool_room=pool_room)
    return {(int(found.rows[k]), int(found.cols[k])) for k in found.chosen}


@given(
    problems(mentors_rank=False),
    st.integers(0, 2**31 - 1),
    st.integers(1, 4),
    st.sampled_from([None, 1]),
)
@settings(max_examples=200, deadline=None)
def test_skipping_what_full_mentors_turn_down_keeps_the_textbook_matching(
    case: tuple[AssignmentProblem, list[tuple[int, int, int, int, int]]],
    seed: int,
    batch: int,
    pool_room: int | None,
) -> None:
    # no mentor states a rank: refills skip the pairs a full mentor would reject (its bar)
    problem, edges = case
    want = textbook(
        problem.n_mentees,
        problem.n_mentors,
        edges,
        problem.mentee_capacity.tolist(),
        problem.mentor_capacity.tolist(),
        seed,
    )
    assert lazy_pairs(problem, seed, batch, bars=True, pool_room=pool_room) == want
    assert lazy_pairs(problem, seed, batch, bars=False, pool_room=pool_room) == want


@given(
    st.lists(st.tuples(st.integers(0, 2**31 - 1), st.integers(0, 2**31 - 1)), max_size=50),
    st.integers(1, 2**31 - 1),
    st.integers(0, 2**63 - 1),
)
@settings(deadline=None)
def test_compiled_tie_break_equals_pair_tiebreak(
    pairs: list[tuple[int, int]], width: int, seed: int
) -> None:
    from matcher.engine import _da_jit
    from matcher.engine._lazy_stable import _salt

    rows = np.array([p[0] for p in pairs], np.int64)
    cols = np.array([p[1] for p in pairs], np.int64)
    want = pair_tiebreak(seed, rows, cols, width)
    got = [_da_jit.tie(int(i), int(j), width, _salt(seed)) for i, j in pairs]
    assert [int(x) for x in got] == want.tolist()


@given(problems(), st.integers(0, 2**31 - 1), st.data())
@settings(max_examples=200, deadline=None)
def test_compiled_check_counts_what_blocking_pairs_finds(
    case: tuple[AssignmentProblem, list[tuple[int, int, int, int, int]]],
    seed: int,
    data: st.DataObject,
) -> None:
    # any chosen set within the capacities, stable or not, some pairs not acceptable
    from matcher.engine._lazy_stable import LazyStable, check_stable
    from matcher.solvers import blocking_pairs

    problem, _ = case
    k = problem.n_edges
    left_e = problem.mentee_capacity.copy()
    left_m = problem.mentor_capacity.copy()
    chosen = []
    for x in data.draw(st.permutations(list(range(k)))):
        i, j = int(problem.rows[x]), int(problem.cols[x])
        if left_e[i] > 0 and left_m[j] > 0 and data.draw(st.booleans()):
            chosen.append(x)
            left_e[i] -= 1
            left_m[j] -= 1
    ok = np.array(data.draw(st.lists(st.booleans(), min_size=k, max_size=k)), bool)
    ok[chosen] = True
    units = np.rint(problem.scores * SCALE).astype(np.int64)
    e_rank = np.asarray(problem.mentee_rank, np.int64)
    m_rank = np.asarray(problem.mentor_rank, np.int64)
    found = LazyStable(
        problem.rows,
        problem.cols,
        units,
        ok,
        e_rank,
        m_rank,
        np.array(sorted(chosen), np.int64),
        0,
        0,
        0,
        0,
    )
    got = check_stable(
        found, problem.mentee_capacity, problem.mentor_capacity, problem.n_mentors, seed
    )
    # the reference: each side's positions by (rank, score down, tie-break), acceptable only
    keep = np.flatnonzero(ok)
    sub = AssignmentProblem(
        problem.n_mentees,
        problem.n_mentors,
        problem.rows[keep],
        problem.cols[keep],
        problem.scores[keep],
        problem.mentee_capacity,
        problem.mentor_capacity,
    )
    tie = pair_tiebreak(seed, problem.rows[keep], problem.cols[keep], max(problem.n_mentors, 1))

    def positions(owner: np.ndarray, rank: np.ndarray) -> np.ndarray:
        rk = np.where(rank > 0, rank, BIG)
        order = np.lexsort((tie, -units[keep], rk, owner))
        pos = np.empty(owner.size, np.int64)
        grouped = owner[order]
        pos[order] = np.arange(owner.size) - np.searchsorted(grouped, grouped, side="left")
        return pos

    where = np.full(k, -1, np.int64)
    where[keep] = np.arange(keep.size)
    pos = (positions(sub.rows, e_rank[keep]), positions(sub.cols, m_rank[keep]))
    want = blocking_pairs(sub, where[np.array(chosen, np.int64)], positions=pos)
    assert got == want.size


@given(problems(), st.integers(0, 2**31 - 1), st.integers(1, 4), st.sampled_from([None, 1, 7]))
@settings(max_examples=150, deadline=None)
def test_lazy_equals_textbook_deferred_acceptance_with_ties(
    case: tuple[AssignmentProblem, list[tuple[int, int, int, int, int]]],
    seed: int,
    batch: int,
    pool_room: int | None,
) -> None:
    # pool_room: the pending lists' first room; small, it is compacted on the way
    problem, edges = case
    got = lazy_pairs(problem, seed, batch, pool_room=pool_room)
    want = textbook(
        problem.n_mentees,
        problem.n_mentors,
        edges,
        problem.mentee_capacity.tolist(),
        problem.mentor_capacity.tolist(),
        seed,
    )
    assert got == want


@given(problems(distinct=True), st.integers(0, 2**31 - 1), st.integers(1, 4))
@settings(max_examples=150, deadline=None)
def test_lazy_equals_the_dense_solver_when_no_order_has_a_tie(
    case: tuple[AssignmentProblem, list[tuple[int, int, int, int, int]]], seed: int, batch: int
) -> None:
    problem, _ = case
    dense = solve_stable(problem, seed=seed)
    want = {(int(problem.rows[k]), int(problem.cols[k])) for k in dense.chosen}
    assert lazy_pairs(problem, seed, batch) == want


_HR_SCRIPT = """
import json, sys
from matching.games import HospitalResident
out = []
for case in json.load(sys.stdin):
    game = HospitalResident.create_from_dictionaries(case["r"], case["h"], case["c"])
    solution = game.solve(optimal="resident")
    out.append(sorted([int(r.name[1:]), int(h.name[1:])] for h, ms in solution.items() for r in ms))
print(json.dumps(out))
"""


def _has_matching_library() -> bool:
    # tests/matching shadows the library's name inside the test run: ask a clean interpreter
    probe = subprocess.run(
        [sys.executable, "-c", "import matching.games"], cwd="/", capture_output=True
    )
    return probe.returncode == 0


@pytest.mark.skipif(not _has_matching_library(), reason="the matching library is not installed")
def test_lazy_equals_the_matching_librarys_hospital_resident() -> None:
    """200 random instances, strict score orders, one mentor per mentee (the library's
    residents take one hospital), mentor capacities 1-3, lists drawn 1-3 at a time."""
    rng = np.random.default_rng(16)
    cases, problems_ = [], []
    for _ in range(200):
        n_e, n_m = int(rng.integers(1, 12)), int(rng.integers(1, 7))
        mask = rng.random((n_e, n_m)) < 0.6
        rows, cols = np.nonzero(mask)
        units = (rng.permutation(rows.size) + 1) * 1000
        cap = rng.integers(1, 4, n_m)  # the library fails on a hospital of capacity 0
        problem = AssignmentProblem(
            n_e,
            n_m,
            rows.astype(np.int32),
            cols.astype(np.int32),
            units / SCALE,
            np.ones(n_e, np.int64),
            cap.astype(np.int64),
        )
        by_e = np.lexsort((-units, rows))
        by_m = np.lexsort((-units, cols))
        resident: dict[str, list[str]] = {}
        hospital: dict[str, list[str]] = {}
        for k in by_e.tolist():
            resident.setdefault(f"e{rows[k]}", []).append(f"m{cols[k]}")
        for k in by_m.tolist():
            hospital.setdefault(f"m{cols[k]}", []).append(f"e{rows[k]}")
        caps = {h: int(cap[int(h[1:])]) for h in hospital}
        cases.append({"r": resident, "h": hospital, "c": caps})
        problems_.append(problem)
    done = subprocess.run(
        [sys.executable, "-c", _HR_SCRIPT],
        input=json.dumps(cases),
        cwd="/",
        capture_output=True,
        text=True,
        check=True,
    )
    for k, (problem, want) in enumerate(zip(problems_, json.loads(done.stdout), strict=True)):
        assert lazy_pairs(problem, k, 1 + k % 3) == {(i, j) for i, j in want}


# --- end to end on programmes ---------------------------------------------------------------

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def _model(folder: Path) -> ScoringModel:
    cfg = load_config(folder / "program.toml")
    mentor_set, mentee_set = load_program(folder / "mentors.csv", folder / "mentees.csv", cfg)
    model, _ = build_model(mentor_set, mentee_set, cfg, (), ())
    return model


def _full_textbook(model: ScoringModel, pinned: list[tuple[int, int]], seed: int) -> Pairs:
    """The textbook algorithm on every allowed pair, as the dense pipeline builds them."""
    cfg = model.config
    cand = model.candidates(cfg.min_score)
    e_rank, m_rank = edge_ranks(model, cand.rows, cand.cols)
    keep = np.ones(len(cand), bool)
    if cfg.stable.unranked == "unacceptable":
        keep &= (e_rank > 0) | ~model.enc.mentee_ranks[cand.rows]
        keep &= (m_rank > 0) | ~model.enc.mentor_ranks[cand.cols]
    pin = set(pinned)
    want = model.enc.mentees.capacity.copy()
    cap = model.enc.mentors.capacity.copy()
    for i, j in pinned:
        want[i] -= 1
        cap[j] -= 1
    edges = [
        (int(i), int(j), round(float(s) * SCALE), int(a), int(b))
        for i, j, s, a, b, k in zip(
            cand.rows, cand.cols, cand.scores, e_rank, m_rank, keep, strict=True
        )
        if k and (int(i), int(j)) not in pin
    ]
    n_e, n_m = model.shape
    return textbook(n_e, n_m, edges, want.tolist(), cap.tolist(), seed)


def _lazy_run(model: ScoringModel, pinned: list[tuple[int, int]], seed: int) -> Pairs:
    m = METHODS["stable"].runner(
        model, pinned, seed=seed, progress=None, options=RunOptions(sparse=True)
    )
    e_pos = {p.id: k for k, p in enumerate(model.mentees)}
    m_pos = {p.id: k for k, p in enumerate(model.mentors)}
    assert m.status == "stable" and m.summary_extra["solver"]["lists"] == "drawn lazily"
    assert m.bound >= m.objective - 1e-9
    return {(e_pos[p.mentee_id], m_pos[p.mentor_id]) for p in m.pairs if not p.pinned}


@pytest.mark.parametrize("seed", [0, 7])
def test_programme_with_kernel_equals_the_textbook_on_every_pair(tmp_path: Path, seed: int) -> None:
    model = _model(write_synthetic(tmp_path / "p", 300, 40, seed=seed, mentor_capacity=3))
    assert model.kernel is not None  # lists drawn by the compiled kernel
    assert _lazy_run(model, [], seed) == _full_textbook(model, [], seed)


def test_programme_with_pinned_pairs_equals_the_textbook(tmp_path: Path) -> None:
    model = _model(write_synthetic(tmp_path / "p", 200, 30, seed=3, mentor_capacity=2))
    pinned = [(0, 0), (5, 1)]
    assert _lazy_run(model, pinned, 1) == _full_textbook(model, pinned, 1)


def test_ranked_scenario_equals_the_textbook_on_every_pair() -> None:
    """cancer-peer: both sides state rankings (scored rows, no kernel)."""
    model = _model(SCENARIOS / "cancer-peer")
    assert model.kernel is None
    for seed in (0, 1):
        assert _lazy_run(model, [], seed) == _full_textbook(model, [], seed)


def test_ranked_scenario_unranked_unacceptable_equals_the_textbook() -> None:
    model = _model(SCENARIOS / "cancer-peer")
    stable = model.config.stable.model_copy(update={"unranked": "unacceptable"})
    model.config = model.config.model_copy(update={"stable": stable})
    assert _lazy_run(model, [], 2) == _full_textbook(model, [], 2)


@given(programs(max_mentors=6, max_mentees=8), st.integers(0, 99), st.booleans())
@settings(max_examples=60, deadline=None)
def test_random_programmes_equal_the_textbook_on_every_pair(
    program: Program, seed: int, unacceptable: bool
) -> None:
    """Random profiles (preferences, exclusions, hard rules, min_score), either reading of
    unranked partners: the lazy path's matching is the textbook one on every allowed pair."""
    config = program.config
    if unacceptable:
        stable = config.stable.model_copy(update={"unranked": "unacceptable"})
        config = config.model_copy(update={"stable": stable})
    model = ScoringModel(program.mentees, program.mentors, config)
    assume(min(model.shape) > 0)  # the dense path serves a side with nobody
    assert _lazy_run(model, [], seed) == _full_textbook(model, [], seed)
