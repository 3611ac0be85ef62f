#!/usr/bin/env bash
# bench/scripts/memory.sh [LIMIT]: --memory-limit at scale. Word count on the ~1 GiB
# corpus of bench/scripts/wordcount.sh and sort on 512 MB of records, at -n 3 (two
# workers), each run with LIMIT per rank (default 32MiB: the inputs are 16x
# and 8x the workers' limits together) and with no limit, side by side.
# Records every worker's peak RSS, the fixed memory of the same command on
# a 4-byte input (MPI, HDF5, the program), bytes spilled, seconds; checks
# that limited and unlimited outputs are identical. Writes the figures into
# bench/RESULTS.md (between the memory markers).
#
#   bash bench/scripts/wordcount.sh 1073741824 1      # makes the corpus, once
#   bash bench/scripts/memory.sh 32MiB
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
limit=${1:-32MiB}
dir=${BENCH_DIR:-/tmp/mr-bench}
mr=$root/build/mapreduce
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 # bench only
mpirun=(mpirun --oversubscribe -n 3)
py=/usr/bin/python3
[ -s "$dir/corpus.h5" ] || { echo "no $dir/corpus.h5: run bench/scripts/wordcount.sh first" >&2; exit 1; }
cd "$dir"
if [ ! -s records512.h5 ]; then
  "$root/build/mr_gen_data" records 5120000 --ascii >records512.txt
  "$mr" import --format records --record-size 100 -o records512.h5 --overwrite records512.txt >/dev/null
  rm -f records512.txt
fi
printf 'a b\n' >tiny.txt
"$mr" import -o tiny.h5 --overwrite tiny.txt >/dev/null

run() { # NAME LIMIT JOB INPUT EXTRA...: one run, its report in mem-NAME.json
  local name=$1 lim=$2 job=$3 input=$4
  shift 4
  local t0
  t0=$(date +%s.%N)
  "${mpirun[@]}" "$mr" run "$job" -i "$input" -o "mem-$name.h5" --overwrite -q \
    --memory-limit "$lim" --report "mem-$name.json" "$@"
  awk -v a="$(date +%s.%N)" -v b="$t0" 'BEGIN { printf "%.2f\n", a - b }' >"mem-$name.seconds"
}
run baseline "$limit" wordcount tiny.h5
run wc-limit "$limit" wordcount corpus.h5
run wc-none none wordcount corpus.h5
run sort-limit "$limit" sort records512.h5 --reducers 4
run sort-none none sort records512.h5 --reducers 4
for job in wc sort; do
  cmp -s <("$mr" export "mem-$job-limit.h5") <("$mr" export "mem-$job-none.h5") ||
    { echo "$job: outputs with and without the limit differ" >&2; exit 1; }
done

"$py" - "$root" "$limit" <<'PY'
import json, os, subprocess, sys
sys.path.insert(0, os.path.join(sys.argv[1], "bench", "scripts"))
from results_section import replace_section
limit = sys.argv[2]
def rep(name):
    return json.load(open("mem-%s.json" % name)), float(open("mem-%s.seconds" % name).read())
base = max(rep("baseline")[0]["per_worker"]["peak_rss_bytes"]["values"])
mib = lambda b: b / 2**20
rows = []
for job, title, size in (("wc", "word count", "1 GiB Zipf text"), ("sort", "sort", "512 MB of records")):
    lim, t_lim = rep(job + "-limit")
    none, t_none = rep(job + "-none")
    m = lim["memory"]
    L = m["limit_bytes_per_rank"]
    peaks = lim["per_worker"]["peak_rss_bytes"]["values"]
    peaks_none = none["per_worker"]["peak_rss_bytes"]["values"]
    rows.append("| %s, %s | %.0f MiB | %s | %.2f | %s | %.0f MiB (map %.0f, received %.0f in %d runs, rows %.0f) | %.1f s | %.1f s |" % (
        title, size, mib(L), ", ".join("%.0f" % mib(p) for p in peaks),
        max((p - base) / L for p in peaks), ", ".join("%.0f" % mib(p) for p in peaks_none),
        mib(m["spilled_bytes"]), mib(m["map_spilled_bytes"]), mib(m["received_spilled_bytes"]),
        m["sorted_runs"], mib(m["rows_spilled_bytes"]), t_lim, t_none))
cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"],
                     capture_output=True, text=True).stdout.strip()
text = """<!-- memory:begin -->
## Memory bounded by `--memory-limit`, @DATE@

`bash bench/scripts/memory.sh %s`: `mpirun -n 3` (2 workers), %s, 2 cores. Each job once with the limit,
once with `--memory-limit none`, outputs compared equal. Fixed memory (the same command with the
limit on a 4-byte input: MPI, HDF5, the program): **%.1f MiB** per worker. "(peak - fixed) / limit" is
the worst worker's.

| job, input | limit per rank | worker peak RSS, MiB | (peak - fixed) / limit | peak RSS without limit, MiB | spilled | seconds with limit | without |
|---|---|---|---|---|---|---|---|
%s
<!-- memory:end -->""" % (limit, cpu, mib(base), "\n".join(rows))
import datetime
text = text.replace("@DATE@", str(datetime.date.today()))  # the day it ran
replace_section(os.path.join(sys.argv[1], "bench", "RESULTS.md"), "memory", text)
PY
