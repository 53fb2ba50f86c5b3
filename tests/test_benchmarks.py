"""Smoke test of the benchmark harness on a tiny instance (no timing assertions)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

RUN = Path(__file__).resolve().parents[1] / "benchmarks" / "run.py"
EXACT = ("matcher", "matcher-dense", "ortools-dense-solve")
# networkx is left out: its pure-Python blossom takes ~8 s even at 200x40
METHODS = [*EXACT, "scipy-lsa", "greedy"]
if importlib.util.find_spec("matching") is not None:  # a peer, not a dependency
    METHODS.append("matching-hr")


def test_benchmark_harness_runs_on_a_tiny_instance(tmp_path: Path) -> None:
    out = tmp_path / "results"
    done = subprocess.run(
        [
            sys.executable,
            str(RUN),
            "--quick",
            "--out",
            str(out),
            "--cache",
            str(tmp_path / "cache"),
            "--methods",
            ",".join(METHODS),
            "--timeout",
            "120",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, (done.stdout + done.stderr)[-2000:]
    for name in ("results.csv", "results.json", "results.md"):
        assert (out / name).is_file(), name
    if importlib.util.find_spec("matplotlib") is not None:
        assert (out / "time_vs_size.png").is_file()

    doc = json.loads((out / "results.json").read_text())
    assert doc["machine"]["python"]
    rows = doc["rows"]
    assert {r["method"] for r in rows} == {"scoring (shared by peers)", *METHODS}
    ran = {r["method"]: r for r in rows if r["status"] == "ok" and r["method"] in METHODS}
    assert set(EXACT) | {"greedy"} <= set(ran)
    for r in ran.values():
        assert r["valid"] is True, r  # allowed pairs only, capacities respected
        assert r["objective"] >= 0, r
        assert 0 <= r["matched"] <= r["places"], r

    best = ran["matcher-dense"]
    for method in EXACT:  # the exact methods agree on the lexicographic optimum
        assert ran[method]["objective"] == pytest.approx(best["objective"], rel=1e-9, abs=1e-9)
        assert (ran[method]["places"], ran[method]["matched"]) == (
            best["places"],
            best["matched"],
        )
    for r in ran.values():  # nothing fills more places than the optimum
        assert r["places"] <= best["places"], r
    assert ran["greedy"]["objective"] <= best["objective"] + 1e-9
    assert all(info["exact_agree"] for info in doc["instances"].values())


def test_the_groups_row_runs_matcher_groups_on_a_group_programme(tmp_path: Path) -> None:
    out = tmp_path / "results"
    cmd = [sys.executable, str(RUN), "--quick", "--out", str(out), "--cache", str(tmp_path)]
    done = subprocess.run(
        [*cmd, "--methods", "groups", "--timeout", "300"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, (done.stdout + done.stderr)[-2000:]
    rows = json.loads((out / "results.json").read_text())["rows"]
    (row,) = [r for r in rows if r["method"] == "groups"]
    assert row["status"] == "ok", row
    assert row["stats"]["engine"] == "blocks+greedy"  # 200 members: above max_exact_members
    assert 0 < row["objective"] <= row["stats"]["bound"]
    assert 0 < row["matched"] <= 200
    assert row["cpu_s"] > 0 and row["peak_mb"] > 0
