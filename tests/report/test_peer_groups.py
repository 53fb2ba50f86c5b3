"""Peer-led groups have no leader to score members with: each group's criteria are the mean
over the member pairs inside it, in ``pairs.csv``'s ``score_<criterion>`` columns, the pandas
frame and the report's criteria table (drawn in chromium without an error)."""

from __future__ import annotations

import csv
import io
import re
from itertools import permutations
from pathlib import Path
from typing import Any

import pytest

import matcher
from matcher.io import load_config, write_synthetic
from matcher.report import report_html

from .test_report import SCENARIOS, render

FOLDER = SCENARIOS / "genetic-counselling-supervision"


@pytest.fixture(scope="module")
def grouped() -> tuple[matcher.Matching, matcher.ProgramConfig]:
    config = load_config(FOLDER / "program.toml")
    assert config.groups.leader == "none"  # the scenario is peer-led
    quick = config.model_copy(
        update={"groups": config.groups.model_copy(update={"time_limit_s": 2.0})}
    )
    result = matcher.match(FOLDER / "mentors.csv", FOLDER / "mentees.csv", config=quick, seed=0)
    return result, quick


def pairs_rows(result: matcher.Matching) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(result.files(version="x")["pairs.csv"].decode())))


@pytest.fixture(scope="module")
def grouped_at_scale(tmp_path_factory: pytest.TempPathFactory) -> matcher.Matching:
    """A synthetic peer-led programme above ``max_exact_members``: grouped block by block."""
    folder = write_synthetic(tmp_path_factory.mktemp("blocks"), 150, 0, seed=2, groups=True)
    config = load_config(folder / "program.toml")
    config = config.model_copy(
        update={"groups": config.groups.model_copy(update={"max_exact_members": 40})}
    )
    result = matcher.match(folder / "mentors.csv", folder / "mentees.csv", config=config)
    assert result.summary["solver"]["engine"] == "blocks+greedy"
    return result


@pytest.mark.parametrize("path", ["exact", "blocks"])
def test_each_members_criteria_are_its_groups_mean_over_the_pairs_inside(
    path: str,
    grouped: tuple[matcher.Matching, Any],
    grouped_at_scale: matcher.Matching,
) -> None:
    result = grouped[0] if path == "exact" else grouped_at_scale
    members: dict[str, list[str]] = {}
    for p in result.pairs:
        assert p.group_id and p.mentor_id == ""
        members.setdefault(p.group_id, []).append(p.mentee_id)
    assert len(members) >= 2
    assert "language" in result.criteria
    rows = {r["mentee_id"]: r for r in pairs_rows(result)}
    frame = result.pairs_frame().set_index("mentee_id")
    for ids in members.values():
        # the reference: every ordered pair of the group explained on its own
        explained = [result.explain(a, b).criteria for a, b in permutations(ids, 2)]
        for name in result.criteria:
            values = [v for e in explained if (v := e.get(name)) is not None]
            for member in ids:
                cell = rows[member][f"score_{name}"]
                if not values:
                    assert cell == ""
                    continue
                expected = sum(values) / len(values)
                assert float(cell) == pytest.approx(expected, abs=1e-4), (member, name)
                assert frame.loc[member, f"score_{name}"] == pytest.approx(expected, abs=1e-6)
        # a hard rule holds for every pair inside a group: it applies, with a shared language
        assert all(float(rows[m]["score_language"]) > 0 for m in ids)


def test_the_report_shows_the_criteria_of_peer_led_groups(
    grouped: tuple[matcher.Matching, Any], tmp_path: Path
) -> None:
    result, config = grouped
    page = report_html(result, config).decode("utf-8")
    section = page.split('id="criteria"')[1].split("</section>")[0]
    assert "mean over the pairs inside each group" in section
    n = len(result.pairs)
    # language: a hard rule that applies to every pair of every group
    assert f'<td>language</td><td class="num">2</td><td>yes</td><td class="num">{n}</td>' in (
        section
    ), section
    row = (
        r'<td>(\w+)</td><td class="num">[\d.]+</td><td>(?:yes|no)</td>'
        r'<td class="num">(\d+)</td><td class="num">([\d.–]+)</td>'
    )
    means = re.findall(row, section)
    assert {name for name, *_ in means} == set(result.criteria)
    assert all(count == str(n) and mean != "–" for _, count, mean in means)
    html_path = tmp_path / "report.html"
    html_path.write_text(page, encoding="utf-8")
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("no /usr/bin/chromium here")
    pytest.importorskip("playwright")
    seen = render(html_path, tmp_path / "report.png")
    assert seen["errors"] == []
    assert seen["visible_svgs"] == seen["svgs"] >= 5
