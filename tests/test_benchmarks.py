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
METHODS = [
    "matcher",
    "matcher-dense",
    "ortools-dense-solve",
    "scipy-lsa",
    "networkx",
    "matching-hr",
    "greedy",
]


@pytest.mark.skipif(not RUN.exists(), reason="benchmarks/run.py is not in this checkout")
def test_quick_benchmark_runs_and_exact_methods_agree(tmp_path: Path) -> None:
    methods = [
        m for m in METHODS if m != "matching-hr" or importlib.util.find_spec("matching") is not None
    ]
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
            ",".join(methods),
            "--timeout",
            "120",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    for name in ("results.csv", "results.json", "results.md"):
        assert (out / name).is_file(), name
    if importlib.util.find_spec("matplotlib") is not None:
        assert (out / "time_vs_size.png").is_file()

    doc = json.loads((out / "results.json").read_text())
    assert doc["machine"]["python"]
    rows = doc["rows"]
    assert {r["method"] for r in rows} == {"scoring (shared by peers)", *methods}
    solved = [r for r in rows if r["status"] == "ok" and r["method"] in methods]
    assert {r["method"] for r in solved} >= set(EXACT) | {"greedy"}
    for r in solved:
        assert r["valid"] is True, r
        assert r["objective"] >= 0, r
        assert 0 <= r["matched"] <= r["places"], r
    exact = [r for r in solved if r["method"] in EXACT]
    best = max(r["objective"] for r in exact)
    for r in exact:
        assert abs(r["objective"] - best) <= 1e-9 * max(abs(best), 1.0), r
        assert r["places"] == exact[0]["places"] and r["matched"] == exact[0]["matched"], r
    for r in solved:  # no method beats the exact optimum on places filled
        assert r["places"] <= exact[0]["places"], r
    assert all(info["exact_agree"] for info in doc["instances"].values())
