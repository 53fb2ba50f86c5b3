"""The per-job time limit: a method that cannot stop early fails with a clear message."""

from __future__ import annotations

import time
from pathlib import Path

from fastapi.testclient import TestClient

from matcher.io import write_synthetic
from matcher.service import Settings, create_app
from matcher.service._worker import supervise


def test_time_limit_fails_with_a_clear_message(tmp_path: Path) -> None:
    folder = write_synthetic(tmp_path / "long", 3000, 600, seed=1)
    settings = Settings(data_dir=tmp_path / "data", job_time_limit_s=1.0)
    with TestClient(create_app(settings)) as c:
        files = {
            n.split(".")[0]: (n, (folder / n).read_bytes()) for n in ("mentors.csv", "mentees.csv")
        }
        job = c.post("/v1/jobs", files=files, data={"kind": "match", "method": "fair"}).json()["id"]
        state = c.app.state.matcher  # type: ignore[attr-defined]
        started = time.monotonic()
        supervise(state.store, state.settings, job)
        assert time.monotonic() - started < 6
        info = c.get(f"/v1/jobs/{job}").json()
    assert info["status"] == "failed"
    assert info["error"]["title"] == "time limit exceeded"
    assert "MATCHER_JOB_TIME_LIMIT_S" in info["error"]["message"]
