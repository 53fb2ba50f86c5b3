"""ScoringModel: shapes, the weighted mean, candidates, hard masks and explanations."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from strategies import Program, programs

from matcher import Explanation, Participant, ProgramConfig
from matcher.engine import build_model
from matcher.io import load_config, load_program, write_synthetic
from matcher.scoring import ScoringModel, _model, hard_masks


def mentee(pid: str, **fields: object) -> Participant:
    return Participant(id=pid, role="mentee", **fields)  # type: ignore[arg-type]


def mentor(pid: str, **fields: object) -> Participant:
    return Participant(id=pid, role="mentor", **fields)  # type: ignore[arg-type]


# a pair where four criteria apply, with answers worked out by hand:
#   specialty 0.5 (addiction sought, substance_use covered), language 0.75 (mentee's first
#   language fr not spoken, en shared), format 1, region 1; nothing else applies.
E = mentee("e", specialties="addiction", languages="fr|en", region="NB", formats="virtual")
M = mentor("m", specialties="substance_use", languages="en", region="NB", formats="virtual|phone")


def test_total_is_the_weighted_mean_of_applicable_criteria() -> None:
    total, ok = ScoringModel([E], [M], ProgramConfig()).score_matrix()
    # default weights: specialty 3, language 2, format 1, region 1
    assert total[0, 0] == pytest.approx((3 * 0.5 + 2 * 0.75 + 1 * 1 + 1 * 1) / (3 + 2 + 1 + 1))
    assert ok[0, 0]


def test_total_follows_the_configured_weights() -> None:
    cfg = ProgramConfig(criteria={"specialty": {"weight": 1}, "region": {"weight": 4}})
    total, _ = ScoringModel([E], [M], cfg).score_matrix()
    assert total[0, 0] == pytest.approx((1 * 0.5 + 2 * 0.75 + 1 * 1 + 4 * 1) / (1 + 2 + 1 + 4))


def test_zero_weight_criterion_leaves_the_mean() -> None:
    cfg = ProgramConfig(criteria={"specialty": {"weight": 0}})
    total, _ = ScoringModel([E], [M], cfg).score_matrix()
    assert total[0, 0] == pytest.approx((2 * 0.75 + 1 + 1) / 4)


def test_missing_data_neither_helps_nor_hurts() -> None:
    bare = mentor("m2", specialties="substance_use", languages="en", formats="virtual")
    total, _ = ScoringModel([E], [bare], ProgramConfig()).score_matrix()
    # the region is unknown for the mentor: left out of the mean
    assert total[0, 0] == pytest.approx((3 * 0.5 + 2 * 0.75 + 1) / 6)


def test_shapes_are_mentees_by_mentors_on_a_non_square_case() -> None:
    mentees = [
        mentee("e0", languages="en"),
        mentee("e1", languages="fr"),
        mentee("e2", languages="es"),
    ]
    mentors = [mentor("m0", languages="fr|en"), mentor("m1", languages="es")]
    model = ScoringModel(mentees, mentors, ProgramConfig())
    assert model.shape == (3, 2)
    total, ok = model.score_matrix()
    assert total.shape == ok.shape == (3, 2)
    assert ok.tolist() == [[True, False], [True, False], [False, True]]
    cand = model.candidates()
    assert sorted(zip(cand.rows.tolist(), cand.cols.tolist(), strict=True)) == [
        (0, 0),
        (1, 0),
        (2, 1),
    ]
    assert cand.feasible_per_mentee.tolist() == [1, 1, 1]
    assert cand.feasible_per_mentor.tolist() == [2, 1]
    masks = hard_masks(model, slice(None))
    assert set(masks) == {"language"}
    assert masks["language"].shape == (3, 2)


def test_candidates_apply_min_score_but_count_hard_feasible_pairs() -> None:
    mentors = [
        mentor("m0", languages="en", specialties="oncology"),
        mentor("m1", languages="en", specialties="chronic_pain"),
    ]
    mentees = [mentee("e0", languages="en", specialties="chronic_pain")]
    model = ScoringModel(mentees, mentors, ProgramConfig())
    total, _ = model.score_matrix()
    cand = model.candidates(min_score=0.5)
    assert cand.cols.tolist() == [1]
    assert cand.scores.tolist() == pytest.approx([total[0, 1]])
    assert cand.feasible_per_mentee.tolist() == [2]
    assert cand.best_per_mentee[0] == pytest.approx(total[0, 1])


def test_candidates_do_not_depend_on_the_block_size(monkeypatch: pytest.MonkeyPatch) -> None:
    mentees = [
        mentee(f"e{k}", languages="fr" if k % 2 else "en", specialties="addiction")
        for k in range(7)
    ]
    mentors = [
        mentor(f"m{k}", languages="en|fr" if k else "fr", specialties="substance_use")
        for k in range(3)
    ]
    whole = ScoringModel(mentees, mentors, ProgramConfig()).candidates()
    monkeypatch.setattr(_model, "BLOCK_CELLS", 4)  # one mentee row per block
    blocked = ScoringModel(mentees, mentors, ProgramConfig()).candidates()
    for name in ("rows", "cols", "scores", "feasible_per_mentee", "feasible_per_mentor"):
        assert np.array_equal(getattr(whole, name), getattr(blocked, name)), name


def test_explain_returns_contributions_and_sentences() -> None:
    model = ScoringModel([E], [M], ProgramConfig())
    ex = model.explain("e", "m")
    assert isinstance(ex, Explanation)
    assert ex.feasible
    assert ex.blocked_by == []
    assert ex.score == pytest.approx(5 / 7, abs=1e-6)
    assert ex.criteria["specialty"] == 0.5
    assert ex.criteria["language"] == 0.75
    assert ex.criteria["availability"] is None
    assert ex.weights == {"specialty": 3.0, "language": 2.0, "format": 1.0, "region": 1.0}
    assert ex.contributions["specialty"] == pytest.approx(1.5 / 7)
    assert ex.contributions["language"] == pytest.approx(1.5 / 7)
    assert sum(ex.contributions.values()) == pytest.approx(ex.score, abs=1e-6)
    assert ex.sentences == {
        "specialty": "covers 0 of 1 area sought; related areas for addiction",
        "language": "both speak en",
        "format": "both accept virtual",
        "region": "same region (NB)",
    }
    assert "both speak en" in ex.text
    assert str(ex).startswith("e ↔ m: 0.714")


def test_explain_names_the_blocking_rules() -> None:
    e = mentee("e", languages="fr", formats="phone", exclude="m")
    m = mentor("m", languages="en", formats="virtual")
    ex = ScoringModel([e], [m], ProgramConfig()).explain("e", "m")
    assert ex.feasible is False
    assert ex.blocked_by == ["language", "format", "exclude"]
    assert ex.text.startswith("not allowed: language, format, exclude")
    assert ex.sentences["language"] == "no common language"


def test_explain_unknown_ids_raise_key_error() -> None:
    model = ScoringModel([E], [M], ProgramConfig())
    with pytest.raises(KeyError, match="no mentee with id 'x'"):
        model.explain("x", "m")
    with pytest.raises(KeyError, match="no mentor with id 'x'"):
        model.explain("e", "x")


@given(programs(max_mentors=4, max_mentees=4))
@settings(max_examples=40, deadline=None)
def test_scores_masks_and_explanations_agree(program: Program) -> None:
    model = ScoringModel(program.mentees, program.mentors, program.config)
    total, ok = model.score_matrix()
    assert total.shape == ok.shape == (len(program.mentees), len(program.mentors))
    assert np.all((total >= 0) & (total <= 1 + 1e-6))
    cand = model.candidates(program.config.min_score)
    allowed = ok & (total >= program.config.min_score - 1e-6)
    assert len(cand) == int(allowed.sum())
    assert np.all(allowed[cand.rows, cand.cols])
    assert cand.feasible_per_mentee.tolist() == ok.sum(axis=1).tolist()
    for i, e in enumerate(program.mentees):
        for j, m in enumerate(program.mentors):
            ex = model.explain(e.id, m.id)
            assert ex.score == pytest.approx(float(total[i, j]), abs=1e-6)
            assert ex.feasible == bool(ok[i, j])
            assert (ex.blocked_by == []) == bool(ok[i, j])
            assert sum(ex.contributions.values()) == pytest.approx(ex.score, abs=1e-5)
            assert set(ex.sentences) >= set(ex.weights)


def _reasons_one_by_one(model: ScoringModel, rows: np.ndarray, cols: np.ndarray) -> list[str]:
    """The reason text of each pair on its own: each applicable criterion's sentence,
    strongest contribution first (ties in criterion order)."""
    cfg = model.config
    names = [n for n in model.active if cfg.weight(n) > 0 or cfg.hard(n)]
    _, _, per = model.pair_parts(rows, cols)
    out = []
    for q, (i, j) in enumerate(zip(rows.tolist(), cols.tolist(), strict=True)):
        found = [(n, float(per[n][q])) for n in names if not np.isnan(per[n][q])]
        found.sort(key=lambda nv: -cfg.weight(nv[0]) * nv[1])  # stable: criterion order
        out.append(
            "; ".join(model._sentence(n, v, model.mentees[i], model.mentors[j]) for n, v in found)
        )
    return out


@given(programs(max_mentors=5, max_mentees=6))
@settings(max_examples=60, deadline=None)
def test_reasons_of_many_pairs_are_those_of_each_pair(program: Program) -> None:
    """Sentences written once per distinct (value, fields) and shared: every pair, repeated
    pairs too, reads exactly as when it is explained alone."""
    model = ScoringModel(program.mentees, program.mentors, program.config)
    n_e, n_m = model.shape
    rows, cols = np.divmod(np.arange(n_e * n_m), max(n_m, 1))
    rows, cols = np.concatenate([rows, rows[::-1]]), np.concatenate([cols, cols[::-1]])
    _, _, per = model.pair_parts(rows, cols)
    got = _model.pair_reasons_many(model, rows, cols, per)
    assert got == _reasons_one_by_one(model, rows, cols)


def test_reasons_of_a_synthetic_programme_are_those_of_each_pair(tmp_path: Path) -> None:
    """The same on a generated programme, where many pairs share sentences."""
    folder = write_synthetic(tmp_path / "p", 200, 30, seed=5)
    cfg = load_config(folder / "program.toml")
    mentor_set, mentee_set = load_program(folder / "mentors.csv", folder / "mentees.csv", cfg)
    model, _ = build_model(mentor_set, mentee_set, cfg, (), ())
    rng = np.random.default_rng(0)
    rows, cols = rng.integers(0, 200, 3000), rng.integers(0, 30, 3000)
    _, _, per = model.pair_parts(rows, cols)
    assert _model.pair_reasons_many(model, rows, cols, per) == _reasons_one_by_one(
        model, rows, cols
    )


def test_sentences_say_what_the_score_rests_on() -> None:
    config = ProgramConfig(min_experience_gap=5)
    e = Participant(
        id="e", specialties="chronic_pain|oncology", region="NB", years_experience=2,
        timezone="America/Moncton",
    )  # fmt: skip
    near = Participant(
        id="m1", role="mentor", specialties="chronic_pain", region="NS", years_experience=4,
        timezone="America/Halifax",
    )  # fmt: skip
    far = Participant(
        id="m2", role="mentor", specialties="chronic_pain", region="BC", years_experience=30,
    )  # fmt: skip
    placed = Participant(
        id="m3", role="mentor", region="QC", lat=45.5, lon=-73.6, years_experience=7
    )
    e_at = e.model_copy(update={"lat": 46.1, "lon": -64.8})
    model = ScoringModel([e], [near, far], config)
    one = model.explain("e", "m1").sentences
    assert one["specialty"] == "covers 1 of 2 areas sought (chronic_pain); not covered: oncology"
    assert one["experience"] == (
        "mentor has 2 more years of experience, 3 short of the 5 more the rule asks for"
    )
    assert one["region"] == "regions NB and NS, same time zone"
    two = model.explain("e", "m2").sentences
    assert two["experience"] == "mentor has 28 more years of experience (the rule asks for 5 more)"
    assert two["region"] == (
        "regions NB and BC, 4 h time-zone difference (closeness falls to 0 at 3 h)"
    )
    three = ScoringModel([e_at], [placed], config).explain("e", "m3").sentences
    assert three["region"].startswith("regions NB and QC, ")
    assert three["region"].endswith(" km apart (closeness falls to 0 at 500 km)")
    assert three["experience"] == (
        "mentor has 5 more years of experience (the rule asks for 5 more)"
    )
