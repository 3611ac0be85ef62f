#!/usr/bin/env bash
# bench/scripts/wordcount.sh [BYTES] [REPS]: word count on generated Zipf text, ours
# against MR-MPI and the coreutils pipeline, side by side in each repetition.
# Writes the medians into bench/RESULTS.md (between the wordcount markers).
#
#   bash bench/scripts/wordcount.sh                 # ~1 GiB, 3 repetitions
#   bash bench/scripts/wordcount.sh 100000000 5     # 100 MB, 5 repetitions
#
# Data goes to $BENCH_DIR (default /tmp/mr-bench); needs a Release build in
# build/ (scripts/build.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
bytes=${1:-1073741824}
reps=${2:-3}
files=8
dir=${BENCH_DIR:-/tmp/mr-bench}
mr=$root/build/mapreduce
gen=$root/build/mr_gen_text
mrmpi=$root/build/bench/mrmpi_wordcount
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 # bench only
mpirun=(mpirun --oversubscribe)
py=/usr/bin/python3

[ -x "$mr" ] && [ -x "$gen" ] || { echo "build first: bash scripts/build.sh" >&2; exit 1; }
mkdir -p "$dir"
cd "$dir"
log=$dir/runs.tsv
: >"$log"

# Input: $files files of Zipf(1) text over a 1M-word vocabulary.
per=$((bytes / files))
texts=()
for i in $(seq 1 $files); do
  f=part$i.txt
  [ -s "$f" ] && [ "$(stat -c %s "$f")" -ge "$per" ] || "$gen" "$per" "$i" 1000000 >"$f"
  texts+=("$f")
done
total=$(cat "${texts[@]}" | wc -c)
t0=$(date +%s.%N)
"$mr" import -o corpus.h5 --overwrite "${texts[@]}"
import_s=$(awk -v a="$(date +%s.%N)" -v b="$t0" 'BEGIN { print a - b }')

oracle() {
  LC_ALL=C awk 1 "$@" | tr -s ' \t\n\v\f\r' '\n' | grep -av '^$' |
    LC_ALL=C sort | LC_ALL=C uniq -c | LC_ALL=C awk '{print $2 "\t" $1}'
}

# run NAME CMD...: time CMD, append "name seconds extra" to the log.
run() {
  local name=$1
  shift
  local t0 t1
  t0=$(date +%s.%N)
  "$@" >out.txt 2>err.txt || { cat err.txt >&2; echo "$name failed" >&2; exit 1; }
  t1=$(date +%s.%N)
  printf '%s\t%s\n' "$name" "$(awk -v a="$t1" -v b="$t0" 'BEGIN { print a - b }')" >>"$log"
}

for rep in $(seq 1 "$reps"); do
  echo "repetition $rep of $reps" >&2
  for n in 2 3; do
    run "ours-n$n" "${mpirun[@]}" -n $n "$mr" run wordcount -i corpus.h5 -o counts$n.h5 \
      --overwrite -q --report report$n-$rep.json
  done
  if [ -x "$mrmpi" ]; then
    for n in 2 3; do
      run "mrmpi-n$n" "${mpirun[@]}" -n $n "$mrmpi" "${texts[@]}"
      cp out.txt mrmpi$n-$rep.txt
      run "mrmpi-compress-n$n" "${mpirun[@]}" -n $n "$mrmpi" --compress "${texts[@]}"
      cp out.txt mrmpi-compress$n-$rep.txt
    done
  fi
  run coreutils bash -c "$(declare -f oracle); oracle ${texts[*]} > oracle.tsv"
  if [ "$rep" -eq 1 ]; then
    "$mr" export counts3.h5 >ours.tsv
    cmp -s ours.tsv oracle.tsv || { echo "ours differs from coreutils" >&2; exit 1; }
    "$mr" export counts2.h5 | cmp -s - oracle.tsv || { echo "ours (n=2) differs from coreutils" >&2; exit 1; }
  fi
done

$py - "$log" "$total" "$import_s" "$reps" "$dir" "$root/bench/RESULTS.md" <<'PY'
import sys, json, statistics, glob, re, os, datetime, platform
log, total, import_s, reps, d, results = sys.argv[1:7]
total = int(total)
runs = {}
for line in open(log):
    name, s = line.split("\t")
    runs.setdefault(name, []).append(float(s))
uniq = sum(1 for _ in open(os.path.join(d, "oracle.tsv"), "rb"))
words = sum(int(l.rsplit(b"\t", 1)[1]) for l in open(os.path.join(d, "oracle.tsv"), "rb"))

def ours(n):
    reps_ = [json.load(open(f)) for f in sorted(glob.glob(os.path.join(d, "report%d-*.json" % n)))]
    r = reps_[-1]
    rss = [max(x["per_worker"]["peak_rss_bytes"]["values"][i] for x in reps_) / 2**20
           for i in range(len(r["per_worker"]["peak_rss_bytes"]["values"]))]
    coord = max(x["coordinator_peak_rss_bytes"] for x in reps_) / 2**20
    return ("rank 0: %.0f, workers: %s" % (coord, ", ".join("%.0f" % v for v in rss)),
            "%d B in %d round(s)" % (r["phases"]["shuffle"]["bytes_in"], r["phases"]["shuffle"]["rounds"]),
            "%.2f / %.2f / %.2f / %.2f" % tuple(statistics.median(x["phases"][p]["seconds"] for x in reps_)
                                        for p in ("map", "shuffle", "reduce", "write")),
            "%.2f" % statistics.median(x["coordinator_cpu_seconds"] for x in reps_))

def mrmpi(kind, n):
    out = []
    for f in sorted(glob.glob(os.path.join(d, "%s%d-*.txt" % (kind, n)))):
        m = re.match(r"unique (\d+) words (\d+) seconds ([\d.]+) peak_rss_mib (.*)", open(f).read())
        out.append(m)
    if not out:
        return None
    m = out[-1]
    ok = "yes" if int(m.group(1)) == uniq and int(m.group(2)) == words else \
         "no: %s unique, %s words" % (m.group(1), m.group(2))
    return ", ".join(m.group(4).split()), ok

rows = []
med = {k: statistics.median(v) for k, v in runs.items()}
base = med.get("mrmpi-n3")
def row(name, label, ranks, rss, shuffled, correct, note=""):
    if name not in med:
        return
    s = med[name]
    vs = "%.1fx" % (base / s) if base else "-"
    rows.append("| %s | %s | %.2f | %.0f | %s | %s | %s | %s | %s |" % (
        label, ranks, s, total / s / 1e6, vs, rss, shuffled, correct, note))
for n in (2, 3):
    rss, sh, phases, cpu = ours(n)
    row("ours-n%d" % n, "ours", "%d (1 coordinator + %d worker%s)" % (n, n - 1, "s" if n > 2 else ""),
        rss, sh, "yes (cmp with coreutils)", "map/shuffle/reduce/write s: %s; rank 0 CPU %s s" % (phases, cpu))
for kind, label in (("mrmpi", "MR-MPI"), ("mrmpi-compress", "MR-MPI + compress")):
    for n in (2, 3):
        r = mrmpi(kind, n)
        if r:
            row("%s-n%d" % (kind, n), label, "%d (all work)" % n, r[0], "-", r[1])
row("coreutils", "coreutils (tr, sort, uniq -c)", "1 pipeline", "-", "-", "(the oracle)")

cpu = "?"
for line in open("/proc/cpuinfo"):
    if line.startswith("model name"):
        cpu = line.split(":", 1)[1].strip()
        break
text = """<!-- wordcount:begin -->
## Word count, %s

Machine: %s, %d cores, %.0f GiB RAM (shared, noisy: compare within a row set, not across days).
Input: %d bytes of Zipf(1) text over a 1M-word vocabulary (`mr_gen_text`), %d files;
%d words, %d distinct. Import into HDF5 took %.1f s (not counted below).
Command: `bash bench/scripts/wordcount.sh %d %s`. Median of %s repetitions; in each repetition
every contender ran once, one after the other. Speed-up is against MR-MPI at 3 ranks.

| program | ranks | median s | MB/s | speed-up | peak RSS MiB per rank | shuffled | result correct | notes |
|---|---|---|---|---|---|---|---|---|
%s

All runs: %s
<!-- wordcount:end -->""" % (
    datetime.date.today().isoformat(), cpu, os.cpu_count(),
    os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30,
    total, 8, words, uniq, float(import_s), total, reps, reps, "\n".join(rows),
    "; ".join("%s: %s" % (k, ", ".join("%.2f" % x for x in v)) for k, v in sorted(runs.items())))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(results)), "scripts"))
from results_section import replace_section
replace_section(results, 'wordcount', text)
PY
