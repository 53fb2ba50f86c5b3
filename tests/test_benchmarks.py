"""Smoke test of the benchmark harness on a tiny instance (no timing assertions)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

RUN = Path(__file__).resolve().parents[1] / "benchmarks" / "run.py"


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
            "matcher,matcher-dense,ortools-dense-solve,scipy-lsa,greedy",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    for name in ("results.csv", "results.json", "results.md"):
        assert (out / name).is_file()
    rows = json.loads((out / "results.json").read_text())
    rows = rows["rows"] if isinstance(rows, dict) else rows
    ran = {r["method"]: r for r in rows if r.get("status") == "ok" and r.get("objective")}
    assert {"matcher", "matcher-dense", "ortools-dense-solve", "greedy"} <= set(ran)
    best = ran["matcher-dense"]["objective"]
    for method in ("matcher", "ortools-dense-solve"):  # exact methods agree
        assert ran[method]["objective"] == pytest.approx(best, rel=1e-9)
    assert ran["greedy"]["objective"] <= best + 1e-9  # a heuristic never beats the optimum
    assert all(r["objective"] >= 0 for r in ran.values())
