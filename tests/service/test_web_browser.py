"""The coordinators' page end to end: a real ``matcher serve`` driven by Debian's Chromium.

Sign in, upload the Atlantic scenario, see the problems of a broken copy, run with the progress
bar, open one pair's explanation, pin one pair and forbid another, run again, read the changes,
accept, and download pairs.csv through the browser: it equals the CLI's byte for byte.  A
French run checks the labels.  Screenshots of each step go to a temporary folder
(``MATCHER_WEB_SHOTS`` to keep them, e.g. ``docs/web``).
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from matcher.cli._main import main as cli_main
from matcher.io import write_synthetic

from .conftest import SCENARIOS, free_port

playwright_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = Path("/usr/bin/chromium")
BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
AMN = SCENARIOS / "amn-pain-addiction"
TOKEN = "web-test-token-0123456789"
VIEWPORT = {"width": 1366, "height": 900}  # a laptop screen

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium not installed")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``matcher serve`` on a free loopback port with a token and its own data dir."""
    root = tmp_path_factory.mktemp("web-serve")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = root / "serve.log"
    env = {**os.environ, "MATCHER_TOKEN": TOKEN}
    proc = subprocess.Popen(
        [sys.executable, "-m", "matcher", "serve", "--port", str(port), "--data-dir", str(root)],
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "matcher serve did not start:\n" + log.read_text()
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    keep = os.environ.get("MATCHER_WEB_SHOTS")
    folder = Path(keep) if keep else tmp_path_factory.mktemp("web-shots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def _broken_copy(folder: Path) -> Path:
    """The Atlantic scenario with a negative capacity and a language no one could read."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("mentors.csv", "program.toml"):
        shutil.copyfile(AMN / name, folder / name)
    with (AMN / "mentees.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header = rows[0]
    rows[3][header.index("capacity")] = "-2"
    rows[7][header.index("languages")] = "en|12"
    with (folder / "mentees.csv").open("w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    return folder


def _sign_in(page: Any, url: str) -> None:
    page.goto(url + "/")
    page.get_by_label("Access token").fill(TOKEN)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("#upload")


def _upload(page: Any, folder: Path, *, config: bool = True) -> None:
    page.set_input_files("#mentors", str(folder / "mentors.csv"))
    page.set_input_files("#mentees", str(folder / "mentees.csv"))
    if config:
        page.set_input_files("#config", str(folder / "program.toml"))


def _wait_run(page: Any) -> None:
    page.wait_for_selector('#progress-box[data-status="succeeded"]', timeout=120_000)
    page.wait_for_selector("#cancel", state="hidden")
    assert page.locator("#progress").get_attribute("value") == "100"


def _cli_pairs(tmp: Path, *extra: str) -> bytes:
    out = tmp / f"cli{len(extra)}"
    assert cli_main(["match", str(AMN), "-o", str(out), "--quiet", *extra]) == 0
    return (out / "pairs.csv").read_bytes()


def test_coordinator_journey(server: str, browser: Any, shots: Path, tmp_path: Path) -> None:
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True, locale="en-GB")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    # sign in with the token; the session cookie is HttpOnly and SameSite=Strict
    page.goto(server + "/")
    page.screenshot(path=shots / "01-sign-in.png")
    _sign_in(page, server)
    cookies = {c["name"]: c for c in context.cookies()}
    assert cookies["matcher_session"]["httpOnly"] is True
    assert cookies["matcher_session"]["sameSite"] == "Strict"
    assert TOKEN not in cookies["matcher_session"]["value"]

    # a broken copy: every problem in one table, and nothing can run
    broken = _broken_copy(tmp_path / "broken")
    _upload(page, broken)
    page.get_by_role("button", name="Check the files").click()
    problems = page.get_by_test_id("problems")
    problems.locator("tbody tr").first.wait_for()
    rows = problems.locator("tbody tr").all_inner_texts()
    assert len(rows) >= 2, rows
    assert any("capacity" in r and "-2" in r for r in rows), rows
    assert any("languages" in r and "12" in r for r in rows), rows
    assert all("mentees.csv" in r for r in rows), rows
    assert page.locator("#run").is_disabled()
    page.screenshot(path=shots / "02-problems.png", full_page=True)

    # the real files: checked, then run with the progress bar to the end
    _upload(page, AMN)
    page.get_by_role("button", name="Check the files").click()
    page.wait_for_selector("#check-status.ok")
    assert page.locator("#problems").is_hidden()
    assert "14 mentors and 386 mentees" in page.locator("#check-status").inner_text()
    assert page.locator("#method").input_value() == "optimal"
    assert page.locator("#min_score").input_value() == "0.25"
    assert page.locator("#hard-language").is_checked()
    page.locator("#settings summary").click()
    page.locator("#settings").scroll_into_view_if_needed()
    page.screenshot(path=shots / "03-settings.png")
    page.locator("#settings summary").click()
    page.get_by_role("button", name="Run the matching").click()
    page.wait_for_selector("#progress-box:not([hidden])")
    _wait_run(page)
    assert page.locator("#progress-text").inner_text() == "Done"
    pairs = page.get_by_test_id("pairs")
    pairs.locator("tbody tr").first.wait_for()
    assert pairs.locator("tbody tr").count() == 292
    page.screenshot(path=shots / "04-review.png")

    # downloads are the job's files routes; pairs.csv equals the CLI's, byte for byte
    link = page.locator('a[data-file="pairs.csv"]')
    assert "/v1/jobs/" in (link.get_attribute("href") or "")
    with page.expect_download() as info:
        link.click()
    first = Path(info.value.path()).read_bytes()
    assert first == _cli_pairs(tmp_path)

    # filters: by mentor, then region and score
    page.select_option("#f-mentor", "M006")
    assert set(pairs.locator("tbody tr td:nth-child(2)").all_inner_texts()) == {"M006"}
    page.select_option("#f-mentor", "")
    page.select_option("#f-region", "NL")
    assert all("NL" in t for t in pairs.locator("tbody tr td:nth-child(3)").all_inner_texts())
    page.fill("#f-score", "0.9")
    scores = [float(t) for t in pairs.locator("tbody tr td:nth-child(4)").all_inner_texts()]
    assert scores and min(scores) >= 0.9
    page.select_option("#f-region", "")
    page.fill("#f-score", "0")
    assert pairs.locator("tbody tr").count() == 292

    # one pair's explanation, by criterion (opened from the keyboard)
    row = pairs.locator("tbody tr").first
    mentee, mentor = row.get_attribute("data-mentee"), row.get_attribute("data-mentor")
    assert (mentee, mentor) == ("E0001", "M006")
    row.get_by_role("button", name="Why?").focus()
    page.keyboard.press("Enter")
    why = page.get_by_test_id("explanation")
    why.wait_for()
    text = why.inner_text()
    assert "Areas sought" in text and "Language" in text and "both speak en" in text
    page.screenshot(path=shots / "05-explanation.png")

    # pin the second pair, forbid the first, run again
    second = pairs.locator("tbody tr[data-mentee]").nth(1)
    pinned = (second.get_attribute("data-mentee"), second.get_attribute("data-mentor"))
    second.get_by_role("button", name="Pin").click()
    pairs.locator("tbody tr[data-mentee]").first.get_by_role("button", name="Forbid").click()
    assert f"{pinned[0]} — {pinned[1]}" in page.get_by_test_id("pinned").inner_text()
    assert "E0001 — M006" in page.get_by_test_id("forbidden").inner_text()
    page.get_by_role("button", name="Run again with these pins and exclusions").click()
    changes = page.get_by_test_id("changes")
    changes.wait_for(state="visible", timeout=120_000)
    kept = int(changes.get_by_test_id("kept").inner_text())
    new = int(changes.get_by_test_id("new").inner_text())
    dropped = int(changes.get_by_test_id("dropped").inner_text())
    assert dropped >= 1 and kept >= 1 and kept + new == pairs.locator("tbody tr").count()
    forbade = changes.locator('tr[data-change="dropped"][data-mentee="E0001"][data-mentor="M006"]')
    assert forbade.locator("td").last.inner_text() == "forbidden by you"
    assert pairs.locator('tr[data-mentee="E0001"][data-mentor="M006"]').count() == 0
    assert pairs.locator("tr:has(.badge)").count() == 1  # the pin alone, not every kept pair
    page.screenshot(path=shots / "06-changes.png")

    # until accepted, the downloads are still the first run's
    href = page.locator('a[data-file="pairs.csv"]').get_attribute("href")
    page.get_by_role("button", name="Accept the new run").click()
    assert changes.is_hidden()
    assert page.locator('a[data-file="pairs.csv"]').get_attribute("href") != href
    with page.expect_download() as info:
        page.locator('a[data-file="pairs.csv"]').click()
    second_csv = Path(info.value.path()).read_bytes()
    (tmp_path / "pinned.csv").write_text(f"mentee_id,mentor_id\n{pinned[0]},{pinned[1]}\n")
    (tmp_path / "forbidden.csv").write_text("mentee_id,mentor_id\nE0001,M006\n")
    (tmp_path / "first.csv").write_bytes(first)  # a run again keeps the accepted run's pairs
    expected = _cli_pairs(
        tmp_path,
        "--pinned",
        str(tmp_path / "pinned.csv"),
        "--forbidden",
        str(tmp_path / "forbidden.csv"),
        "--current",
        str(tmp_path / "first.csv"),
    )
    assert second_csv == expected
    for name in ("unmatched.csv", "pairs.xlsx", "report.html", "summary.json"):
        with page.expect_download() as info:
            page.locator(f'a[data-file="{name}"]').click()
        assert Path(info.value.path()).stat().st_size > 0, name
    page.locator("#report-box summary").click()
    page.frame_locator("#report").locator("h1").first.wait_for()
    page.locator("#downloads").scroll_into_view_if_needed()
    page.screenshot(path=shots / "07-downloads.png")
    page.locator("#report-box").scroll_into_view_if_needed()
    page.wait_for_timeout(1000)  # the sandboxed frame paints in a process of its own
    page.screenshot(path=shots / "08-report.png")
    # the broken copy's check answers 422 on purpose; nothing else may fail
    assert [e for e in errors if "422" not in e] == [], errors
    context.close()


def test_settings_on_the_page_and_cancel(
    server: str, browser: Any, shots: Path, tmp_path: Path
) -> None:
    """Without a rules file the page writes one from its settings; a run can be cancelled."""
    context = browser.new_context(viewport=VIEWPORT, locale="en-GB")
    page = context.new_page()
    _sign_in(page, server)
    _upload(page, AMN, config=False)
    page.get_by_role("button", name="Check the files").click()
    page.wait_for_selector("#check-status.ok")
    page.locator("#settings summary").click()
    page.fill("#min_score", "0.5")
    page.check("#hard-region")
    page.fill("#weight-specialty", "4")
    page.get_by_role("button", name="Run the matching").click()
    _wait_run(page)
    scores = [
        float(t)
        for t in page.locator('[data-testid="pairs"] tbody tr td:nth-child(4)').all_inner_texts()
    ]
    assert scores and min(scores) >= 0.5
    regions = page.locator('[data-testid="pairs"] tbody tr td:nth-child(3)').all_inner_texts()
    assert all(r.split(" / ")[0] == r.split(" / ")[1] for r in regions), regions[:5]

    # a long run (3000 mentees, method fair) is cancelled from its button
    big = write_synthetic(tmp_path / "big", 3000, 600, seed=1)
    _upload(page, big, config=False)
    page.get_by_role("button", name="Check the files").click()
    page.wait_for_selector("#check-status.ok", timeout=60_000)
    assert page.locator("#review").is_hidden()  # the previous files' run is gone
    page.select_option("#method", "fair")
    page.get_by_role("button", name="Run the matching").click()
    page.wait_for_selector('#progress-box[data-status="running"]', timeout=60_000)
    cancel = page.get_by_role("button", name="Cancel the run")
    cancel.click()
    page.wait_for_selector('#progress-box[data-status="cancelled"]', timeout=10_000)
    assert page.locator("#progress-text").inner_text() == "Cancelled"
    page.wait_for_selector("#cancel", state="hidden")  # the job's end event has come
    assert page.locator("#run").is_enabled()
    page.screenshot(path=shots / "10-cancelled.png")
    context.close()


def test_french(server: str, browser: Any, shots: Path) -> None:
    context = browser.new_context(viewport=VIEWPORT, locale="fr-CA")
    page = context.new_page()
    page.goto(server + "/")
    assert page.locator("html").get_attribute("lang") == "fr"
    page.get_by_label("Jeton d’accès").fill(TOKEN)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_selector("#upload")
    for label in ("Export des mentors", "Export des mentorés", "Méthode", "Poids"):
        assert page.get_by_text(label, exact=True).count() >= 1, label
    _upload(page, AMN)
    page.get_by_role("button", name="Vérifier les fichiers").click()
    page.wait_for_selector("#check-status.ok")
    assert "14 mentors et 386 mentorés" in page.locator("#check-status").inner_text()
    page.get_by_role("button", name="Lancer le jumelage").click()
    _wait_run(page)
    # "Calcul terminé" (the run), not "Terminé", beside "Terminés" (the ended pairs)
    assert page.locator("#progress-text").inner_text() == "Calcul terminé"
    page.get_by_test_id("pairs").locator("tbody tr").first.get_by_role(
        "button", name="Pourquoi ?"
    ).click()
    assert "Domaines recherchés" in page.get_by_test_id("explanation").inner_text()
    page.screenshot(path=shots / "09-french.png")
    # the switch back to English
    page.get_by_role("link", name="English").click()
    assert page.get_by_role("button", name="Check the files").count() == 1
    context.close()


HOSPITAL = SCENARIOS / "hospital-staff-mentoring"
#: every element of the box that would scroll on its own, with its heights
INNER_SCROLL = """(box) => [box, ...box.querySelectorAll('*')]
  .filter((e) => e === box || ['auto', 'scroll'].includes(getComputedStyle(e).overflowY))
  .map((e) => ({id: e.id || e.className || e.tagName, scroll: e.scrollHeight,
                client: e.clientHeight}))"""


def test_what_changed_shows_every_change_without_an_inner_scroll_bar(
    server: str, browser: Any, shots: Path
) -> None:
    """The two-intake scenario's autumn run, then a run again with five pairs forbidden: the
    "What changed" box lists every change on an ordinary window (1280 x 800) with no scroll
    bar of its own, and its buttons come before the list."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    page = context.new_page()
    _sign_in(page, server)
    _upload(page, HOSPITAL)
    page.get_by_role("button", name="Check the files").click()
    page.wait_for_selector("#check-status.ok")
    page.get_by_role("button", name="Run the matching").click()
    _wait_run(page)
    pairs = page.get_by_test_id("pairs")
    pairs.locator("tbody tr").first.wait_for()
    for k in range(5):
        pairs.locator("tbody tr[data-mentee]").nth(2 * k).get_by_role(
            "button", name="Forbid"
        ).click()
    page.get_by_role("button", name="Run again with these pins and exclusions").click()
    changes = page.get_by_test_id("changes")
    changes.wait_for(state="visible", timeout=120_000)
    rows = changes.locator("tbody tr[data-change]")
    new = int(changes.get_by_test_id("new").inner_text())
    ended = int(changes.get_by_test_id("ended").inner_text())
    dropped = int(changes.get_by_test_id("dropped").inner_text())
    assert dropped >= 5 and rows.count() == new + ended + dropped >= 10
    boxes = changes.evaluate(INNER_SCROLL)
    assert all(b["scroll"] <= b["client"] for b in boxes), boxes
    # every row is drawn inside the box, and the buttons are above the list
    box = changes.bounding_box()
    last = rows.nth(rows.count() - 1).bounding_box()
    assert box is not None and last is not None
    assert last["y"] + last["height"] <= box["y"] + box["height"] + 1
    accept = page.get_by_role("button", name="Accept the new run").bounding_box()
    assert accept is not None and accept["y"] < rows.first.bounding_box()["y"]
    changes.screenshot(path=shots / "11-changes-box.png")
    page.screenshot(path=shots / "12-changes-page.png")
    context.close()


def _cli_run(tmp: Path, folder: Path, *extra: str) -> Path:
    out = tmp / f"cli-{folder.name}-{len(extra)}"
    assert cli_main(["match", str(folder), "-o", str(out), "--quiet", *extra]) == 0
    return out


def _download(page: Any, name: str) -> bytes:
    with page.expect_download() as info:
        page.locator(f'a[data-file="{name}"]').click()
    return Path(info.value.path()).read_bytes()


def _changes(box: Any) -> dict[str, list[tuple[str, str, str]]]:
    """The rows of the "What changed" box: kind -> (mentee, mentor, last cell)."""
    out: dict[str, list[tuple[str, str, str]]] = {}
    for row in box.locator("tbody tr[data-change]").all():
        cells = row.locator("td").all_inner_texts()
        out.setdefault(row.get_attribute("data-change"), []).append((cells[0], cells[1], cells[2]))
    return out


def test_second_intake_and_a_run_again_keep_the_current_pairs(
    server: str, browser: Any, shots: Path, tmp_path: Path
) -> None:
    """The hospital's autumn intake with its current pairs, through the page: the CLI's
    pairs.csv and changes.csv byte for byte, and the changes in the "What changed" box.  Then
    one kept pair forbidden and a run again: that pair alone ends ("forbidden by you"), every
    other pair stays, the spring pair marked do_not_match_again is still never made, and the
    pairs equal the CLI's run with the accepted pairs as --current."""
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True, locale="en-GB")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    _sign_in(page, server)
    _upload(page, HOSPITAL)
    page.get_by_label("Current pairs (current.csv, optional: for a second intake)").set_input_files(
        str(HOSPITAL / "current.csv")
    )
    page.get_by_role("button", name="Check the files").click()
    page.wait_for_selector("#check-status.ok")
    page.get_by_role("button", name="Run the matching").click()
    _wait_run(page)
    changes = page.get_by_test_id("changes")
    changes.wait_for(state="visible")
    counts = {
        k: int(changes.get_by_test_id(k).inner_text()) for k in ("kept", "new", "ended", "dropped")
    }
    assert counts == {"kept": 17, "new": 16, "ended": 12, "dropped": 4}
    assert page.locator("#accept").is_hidden()  # nothing to accept: this run is the current one
    listed = _changes(changes)
    assert ("S001", "M003", "ended; never to be paired again") in listed["ended"]
    assert ("S017", "M004", "the mentor left the programme") in listed["dropped"]
    assert len(listed["new"]) == 16 and len(listed["ended"]) + len(listed["dropped"]) == 16
    changes.screenshot(path=shots / "13-second-intake.png")
    cli = _cli_run(tmp_path, HOSPITAL, "--current", str(HOSPITAL / "current.csv"))
    first = _download(page, "pairs.csv")
    assert first == (cli / "pairs.csv").read_bytes()
    assert _download(page, "changes.csv") == (cli / "changes.csv").read_bytes()

    # forbid one pair that was kept, run again
    pairs = page.get_by_test_id("pairs")
    accepted = {
        (r.get_attribute("data-mentee"), r.get_attribute("data-mentor"))
        for r in pairs.locator("tbody tr[data-mentee]").all()
    }
    assert len(accepted) == 33 and ("S001", "M003") not in accepted
    assert pairs.locator(".badge").count() == 0  # kept current pairs are not the user's pins
    row = pairs.locator('tbody tr[data-mentee="S002"][data-mentor="M008"]')  # kept from spring
    row.get_by_role("button", name="Forbid").click()
    page.get_by_role("button", name="Run again with these pins and exclusions").click()
    page.locator("#accept").wait_for(state="visible", timeout=120_000)
    counts = {
        k: int(changes.get_by_test_id(k).inner_text()) for k in ("kept", "new", "ended", "dropped")
    }
    listed = _changes(changes)
    assert listed["dropped"] == [("S002", "M008", "forbidden by you")]
    assert "ended" not in listed  # compared with the accepted run: nothing else ended
    assert counts["kept"] == len(accepted) - 1 and counts["dropped"] == 1
    now = {
        (r.get_attribute("data-mentee"), r.get_attribute("data-mentor"))
        for r in pairs.locator("tbody tr[data-mentee]").all()
    }
    assert accepted - now == {("S002", "M008")}
    assert ("S001", "M003") not in now  # do_not_match_again still holds
    changes.screenshot(path=shots / "14-forbidden-by-you.png")
    page.get_by_role("button", name="Accept the new run").click()
    (tmp_path / "accepted.csv").write_bytes(first)
    (tmp_path / "forbidden.csv").write_text("mentee_id,mentor_id\nS002,M008\nS001,M003\n")
    cli = _cli_run(
        tmp_path,
        HOSPITAL,
        "--current",
        str(tmp_path / "accepted.csv"),
        "--forbidden",
        str(tmp_path / "forbidden.csv"),
    )
    assert _download(page, "pairs.csv") == (cli / "pairs.csv").read_bytes()

    # "Run the matching" again (the uploaded current pairs, no exclusions): the box compares
    # the new run with the accepted one, not with the uploaded current pairs
    page.get_by_role("button", name="Run the matching").click()
    page.locator("#accept").wait_for(state="visible", timeout=120_000)
    listed = _changes(changes)
    assert [(e, m) for e, m, _ in listed["new"]] == [("S002", "M008")]
    assert [(e, m) for e, m, _ in listed["ended"]] == [("A014", "M008")]
    assert int(changes.get_by_test_id("kept").inner_text()) == len(accepted) - 1
    assert errors == []
    context.close()


@pytest.mark.parametrize(
    ("locale", "run", "expected"),
    [
        ("en-GB", "Run the matching", "33 pairs; 1 person unmatched; mean score "),
        ("fr-CA", "Lancer le jumelage", "33 jumelages ; 1 personne non jumelée ; score moyen "),
    ],
)
def test_counts_read_in_the_singular_and_the_plural(
    server: str, browser: Any, locale: str, run: str, expected: str
) -> None:
    """The hospital's spring intake leaves one person unmatched: "1 person", not "1 people"."""
    context = browser.new_context(viewport=VIEWPORT, locale=locale)
    page = context.new_page()
    page.goto(server + "/?lang=en")
    page.get_by_label("Access token").fill(TOKEN)
    page.get_by_role("button", name="Sign in").click()
    page.goto(server + "/?lang=" + locale[:2])
    page.wait_for_selector("#upload")
    page.set_input_files("#mentors", str(HOSPITAL / "intake-1" / "mentors.csv"))
    page.set_input_files("#mentees", str(HOSPITAL / "intake-1" / "mentees.csv"))
    page.set_input_files("#config", str(HOSPITAL / "program.toml"))
    page.locator("#check").click()
    page.wait_for_selector("#check-status.ok")
    page.get_by_role("button", name=run).click()
    _wait_run(page)
    page.get_by_test_id("pairs").locator("tbody tr").first.wait_for()
    assert page.get_by_test_id("summary").inner_text().startswith(expected)
    context.close()
