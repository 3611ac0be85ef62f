#!/usr/bin/env bash
# bench/scripts/coordinator_side_by_side.sh OLD_MAPREDUCE [REPS]: coordinator
# throughput (the input and command of coordinator.sh, no checkpoint) of an
# older build against this one at -n 3 and -n 5, alternating which goes first,
# REPS times (default 5). Prints each pair and the medians; run coordinator.sh
# once first (it makes the input).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
old=${1:?usage: coordinator_side_by_side.sh OLD_MAPREDUCE [REPS]}
reps=${2:-5}
new=$root/build/mapreduce
dir=${BENCH_DIR:-/tmp/mr-bench}/coordinator
[ -s "$dir/tasks.h5" ] || { echo "no $dir/tasks.h5: run bench/scripts/coordinator.sh first" >&2; exit 1; }
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 # bench only
cd "$dir"
: >side_by_side.tsv
for rep in $(seq 1 "$reps"); do
  order=(old new)
  [ $((rep % 2)) = 0 ] && order=(new old)
  for n in 3 5; do
    for v in "${order[@]}"; do
      bin=$old
      [ "$v" = new ] && bin=$new
      mpirun --oversubscribe --mca pml ob1 --mca btl self,vader -n $n "$bin" run wordcount \
        -i tasks.h5 -o "out-$v.h5" --overwrite -q --split-size 1k --report "r-$v.json"
      /usr/bin/python3 -c '
import json, sys
r = json.load(open(sys.argv[3]))
c = [p for p in r["timeline"][0]["phases"] if p["name"] == "coordinate"][0]
s = c["end"] - c["begin"]
print(sys.argv[1], sys.argv[2], "%.0f" % (r["tasks"] / s), "%.2f" % r["coordinator_cpu_seconds"], sep="\t")' \
        "$v" "$n" "r-$v.json" | tee -a side_by_side.tsv
    done
  done
done
/usr/bin/python3 - <<'PY'
import statistics
rows = [l.split("\t") for l in open("side_by_side.tsv").read().splitlines()]
for n in ("3", "5"):
    rate = {v: [float(r[2]) for r in rows if r[0] == v and r[1] == n] for v in ("old", "new")}
    cpu = {v: [float(r[3]) for r in rows if r[0] == v and r[1] == n] for v in ("old", "new")}
    pairs = [b / a for a, b in zip(rate["old"], rate["new"])]
    print("-n %s: tasks/s old %.0f new %.0f; new/old per pair %s (median %.3f); rank 0 CPU s old %.2f new %.2f"
          % (n, statistics.median(rate["old"]), statistics.median(rate["new"]),
             " ".join("%.3f" % p for p in pairs), statistics.median(pairs),
             statistics.median(cpu["old"]), statistics.median(cpu["new"])))
PY
