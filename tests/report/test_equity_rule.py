"""The report's equity section under an ``[equity]`` rule: the with/without table and chart,
and the price in places and total score, figures only (no profile content)."""

from __future__ import annotations

from pathlib import Path

import matcher
from matcher.io import load_config
from matcher.report import report_html

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "atlantic-equity"


def test_rule_section_shows_both_matchings_and_the_price() -> None:
    config = load_config(SCENARIO / "program.toml")
    result = matcher.match(SCENARIO / "mentors.csv", SCENARIO / "mentees.csv", config=config)
    page = report_html(result, config).decode("utf-8")
    section = page[page.index("<h3>Equity rule</h3>") :]
    section = section[: section.index("<h3>", 5)]
    rule = result.summary["equity"]["rule"]
    assert section.count("<svg") == 1  # the with/without chart
    assert "without the rule" in section and "with the rule" in section
    for row in rule["subgroups"]:
        assert f"{row['matched_with']} ({row['rate_with'] * 100:.1f}%)" in section
        assert f"{row['matched_without']} ({row['rate_without'] * 100:.1f}%)" in section
    assert f"{rule['objective']['with']:.4f}" in section
    assert f"{rule['objective']['without']:.4f}" in section
    # no id of a mentee in the section: counts only
    assert not any(f">{p.mentee_id}<" in section for p in result.pairs)


def test_rule_table_writes_every_count_one_way_and_the_subgroup_codes() -> None:
    from matcher.report._page import _equity_rule

    rule = {
        "column": "region",
        "mode": None,
        "min_share": {"PE": 0.8},
        "overall_rate": {"value": 0.5},
        "subgroups": [
            {"subgroup": "ON", "mentees": 2320, "floor": None, "matched_with": 1159,
             "matched_without": 1088, "rate_with": 0.4996, "rate_without": 0.469},
            {"subgroup": "PE", "mentees": 2000, "floor": 800, "matched_with": 1000,
             "matched_without": 2050, "rate_with": 0.5, "rate_without": 1.025},
        ],
        "lowest_rate": {"with": 0.4996, "without": 0.469},
        "matched": {"with": 2159, "without": 3138},
        "places": {"with": 2159, "without": 3138},
        "objective": {"with": 1.0, "without": 2.0},
    }  # fmt: skip
    section = _equity_rule(rule, "optimal")
    assert "1,159 (50.0%)" in section and "1,088 (46.9%)" in section and "+71" in section
    assert "-1,050" in section and ">2,320<" in section
    assert "(PE 0.8)" in section
    assert "then the usual objective" not in section  # min_share: no objective after it
