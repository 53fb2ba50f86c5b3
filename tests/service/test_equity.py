"""The service reads ``[equity]`` from an uploaded program.toml as the CLI does: the with/without
figures in the result's summary, and floors that cannot be met as a 409 naming the subgroup."""

from __future__ import annotations

from typing import Any

from .conftest import SCENARIOS


def test_equity_rule_from_uploaded_program_toml(client: Any) -> None:
    folder = SCENARIOS / "atlantic-equity"
    files = {
        role: (name, (folder / name).read_bytes())
        for role, name in (
            ("mentors", "mentors.csv"),
            ("mentees", "mentees.csv"),
            ("config", "program.toml"),
        )
    }
    r = client.post("/v1/match", files=files)
    assert r.status_code == 200, r.text
    rule = r.json()["summary"]["equity"]["rule"]
    assert rule["mode"] == "equalise" and rule["column"] == "region"
    assert rule["lowest_rate"]["with"] > rule["lowest_rate"]["without"]


def test_unreachable_floor_is_409_naming_it(client: Any) -> None:
    r = client.post(
        "/v1/match",
        files={
            "mentors": ("mentors.csv", b"id,languages,region\nm1,en,NS\n"),
            "mentees": ("mentees.csv", b"id,languages,region\ne1,en,NS\ne2,fr,NL\n"),
            "config": (
                "program.toml",
                b'[equity]\ncolumn = "region"\nmin_share = { NL = 1.0 }\n',
            ),
        },
    )
    assert r.status_code == 409, r.text
    assert "'NL' needs at least 1 of its 1 mentees matched" in r.text
    assert "Traceback" not in r.text


def test_a_job_with_a_rule_mistake_is_refused_at_submission(client: Any) -> None:
    before = client.get("/v1/jobs").json()
    r = client.post(
        "/v1/jobs",
        data={"kind": "match"},
        files={
            "mentors": ("mentors.csv", b"id,languages,region\nm1,en,NS\n"),
            "mentees": ("mentees.csv", b"id,languages,region\ne1,en,NS\ne2,fr,NL\n"),
            "config": (
                "program.toml",
                b'[equity]\ncolumn = "regoin"\nmode = "equalise"\n',
            ),
        },
    )
    assert r.status_code == 422, r.text
    assert r.json()["problems"][0]["column"] == "equity.column"
    assert "did you mean 'region'" in r.text
    assert client.get("/v1/jobs").json() == before
    checked = client.post(
        "/v1/validate",
        files={
            "mentors": ("mentors.csv", b"id,languages,region\nm1,en,NS\n"),
            "mentees": ("mentees.csv", b"id,languages,region\ne1,en,NS\ne2,fr,NL\n"),
            "config": ("program.toml", b'[equity]\ncolumn = "region"\nmin_share = { QC = 0.9 }\n'),
        },
    )
    assert checked.status_code == 422, checked.text
    assert "unknown subgroup" in checked.text


def test_validate_reports_every_equity_problem_at_once(client: Any) -> None:
    checked = client.post(
        "/v1/validate",
        files={
            "mentors": ("mentors.csv", b"id,languages,region\nm1,en,NS\n"),
            "mentees": ("mentees.csv", b"id,languages,region\ne1,en,NS\ne2,fr,NL\n"),
            "config": (
                "program.toml",
                b'[equity]\ncolumn = "region"\nmin_share = { NS = 1.2, Atlantis = 0.9 }\n',
            ),
        },
    )
    assert checked.status_code == 422, checked.text
    found = {(p["column"], p["message"]) for p in checked.json()["problems"]}
    assert found == {
        ("equity.min_share.NS", "out of range"),
        ("equity.min_share.Atlantis", "unknown subgroup"),
    }
