#!/usr/bin/env bash
# bench/scripts/jobs.sh [BYTES] [REPS]: every built-in job but word count (which has
# bench/scripts/wordcount.sh) at -n 3 on ~BYTES of generated input each, and the sort
# job side by side with `LC_ALL=C sort -S 2G --parallel=2` on the same records
# (gensort's ASCII form: 100-byte lines ending in \r\n, so both sort the same
# bytes). Checks each result against its oracle once, and writes the medians
# into bench/RESULTS.md (between the jobs markers).
#
#   bash bench/scripts/jobs.sh                 # ~1 GiB each, 3 repetitions
#   bash bench/scripts/jobs.sh 100000000 1     # 100 MB, 1 repetition
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
bytes=${1:-1073741824}
reps=${2:-3}
dir=${BENCH_DIR:-/tmp/mr-bench-jobs}
mr=$root/build/mapreduce
gen=$root/build/mr_gen_data
gentext=$root/build/mr_gen_text
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 # bench only
[ -x "$mr" ] && [ -x "$gen" ] || { echo "build first: bash scripts/build.sh" >&2; exit 1; }
mkdir -p "$dir"
cd "$dir"
log=$dir/runs.tsv
: >"$log"

# Inputs (made once; kept for the next run).
[ -s access.log ] || "$gen" logs "$bytes" 1 >access.log
[ -s people.csv ] || "$gen" csv "$bytes" 2 >people.csv
records=$((bytes / 100))
[ -s records.txt ] || "$gen" records "$records" --ascii >records.txt
if [ ! -d docs ]; then # 1024 documents of Zipf text over a 1M-word vocabulary
  mkdir docs
  for i in $(seq 1 1024); do "$gentext" $((bytes / 1024)) "$i" 1000000 >"docs/d$i.txt"; done
fi
"$mr" import -o access.h5 --overwrite access.log
"$mr" import -o people.h5 --overwrite people.csv
"$mr" import -o docs.h5 --overwrite docs
"$mr" import --format records --record-size 100 -o records.h5 --overwrite records.txt

# run NAME CMD...: time CMD (stdout to NAME.out), append "name seconds" to the log.
run() {
  local name=$1 t0 t1
  shift
  t0=$(date +%s.%N)
  "$@" >"$name.out" 2>err.txt || { cat err.txt >&2; echo "$name failed" >&2; exit 1; }
  t1=$(date +%s.%N)
  printf '%s\t%s\n' "$name" "$(awk -v a="$t1" -v b="$t0" 'BEGIN { print a - b }')" >>"$log"
}
# Each timed run writes a fresh file: the last run's output is removed first,
# untimed. Replacing a 1 GiB file costs the filesystem its deletion (0.3-1.3 s
# in rename here), and coreutils' -o rewrites the old file's cached pages in
# place where a new file needs new pages: ours paid the one, coreutils was
# spared the other (bench/RESULTS.md, "sort: fresh outputs").
job() { # NAME INPUT ARGS...: the job at -n 3 with a report
  local name=$1 input=$2
  shift 2
  rm -f "$name.h5"
  run "$name" mpirun -n 3 --oversubscribe "$mr" run "$@" -i "$input" -o "$name.h5" \
    --overwrite -q --report "$name-$rep.json"
}

for rep in $(seq 1 "$reps"); do
  echo "repetition $rep of $reps" >&2
  job url-frequency access.h5 url-frequency
  job log-analysis access.h5 log-analysis --param by=url
  job grep access.h5 grep --param 'pattern= 50[0-9] '
  job clean people.h5 clean --param fields=4
  job inverted-index docs.h5 inverted-index
  job sort records.h5 sort
  rm -f sorted.txt
  run coreutils-sort env LC_ALL=C sort -S 2G --parallel=2 -o sorted.txt records.txt
done

# Correctness, once: the sort outputs agree; grep agrees with grep -E.
"$mr" export sort.h5 | cmp -s - sorted.txt || { echo "sort differs from coreutils" >&2; exit 1; }
"$mr" validate-sort sort.h5 --input records.h5 >validate.txt
"$mr" export grep.h5 | cmp -s - <(LC_ALL=C grep -aE ' 50[0-9] ' access.log) ||
  { echo "grep differs from grep -E" >&2; exit 1; }

/usr/bin/python3 - "$log" "$dir" "$root/bench/RESULTS.md" "$bytes" "$reps" <<'PY'
import sys, json, statistics, glob, os, re, datetime
log, d, results, nbytes, reps = sys.argv[1:6]
runs = {}
for line in open(log):
    name, s = line.split("\t")
    runs.setdefault(name, []).append(float(s))
med = {k: statistics.median(v) for k, v in runs.items()}
inputs = {"url-frequency": "access.log", "log-analysis": "access.log", "grep": "access.log",
          "clean": "people.csv", "inverted-index": "docs", "sort": "records.txt"}
def size(p):
    p = os.path.join(d, p)
    return sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(p) for f in fs) \
        if os.path.isdir(p) else os.path.getsize(p)
rows = []
for name in ("url-frequency", "log-analysis", "grep", "clean", "inverted-index", "sort"):
    # this run's reports only (other NAME-*.json files may lie in the folder)
    reps_ = [json.load(open(os.path.join(d, "%s-%d.json" % (name, i))))
             for i in range(1, int(reps) + 1)]
    r = reps_[-1]
    ph = lambda p: statistics.median(x["phases"][p]["seconds"] for x in reps_)
    rss = max(max(x["per_worker"]["peak_rss_bytes"]["values"]) for x in reps_) / 2**20
    extra = ", ".join("%s=%d" % kv for kv in sorted(r["counters"].items()))
    if name == "sort":
        extra = "partition rows %s; sample %.2f s" % (r["partition_rows"], r["sample_seconds"])
    b = size(inputs[name])
    rows.append("| %s | %d | %.2f | %.0f | %.2f / %.2f / %.2f / %.2f | %d | %.0f | %s |" % (
        name, b, med[name], b / med[name] / 1e6, ph("map"), ph("shuffle"), ph("reduce"),
        ph("write"), r["phases"]["write"]["rows_in"], rss, extra))
b = size("records.txt")
rows.append("| `LC_ALL=C sort -S 2G --parallel=2` | %d | %.2f | %.0f | - | - | - | - |" % (
    b, med["coreutils-sort"], b / med["coreutils-sort"] / 1e6))
text = """<!-- jobs:begin -->
## The other jobs at `-n 3`, %s

Command: `bash bench/scripts/jobs.sh %s %s` (same machine as word count). Inputs from `mr_gen_data` /
`mr_gen_text`: access logs (~3%% malformed lines), CSV (4 fields, quoting, ~10%% invalid,
duplicate ids), 1024 documents of Zipf text (1M-word vocabulary), gensort ASCII records. Median of
%s repetitions; whole `mpirun` process; phases are the slowest worker's. Every run writes a
fresh output (the last run's is removed first, untimed), coreutils' too.
The sort output was checked with `cmp` against coreutils' and with `validate-sort`; grep's
against `grep -aE`.

| job | input bytes | median s | MB/s | map / shuffle / reduce / write s | output rows | worker peak RSS MiB | counters / notes |
|---|---|---|---|---|---|---|---|
%s

Sort, side by side: ours %.2f s against coreutils %.2f s (%.2fx).

All runs: %s
<!-- jobs:end -->""" % (datetime.date.today().isoformat(), nbytes, reps, reps, "\n".join(rows),
    med["sort"], med["coreutils-sort"], med["coreutils-sort"] / med["sort"],
    "; ".join("%s: %s" % (k, ", ".join("%.2f" % x for x in v)) for k, v in sorted(runs.items())))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(results)), "scripts"))
from results_section import replace_section
replace_section(results, 'jobs', text)
PY
