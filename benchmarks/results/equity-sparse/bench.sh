#!/bin/bash
# alternate fresh processes: plain sparse optimal, equalise, min_share; CPU = user + sys
cd /tmp/eqb
run() {  # name dir extra...
  local name=$1 dir=$2; shift 2
  local l; l=$(uptime | sed 's/.*average: //')
  /usr/bin/time -f "%e %U %S %M" -o /tmp/eqb/t.$$ env PYTHONPATH=/work/wt-eqsparse /work/venv/bin/python -m matcher match "$dir" -o "out-$name" --quiet "$@" > "log-$name.txt" 2>&1
  local rc=$?
  read w u s m < <(tail -1 /tmp/eqb/t.$$)
  local obj; obj=$(python3 -c "import json;d=json.load(open('out-$name/summary.json'));print(d['objective'],d['bound'],d['matched'],d.get('equity',{}).get('rule',{}).get('lowest_rate'))" 2>/dev/null)
  echo "$(date -u +%H:%M:%S) $name rc=$rc wall=$w cpu=$(python3 -c "print(round($u+$s,2))") user=$u sys=$s rss_mb=$((m/1024)) load=[$l] $obj" | tee -a /tmp/eqb/results.txt
}
size=$1; reps=$2; shift 2
for r in $(seq 1 "$reps"); do
  run "plain-$size-$r" "plain-$size"
  run "equalise-$size-$r" "equalise-$size"
  run "share-$size-$r" "share-$size"
  for extra in "$@"; do run "$extra-$size-$r" "${extra#fair-}-$size" --method fair; done
done
