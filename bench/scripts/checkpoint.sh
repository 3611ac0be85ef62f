#!/usr/bin/env bash
# bench/scripts/checkpoint.sh [REPS]: what checkpointing costs, and what a resume
# saves, on word count over the ~1 GiB corpus of bench/scripts/wordcount.sh at -n 3.
# In each repetition, one after the other: a run without checkpoint, a run
# with --checkpoint-dir (beside the output), and (when OLD_MAPREDUCE names a
# binary from before checkpointing) that binary, to show the hot path did not
# slow down. Then, REPS times: a checkpointed run killed with kill -9 (worker
# rank 1) once 80% of its map tasks are committed, and the --resume after it.
# Writes medians into bench/RESULTS.md (between the checkpoint markers).
#
#   bash bench/scripts/wordcount.sh 1073741824 1      # makes the corpus, once
#   OLD_MAPREDUCE=/tmp/old-build/mapreduce bash bench/scripts/checkpoint.sh 3
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
reps=${1:-3}
dir=${BENCH_DIR:-/tmp/mr-bench}
mr=$root/build/mapreduce
old=${OLD_MAPREDUCE:-}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 # bench only
mpirun=(mpirun --oversubscribe -n 3)
[ -s "$dir/corpus.h5" ] || { echo "no $dir/corpus.h5: run bench/scripts/wordcount.sh first" >&2; exit 1; }
cd "$dir"
log=$dir/checkpoint-runs.tsv
: >"$log"

now() { date +%s.%N; }
since() { awk -v a="$(now)" -v b="$1" 'BEGIN { printf "%.3f", a - b }'; }
run() { # NAME CMD...: time CMD, log "name seconds"
  local name=$1 t0
  shift
  t0=$(now)
  "$@" >/dev/null 2>err.txt || { cat err.txt >&2; echo "$name failed" >&2; exit 1; }
  printf '%s\t%s\n' "$name" "$(since "$t0")" >>"$log"
}
RUN=(run wordcount -i corpus.h5 --overwrite -q)

for rep in $(seq 1 "$reps"); do
  echo "repetition $rep of $reps" >&2
  # The order turns each repetition, so that a machine getting busier or
  # quieter does not favour one contender.
  order=(plain checkpoint before)
  [ $((rep % 3)) -eq 2 ] && order=(checkpoint before plain)
  [ $((rep % 3)) -eq 0 ] && order=(before plain checkpoint)
  for c in "${order[@]}"; do
    rm -rf ck
    case $c in
    plain) run plain "${mpirun[@]}" "$mr" "${RUN[@]}" -o plain.h5 --report plain-$rep.json ;;
    checkpoint) run checkpoint "${mpirun[@]}" "$mr" "${RUN[@]}" -o ck.h5 --checkpoint-dir ck --report ck-$rep.json ;;
    before) [ -z "$old" ] || run before "${mpirun[@]}" "$old" "${RUN[@]}" -o old.h5 ;;
    esac
  done
done
"$mr" export plain.h5 | md5sum >plain.md5
"$mr" export ck.h5 | md5sum | cmp -s - plain.md5 || { echo "checkpointed output differs" >&2; exit 1; }
tasks=$(/usr/bin/python3 -c "import json; print(json.load(open('plain-1.json'))['tasks'])")
want=$(((tasks * 8 + 9) / 10))

for rep in $(seq 1 "$reps"); do
  echo "kill and resume $rep of $reps" >&2
  rm -rf ck killed.h5
  t0=$(now)
  "${mpirun[@]}" "$mr" "${RUN[@]}" -o killed.h5 --checkpoint-dir ck >/dev/null 2>&1 &
  job=$!
  committed() { local n; n=$(grep -c '^map ' ck/manifest 2>/dev/null); echo "${n:-0}"; }
  until [ "$(committed)" -ge "$want" ]; do sleep 0.02; done
  for p in $(pgrep -f "mapreduce run wordcount -i corpus.h5"); do
    [ "$(readlink -f /proc/$p/cwd)" = "$(readlink -f "$dir")" ] || continue
    tr '\0' '\n' <"/proc/$p/environ" | grep -qx OMPI_COMM_WORLD_RANK=1 && kill -9 "$p"
  done
  wait $job || true
  printf 'killed-at-80%%\t%s\n' "$(since "$t0")" >>"$log"
  run resume "${mpirun[@]}" "$mr" "${RUN[@]}" -o killed.h5 --checkpoint-dir ck --resume \
    --report resume-$rep.json
  "$mr" export killed.h5 | md5sum | cmp -s - plain.md5 || { echo "resumed output differs" >&2; exit 1; }
done

/usr/bin/python3 - "$log" "$reps" "$tasks" "$want" "$dir" "$root/bench/RESULTS.md" "$old" <<'PY'
import sys, json, statistics, glob, os, datetime
log, reps, tasks, want, d, results, old = sys.argv[1:8]
runs = {}
for line in open(log):
    name, s = line.split("\t")
    runs.setdefault(name, []).append(float(s))
med = {k: statistics.median(v) for k, v in runs.items()}
def rep(pattern):
    return [json.load(open(f)) for f in sorted(glob.glob(os.path.join(d, pattern)))]
ck = rep("ck-*.json")
res = rep("resume-*.json")
ck_s = statistics.median(r["checkpoint"]["seconds_max_worker"] for r in ck)
ck_b = ck[-1]["checkpoint"]["bytes"]
reused = statistics.median(r["checkpoint"]["tasks_reused"] for r in res)
rows = [
    "| without checkpoint | %.2f | - | |" % med["plain"],
    "| with `--checkpoint-dir` | %.2f | %+.1f%% | %.0f MB committed; the slowest worker spent %.2f s committing |"
    % (med["checkpoint"], 100 * (med["checkpoint"] / med["plain"] - 1), ck_b / 1e6, ck_s),
]
if "before" in med:
    rows.append("| the binary before checkpointing existed | %.2f | %+.1f%% | the hot path, for comparison |"
                % (med["before"], 100 * (med["before"] / med["plain"] - 1)))
rows.append("| `--resume` after kill -9 of a worker at 80%% of the map phase | %.2f | %.0f%% of a full run | reused a median of %d of %s tasks |"
            % (med["resume"], 100 * med["resume"] / med["plain"], reused, tasks))
text = """<!-- checkpoint:begin -->
## Checkpoint overhead and resume, %s

Word count on the corpus of the word-count section (`corpus.h5`, ~1 GiB, %s tasks) at `-n 3`, the
checkpoint in a folder beside the output (same file system, `/tmp`). Command:
`OLD_MAPREDUCE=<binary before checkpointing> bash bench/scripts/checkpoint.sh %s`. Median of %s repetitions,
the contenders one after the other in each, their order turning from one repetition to the next. The resume row: a checkpointed run is killed (kill -9
of worker rank 1) once %s of %s map tasks are committed (80%%), then `--resume` is timed on its own.

| run | median s | vs without | notes |
|---|---|---|---|
%s

All runs: %s
<!-- checkpoint:end -->""" % (datetime.date.today().isoformat(), tasks, reps, reps, want, tasks,
                           "\n".join(rows),
                           "; ".join("%s: %s" % (k, ", ".join("%.2f" % x for x in v))
                                     for k, v in sorted(runs.items())))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(results)), "scripts"))
from results_section import replace_section
replace_section(results, "checkpoint", text)
PY
