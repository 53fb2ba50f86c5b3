"""Results as pandas DataFrames, the summary read bare, and the equity figures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import matcher

pd = pytest.importorskip("pandas")
SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "amn-pain-addiction"


@pytest.fixture(scope="module")
def result() -> matcher.Matching:
    return matcher.match(
        SCENARIO / "mentors.csv",
        SCENARIO / "mentees.csv",
        config=SCENARIO / "program.toml",
        seed=0,
    )


def test_pairs_frame_matches_the_pairs(result: matcher.Matching) -> None:
    frame = result.pairs_frame()
    assert len(frame) == len(result.pairs)
    assert list(frame.columns[:3]) == ["mentee_id", "mentor_id", "score"]
    for criterion in result.criteria:
        assert f"score_{criterion}" in frame.columns
        assert frame[f"score_{criterion}"].dtype == float
    assert frame["score"].sum() == pytest.approx(result.objective, abs=1e-6)
    first = result.pairs[0]
    assert frame.iloc[0]["mentee_id"] == first.mentee_id
    assert frame.iloc[0]["reasons"] == first.reasons


def test_unmatched_frame_matches_the_csv(result: matcher.Matching) -> None:
    frame = result.unmatched_frame()
    assert list(frame.columns[:3]) == ["id", "role", "reason"]
    assert len(frame) == len(result.unmatched)
    assert set(frame["role"]) <= {"mentee", "mentor"}


def test_extra_columns_pass_through_to_frames() -> None:
    mentors = pd.DataFrame(
        {"id": ["m1"], "languages": ["en"], "formats": ["virtual"], "site": ["A"]}
    )
    mentees = pd.DataFrame(
        {
            "id": ["e1", "e2"],
            "languages": ["en", "fr"],
            "formats": ["virtual"] * 2,
            "cohort": ["x", "y"],
        }
    )
    got = matcher.match(mentors, mentees)
    pairs = got.pairs_frame()
    assert pairs["mentee_cohort"].tolist() == ["x"]
    assert pairs["mentor_site"].tolist() == ["A"]
    unmatched = got.unmatched_frame()
    assert unmatched.set_index("id").loc["e2", "cohort"] == "y"


def test_summary_reads_bare_and_still_calls(result: matcher.Matching) -> None:
    assert result.summary["matched"] == result.matched
    assert result.summary["version"] == matcher.__version__
    assert result.summary(version="x")["version"] == "x"
    assert result.summary()["pairs"] == len(result.pairs)
    written = json.loads(result.files(version=matcher.__version__)["summary.json"])
    assert written["equity"] == json.loads(json.dumps(result.summary["equity"]))


def test_equity_subgroups_are_never_under_five(result: matcher.Matching) -> None:
    equity = result.summary["equity"]
    assert {"region", "languages", "profession", "formats"} <= set(equity["by"])
    for column, facts in equity["by"].items():
        for row in facts["subgroups"]:
            assert row.get("withheld") or row["mentees"] >= 5, (column, row)
            if not row.get("withheld"):
                assert 0 <= row["coverage"] <= 1
                assert row["matched"] == round(row["coverage"] * row["mentees"])


def test_equity_counts_by_hand() -> None:
    regions = ["NB"] * 6 + ["QC"] * 6 + ["ON"] * 3 + ["BC"] * 2 + ["YT"]
    mentees = [
        matcher.Participant(
            id=f"e{k}", role="mentee", region=r, languages=["en"], formats=["virtual"]
        )
        for k, r in enumerate(regions)
    ]
    mentors = [
        matcher.Participant(id=f"m{k}", role="mentor", region="NB", languages=["en"],
                            formats=["virtual"], capacity=3)
        for k in range(2)
    ]  # fmt: skip
    got = matcher.match(mentors, mentees, config={"report": {"subgroups": ["organization"]}})
    rows = {r["subgroup"]: r for r in got.summary["equity"]["by"]["region"]["subgroups"]}
    assert set(rows) == {"NB", "QC", "other"}
    assert rows["other"]["mentees"] == 6 and rows["other"]["merged"] == 3
    assert sum(r["matched"] for r in rows.values()) == got.matched == 6
    fewer = matcher.match(mentors, mentees[:-2])  # other: ON x3 + BC x1 = 4, withheld
    rows = {r["subgroup"]: r for r in fewer.summary["equity"]["by"]["region"]["subgroups"]}
    assert rows["other"] == {"subgroup": "other", "mentees": None, "withheld": True, "merged": 2}
    assert "organization" not in got.summary["equity"]["by"]  # nobody gives one


def test_solve_has_no_equity() -> None:
    import numpy as np

    got = matcher.solve(np.array([[0.5]]), capacities=[1])
    assert "equity" not in got.summary
