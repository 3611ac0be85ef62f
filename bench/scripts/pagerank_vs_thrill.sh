#!/usr/bin/env bash
# bench/scripts/pagerank_vs_thrill.sh [SCALE] [ITERATIONS] [REPS]: our
# pagerank against Thrill's examples/page_rank on the same R-MAT graph
# (mr_gen_data rmat SCALE, 16 x 2^SCALE edges, seed 1; `u<TAB>v` numeric
# ids, which both read), the same iteration count (tolerance 0 for ours, so
# that it never stops early), 2 cores: ours at -n 3 (2 workers), Thrill as
# one process with 2 workers (its local mode). Medians of REPS (default 3)
# of the whole run, and of a run of 1 iteration: their difference over
# ITERATIONS - 1 is the time an iteration. Thrill is built by
# bench/scripts/peers.sh's procedure into $BENCH_DIR/peers (target
# page_rank_run). The two definitions differ: Thrill numbers pages 0..max
# id (isolated ids count in N) and drops the rank of pages without links;
# ours counts the nodes that occur and spreads D_t. The work an iteration
# is the same shape (every edge carries a share).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
scale=${1:-20}
iterations=${2:-10}
reps=${3:-3}
mr=$root/build/mapreduce
gen=$root/build/mr_gen_data
dir=${BENCH_DIR:-/tmp/mr-bench}
thrill=$dir/peers/thrill-build/examples/page_rank/page_rank_run
[ -x "$thrill" ] || { echo "Thrill's page_rank_run is not built at $thrill" >&2; exit 1; }
mkdir -p "$dir/pagerank"
cd "$dir/pagerank"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 # bench only
edges=$((16 << scale))
[ -s "rmat-$scale.tsv" ] || "$gen" rmat "$scale" "$edges" 1 >"rmat-$scale.tsv"
"$mr" import -o "rmat-$scale.h5" --overwrite "rmat-$scale.tsv" >/dev/null 2>&1
ls -l "rmat-$scale.tsv" | awk '{ printf "graph: %s, %d MB\n", $9, $5 / 1e6 }'
now() { date +%s.%N; }
: >times.tsv
# Each also with 1 iteration: (t(ITERATIONS) - t(1)) / (ITERATIONS - 1) is
# the time an iteration, without reading the graph and building it.
for rep in $(seq 1 "$reps"); do
  for its in "$iterations" 1; do
    t=$(now)
    mpirun --oversubscribe -n 3 "$mr" run pagerank -i "rmat-$scale.h5" -o ranks.h5 --overwrite \
      --param iterations="$its" --param tolerance=0 2>ours.log
    echo -e "ours$its\t$(echo "$(now) - $t" | bc)" >>times.tsv
    grep -q "$its iteration(s)" ours.log || { cat ours.log; exit 1; }
    t=$(now)
    THRILL_LOCAL=1 THRILL_WORKERS_PER_HOST=2 "$thrill" -n "$its" "rmat-$scale.tsv" \
      >thrill.log 2>&1
    echo -e "thrill$its\t$(echo "$(now) - $t" | bc)" >>times.tsv
  done
done
BENCH_SCRIPTS=$root/bench/scripts /usr/bin/python3 - times.tsv "$iterations" <<'PY'
import os, sys
sys.path.insert(0, os.environ["BENCH_SCRIPTS"])
from timings import medians
t, m = medians(sys.argv[1])
it = int(sys.argv[2])
for k in ("ours", "thrill"):
    whole, one = m[k + str(it)], m[k + "1"]
    per = (whole - one) / (it - 1) if it > 1 else float("nan")
    print("%-7s %7.2f s whole run (%d iterations), %.2f s with 1; an iteration %.3f s "
          "(medians of %d)" % (k, whole, it, one, per, len(t[k + "1"])))
print("thrill / ours, whole runs: %.2fx" % (m["thrill%d" % it] / m["ours%d" % it]))
PY
