"""No profile field in any log line or job listing: sentinel values in every free field."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from .test_api import run_queued

SENTINEL = "zqxjsentinel"


def _people(role: str, n: int) -> list[dict[str, Any]]:
    return [
        {
            "id": f"{role[0]}{k}",
            "profession": f"{SENTINEL}_prof",
            "specialties": f"chronic_pain|{SENTINEL}_area",
            "lived_experience": f"{SENTINEL}_tag",
            "consent_lived_experience": "yes",
            "languages": "fr|en",
            "organization": f"{SENTINEL} clinic",
            "gender": f"{SENTINEL}g",
            "years_experience": 12,
            "notes": f"{SENTINEL} private note",
            "capacity": 2,
        }
        for k in range(n)
    ]


def test_no_profile_field_in_logs_or_listings(
    client: Any, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)
    body = {"mentors": _people("mentor", 3), "mentees": _people("mentee", 5)}
    r = client.post("/v1/match", json=body)
    assert r.status_code == 200, r.text
    job = client.post("/v1/jobs", json={"kind": "match", **body}).json()["id"]
    bad = client.post(
        "/v1/jobs",
        json={
            "kind": "match",
            "mentors": [{"id": "m", "capacity": f"{SENTINEL}"}],
            "mentees": body["mentees"],
        },
    )
    assert bad.status_code == 422  # refused at submission, with the problem located
    run_queued(client)
    assert client.get(f"/v1/jobs/{job}").json()["status"] == "succeeded"
    listing = client.get("/v1/jobs").text
    events = client.get(f"/v1/jobs/{job}/events").text
    client.put("/v1/programs/p", json={"mentors": body["mentors"]})
    client.post("/v1/programs/p/suggest", json={"mentee": body["mentees"][0]})
    out, err = capfd.readouterr()
    for text in (caplog.text, out, err, listing, events):
        assert SENTINEL not in text
    # the caller who sent them gets them back in its own result and errors
    assert SENTINEL in client.get(f"/v1/jobs/{job}/files/pairs.csv").text
    assert SENTINEL in bad.text
