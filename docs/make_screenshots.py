"""Refresh the report screenshots in docs/: one per method, as headless chromium draws them.

Run from the repository: ``python docs/make_screenshots.py`` (needs Debian's chromium at
/usr/bin/chromium and ``pip install playwright``; never ``playwright install``).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import matcher
from matcher.io import load_config
from matcher.report import report_html

HERE = Path(__file__).resolve().parent
SCENARIOS = HERE.parent / "scenarios"
SHOTS = {
    "optimal": "amn-pain-addiction",
    "groups": "physician-peer-support",
    "suggest": "patient-partners",
    "stable": "cancer-peer",
    "fair": "recovery-mentoring",
}
ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update",
        "--no-first-run"]  # fmt: skip


def main() -> None:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for method, name in SHOTS.items():
            folder = SCENARIOS / name
            config = load_config(folder / "program.toml")
            run = matcher.suggest if config.method == "suggest" else matcher.match
            result = run(folder / "mentors.csv", folder / "mentees.csv", config=config)
            page_file = Path(tmp) / f"{method}.html"
            page_file.write_bytes(report_html(result, config))
            page = browser.new_page(viewport={"width": 900, "height": 1200})
            page.goto(page_file.as_uri())
            height = min(page.evaluate("document.body.scrollHeight"), 2400)
            target = HERE / f"report-{method}.png"
            page.screenshot(path=str(target), clip={"x": 0, "y": 0, "width": 900, "height": height})
            # the equity section, where a committee looks first
            box = page.locator("#equity").bounding_box()
            if box is not None:
                page.screenshot(
                    path=str(HERE / f"report-{method}-equity.png"),
                    full_page=True,
                    clip={"x": 0, "y": box["y"], "width": 900, "height": min(box["height"], 1400)},
                )
            page.close()
            print(f"wrote {target.name}")
        browser.close()


if __name__ == "__main__":
    main()
