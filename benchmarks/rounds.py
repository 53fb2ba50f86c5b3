"""CPU seconds by stage of `optimal`'s certified sparse path, with tuning to compare.

Runs ``matcher.match`` plus ``write`` on a programme folder in this process and prints one JSON
line: wall and CPU seconds, the CPU seconds of the OR-tools solves, the potentials, the pricing
and the repairs (summed over the certificate rounds), the load average, the objective and the
bound.  ``--options`` overrides fields of ``SparseOptions`` (a JSON object), so two settings can
be run alternately in fresh processes (``--first-round-slack`` tries a slack in round 1's
pricing, which the path gives none at national scale) and compared in the same minutes.  On a
shared host CPU seconds are steadier than wall seconds; compare both, with the load.

The stage timers wrap the functions the sparse loop calls (``matcher.engine._sparse``); the
path itself is unchanged.

    python benchmarks/rounds.py PROGRAMME OUT --options '{"later_active_slack": 150000}'
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import os
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import matcher
import matcher.engine._sparse as sparse

STAGES = {
    "solve_optimal": "solve",
    "flow_potentials": "potentials",
    "price": "pricing",
    "_reoptimize": "repair",
}


def _timed(name: str, f: Callable[..., Any], cpu: dict[str, float]) -> Callable[..., Any]:
    def run(*args: Any, **kwargs: Any) -> Any:
        started = time.process_time()
        try:
            return f(*args, **kwargs)
        finally:
            cpu[name] += time.process_time() - started

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("programme", help="folder with mentors.csv, mentees.csv, program.toml")
    parser.add_argument("out", help="folder the result is written to")
    parser.add_argument("--options", default="{}", help="SparseOptions fields, as JSON")
    parser.add_argument(
        "--first-round-slack",
        type=int,
        default=0,
        help="round 1's pricing slack above a million pairs (1e-6 units; the path's is 0)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log the rounds")
    args = parser.parse_args()
    if args.verbose:
        logging.basicConfig(level=logging.INFO, format="%(relativeCreated)8.0f %(message)s")
    overrides = json.loads(args.options)
    cpu: dict[str, float] = defaultdict(float)
    for name, stage in STAGES.items():
        setattr(sparse, name, _timed(stage, getattr(sparse, name), cpu))
    if args.first_round_slack:
        limits = sparse.pricing_limits

        def first_slack(n: int, top: int, rounds: int, o: sparse.SparseOptions) -> tuple[int, int]:
            per_row, slack = limits(n, top, rounds, o)
            return per_row, (args.first_round_slack if rounds == 1 else slack)

        sparse.pricing_limits = first_slack
    # the settings go in through the public API (``sparse=SparseOptions(...)``): patching
    # ``certified_optimal`` would not reach ``engine.assign``, whose ``certifier`` default is
    # bound when it is defined (so overrides given that way were silently ignored)
    tuning = dataclasses.replace(sparse.SparseOptions(), **overrides) if overrides else None
    folder = args.programme
    wall, started = time.perf_counter(), time.process_time()
    result = matcher.match(
        f"{folder}/mentors.csv",
        f"{folder}/mentees.csv",
        config=f"{folder}/program.toml",
        sparse=tuning,
    )
    result.write(args.out)
    with open(f"{args.out}/summary.json", encoding="utf-8") as f:
        summary = json.load(f)
    solver = summary.get("solver", {})
    stats = solver.get("stats", solver) if isinstance(solver, dict) else {}
    line = {
        "options": overrides,
        "first_round_slack": args.first_round_slack,
        "wall_s": round(time.perf_counter() - wall, 2),
        "cpu_s": round(time.process_time() - started, 2),
        "stage_cpu_s": {k: round(v, 2) for k, v in cpu.items()},
        "rounds": stats.get("certificate_rounds"),
        "rounds_repaired": stats.get("rounds_repaired"),
        "load": [round(x, 2) for x in os.getloadavg()],
        "objective": summary.get("objective"),
        "bound": summary.get("bound"),
        "gap": summary.get("gap"),
    }
    print(json.dumps(line))


if __name__ == "__main__":
    main()
