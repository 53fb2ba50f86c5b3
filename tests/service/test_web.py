"""The web page against the real app (TestClient): languages, sign-in, cookies, CSRF, tenants,
the validate route, and the job's report.html and pairs.xlsx equal to the CLI's."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from matcher.cli._main import main as cli_main
from matcher.service import Settings, create_app
from matcher.service._web import HERE, LANGUAGES, catalogue

from .conftest import SCENARIOS
from .test_api import _files, run_queued

AMN = SCENARIOS / "amn-pain-addiction"
TOKEN = "alpha-token-0123456789"


def _client(tmp_path: Path, **settings: Any) -> Any:
    from fastapi.testclient import TestClient

    return TestClient(create_app(Settings(data_dir=tmp_path / "data", **settings)))


def _sign_in(c: Any, token: str = TOKEN) -> str:
    """Sign in through the form; the page's CSRF token."""
    page = c.get("/")
    field = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert field is not None
    r = c.post("/login", data={"token": token, "csrf": field.group(1)}, follow_redirects=False)
    assert r.status_code == 303, r.text
    found = re.search(r'data-csrf="([^"]+)"', c.get("/").text)
    assert found is not None
    return found.group(1)


def test_catalogues_have_the_same_keys_and_cover_every_label() -> None:
    english, french = catalogue("en"), catalogue("fr")
    assert set(english) == set(french)
    assert all(v.strip() for lang in LANGUAGES for v in catalogue(lang).values())
    assert sorted(re.findall(r"\{(\w+)\}", english["files_ok"])) == sorted(
        re.findall(r"\{(\w+)\}", french["files_ok"])
    )
    for key in english:  # the same placeholders in both
        assert set(re.findall(r"\{(\w+)\}", english[key])) == set(
            re.findall(r"\{(\w+)\}", french[key])
        ), key
    used: set[str] = set()
    for template in (HERE / "templates").glob("*.html"):
        used |= set(re.findall(r"\bt\.(\w+)", template.read_text("utf-8")))
    script = (HERE / "static" / "web.js").read_text("utf-8")
    used |= set(re.findall(r"\bT\.(\w+)", script))
    used |= set(re.findall(r'fmt\("(\w+)"', script))
    counted = set(re.findall(r'count\("(\w+)"', script))  # KEY_one and KEY_other, by plural rules
    assert counted >= {"summary_pairs", "summary_unmatched", "problems_count", "pairs_shown"}
    used |= {f"{k}_{form}" for k in counted for form in ("one", "other")}
    assert used - set(english) == set()
    # every progress stage the library reports has a label (web.js: T["phase_" + phase])
    stages = ("reading", "compiling", "scoring", "grouping", "solving", "explaining", "writing")
    assert {f"phase_{stage}" for stage in stages} <= set(english)
    import matcher

    for name in matcher.ProgramConfig().criteria:  # every criterion has a label
        assert f"crit_{name}" in english
    for method in matcher.METHODS:
        assert f"method_{method}" in english


@pytest.mark.parametrize(
    ("header", "query", "lang"),
    [
        ("fr-CA,fr;q=0.9,en;q=0.8", "", "fr"),
        ("de-DE,de;q=0.9,fr;q=0.5,en;q=0.4", "", "fr"),
        ("en-GB,en;q=0.9", "", "en"),
        ("", "", "en"),
        ("fr-CA", "?lang=en", "en"),
        ("en", "?lang=fr", "fr"),
    ],
)
def test_the_page_follows_the_browser_language(
    tmp_path: Path, header: str, query: str, lang: str
) -> None:
    with _client(tmp_path, token=TOKEN) as c:
        r = c.get("/" + query, headers={"Accept-Language": header})
        assert r.status_code == 200
        assert f'<html lang="{lang}">' in r.text
        assert catalogue(lang)["sign_in"] in r.text
        if query:  # the switch is remembered
            assert c.get("/", headers={"Accept-Language": header}).text.count(
                f'<html lang="{lang}">'
            )


def test_sign_in_sets_a_strict_httponly_session_cookie(tmp_path: Path) -> None:
    with _client(tmp_path, token=TOKEN) as c:
        page = c.get("/")
        assert 'name="token"' in page.text and "data-testid" in page.text
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert csrf is not None
        bad = c.post("/login", data={"token": "wrong", "csrf": csrf.group(1)})
        assert bad.status_code == 401 and catalogue("en")["login_failed"] in bad.text
        csrf = re.search(r'name="csrf" value="([^"]+)"', bad.text)
        assert csrf is not None
        r = c.post("/login", data={"token": TOKEN, "csrf": csrf.group(1)}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/"
        cookie = next(h for h in r.headers.get_list("set-cookie") if "matcher_session=" in h)
        flags = {part.strip().lower() for part in cookie.split(";")}
        assert "httponly" in flags and "samesite=strict" in flags and "path=/" in flags
        assert TOKEN not in cookie
        page = c.get("/")
        assert 'data-testid="upload"' in page.text
        assert "default-src 'self'" in page.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
        # the session works on the API's GET routes; a tampered cookie does not
        assert c.get("/v1/jobs").status_code == 200
        c.cookies.set("matcher_session", page.cookies.get("matcher_session", "") + "x")
        c.cookies.set("matcher_session", "1.2.3")
        assert c.get("/v1/jobs").status_code == 401
        assert 'name="token"' in c.get("/").text


def test_login_form_without_its_csrf_value_is_refused(tmp_path: Path) -> None:
    with _client(tmp_path, token=TOKEN) as c:
        c.get("/")
        r = c.post("/login", data={"token": TOKEN, "csrf": "forged"}, follow_redirects=False)
        assert r.status_code == 403
        assert "matcher_session" not in r.headers.get("set-cookie", "")
        c.cookies.clear()
        r = c.post("/login", data={"token": TOKEN}, follow_redirects=False)
        assert r.status_code == 403


def test_csrf_is_required_with_the_cookie_not_with_the_bearer_token(tmp_path: Path) -> None:
    with _client(tmp_path, token=TOKEN) as c:
        csrf = _sign_in(c)
        files = _files(AMN, "mentors.csv", "mentees.csv")
        assert c.post("/v1/jobs", data={"kind": "match"}, files=files).status_code == 403
        r = c.post(
            "/v1/jobs", data={"kind": "match"}, files=files, headers={"X-CSRF-Token": "nope"}
        )
        assert r.status_code == 403
        assert r.headers["content-type"].startswith("application/problem+json")
        assert c.post("/v1/validate", files=files).status_code == 403
        r = c.post("/v1/jobs", data={"kind": "match"}, files=files, headers={"X-CSRF-Token": csrf})
        assert r.status_code == 202, r.text
        job = r.json()["id"]
        assert c.post(f"/v1/jobs/{job}/cancel").status_code == 403
        assert c.delete(f"/v1/jobs/{job}").status_code == 403
        assert c.post("/logout", data={}).status_code == 403
        # the API's bearer token goes on working without any cookie or CSRF token
        c.cookies.clear()
        bearer = {"Authorization": f"Bearer {TOKEN}"}
        assert c.post("/v1/jobs", data={"kind": "match"}, files=files).status_code == 401
        r = c.post("/v1/jobs", data={"kind": "match"}, files=files, headers=bearer)
        assert r.status_code == 202
        assert c.delete(f"/v1/jobs/{job}", headers=bearer).status_code == 204


def test_logout_ends_the_session(tmp_path: Path) -> None:
    with _client(tmp_path, token=TOKEN) as c:
        csrf = _sign_in(c)
        r = c.post("/logout", data={"csrf": csrf}, follow_redirects=False)
        assert r.status_code == 303
        assert 'name="token"' in c.get("/").text
        assert c.get("/v1/jobs").status_code == 401


def test_a_session_sees_only_its_tenant(tmp_path: Path) -> None:
    tokens = tmp_path / "tokens"
    tokens.write_text(f"{TOKEN} tenant-a\nbeta-token tenant-b\n")
    with _client(tmp_path, tokens_file=tokens) as c:
        r = c.post(
            "/v1/jobs",
            data={"kind": "match"},
            files=_files(AMN, "mentors.csv", "mentees.csv"),
            headers={"Authorization": "Bearer beta-token"},
        )
        job = r.json()["id"]
        _sign_in(c)
        assert c.get("/v1/jobs").json() == []
        assert c.get(f"/v1/jobs/{job}").status_code == 404
        assert c.get(f"/web/jobs/{job}/report.html").status_code == 404


def test_without_tokens_the_page_opens_with_a_session_of_its_own(tmp_path: Path) -> None:
    with _client(tmp_path) as c:
        r = c.get("/")
        assert 'data-testid="upload"' in r.text and 'action="/logout"' not in r.text
        cookie = r.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie
        assert c.get("/static/web.js").status_code == 200
        assert c.get("/static/../_web.py").status_code == 404


def test_validate_lists_every_problem_or_the_counts(tmp_path: Path) -> None:
    broken = (AMN / "mentees.csv").read_text("utf-8").splitlines()
    header = broken[0].split(",")
    cells = broken[2].split(",")
    cells[header.index("capacity")] = "-2"
    broken[2] = ",".join(cells)
    with _client(tmp_path) as c:
        r = c.post(
            "/v1/validate",
            files={
                "mentors": ("mentors.csv", (AMN / "mentors.csv").read_bytes()),
                "mentees": ("mentees.csv", ("\n".join(broken) + "\n").encode()),
            },
        )
        assert r.status_code == 422
        problems = r.json()["problems"]
        assert {(p["file"], p["row"], p["column"], p["value"]) for p in problems} == {
            ("mentees.csv", 3, "capacity", "-2")
        }
        r = c.post("/v1/validate", files=_files(AMN, "mentees.csv"))
        assert r.status_code == 422 and r.json()["problems"][0]["column"] == "mentors"
        r = c.post("/v1/validate", files=_files(AMN, "mentors.csv", "mentees.csv", "program.toml"))
        assert r.status_code == 200, r.text
        body = r.json()
        assert (body["mentors"], body["mentees"]) == (14, 386)
        assert body["settings"]["min_score"] == 0.25
        assert body["settings"]["criteria"]["language"] == {"weight": 2.0, "hard": True}
        assert body["config"]["program"]["min_score"] == 0.25
        assert body["regions"]["mentees"]["E0001"] == "NL"
        # the page's own settings, written as program.json, are read by the same code
        config = {"program": {"method": "fair", "min_score": 0.5}, "criteria": {"region": {
            "weight": 2, "hard": True}}}  # fmt: skip
        r = c.post(
            "/v1/validate",
            files={
                **_files(AMN, "mentors.csv", "mentees.csv"),
                "config": ("program.json", json.dumps(config).encode()),
            },
        )
        assert r.status_code == 200, r.text
        assert r.json()["settings"]["method"] == "fair"
        assert r.json()["settings"]["criteria"]["region"] == {"weight": 2.0, "hard": True}


def test_validate_checks_the_current_pairs_statuses(tmp_path: Path) -> None:
    """The page's current pairs file: a status it cannot read is located before any run."""
    hospital = SCENARIOS / "hospital-staff-mentoring"
    current = (hospital / "current.csv").read_text("utf-8").splitlines()
    current[3] = current[3].rsplit(",", 1)[0] + ",paused"
    files = _files(hospital, "mentors.csv", "mentees.csv", "program.toml")
    with _client(tmp_path) as c:
        r = c.post(
            "/v1/validate",
            files={**files, "current": ("current.csv", (hospital / "current.csv").read_bytes())},
        )
        assert r.status_code == 200, r.text
        r = c.post(
            "/v1/validate",
            files={**files, "current": ("current.csv", ("\n".join(current) + "\n").encode())},
        )
        assert r.status_code == 422
        assert [(p["file"], p["row"], p["column"], p["value"]) for p in r.json()["problems"]] == [
            ("current.csv", 4, "status", "paused")
        ]


def _workbook(data: bytes) -> dict[str, Any]:
    """Every part of an xlsx file, with the summary sheet's elapsed time blanked."""
    import io
    import zipfile

    from python_calamine import CalamineWorkbook

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        parts: dict[str, Any] = {n: z.read(n) for n in z.namelist()}
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    for name in book.sheet_names:
        rows = book.get_sheet_by_name(name).to_python()
        parts[f"sheet {name}"] = [r for r in rows if not r or r[0] != "elapsed_s"]
    summary = f"xl/worksheets/sheet{book.sheet_names.index('summary') + 1}.xml"
    parts.pop(summary)
    return parts


def test_a_job_writes_the_report_and_workbook_of_the_cli(tmp_path: Path) -> None:
    out = tmp_path / "cli"
    assert cli_main(["match", str(AMN), "-o", str(out), "--quiet", "--report", "--xlsx"]) == 0
    with _client(tmp_path) as c:
        r = c.post(
            "/v1/jobs",
            data={"kind": "match"},
            files=_files(AMN, "mentors.csv", "mentees.csv", "program.toml"),
        )
        job = r.json()["id"]
        run_queued(c)
        info = c.get(f"/v1/jobs/{job}").json()
        assert info["status"] == "succeeded", info
        assert {"report.html", "pairs.xlsx"} <= set(info["files"])
        for name in ("pairs.csv", "unmatched.csv", "report.html"):
            got = c.get(f"/v1/jobs/{job}/files/{name}")
            assert got.status_code == 200
            assert got.content == (out / name).read_bytes(), name
        # summary.json and the workbook's summary sheet hold the time taken; all else is equal
        book = c.get(f"/v1/jobs/{job}/files/pairs.xlsx").content
        assert _workbook(book) == _workbook((out / "pairs.xlsx").read_bytes())
        summary = c.get(f"/v1/jobs/{job}/files/summary.json").json()
        cli = json.loads((out / "summary.json").read_text("utf-8"))
        assert {**summary, "elapsed_s": 0} == {**cli, "elapsed_s": 0}  # all but the time taken
        inline = c.get(f"/web/jobs/{job}/report.html")
        assert inline.content == (out / "report.html").read_bytes()
        assert "content-disposition" not in inline.headers
        assert inline.headers["content-security-policy"].startswith("sandbox")
