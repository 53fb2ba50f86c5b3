"""The store and the queue on every backend: SQLite always, PostgreSQL and Redis when reachable
(``pytest`` prints which in its header; ``.ci/run`` too)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from matcher.service import Settings, Store
from matcher.service import _worker as worker

from .conftest import POSTGRES_URL, REDIS_URL, SCENARIOS, postgres_ok, redis_ok, unique

AMN = SCENARIOS / "amn-pain-addiction"


def test_store_job_lifecycle(db_url: str) -> None:
    store = Store(db_url)
    tenant = unique()
    job = store.submit(tenant, "match", {"seed": 1}, {"mentors/m.csv": b"id\nm1\n"})
    assert store.get(job, tenant).status == "queued"  # type: ignore[union-attr]
    assert store.get(job, "someone-else") is None
    assert store.claim(job, "w1") is True
    assert store.claim(job, "w2") is False  # exactly one worker gets it
    store.progress(job, "scoring", 0.5)
    view = store.get(job)
    assert view is not None and (view.phase, view.fraction) == ("scoring", 0.5)
    assert store.finish(job, "succeeded", summary={"matched": 1}, outputs={"pairs.csv": b"x"})
    assert store.finish(job, "failed") is False  # an ended job stays ended
    assert store.job_file(job, "pairs.csv") == b"x"
    assert store.get(job).summary == {"matched": 1}  # type: ignore[union-attr]
    assert [j.id for j in store.jobs(tenant)] == [job]
    store.delete(job)
    assert store.get(job) is None and store.job_inputs(job) == {}
    store.dispose()


def test_store_cancel_reap_and_purge(db_url: str) -> None:
    store = Store(db_url)
    tenant = unique()
    queued = store.submit(tenant, "match", {}, {})
    assert store.request_cancel(queued) == "cancelled"
    running = store.submit(tenant, "match", {}, {})
    store.claim(running, "w")
    assert store.request_cancel(running) == "cancelled"
    assert store.cancel_requested(running)  # its worker kills the run
    assert store.finish(running, "succeeded") is False  # and the run records nothing more
    running = store.submit(tenant, "match", {}, {})
    store.claim(running, "w")
    time.sleep(0.05)
    assert running in store.reap(0.01)
    view = store.get(running)
    assert view is not None and view.status == "interrupted"
    assert "heartbeat" in (view.error or {})["message"]
    assert store.purge(-1) >= 3
    assert store.jobs(tenant) == []
    store.dispose()


def test_store_programs(db_url: str) -> None:
    store = Store(db_url)
    tenant = unique()
    assert store.put_program(tenant, "p", {"mentors/m.csv": b"id\nm1\n"}, [("e1", "m1")]) == 1
    assert store.put_program(tenant, "p", {"mentors/m.csv": b"id\nm1\n"}, []) == 2
    assert store.program_pairs(tenant, "p") == []
    assert store.add_program_pair(tenant, "p", "e1", "m1")
    assert store.program_pairs(tenant, "p") == [("e1", "m1")]
    assert store.remove_program_pair(tenant, "p", "e1", "m1")
    assert store.program_version("other", "p") is None
    assert store.delete_program(tenant, "p")
    assert store.program_inputs(tenant, "p") == {}
    store.dispose()


def test_programs_fall_under_retention_by_last_use(db_url: str) -> None:
    store = Store(db_url)
    tenant = unique()
    store.put_program(tenant, "old", {"mentors/m.csv": b"id\nm1\n"}, [("e1", "m1")])
    store.put_program(tenant, "used", {"mentors/m.csv": b"id\nm1\n"}, [])
    time.sleep(0.05)
    store.touch_program(tenant, "used")  # a suggestion
    assert (tenant, "old") in store.purge_programs(0.03)
    assert store.program_version(tenant, "old") is None
    assert store.program_inputs(tenant, "old") == {}
    assert store.program_pairs(tenant, "old") == []
    assert store.program_version(tenant, "used") == 1  # used since: kept
    assert (tenant, "used") in store.purge_programs(-1)
    assert store.program_inputs(tenant, "used") == {}
    store.dispose()


def test_sqlite_store_overwrites_deleted_rows(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'jobs.db'}")
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
    secret = b"SENTINEL-PROFILE-7f3a"
    store.put_program("t", "p", {"mentors/m.csv": b"id,notes\nm1," + secret + b"\n"}, [])
    job = store.submit("t", "match", {}, {"mentees/e.csv": b"id,notes\ne1," + secret + b"\n"})
    store.delete_program("t", "p")
    store.delete(job)
    with store.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    store.dispose()
    for f in tmp_path.iterdir():
        assert secret not in f.read_bytes(), f.name


def test_queue_runs_a_job(queue_url: str, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", queue=queue_url)
    settings.data_dir.mkdir(parents=True)
    store = Store(settings.db_url())
    huey, task = worker.make_queue(settings)
    huey.flush()
    inputs = {
        f"{r}/{n}": (AMN / n).read_bytes()
        for r, n in (
            ("mentors", "mentors.csv"),
            ("mentees", "mentees.csv"),
            ("config", "program.toml"),
        )
    }
    job = store.submit("t", "match", {}, inputs)
    task(job)
    assert huey.pending_count() == 1
    worker._STATE.update(store=store, settings=settings)
    huey.execute(huey.dequeue())
    view = store.get(job)
    assert view is not None and view.status == "succeeded", view
    assert store.job_file(job, "pairs.csv")
    store.dispose()


@pytest.mark.skipif(not (postgres_ok() and redis_ok()), reason="PostgreSQL and Redis not both up")
def test_postgres_and_redis_with_a_worker_process(tmp_path: Path) -> None:
    """The several-machines set-up: API and a separate `matcher worker` share PostgreSQL+Redis."""
    from fastapi.testclient import TestClient

    from matcher.service import create_app

    env = {
        **os.environ,
        "MATCHER_DB": POSTGRES_URL,
        "MATCHER_QUEUE": REDIS_URL,
        "MATCHER_DATA_DIR": str(tmp_path / "worker"),
    }
    settings = Settings(data_dir=tmp_path / "api", db=POSTGRES_URL, queue=REDIS_URL)
    huey, _ = worker.make_queue(settings)
    huey.flush()
    proc = subprocess.Popen(
        [sys.executable, "-m", "matcher", "worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with TestClient(create_app(settings)) as c:
            files = {
                "mentors": ("mentors.csv", (AMN / "mentors.csv").read_bytes()),
                "mentees": ("mentees.csv", (AMN / "mentees.csv").read_bytes()),
            }
            job = c.post("/v1/jobs", files=files, data={"kind": "match"}).json()["id"]
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                info = c.get(f"/v1/jobs/{job}").json()
                if info["status"] not in ("queued", "running"):
                    break
                time.sleep(0.2)
            assert info["status"] == "succeeded", info
            assert c.get(f"/v1/jobs/{job}/files/pairs.csv").content.startswith(b"mentee_id")
            assert c.delete(f"/v1/jobs/{job}").status_code == 204
    finally:
        proc.terminate()
        proc.wait(20)
