"""``[equity]`` on the certified sparse path (``matcher.engine._sparse_equity``).

It must give the dense rule's answer exactly (floors, lowest rate, places, mentees, the fair
floor, the total to 1e-9, the same infeasible-floor messages), agree with an exhaustive search
on tiny programmes, complete a candidate set too thin for the answer (pairs added by the
min cuts and by the reduced costs), and report ``bound`` = ``objective``.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from solvers.test_equity import _facts as _brute_facts
from solvers.test_equity import _reference
from strategies import Program, programs

import matcher
from matcher import InfeasibleError
from matcher.engine import SparseOptions
from matcher.engine._equity import rule_of
from matcher.io import load_config, load_participants, write_synthetic
from matcher.matching import subgroups_of
from matcher.scoring import ScoringModel
from matcher.solvers import AssignmentProblem, EquityRule

#: The thinnest candidate lists (see test_sparse_fair): every certificate has work to do.
THIN = SparseOptions(sparse_top=0, pairs_per_place=0, pricing_per_row=1, pricing_slack=0)
PROPERTY = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)


def _regions(prog: Program) -> list[str]:
    values = subgroups_of("region", prog.mentees, [])
    assert values is not None
    return sorted({v[0] for v in values})


@st.composite
def _ruled(draw: st.DrawFn, *, max_mentors: int, max_mentees: int) -> Program:
    """A small programme with an ``[equity]`` rule on region: equalise, or shares of a few of
    the regions its mentees come from."""
    prog = draw(programs(max_mentors=max_mentors, max_mentees=max_mentees))
    names = _regions(prog)
    if names and draw(st.booleans()):
        picked = draw(st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True))
        shares = {n: draw(st.sampled_from((0.5, 0.8, 0.9, 1.0))) for n in picked}
        rule: dict[str, Any] = {"column": "region", "min_share": shares}
    else:
        rule = {"column": "region", "mode": "equalise"}
    config = prog.config.model_copy(update={"equity": type(prog.config.equity)(**rule)})
    return Program(prog.mentors, prog.mentees, config)


def _match(prog: Program, method: str, **kwargs: Any) -> matcher.Matching | str:
    """The result, or the message of the InfeasibleError it raised."""
    try:
        return matcher.match(
            prog.mentors, prog.mentees, config=prog.config, method=method, **kwargs
        )
    except InfeasibleError as exc:
        return str(exc)


def _facts(result: matcher.Matching) -> tuple[Any, ...]:
    """What the rule determines (which mentee of a subgroup beyond its floor is served is a
    tie between equally good matchings, so coverage beyond the floors is not compared)."""
    rule = result.equity_rule
    assert rule is not None
    solver = result.summary_extra["solver"]
    for row in rule["subgroups"]:  # every floor is met
        assert row.get("floor") is None or row["matched_with"] >= row["floor"]
    lowest = rule["lowest_rate"]["with"] if rule["mode"] == "equalise" else None
    return (
        len(result.pairs),
        result.matched,
        lowest,
        solver.get("floors"),
        solver.get("floor"),
        solver.get("lowest_rate"),
        solver.get("overall_rate"),
    )


def _assert_same(sparse: matcher.Matching | str, dense: matcher.Matching | str) -> None:
    if isinstance(dense, str) or isinstance(sparse, str):
        assert sparse == dense  # the same infeasible floors, named the same way
        return
    assert _facts(sparse) == _facts(dense)
    assert sparse.objective == pytest.approx(dense.objective, rel=1e-9, abs=1e-9)
    assert sparse.bound == sparse.objective
    rule, plain = sparse.equity_rule, dense.equity_rule
    assert rule is not None and plain is not None
    # "without": the plain certified sparse result, the same as the dense one
    assert rule["matched"]["without"] == plain["matched"]["without"]
    assert rule["objective"]["without"] == pytest.approx(plain["objective"]["without"], abs=1e-6)


@PROPERTY
@given(
    _ruled(max_mentors=5, max_mentees=7),
    st.sampled_from(["optimal", "fair"]),
    st.sampled_from([True, THIN]),
)
def test_sparse_equity_equals_dense_equity(
    prog: Program, method: str, sparse: bool | SparseOptions
) -> None:
    _assert_same(_match(prog, method, sparse=sparse), _match(prog, method, sparse=False))


@PROPERTY
@given(_ruled(max_mentors=3, max_mentees=5), st.sampled_from(["optimal", "fair"]))
def test_sparse_equity_matches_brute_force(prog: Program, method: str) -> None:
    """Against an exhaustive search over every matching of the allowed pairs."""
    model = ScoringModel(prog.mentees, prog.mentors, prog.config)
    cand = model.candidates(prog.config.min_score)
    edges = [
        (int(i), int(j), float(s))
        for i, j, s in zip(cand.rows, cand.cols, cand.scores, strict=True)
    ]
    problem = AssignmentProblem(
        len(prog.mentees),
        len(prog.mentors),
        cand.rows,
        cand.cols,
        cand.scores,
        model.enc.mentees.capacity,
        model.enc.mentors.capacity,
    )
    rule: EquityRule = rule_of(model, [])
    equalise = rule.equalise
    best, _ = _reference(problem, rule, edges, equalise=equalise, fair=method == "fair")
    result = _match(prog, method, sparse=THIN)
    if best is None:
        assert isinstance(result, str) and "[equity]" in result
        return
    assert not isinstance(result, str)
    index = {(p.id): k for k, p in enumerate(prog.mentees)}
    m_index = {(p.id): k for k, p in enumerate(prog.mentors)}
    at = {(i, j): k for k, (i, j, _) in enumerate(edges)}
    pick = [at[index[p.mentee_id], m_index[p.mentor_id]] for p in result.pairs]
    cover, places, served, low, total = _brute_facts(pick, edges, rule, len(rule.names))
    want_cover, want_places, want_served, want_low, want_total = best
    sizes = rule.sizes
    present = [g for g in range(len(rule.names)) if sizes[g]]

    def rate(c: np.ndarray) -> Fraction:
        return min((Fraction(int(c[g]), int(sizes[g])) for g in present), default=Fraction(0))

    if equalise:
        assert rate(cover) == rate(want_cover)
    assert (places, served) == (want_places, want_served)
    if method == "fair" and places:
        assert low == pytest.approx(want_low, abs=1e-6)
    assert total == pytest.approx(want_total, abs=1e-6)
    assert result.bound == result.objective


@pytest.fixture(scope="module")
def programme(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_synthetic(tmp_path_factory.mktemp("syn") / "p", 400, 60, seed=7, mentor_capacity=4)


def _run(folder: Path, method: str, equity: dict[str, Any], **kwargs: Any) -> matcher.Matching:
    config = load_config(folder / "program.toml")
    config = config.model_copy(update={"equity": type(config.equity)(**equity)})
    return matcher.match(
        folder / "mentors.csv", folder / "mentees.csv", config=config, method=method, **kwargs
    )


RULES = [
    pytest.param({"column": "region", "mode": "equalise"}, id="equalise"),
    pytest.param(
        {"column": "region", "min_share": {"ON": 1.0, "QC": 1.0, "BC": 1.0}}, id="min_share"
    ),
]


@pytest.mark.parametrize("method", ["optimal", "fair"])
@pytest.mark.parametrize("equity", RULES)
@pytest.mark.parametrize(
    "options",
    [
        pytest.param(SparseOptions(), id="default"),
        pytest.param(THIN, id="thin"),
        pytest.param(SparseOptions(sparse_top=0, dense_cache_cells=0), id="rescoring"),
    ],
)
def test_sparse_equity_on_a_synthetic_programme(
    programme: Path, method: str, equity: dict[str, Any], options: SparseOptions
) -> None:
    dense = _run(programme, method, equity, sparse=False)
    sparse = _run(programme, method, equity, sparse=options)
    _assert_same(sparse, dense)
    stats = sparse.summary_extra["solver"]
    assert stats["certificate"] == "min cuts and reduced costs on every allowed pair"


@pytest.mark.parametrize("method", ["optimal", "fair"])
def test_the_certificates_add_the_pairs_a_thin_candidate_set_misses(
    tmp_path: Path, method: str
) -> None:
    """A programme (found by a search over synthetic seeds with THIN lists) where the
    candidates of the certified result without the rule lack pairs the rule needs: reduced
    costs add them, as the dense rule confirms."""
    folder = write_synthetic(tmp_path / "p", 30, 8, seed=8, mentor_capacity=2)
    equalise = {"column": "region", "mode": "equalise"}
    dense = _run(folder, method, equalise, sparse=False)
    sparse = _run(folder, method, equalise, sparse=THIN)
    _assert_same(sparse, dense)
    stats = sparse.summary_extra["solver"]
    assert stats["pairs_added_by_certificate"] > 0
    assert stats["cost_rounds"] > 1


@pytest.mark.parametrize("method", ["optimal", "fair"])
@pytest.mark.parametrize("sparse", [True, THIN])
def test_infeasible_shares_on_a_synthetic_programme(
    tmp_path: Path, method: str, sparse: bool | SparseOptions
) -> None:
    folder = write_synthetic(tmp_path / "p", 20, 6, seed=10, mentor_capacity=2)
    shares = {"column": "region", "min_share": {"ON": 1.0, "QC": 1.0, "BC": 1.0}}
    with pytest.raises(InfeasibleError) as dense:
        _run(folder, method, shares, sparse=False)
    with pytest.raises(InfeasibleError) as got:
        _run(folder, method, shares, sparse=sparse)
    assert str(got.value) == str(dense.value)
    assert "'QC' needs at least 2 of its 2" in str(got.value)


def _people() -> tuple[list[matcher.Participant], list[matcher.Participant]]:
    from engine.test_equity import _people as people

    return people()


@pytest.mark.parametrize("sparse", [True, THIN])
def test_unreachable_floor_is_named_the_same_way(sparse: bool | SparseOptions) -> None:
    mentors, mentees = _people()
    mentees = [m.model_copy(update={"languages": ("fr",)}) if m.id == "nl0" else m for m in mentees]
    kwargs: dict[str, Any] = {
        "config": matcher.ProgramConfig(equity={"column": "region", "min_share": {"NL": 1.0}}),
        "pinned": [("ns0", "m0"), ("ns1", "m0"), ("ns2", "m0")],
        "forbidden": [(f"nl{k}", f"m{j}") for k in (3, 4) for j in range(2)],
    }
    with pytest.raises(InfeasibleError) as dense:
        matcher.match(mentors, mentees, sparse=False, **kwargs)
    with pytest.raises(InfeasibleError) as got:
        matcher.match(mentors, mentees, sparse=sparse, **kwargs)
    assert str(got.value) == str(dense.value)
    assert "'NL' needs at least 3 of its 5" in str(got.value)


def test_floors_together_out_of_reach_on_the_sparse_path() -> None:
    mentors = [
        matcher.Participant(id="m1", role="mentor", capacity=1, languages=["en"], region="NS")
    ]
    mentees = [
        matcher.Participant(id="e1", role="mentee", languages=["en"], region="NS"),
        matcher.Participant(id="e2", role="mentee", languages=["en"], region="NL"),
    ]
    config = matcher.ProgramConfig(
        min_score=0.0, equity={"column": "region", "min_share": {"NS": 1.0, "NL": 1.0}}
    )
    with pytest.raises(InfeasibleError) as err:
        matcher.match(mentors, mentees, config=config, sparse=THIN)
    assert err.value.reasons == [
        "[equity] together the floors ask for 2 mentees matched, and at most 1 of them can be "
        "matched at once (mentor places and compatible pairs are shared; floors are rounded up "
        "to whole mentees); each floor alone can be met, so they are infeasible only together "
        "(floors: NL 1 of 1, NS 1 of 1)"
    ]


def _thin_equity(prog: Program, top: int) -> tuple[Any, AssignmentProblem, EquityRule]:
    """The certificates' state on each mentee's ``top`` best pairs only, and the problem on
    every allowed pair."""
    from matcher.engine._sparse_equity import _Equity

    model = ScoringModel(prog.mentees, prog.mentors, prog.config)
    every = model.candidates(prog.config.min_score)
    full = AssignmentProblem(
        len(prog.mentees),
        len(prog.mentors),
        every.rows,
        every.cols,
        every.scores,
        model.enc.mentees.capacity,
        model.enc.mentors.capacity,
    )
    rule = rule_of(model, [])
    cand = model.candidates(prog.config.min_score, top=top)
    eq = _Equity(
        model,
        cand,
        rule,
        np.zeros(0, np.int64),
        model.enc.mentees.capacity.copy(),
        model.enc.mentors.capacity.copy(),
        THIN,
        0,
    )
    return eq, full, rule


@PROPERTY
@given(_ruled(max_mentors=5, max_mentees=7), st.data())
def test_a_maximum_flow_on_thin_candidates_is_certified_on_every_pair(
    prog: Program, data: st.DataObject
) -> None:
    """The min cut certificate: from one pair per mentee, the flow it certifies is the maximum
    flow on every allowed pair (pairs crossing the cut are added until none does)."""
    from matcher.solvers import equity_cut

    eq, full, rule = _thin_equity(prog, top=1)
    caps = np.array(
        data.draw(st.lists(st.integers(0, 4), min_size=len(rule.names), max_size=len(rule.names))),
        np.int64,
    )
    level = data.draw(st.sampled_from([0, 0, 400_000, 700_000]))
    keep = np.rint(full.scores * 1e6) >= level
    truth = equity_cut(full, rule, keep, caps)[0]
    assert eq.reach(caps, level=level) == truth


def test_the_min_cut_adds_the_pairs_thin_candidates_miss(programme: Path) -> None:
    """On a synthetic programme from one pair per mentee: the most first places with every
    subgroup open needs pairs that only the cut's pricing finds."""
    from matcher.solvers import equity_cut

    config = load_config(programme / "program.toml")
    config = config.model_copy(
        update={"equity": type(config.equity)(column="region", mode="equalise")}
    )
    mentors = load_participants(programme / "mentors.csv", "mentor", config).participants
    mentees = load_participants(programme / "mentees.csv", "mentee", config).participants
    eq, full, rule = _thin_equity(Program(mentors, mentees, config), top=1)
    caps = rule.sizes.astype(np.int64)
    truth = equity_cut(full, rule, np.ones(full.n_edges, bool), caps)[0]
    assert eq.on_candidates(caps) < truth  # the thin candidates fall short
    assert eq.reach(caps) == truth
    assert eq.cut_added > 0


def test_the_size_limit_is_the_dense_paths_only() -> None:
    """Validation no longer refuses a large programme (the sparse path takes it); forcing the
    dense path above its limit is an input error that says which path to use."""
    from matcher import InvalidInputError
    from matcher.engine._equity import EQUITY_PAIRS, _check_size, check_equity

    _, mentees = _people()
    rule = matcher.ProgramConfig(equity={"column": "region", "mode": "equalise"}).equity
    check_equity("optimal", rule, mentees, 100_000_000)  # no error
    with pytest.raises(InvalidInputError, match="dense path"):
        _check_size(EQUITY_PAIRS // 1000 + 1, 1000)


@pytest.mark.parametrize("method", ["optimal", "fair"])
@pytest.mark.parametrize(
    "equity",
    [{"column": "region", "mode": "equalise"}, {"column": "region", "min_share": {"NL": 1.0}}],
)
def test_pinned_pairs_count_as_coverage_on_the_sparse_path(
    method: str, equity: dict[str, Any]
) -> None:
    mentors, mentees = _people()
    mentors = [m.model_copy(update={"capacity": 2}) for m in mentors]
    mentees = [m.model_copy(update={"capacity": 2}) if m.id == "nl1" else m for m in mentees]
    kwargs: dict[str, Any] = {
        "config": matcher.ProgramConfig(equity=equity),
        "pinned": [("nl0", "m0"), ("nl1", "m1")],
        "method": method,
    }
    dense = matcher.match(mentors, mentees, sparse=False, **kwargs)
    for sparse in (True, THIN):
        got = matcher.match(mentors, mentees, sparse=sparse, **kwargs)
        _assert_same(got, dense)
        assert {("nl0", "m0"), ("nl1", "m1")} <= {(p.mentee_id, p.mentor_id) for p in got.pairs}
