"""End to end and faults on real processes: ``matcher serve`` on a free loopback port.

Cancel within 2 s, kill -9 of a worker (interrupted, then retry), restart with jobs queued,
16 jobs at once, and the CLI's pairs.csv byte for byte.
"""

from __future__ import annotations

import json
import os
import signal
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

AMN = SCENARIOS / "amn-pain-addiction"


class Serve:
    """``matcher serve`` as a child process of the test."""

    def __init__(self, data_dir: Path, env: dict[str, str] | None = None) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "MATCHER_HEARTBEAT_TIMEOUT_S": "5",
            **(env or {}),
        }
        self.log = data_dir.parent / f"serve-{self.port}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> Serve:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "matcher",
                "serve",
                "--port",
                str(self.port),
                "--data-dir",
                str(self.data_dir),
            ],
            env=self.env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/readyz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            assert self.proc.poll() is None, self.log.read_text()
            time.sleep(0.2)
        raise AssertionError("matcher serve did not start:\n" + self.log.read_text())

    def worker_pid(self) -> int:
        assert self.proc is not None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
            pids = [int(p) for p in children.read_text().split()]
            for pid in pids:
                cmd = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
                if b"worker" in cmd:
                    return pid
            time.sleep(0.2)
        raise AssertionError("no worker process")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def get(self, path: str) -> Any:
        return httpx.get(self.url + path, timeout=30)

    def post(self, path: str, **kw: Any) -> Any:
        return httpx.post(self.url + path, timeout=60, **kw)

    def wait(self, job: str, statuses: tuple[str, ...], timeout: float = 120) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            info: dict[str, Any] = self.get(f"/v1/jobs/{job}").json()
            if info["status"] in statuses:
                return info
            time.sleep(0.1)
        raise AssertionError(f"job {job} never reached {statuses}: {info}")


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Serve]:
    s = Serve(tmp_path / "data").start()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def long_program(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A programme whose fair matching takes several seconds."""
    return write_synthetic(tmp_path_factory.mktemp("long"), 3000, 600, seed=1)


def _upload(folder: Path) -> dict[str, Any]:
    files = {
        "mentors": ("mentors.csv", (folder / "mentors.csv").read_bytes()),
        "mentees": ("mentees.csv", (folder / "mentees.csv").read_bytes()),
    }
    if (folder / "program.toml").exists():
        files["config"] = ("program.toml", (folder / "program.toml").read_bytes())
    return files


def _submit(s: Serve, folder: Path, **data: str) -> str:
    r = s.post("/v1/jobs", files=_upload(folder), data={"kind": "match", **data})
    assert r.status_code == 202, r.text
    job: str = r.json()["id"]
    return job


def test_end_to_end_multipart_events_and_cli_bytes(serve: Serve, tmp_path: Path) -> None:
    job = _submit(serve, AMN)
    phases = []
    with httpx.stream("GET", f"{serve.url}/v1/jobs/{job}/events", timeout=120) as events:
        for line in events.iter_lines():
            if line.startswith("data: "):
                info = json.loads(line[6:])
                phases.append(info["progress"]["phase"])
    assert info["status"] == "succeeded", info
    assert phases[-1] == "succeeded"
    assert cli_main(["match", str(AMN), "-o", str(tmp_path / "cli"), "--quiet"]) == 0
    for name in ("pairs.csv", "unmatched.csv"):
        got = serve.get(f"/v1/jobs/{job}/files/{name}").content
        assert got == (tmp_path / "cli" / name).read_bytes(), name
    summary = json.loads(serve.get(f"/v1/jobs/{job}/files/summary.json").content)
    cli = json.loads((tmp_path / "cli" / "summary.json").read_text())
    summary.pop("elapsed_s"), cli.pop("elapsed_s")
    assert summary == cli


def test_cancel_running_job_within_2s(serve: Serve, long_program: Path) -> None:
    job = _submit(serve, long_program, method="fair")
    serve.wait(job, ("running",))
    time.sleep(1.0)
    started = time.monotonic()
    r = serve.post(f"/v1/jobs/{job}/cancel")
    info = serve.wait(job, ("cancelled", "succeeded", "failed"), timeout=5)
    assert info["status"] == "cancelled", info
    assert time.monotonic() - started < 2.0
    assert r.status_code == 200
    # the worker is free again
    small = _submit(serve, AMN)
    assert serve.wait(small, ("succeeded", "failed"), timeout=60)["status"] == "succeeded"


def test_kill_worker_marks_interrupted_then_retry(serve: Serve, long_program: Path) -> None:
    job = _submit(serve, long_program, method="fair")
    serve.wait(job, ("running",))
    os.kill(serve.worker_pid(), signal.SIGKILL)
    info = serve.wait(job, ("interrupted",), timeout=30)
    assert "heartbeat" in info["error"]["message"]
    r = serve.post(f"/v1/jobs/{job}/retry")
    assert r.status_code == 202
    new = r.json()["id"]
    # serve starts a new worker; the retry runs to the end
    assert serve.wait(new, ("succeeded", "failed"), timeout=180)["status"] == "succeeded"


def test_restart_with_jobs_queued(tmp_path: Path, long_program: Path) -> None:
    first = Serve(tmp_path / "data").start()
    try:
        busy = _submit(first, long_program, method="fair")
        first.wait(busy, ("running",))
        queued = [_submit(first, AMN) for _ in range(3)]
        assert {first.get(f"/v1/jobs/{j}").json()["status"] for j in queued} == {"queued"}
    finally:
        first.stop()
    second = Serve(tmp_path / "data").start()
    try:
        for j in queued:
            assert second.wait(j, ("succeeded", "failed"), timeout=120)["status"] == "succeeded"
        info = second.wait(busy, ("interrupted", "succeeded"), timeout=30)
        assert info["status"] == "interrupted"
        assert info["error"]["message"]
    finally:
        second.stop()


def test_sixteen_jobs_at_once(serve: Serve) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(16) as pool:
        jobs = list(pool.map(lambda _: _submit(serve, AMN), range(16)))
    assert len(set(jobs)) == 16
    pairs = set()
    for job in jobs:
        assert serve.wait(job, ("succeeded", "failed"), timeout=300)["status"] == "succeeded"
        pairs.add(serve.get(f"/v1/jobs/{job}/files/pairs.csv").content)
    assert len(pairs) == 1  # the same inputs give the same bytes


def test_serve_refuses_public_host_without_token(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("MATCHER_TOKEN", "MATCHER_TOKENS_FILE")}
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "matcher",
            "serve",
            "--host",
            "0.0.0.0",
            "--data-dir",
            str(tmp_path),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 2
    assert "--insecure" in r.stderr


def test_geriatrics_replay_same_through_the_service(serve: Serve) -> None:
    script = SCENARIOS / "geriatrics-consult" / "replay.py"
    library = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, check=True, timeout=300
    )
    service = subprocess.run(
        [sys.executable, str(script), "--url", serve.url],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    assert library.stdout == service.stdout
    assert library.stdout.rstrip().endswith("routed 150 of 150 cases")
