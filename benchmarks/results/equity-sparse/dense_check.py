"""The dense rule on every allowed pair against the sparse one, same programme (objective, floors)."""
import json, sys, time, resource
from pathlib import Path
import matcher
folder, sparse = Path(sys.argv[1]), sys.argv[2] == "sparse"
t = time.process_time(); w = time.perf_counter()
r = matcher.match(folder / "mentors.csv", folder / "mentees.csv", config=folder / "program.toml", sparse=None if sparse else False, method=sys.argv[3] if len(sys.argv) > 3 else "optimal")
st = r.summary_extra["solver"]
print(json.dumps({"path": sys.argv[2], "cpu": round(time.process_time() - t, 2), "wall": round(time.perf_counter() - w, 2), "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, "objective": r.objective, "bound": r.bound, "places": len(r.pairs), "matched": r.matched, "floors": st.get("floors"), "floor": st.get("floor"), "lowest_rate": st.get("lowest_rate"), "overall_rate": st.get("overall_rate"), "rule": r.equity_rule["lowest_rate"], "cuts": st.get("cut_rounds"), "cost_rounds": st.get("cost_rounds"), "added": [st.get("pairs_added_by_cuts"), st.get("pairs_added_by_certificate")]}))
