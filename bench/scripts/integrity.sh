#!/usr/bin/env bash
# bench/scripts/integrity.sh [REPS]: what checksums cost: import, word count at -n 3
# and export of ~1 GiB, with this build (checksums written and verified)
# against BEFORE_MAPREDUCE, a build from before checksums, side by side in
# each repetition (order rotating). Also times `mapreduce verify` alone.
# Writes medians into bench/RESULTS.md (between the integrity markers).
#
#   git worktree add /tmp/pre e0b233e && cmake -S /tmp/pre -B /tmp/pre-build \
#     -DMR_BUILD_TESTS=OFF -DMR_BUILD_BENCH=OFF && cmake --build /tmp/pre-build --target mapreduce
#   BEFORE_MAPREDUCE=/tmp/pre-build/mapreduce bash bench/scripts/integrity.sh 3
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
reps=${1:-3}
dir=${BENCH_DIR:-/tmp/mr-bench}/integrity
new=$root/build/mapreduce
old=${BEFORE_MAPREDUCE:?set BEFORE_MAPREDUCE to a mapreduce built before checksums}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 # bench only
mkdir -p "$dir"
cd "$dir"
files=()
for i in $(seq 1 8); do # 8 x 128 MiB of Zipf text, as bench/scripts/wordcount.sh
  [ -s part$i.txt ] || "$root/build/mr_gen_text" 134217728 "$i" 1000000 >part$i.txt
  files+=(part$i.txt)
done
log=$dir/runs.tsv
: >"$log"
now() { date +%s.%N; }
timed() { # NAME CMD...
  local name=$1 t0
  shift
  t0=$(now)
  "$@" >/dev/null 2>err.txt || { cat err.txt >&2; exit 1; }
  printf '%s\t%s\n' "$name" "$(awk -v a="$(now)" -v b="$t0" 'BEGIN { print a - b }')" >>"$log"
}
one() { # WHICH BINARY
  timed "import-$1" "$2" import -o "in-$1.h5" --overwrite "${files[@]}"
  timed "run-$1" mpirun --oversubscribe -n 3 "$2" run wordcount -i "in-$1.h5" -o "out-$1.h5" --overwrite -q
  timed "export-$1" bash -c "'$2' export out-$1.h5 > out-$1.tsv"
}
for rep in $(seq 1 "$reps"); do
  echo "repetition $rep of $reps" >&2
  if [ $((rep % 2)) -eq 1 ]; then one before "$old"; one checksums "$new"; else one checksums "$new"; one before "$old"; fi
  timed verify-input "$new" verify in-checksums.h5
  timed verify-output "$new" verify out-checksums.h5
done
cmp -s out-before.tsv out-checksums.tsv || { echo "results differ" >&2; exit 1; }
BENCH_SCRIPTS=$root/bench/scripts /usr/bin/python3 - "$log" "$reps" "$root/bench/RESULTS.md" <<'PY'
import sys, os, datetime
sys.path.insert(0, os.environ["BENCH_SCRIPTS"])
from timings import medians
log, reps, results = sys.argv[1:4]
runs, m = medians(log)
rows = []
for step, what in (("import", "import 8 files, 1 GiB"), ("run", "run wordcount, -n 3"),
                   ("export", "export 20 MB of rows")):
    b, c = m[step + "-before"], m[step + "-checksums"]
    rows.append("| %s | %.2f | %.2f | %+.1f%% |" % (what, b, c, 100 * (c / b - 1)))
text = """<!-- integrity:begin -->
## Checksums: cost, %s

Word count's input of the word-count section (8 x 128 MiB of Zipf text), on 2 cores. "Before" is
the build from just before checksums existed; "with checksums" writes XXH3-64 of every 1 MiB of
the input at import, checks every chunk a task reads, writes one XXH3-64 per output partition, and
checks every partition before export prints. Command: `BEFORE_MAPREDUCE=... bash
bench/scripts/integrity.sh %s`; median of %s repetitions, the two builds side by side in each (order
alternating).

| step | before s | with checksums s | difference |
|---|---|---|---|
%s

`mapreduce verify` alone: the input in %.2f s, the output in %.2f s (medians).

All runs: %s
<!-- integrity:end -->""" % (datetime.date.today().isoformat(), reps, reps, "\n".join(rows),
                          m["verify-input"], m["verify-output"],
                          "; ".join("%s: %s" % (k, ", ".join("%.2f" % x for x in v))
                                    for k, v in sorted(runs.items())))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(results)), "scripts"))
from results_section import replace_section
replace_section(results, "integrity", text)
PY
