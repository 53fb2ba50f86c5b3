"""Groups at scale: matcher's ``groups`` method on synthetic peer-led group programmes.

    python benchmarks/groups.py               # 1000, 10000, 20000 members + the scenario
    python benchmarks/groups.py --members 20000 --repeat 3

Each size: ``matcher scenario synthetic --groups --mentees N --seed S`` writes the programme
once (kept in ``--cache``); ``matcher match`` runs it in a fresh process under ``/usr/bin/time``
(wall, user + system CPU, peak RSS of the process). Objective, bound and gap come from its
``summary.json``; the 1-minute load average is recorded when each run starts. The shipped
``genetic-counselling-supervision`` scenario (30 members, exact path, 20 s budget) is measured
the same way. ``benchmarks/run.py --methods groups`` adds the same row to its tables, with the
instance's mentees as members.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SCENARIO = ROOT / "scenarios" / "genetic-counselling-supervision"


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def programme(members: int, seed: int, cache: Path) -> Path:
    """The synthetic group programme of ``members`` members (written once, then reused)."""
    folder = cache / f"groups-{members}-s{seed}"
    if not (folder / "program.toml").exists():
        shutil.rmtree(folder, ignore_errors=True)
        cmd = [sys.executable, "-m", "matcher", "scenario", "synthetic", "--groups"]
        cmd += ["--mentees", str(members), "--seed", str(seed), "-o", str(folder)]
        subprocess.run(cmd, check=True, env=_env(), capture_output=True)
    return folder


def measure(folder: Path, timeout: float) -> dict[str, Any]:
    """One ``matcher match`` of ``folder`` in a fresh process: times, memory and summary."""
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="groups-bench-") as tmp:
        out, timing = Path(tmp) / "out", Path(tmp) / "time.txt"
        cmd = ["/usr/bin/time", "-f", "%e %U %S %M", "-o", str(timing)]
        cmd += [sys.executable, "-m", "matcher", "match", str(folder), "-o", str(out)]
        try:
            done = subprocess.run(cmd, env=_env(), capture_output=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return {"status": "timeout", "load_1m": load}
        if done.returncode != 0:
            return {"status": f"exit {done.returncode}", "load_1m": load}
        wall, user, system, rss_kb = timing.read_text().split()[-4:]
        summary = json.loads((out / "summary.json").read_text())
    objective, bound = float(summary["objective"]), float(summary["bound"])
    return {
        "status": "ok",
        "members": int(summary["mentees"]),
        "grouped": int(summary["grouped"]),
        "groups": int(summary["groups"]),
        "wall_s": float(wall),
        "solve_s": float(summary["elapsed_s"]),
        "cpu_s": float(user) + float(system),
        "peak_mb": int(rss_kb) / 1024,
        "objective": objective,
        "bound": bound,
        "gap": bound - objective,
        "gap_pct": 100 * (bound - objective) / bound if bound else 0.0,
        "engine": summary.get("engine"),
        "load_1m": load,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", default="1000,10000,20000", help="sizes, comma-separated")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=1, help="runs per size (all reported)")
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("--no-scenario", action="store_true", help="skip the shipped scenario")
    parser.add_argument(
        "--cache", default=str(Path(tempfile.gettempdir()) / "matcher-bench-groups")
    )
    parser.add_argument("--out", default=str(HERE / "results" / "groups.json"))
    args = parser.parse_args(argv)
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    targets = [(f"synthetic {n}", programme(n, args.seed, cache))
               for n in (int(x) for x in args.members.split(",") if x.strip())]  # fmt: skip
    if not args.no_scenario:
        targets.append(("genetic-counselling-supervision", SCENARIO))
    rows = []
    for name, folder in targets:
        for _ in range(args.repeat):
            row = {"instance": name, **measure(folder, args.timeout)}
            rows.append(row)
            print(json.dumps(row), flush=True)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(rows, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
