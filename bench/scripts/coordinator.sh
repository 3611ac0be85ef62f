#!/usr/bin/env bash
# bench/scripts/coordinator.sh [REPS]: how many tasks a second rank 0 hands out, the
# first limit on scaling (docs/performance.md, "How costs grow"). Word count on 16 MB cut
# into 1 KiB tasks (about 16,000), so mapping a task costs almost nothing and
# the request/assignment round trip is what is measured; at 2 workers (-n 3)
# and 4 workers (-n 5, oversubscribed on 2 cores), with and without a
# checkpoint (a manifest record per task). Medians into bench/RESULTS.md
# (between the coordinator markers).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
reps=${1:-3}
dir=${BENCH_DIR:-/tmp/mr-bench}/coordinator
mr=$root/build/mapreduce
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 # bench only
fast=(--mca pml ob1 --mca btl self,vader)
mkdir -p "$dir"
cd "$dir"
[ -s tasks.h5 ] || { "$root/build/mr_gen_text" 16000000 3 10000 >t.txt &&
  "$mr" import -o tasks.h5 --overwrite t.txt >/dev/null && rm -f t.txt; }
: >runs.tsv
for rep in $(seq 1 "$reps"); do
  for n in 3 5; do
    for ck in none checkpoint; do
      extra=()
      [ $ck = checkpoint ] && extra=(--checkpoint-dir ck --restart-fresh)
      rm -rf ck
      mpirun --oversubscribe "${fast[@]}" -n $n "$mr" run wordcount -i tasks.h5 -o out.h5 \
        --overwrite -q --split-size 1k --report r.json "${extra[@]}"
      /usr/bin/python3 -c '
import json, sys
r = json.load(open("r.json"))
coord = [p for p in r["timeline"][0]["phases"] if p["name"] == "coordinate"][0]
s = coord["end"] - coord["begin"]
print("%s\t%s\t%d\t%.4f\t%.0f" % (sys.argv[1], sys.argv[2], r["tasks"], s, r["tasks"] / s))' \
        "$n" "$ck" >>runs.tsv
    done
  done
done
/usr/bin/python3 - "$root" "$reps" <<'PY'
import os, statistics, sys
sys.path.insert(0, os.path.join(sys.argv[1], "bench", "scripts"))
from results_section import replace_section
runs = {}
for line in open("runs.tsv"):
    n, ck, tasks, s, rate = line.split()
    runs.setdefault((int(n), ck), []).append((int(tasks), float(s), float(rate)))
rows = []
for (n, ck), v in sorted(runs.items()):
    rows.append("| %d (%d workers) | %s | %d | %.3f | **%.0f** |" % (
        n, n - 1, ck, v[0][0], statistics.median(x[1] for x in v),
        statistics.median(x[2] for x in v)))
text = """<!-- coordinator:begin -->
## Coordinator throughput, @DATE@

`bash bench/scripts/coordinator.sh %s`: word count on 16 MB cut into 1 KiB tasks, ob1 + vader, 2 cores; the
coordinator's phase from the report's timeline (first request to last task done); medians.

| ranks | checkpoint | tasks | coordinate s | tasks per second |
|---|---|---|---|---|
%s
<!-- coordinator:end -->""" % (sys.argv[2], "\n".join(rows))
import datetime
text = text.replace("@DATE@", str(datetime.date.today()))  # the day it ran
replace_section(os.path.join(sys.argv[1], "bench", "RESULTS.md"), "coordinator", text)
PY
