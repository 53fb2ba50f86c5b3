"""report.html read as a person sees it: right for each method, self-contained, and drawn in
a real browser (Debian's chromium through Playwright) without an error.

The browser tests need ``/usr/bin/chromium`` (``.ci/run`` installs it); outside CI they are
skipped where it is missing.  ``docs/make_screenshots.py`` uses the same rendering to refresh the
screenshots in ``docs/``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

import matcher
from matcher.io import load_config
from matcher.report import reason_kind, report_html

REPO = Path(__file__).resolve().parents[2]
SCENARIOS = REPO / "scenarios"
CHROMIUM = Path("/usr/bin/chromium")
BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
#: scenario -> the method it shows
CASES = {
    "amn-pain-addiction": "optimal",
    "physician-peer-support": "groups",
    "patient-partners": "suggest",
    "cancer-peer": "stable",
}


def run_scenario(name: str) -> tuple[matcher.Matching, matcher.ProgramConfig]:
    folder = SCENARIOS / name
    config = load_config(folder / "program.toml")
    mentors = folder / "mentors.csv"
    mentees = folder / "mentees.csv"
    if config.method == "suggest":
        return matcher.suggest(mentors, mentees, config=config), config
    return matcher.match(mentors, mentees, config=config), config


@pytest.fixture(scope="module")
def reports() -> dict[str, tuple[matcher.Matching, str]]:
    out = {}
    for name in CASES:
        result, config = run_scenario(name)
        out[name] = (result, report_html(result, config).decode("utf-8"))
    return out


def test_reason_kinds_drop_numbers_and_personal_values() -> None:
    assert reason_kind("all 3 compatible mentors are at capacity") == reason_kind(
        "the only compatible mentor is at capacity"
    )
    assert reason_kind("no mentor shares a language: es") == "no mentor shares a language"
    kind = reason_kind("meets in person only, and no mentor who meets in person is in region SK")
    assert "SK" not in kind


@pytest.mark.parametrize("name", CASES)
def test_report_is_self_contained_and_has_its_charts(name: str, reports: dict[str, Any]) -> None:
    _, page = reports[name]
    assert page.count("<svg") >= 5
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", page)
    assert "<script" not in page
    assert "@page" in page and "A4" in page
    for placeholder in ("NN", "capacity used ?", "of ?", "capacity is N"):
        assert placeholder not in page
    assert 'id="equity"' in page and "Coverage by region" in page
    for section in ("overview", "scores", "criteria", "load", "unmatched", "equity", "inputs"):
        assert f'id="{section}"' in page


def test_unmatched_counts_are_exact(reports: dict[str, Any]) -> None:
    result, page = reports["amn-pain-addiction"]
    rows = re.findall(
        r"<tr><td>(mentee|mentor)</td><td>([^<]+)</td><td class=\"num\">([\d,]+)</td></tr>", page
    )
    assert rows
    assert sum(int(n.replace(",", "")) for *_, n in rows) == len(result.unmatched)


def test_groups_report_shows_groups_and_hard_rules(reports: dict[str, Any]) -> None:
    result, page = reports["physician-peer-support"]
    assert "Groups by size" in page
    assert "Groups formed" in page
    for group in {p.group_id for p in result.pairs if p.group_id}:
        assert f"<td>{group}</td>" in page
    assert '<td>language</td><td class="num">2</td><td>yes</td>' in page  # hard, with weight


def test_suggest_report_counts_suggestions_not_pairs(reports: dict[str, Any]) -> None:
    result, page = reports["patient-partners"]
    assert "Suggestions, not matches" in page
    assert "Mentees matched" not in page and "<td>Pairs</td>" not in page
    assert f"<td>Suggestions</td><td>{len(result.pairs)}</td>" in page


def test_report_bytes_are_stable() -> None:
    result, config = run_scenario("surgeon-retiree")
    assert report_html(result, config) == report_html(result, config)


def test_report_for_precomputed_scores() -> None:
    import numpy as np

    result = matcher.solve(np.array([[0.9, np.nan], [0.4, 0.7]]), capacities=[1, 1])
    page = report_html(result).decode()
    assert "no criteria to show" in page and "precomputed scores carry no profiles" in page


# --- in a real browser ----------------------------------------------------------------------


def render(html_path: Path, png: Path) -> dict[str, Any]:
    """Open ``html_path`` in headless chromium; screenshot to ``png``; what the page did."""
    from playwright.sync_api import sync_playwright

    seen: dict[str, Any] = {"errors": [], "requests": []}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS)
        try:
            page = browser.new_page(viewport={"width": 900, "height": 1200})
            page.on("console", lambda m: seen["errors"].append(m.text) if m.type == "error" else 0)
            page.on("pageerror", lambda e: seen["errors"].append(str(e)))
            page.on("request", lambda r: seen["requests"].append(r.url))
            page.goto(html_path.as_uri(), wait_until="load")
            seen["svgs"] = page.locator("figure svg").count()
            seen["visible_svgs"] = page.evaluate(
                "[...document.querySelectorAll('figure svg')]"
                ".filter(s => s.getBoundingClientRect().width > 300"
                " && s.getBoundingClientRect().height > 80).length"
            )
            seen["height"] = page.evaluate("document.body.scrollHeight")
            page.screenshot(path=str(png), full_page=True)
            pdf = page.pdf(format="A4", print_background=True)
            seen["pdf_pages"] = pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")
        finally:
            browser.close()
    return seen


@pytest.fixture(scope="module")
def browser_ready() -> None:
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("/usr/bin/chromium is missing: .ci/run installs Debian's chromium")
        pytest.skip("no /usr/bin/chromium here")
    pytest.importorskip("playwright")


@pytest.mark.parametrize("name", CASES)
def test_report_renders_in_chromium(
    name: str, reports: dict[str, Any], tmp_path: Path, browser_ready: None
) -> None:
    _, page = reports[name]
    html_path = tmp_path / "report.html"
    html_path.write_text(page, encoding="utf-8")
    png = tmp_path / "report.png"
    seen = render(html_path, png)
    assert seen["errors"] == []
    assert [u for u in seen["requests"] if not u.startswith(("file:", "data:"))] == []
    assert seen["svgs"] == page.count("<figure")
    assert seen["visible_svgs"] == seen["svgs"] >= 5
    assert png.stat().st_size > 50_000
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert 1 <= seen["pdf_pages"] <= 40
