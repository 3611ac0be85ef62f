#!/usr/bin/env bash
# bench/scripts/pipeline_stages.sh [REPS]: the fixed cost of one more stage
# in a pipeline launch, against a launch a stage. Word count of the samples
# (2.6 KB) at -n 3: a pipeline of 1 stage and one of 21 stages, REPS times
# each (default 5), alternating; cost a stage = (T21 - T1) / 20 from the
# medians. And one `mpirun ... run` of the same stage, for scale.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
reps=${1:-5}
bin=$root/build/mapreduce
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 # bench only
"$bin" import -o in.h5 "$root/samples" >/dev/null 2>&1
echo "wordcount -i in.h5 -o out0.h5 --overwrite" >p1.txt
for i in $(seq 0 20); do echo "wordcount -i in.h5 -o out$i.h5 --overwrite"; done >p21.txt
now() { date +%s.%N; }
: >times.tsv
for rep in $(seq 1 "$reps"); do
  for what in p1 p21 run; do
    t0=$(now)
    if [ "$what" = run ]; then
      mpirun --oversubscribe -n 3 "$bin" run wordcount -i in.h5 -o one.h5 --overwrite -q
    else
      mpirun --oversubscribe -n 3 "$bin" pipeline "$what.txt" -q
    fi
    echo -e "$what\t$(echo "$(now) - $t0" | bc)" >>times.tsv
  done
done
BENCH_SCRIPTS=$root/bench/scripts /usr/bin/python3 - times.tsv <<'PY'
import os, sys
sys.path.insert(0, os.environ["BENCH_SCRIPTS"])
from timings import medians
t, m = medians(sys.argv[1])
print("medians of %d: 1 stage %.3f s, 21 stages %.3f s, one mpirun run %.3f s"
      % (len(t["p1"]), m["p1"], m["p21"], m["run"]))
print("one more stage in a launch: %.1f ms; one more launch: %.0f ms"
      % (1000 * (m["p21"] - m["p1"]) / 20, 1000 * m["run"]))
PY
