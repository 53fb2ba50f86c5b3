"""The HTTP API against the real app (TestClient): routes, errors, auth, sync limits."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from matcher.service import Settings, create_app
from matcher.service._worker import supervise

from .conftest import SCENARIOS

AMN = SCENARIOS / "amn-pain-addiction"

MENTORS = [
    {"id": "m1", "languages": "fr|en", "specialties": ["chronic_pain"], "capacity": 2},
    {"id": "m2", "languages": "en", "specialties": "oncology", "capacity": 1},
]
MENTEES = [
    {"id": "e1", "languages": "fr", "specialties": "chronic_pain"},
    {"id": "e2", "languages": "en", "specialties": "oncology"},
    {"id": "e3", "languages": "es"},
]


def _files(folder: Path, *names: str) -> dict[str, Any]:
    roles = {"mentors.csv": "mentors", "mentees.csv": "mentees", "program.toml": "config"}
    return {roles[n]: (n, (folder / n).read_bytes()) for n in names}


def run_queued(client: Any) -> None:
    """Run every queued job now, as a worker would (a real child process each)."""
    state = client.app.state.matcher
    for job_id in state.store.queued_ids():
        supervise(state.store, state.settings, job_id)


def test_health_ready_and_openapi(client: Any) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").status_code == 200
    spec = client.get("/openapi.json").json()
    for path in (
        "/v1/match",
        "/v1/suggest",
        "/v1/solve",
        "/v1/jobs",
        "/v1/jobs/{job_id}",
        "/v1/jobs/{job_id}/events",
        "/v1/jobs/{job_id}/result",
        "/v1/jobs/{job_id}/files/{name}",
        "/v1/jobs/{job_id}/cancel",
        "/v1/jobs/{job_id}/retry",
        "/v1/programs/{pid}",
        "/v1/programs/{pid}/suggest",
        "/v1/programs/{pid}/pairs",
        "/v1/programs/{pid}/pairs/{mentee_id}/{mentor_id}",
    ):
        assert path in spec["paths"], path


def test_sync_match_json(client: Any) -> None:
    r = client.post("/v1/match", json={"mentors": MENTORS, "mentees": MENTEES})
    assert r.status_code == 200, r.text
    body = r.json()
    assert {(p["mentee_id"], p["mentor_id"]) for p in body["pairs"]} == {("e1", "m1"), ("e2", "m2")}
    assert body["unmatched"][0]["id"] == "e3"
    assert "language" in body["unmatched"][0]["reason"]
    assert body["summary"]["matched"] == 2


def test_sync_match_multipart_equals_cli(client: Any, tmp_path: Path) -> None:
    import matcher
    from matcher.cli._main import main

    r = client.post("/v1/match", files=_files(AMN, "mentors.csv", "mentees.csv", "program.toml"))
    assert r.status_code == 200, r.text
    assert main(["match", str(AMN), "-o", str(tmp_path / "out"), "--quiet"]) == 0
    cli = json.loads((tmp_path / "out" / "summary.json").read_text())
    got = r.json()["summary"]
    for key in ("matched", "objective", "bound", "inputs", "method"):
        assert got[key] == cli[key], key
    assert matcher.__version__ == got["version"]


def test_sync_suggest_and_solve(client: Any) -> None:
    r = client.post("/v1/suggest", json={"mentors": MENTORS, "mentees": MENTEES, "top": 1})
    assert r.status_code == 200, r.text
    assert all(p["rank"] == 1 for p in r.json()["pairs"])
    edges = [["e1", "m1", 0.9], ["e2", "m1", 0.8], ["e2", "m2", 0.5]]
    r = client.post("/v1/solve", json={"edges": edges, "capacities": {"m1": 1, "m2": 1}})
    assert r.status_code == 200, r.text
    assert {(p["mentee_id"], p["mentor_id"]) for p in r.json()["pairs"]} == {
        ("e1", "m1"),
        ("e2", "m2"),
    }


def test_located_problems_as_problem_json(client: Any) -> None:
    bad = b"id,languages,capacity\nm1,fr,two\nm2,fr,1\n"
    r = client.post(
        "/v1/match",
        files={
            "mentors": ("mentors.csv", bad),
            "mentees": ("mentees.csv", b"id,languages\ne1,fr\n"),
        },
    )
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["status"] == 422 and body["title"] and body["detail"]
    problem = body["problems"][0]
    assert problem["file"] == "mentors.csv" and problem["row"] == 2
    assert problem["column"] == "capacity" and problem["value"] == "two"
    assert set(problem) == {"file", "row", "column", "value", "expected", "message"}
    assert "Traceback" not in r.text


def test_request_validation_is_problem_json(client: Any) -> None:
    r = client.post("/v1/match", json={"mentors": MENTORS, "mentees": MENTEES, "seed": -1})
    assert r.status_code == 422
    assert r.json()["problems"][0]["column"] == "seed"
    r = client.post("/v1/match", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 400
    assert r.headers["content-type"].startswith("application/problem+json")


def test_infeasible_is_409(client: Any) -> None:
    r = client.post(
        "/v1/match",
        json={"mentors": MENTORS[1:], "mentees": MENTEES, "pinned": [["e1", "m2"], ["e2", "m2"]]},
    )
    assert r.status_code in (409, 422), r.text
    assert r.json()["problems"]


def test_sync_limit_413_points_to_jobs(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    app = create_app(Settings(data_dir=tmp_path, sync_max_pairs=10))
    with TestClient(app) as c:
        r = c.post("/v1/match", json={"mentors": MENTORS, "mentees": MENTEES * 3})
    assert r.status_code == 413
    assert "/v1/jobs" in r.json()["detail"]


def test_body_limit_413(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    app = create_app(Settings(data_dir=tmp_path, max_body_mb=0.001))
    with TestClient(app) as c:
        r = c.post("/v1/match", content=b"x" * 5000, headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert r.headers["content-type"].startswith("application/problem+json")


def test_tokens_and_tenants(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    tokens = tmp_path / "tokens"
    tokens.write_text("alpha-token tenant-a\nbeta-token tenant-b\n")
    app = create_app(Settings(data_dir=tmp_path / "d", tokens_file=tokens))
    a = {"Authorization": "Bearer alpha-token"}
    b = {"Authorization": "Bearer beta-token"}
    with TestClient(app) as c:
        assert c.get("/healthz").status_code == 200  # no auth
        assert c.get("/v1/jobs").status_code == 401
        assert c.get("/v1/jobs", headers={"Authorization": "Bearer nope"}).status_code == 401
        r = c.post(
            "/v1/jobs", json={"kind": "match", "mentors": MENTORS, "mentees": MENTEES}, headers=a
        )
        assert r.status_code == 202
        job = r.json()["id"]
        assert r.headers["location"] == f"/v1/jobs/{job}"
        assert c.get(f"/v1/jobs/{job}", headers=a).status_code == 200
        assert c.get(f"/v1/jobs/{job}", headers=b).status_code == 404
        assert c.delete(f"/v1/jobs/{job}", headers=b).status_code == 404
        assert [j["id"] for j in c.get("/v1/jobs", headers=a).json()] == [job]
        assert c.get("/v1/jobs", headers=b).json() == []
        r = c.put("/v1/programs/p1", json={"mentors": MENTORS}, headers=a)
        assert r.status_code == 200, r.text
        assert c.get("/v1/programs/p1", headers=b).status_code == 404
        assert c.get("/v1/programs/p1", headers=a).status_code == 200


def test_job_lifecycle_in_process(client: Any) -> None:
    r = client.post(
        "/v1/jobs",
        files={**_files(AMN, "mentors.csv", "mentees.csv", "program.toml")},
        data={"kind": "match"},
    )
    assert r.status_code == 202, r.text
    job = r.json()["id"]
    assert client.get(f"/v1/jobs/{job}").json()["status"] == "queued"
    assert client.get(f"/v1/jobs/{job}/result").status_code == 409
    assert client.post(f"/v1/jobs/{job}/retry").status_code == 409
    run_queued(client)
    info = client.get(f"/v1/jobs/{job}").json()
    assert info["status"] == "succeeded", info
    assert info["progress"]["fraction"] == 1.0
    assert set(info) >= {
        "id",
        "kind",
        "status",
        "progress",
        "created",
        "started",
        "finished",
        "error",
        "summary",
    }
    assert "pairs.csv" in info["files"]
    result = client.get(f"/v1/jobs/{job}/result").json()
    assert result["summary"]["matched"] == info["summary"]["matched"]
    pairs = client.get(f"/v1/jobs/{job}/files/pairs.csv")
    assert pairs.status_code == 200 and pairs.content.startswith(b"mentee_id,mentor_id,score")
    assert client.get(f"/v1/jobs/{job}/files/suggestions.csv").status_code == 404
    assert client.get(f"/v1/jobs/{job}/files/../../etc").status_code == 404
    events = client.get(f"/v1/jobs/{job}/events")
    assert "event: end" in events.text
    end = json.loads(events.text.split("event: end\ndata: ", 1)[1].split("\n", 1)[0])
    assert end["files"] == info["files"]  # the last event lists the files as the job does
    assert client.post(f"/v1/jobs/{job}/cancel").status_code == 409
    assert client.delete(f"/v1/jobs/{job}").status_code == 204
    assert client.get(f"/v1/jobs/{job}").status_code == 404
    assert client.get(f"/v1/jobs/{job}/files/pairs.csv").status_code == 404


def test_job_with_bad_profiles_is_refused_at_submission(client: Any) -> None:
    before = client.get("/v1/jobs").json()
    r = client.post(
        "/v1/jobs",
        json={"kind": "match", "mentors": [{"id": "m1", "capacity": "lots"}], "mentees": MENTEES},
    )
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    problem = r.json()["problems"][0]
    assert problem["column"] == "capacity"
    assert problem["value"] == "lots"
    assert client.get("/v1/jobs").json() == before  # nothing queued


def test_failed_job_carries_located_problems_then_retry(client: Any) -> None:
    edges = [["e1", "m1", 0.9], ["e2", "m1", "high"]]
    r = client.post("/v1/jobs", json={"kind": "solve", "edges": edges})
    assert r.status_code == 202, r.text
    job = r.json()["id"]
    run_queued(client)
    info = client.get(f"/v1/jobs/{job}").json()
    assert info["status"] == "failed"
    assert info["error"]["status"] == 422
    assert info["error"]["problems"][0]["column"] == "score"
    r = client.post(f"/v1/jobs/{job}/retry")
    assert r.status_code == 202
    new = r.json()["id"]
    assert new != job
    assert client.get(f"/v1/jobs/{new}").json()["retry_of"] == job


def test_cancel_queued_job(client: Any) -> None:
    job = client.post(
        "/v1/jobs", json={"kind": "match", "mentors": MENTORS, "mentees": MENTEES}
    ).json()["id"]
    info = client.post(f"/v1/jobs/{job}/cancel").json()
    assert info["status"] == "cancelled"
    run_queued(client)  # the worker does not run it
    assert client.get(f"/v1/jobs/{job}").json()["status"] == "cancelled"


def test_job_missing_inputs_422(client: Any) -> None:
    r = client.post("/v1/jobs", json={"kind": "solve"})
    assert r.status_code == 422
    r = client.post("/v1/jobs", json={"mentors": MENTORS, "mentees": MENTEES})
    assert r.status_code == 422
    assert r.json()["problems"][0]["column"] == "kind"


@pytest.mark.parametrize("route", ["/v1/jobs/nope", "/v1/jobs/nope/result", "/v1/programs/nope"])
def test_unknown_ids_404(client: Any, route: str) -> None:
    r = client.get(route)
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")


def test_retention_purge(client: Any) -> None:
    state = client.app.state.matcher
    job = client.post(
        "/v1/jobs", json={"kind": "match", "mentors": MENTORS, "mentees": MENTEES}
    ).json()["id"]
    run_queued(client)
    assert state.store.purge(3600) == 0
    assert state.store.purge(-1) == 1
    assert client.get(f"/v1/jobs/{job}").status_code == 404
    assert state.store.job_inputs(job) == {}


def test_body_limit_413_without_content_length(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    app = create_app(Settings(data_dir=tmp_path, max_body_mb=0.001))

    def chunks() -> Any:
        for _ in range(10):
            yield b"x" * 1000

    with TestClient(app) as c:
        r = c.post(
            "/v1/jobs",
            content=chunks(),
            headers={"content-type": "multipart/form-data; boundary=b"},
        )
    assert r.status_code == 413


def test_availability_as_a_json_list_reads_as_the_csv_cell(client: Any) -> None:
    import matcher

    slots = ["mon 18:00-20:00", "mer 12:00-13:30"]
    mentors = [dict(MENTORS[0], availability=slots)]
    mentees = [dict(MENTEES[0], availability="mon 18:00-20:00|wed 12:00-13:30")]
    r = client.post("/v1/match", json={"mentors": mentors, "mentees": mentees})
    assert r.status_code == 200, r.text
    [pair] = r.json()["pairs"]
    assert "at least 60 min/week of common availability" in pair["reasons"]
    # the library takes the same list
    person = matcher.Participant(id="m1", role="mentor", availability=slots)
    assert str(person.availability) == "mon 18:00-20:00|wed 12:00-13:30"


def test_an_unknown_multipart_field_is_refused_not_ignored(client: Any) -> None:
    files = {
        "mentors": ("mentors.csv", (AMN / "mentors.csv").read_bytes()),
        "mentees": ("mentees.csv", (AMN / "mentees.csv").read_bytes()),
    }
    r = client.post("/v1/match", data={"metod": "fair"}, files=files)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    problem = r.json()["problems"][0]
    assert problem["column"] == "metod"
    assert "did you mean 'method'" in problem["message"]
    r = client.post("/v1/jobs", data={"kind": "match", "metod": "fair"}, files=files)
    assert r.status_code == 422, r.text
