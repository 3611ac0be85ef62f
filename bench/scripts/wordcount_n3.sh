#!/usr/bin/env bash
# bench/scripts/wordcount_n3.sh [REPS]: the 1 GiB Zipf word count of bench/scripts/wordcount.sh,
# ours against MR-MPI at -n 3 only (that script's full table, with MR-MPI's
# four variants, takes ~45 minutes here). Side by side, order alternating;
# prints each run and the medians. Needs bench/scripts/wordcount.sh's corpus (run it
# once) and a Release build in build/.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
reps=${1:-3}
dir=${BENCH_DIR:-/tmp/mr-bench}
mrmpi=$root/build/bench/mrmpi_wordcount
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 # bench only
[ -s "$dir/corpus.h5" ] || { echo "run bench/scripts/wordcount.sh first (it makes the corpus)" >&2; exit 1; }
[ -x "$mrmpi" ] || { echo "no $mrmpi (MR-MPI is built with the benchmarks)" >&2; exit 1; }
cd "$dir"
texts=(part[1-8].txt)
log=n3-runs.tsv
: >"$log"
for rep in $(seq 1 "$reps"); do
  order=(ours mrmpi)
  [ $((rep % 2)) = 0 ] && order=(mrmpi ours)
  for what in "${order[@]}"; do
    t0=$(date +%s.%N)
    if [ "$what" = ours ]; then
      mpirun --oversubscribe -n 3 "$root/build/mapreduce" run wordcount -i corpus.h5 \
        -o n3-ours.h5 --overwrite -q --report "n3-ours-$rep.json"
    else
      mpirun --oversubscribe -n 3 "$mrmpi" "${texts[@]}" >"n3-mrmpi-$rep.txt"
    fi
    printf '%s\t%s\n' "$what" "$(awk -v a="$(date +%s.%N)" -v b="$t0" 'BEGIN { print a - b }')" |
      tee -a "$log"
  done
done
/usr/bin/python3 - "$log" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    name, s = line.split()
    runs.setdefault(name, []).append(float(s))
med = {k: statistics.median(v) for k, v in runs.items()}
print("medians: ours %.2f s, MR-MPI %.2f s: %.1fx" % (med["ours"], med["mrmpi"], med["mrmpi"] / med["ours"]))
PY
