"""Service benchmarks: one-newcomer suggestions, synchronous throughput, job overhead.

    python benchmarks/service.py          # 20,000 mentors; AMN, 1/4/16 clients; 10,000 x 2,000 job
    python benchmarks/service.py --quick  # 2,000 mentors; fewer requests; 2,000 x 400 job

Needs ``pip install -e '.[service]'``.  Prints a Markdown table (results in benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

import matcher
from matcher import io as mio

ROOT = Path(__file__).resolve().parents[1]
AMN = ROOT / "scenarios" / "amn-pain-addiction"


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def suggestions(n_mentors: int, n_newcomers: int, tmp: Path) -> list[str]:
    folder = mio.write_synthetic(tmp / "pool", n_newcomers, n_mentors, seed=7)
    cfg = mio.load_config(folder / "program.toml")
    mentors, mentees = mio.load_program(folder / "mentors.csv", folder / "mentees.csv", cfg)
    started = time.perf_counter()
    pool = matcher.MentorPool(mentors.participants, config=cfg)
    build = time.perf_counter() - started
    pool.suggest(mentees.participants[0], top=5)  # warm
    times = []
    for person in mentees.participants:
        t = time.perf_counter()
        pool.suggest(person, top=5)
        times.append(1000 * (time.perf_counter() - t))
    # the same newcomers through matcher.suggest alone (encodes all mentors each call)
    alone = []
    for person in mentees.participants[:30]:
        t = time.perf_counter()
        matcher.suggest(mentors.participants, [person], config=cfg, top=5)
        alone.append(1000 * (time.perf_counter() - t))
    # over HTTP, in process (server side time reported by the route, and the round trip)
    from fastapi.testclient import TestClient

    from matcher.service import Settings, create_app

    app = create_app(Settings(data_dir=tmp / "svc"))
    server, trip = [], []
    with TestClient(app) as c:
        files = {
            "mentors": ("mentors.csv", (folder / "mentors.csv").read_bytes()),
            "config": ("program.toml", (folder / "program.toml").read_bytes()),
        }
        assert c.put("/v1/programs/bench", files=files).status_code == 200
        header = mio.read_table(folder / "mentees.csv")
        for row in header.rows:
            mentee = dict(zip(header.header, row, strict=False))
            t = time.perf_counter()
            r = c.post("/v1/programs/bench/suggest", json={"mentee": mentee, "top": 5})
            trip.append(1000 * (time.perf_counter() - t))
            server.append(r.json()["elapsed_ms"])
    lines = [
        f"| suggest, 1 newcomer, {n_mentors:,} mentors (library `MentorPool.suggest`) | "
        f"{_pct(times, 0.5):.1f} | {_pct(times, 0.95):.1f} | {_pct(times, 0.99):.1f} | "
        f"{len(times)} newcomers; pool built in {build:.2f} s |",
        f"| the same, `matcher.suggest` on one mentee (no pool) | {_pct(alone, 0.5):.1f} | "
        f"{_pct(alone, 0.95):.1f} | {_pct(alone, 0.99):.1f} | first {len(alone)} newcomers; "
        f"pool p50 {_pct(alone, 0.5) / _pct(times, 0.5):.0f}x faster |",
        f"| suggest over HTTP, server side (`elapsed_ms`) | {_pct(server, 0.5):.1f} | "
        f"{_pct(server, 0.95):.1f} | {_pct(server, 0.99):.1f} | in-process app |",
        f"| suggest over HTTP, round trip | {_pct(trip, 0.5):.1f} | {_pct(trip, 0.95):.1f} | "
        f"{_pct(trip, 0.99):.1f} | TestClient |",
    ]
    return lines


class Serve:
    def __init__(self, data: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "matcher",
                "serve",
                "--port",
                str(self.port),
                "--data-dir",
                str(data),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "MATCHER_SYNC_MAX_PAIRS": "100000000"},
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/readyz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError("serve did not start")

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(30)


def throughput(serve: Serve, clients: int, requests: int) -> str:
    files = {
        n.split(".")[0] if n != "program.toml" else "config": (n, (AMN / n).read_bytes())
        for n in ("mentors.csv", "mentees.csv", "program.toml")
    }

    def one(_: int) -> float:
        t = time.perf_counter()
        r = httpx.post(serve.url + "/v1/match", files=files, timeout=120)
        assert r.status_code == 200, r.text
        return time.perf_counter() - t

    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(one, range(clients)))  # warm
        started = time.perf_counter()
        lat = list(pool.map(one, range(requests)))
        wall = time.perf_counter() - started
    return (
        f"| sync `POST /v1/match`, AMN (14 x 386), {clients} concurrent clients | "
        f"{1000 * _pct(lat, 0.5):.0f} | {1000 * _pct(lat, 0.95):.0f} | "
        f"{1000 * _pct(lat, 0.99):.0f} |"
        f" {requests / wall:.1f} matches/s over {requests} requests |"
    )


def job_overhead(serve: Serve, n_e: int, n_m: int, tmp: Path) -> str:
    folder = mio.write_synthetic(tmp / "big", n_e, n_m, seed=0)
    matcher.match(  # warm: the compiled kernel loads from (or is written to) numba's cache
        folder / "mentors.csv", folder / "mentees.csv", config=folder / "program.toml"
    )
    t = time.perf_counter()
    result = matcher.match(
        folder / "mentors.csv", folder / "mentees.csv", config=folder / "program.toml"
    )
    result.write(tmp / "lib-out")
    library = time.perf_counter() - t
    files = {
        "mentors": ("mentors.csv", (folder / "mentors.csv").read_bytes()),
        "mentees": ("mentees.csv", (folder / "mentees.csv").read_bytes()),
        "config": ("program.toml", (folder / "program.toml").read_bytes()),
    }
    t = time.perf_counter()
    job = httpx.post(
        serve.url + "/v1/jobs", files=files, data={"kind": "match"}, timeout=120
    ).json()["id"]
    while True:
        info = httpx.get(f"{serve.url}/v1/jobs/{job}", timeout=30).json()
        if info["status"] not in ("queued", "running"):
            break
        time.sleep(0.05)
    pairs = httpx.get(f"{serve.url}/v1/jobs/{job}/files/pairs.csv", timeout=60).content
    total = time.perf_counter() - t
    assert info["status"] == "succeeded", info
    same = pairs == (tmp / "lib-out" / "pairs.csv").read_bytes()
    return (
        f"| job {n_e:,} x {n_m:,}: upload, queue, run, download pairs.csv | "
        f"{total:.2f} s | library {library:.2f} s | overhead {total - library:+.2f} s |"
        f" pairs.csv identical: {same} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--suggest-only", action="store_true", help="only the one-newcomer suggestions"
    )
    args = parser.parse_args()
    n_mentors, newcomers = (2000, 100) if args.quick else (20000, 300)
    big = (2000, 400) if args.quick else (10000, 2000)
    requests = 16 if args.quick else 64
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        print("| measure | p50 (ms) | p95 (ms) | p99 (ms) | notes |")
        print("|---|---|---|---|---|")
        for line in suggestions(n_mentors, newcomers, tmp):
            print(line, flush=True)
        if args.suggest_only:
            return
        serve = Serve(tmp / "serve")
        try:
            for clients in (1, 4, 16):
                print(throughput(serve, clients, requests), flush=True)
            print(job_overhead(serve, *big, tmp), flush=True)
        finally:
            serve.stop()


if __name__ == "__main__":
    main()
