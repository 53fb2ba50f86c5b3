"""The [equity] rule on the certified sparse path against the rule on every allowed pair, same
programme, one process each: ``python dense_check.py FOLDER sparse|dense [optimal|fair]``.
Prints one JSON line (CPU and wall of ``matcher.match``, peak RSS, the answer's figures)."""

import json
import resource
import sys
import time
from pathlib import Path

import matcher

folder, path = Path(sys.argv[1]), sys.argv[2]
method = sys.argv[3] if len(sys.argv) > 3 else "optimal"
cpu, wall = time.process_time(), time.perf_counter()
r = matcher.match(
    folder / "mentors.csv",
    folder / "mentees.csv",
    config=folder / "program.toml",
    sparse=None if path == "sparse" else False,
    method=method,
)
st = r.summary_extra["solver"]
rule = r.equity_rule or {}
figures = {
    "path": path,
    "cpu": round(time.process_time() - cpu, 2),
    "wall": round(time.perf_counter() - wall, 2),
    "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
    "objective": r.objective,
    "bound": r.bound,
    "places": len(r.pairs),
    "matched": r.matched,
    "floors": st.get("floors"),
    "floor": st.get("floor"),
    "lowest_rate": st.get("lowest_rate"),
    "overall_rate": st.get("overall_rate"),
    "rule": rule.get("lowest_rate"),
    "cuts": st.get("cut_rounds"),
    "cost_rounds": st.get("cost_rounds"),
    "added": [st.get("pairs_added_by_cuts"), st.get("pairs_added_by_certificate")],
}
print(json.dumps(figures))
