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
