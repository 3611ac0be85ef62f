#!/usr/bin/env bash
# bench/scripts/old_vs_new.sh OLD_MAPREDUCE [REPS]: word count on the real-text
# corpus of real_text.sh (made here if missing), an older build against this
# one at -n 3, alternating which goes first, REPS times (default 7); prints
# each run and the medians (whole process, map, reduce), and checks that
# both outputs equal coreutils. For "never give speed back silently":
#   git worktree add /tmp/old OLD && cmake -S /tmp/old -B /tmp/old/build \
#     -DCMAKE_BUILD_TYPE=Release && cmake --build /tmp/old/build --target mapreduce
#   bash bench/scripts/old_vs_new.sh /tmp/old/build/mapreduce 7
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
source "$root/bench/scripts/lib.sh"
old=${1:?usage: old_vs_new.sh OLD_MAPREDUCE [REPS]}
reps=${2:-7}
new=$root/build/mapreduce
dir=${BENCH_DIR:-/tmp/mr-bench}/realtext
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 # bench only
mkdir -p "$dir"
cd "$dir"
real_text_corpus
texts=(c1.txt c2.txt c3.txt c4.txt)
"$old" import -o old.h5 --overwrite "${texts[@]}" >/dev/null 2>&1
"$new" import -o new.h5 --overwrite "${texts[@]}" >/dev/null 2>&1
[ -s oracle.tsv ] || word_oracle "${texts[@]}" >oracle.tsv
: >old_vs_new.tsv
for rep in $(seq 1 "$reps"); do
  order=(old new)
  [ $((rep % 2)) = 0 ] && order=(new old)
  for v in "${order[@]}"; do
    bin=$old
    [ "$v" = new ] && bin=$new
    t0=$(date +%s.%N)
    mpirun --oversubscribe -n 3 "$bin" run wordcount -i "$v.h5" -o "out-$v.h5" --overwrite -q \
      --report "r-$v.json"
    t1=$(date +%s.%N)
    /usr/bin/python3 - "$v" "$(echo "$t1 - $t0" | bc)" "r-$v.json" >>old_vs_new.tsv <<'PY'
import json, sys
p = json.load(open(sys.argv[3]))["phases"]
print(sys.argv[1], sys.argv[2], p["map"]["seconds"], p["reduce"]["seconds"], sep="\t")
PY
  done
done
for v in old new; do
  [ "$v" = old ] && bin=$old || bin=$new
  "$bin" export "out-$v.h5" | cmp -s - oracle.tsv || { echo "$v differs from coreutils" >&2; exit 1; }
done
cat old_vs_new.tsv
/usr/bin/python3 - <<'PY'
import statistics
rows = [l.split("\t") for l in open("old_vs_new.tsv")]
med = {v: [statistics.median(float(r[i]) for r in rows if r[0] == v) for i in (1, 2, 3)]
       for v in ("old", "new")}
for v in ("old", "new"):
    print("%s: whole %.2f s, map %.2f s, reduce %.2f s (medians of %d)" %
          (v, *med[v], sum(r[0] == v for r in rows)))
print("new / old, whole process: %.3f" % (med["new"][0] / med["old"][0]))
PY
echo "both outputs equal coreutils"
