# tests/e2e/report_fields.sh: the JSON report. Every field it holds is named
# in docs/report.md; worker_ranks says whose each per_worker value is; a run without
# a checkpoint does not read as one that recomputed its partitions; a
# --resume of a complete output still writes a report. And the progress of
# each phase in a log: timestamped lines with rate and ETA; none with -q.
source "$(dirname "$0")/lib.sh"
DOC=$(cd "$(dirname "$0")/../../docs" && pwd)/report.md
"$GEN_TEXT" 400000 21 20000 >a.txt
mr 0 import -o a.h5 a.txt 2>/dev/null
mr 3 run wordcount -i a.h5 -o full.h5 --split-size 100000 --reducers 6 \
  --checkpoint-dir ck --keep-checkpoint --report full.json -q || fail "run with a checkpoint failed"
mr 0 run wordcount -i a.h5 -o single.h5 --reducers 5 --report single.json -q || fail "single-rank run failed"
mr 3 run wordcount -i a.h5 -o full.h5 --split-size 100000 --reducers 6 \
  --checkpoint-dir ck --resume --report again.json -q || fail "resume of a complete output failed"
"$PY" - "$DOC" full.json single.json again.json <<'PY' || fail "the report's fields"
import json, re, sys
doc = open(sys.argv[1]).read()
named = set()
for token in re.findall(r"`([^`]+)`", doc):
    named.update(p for p in re.split(r"[.,\s\[\]]+", token) if p)
full, single, again = (json.load(open(f)) for f in sys.argv[2:5])

def keys(v, out):
    if isinstance(v, dict):
        for k, x in v.items():
            out.add(k)
            keys(x, out)
    elif isinstance(v, list):
        for x in v:
            keys(x, out)
    return out

found = keys(full, set()) | keys(single, set()) | keys(again, set())
found -= set(full["counters"]) | set(single["counters"])  # the job's own names
missing = sorted(found - named)
assert not missing, f"fields not in docs/report.md: {missing}"
assert full["worker_ranks"] == [1, 2], full["worker_ranks"]
assert len(full["per_worker"]["map_seconds"]["values"]) == 2
assert single["worker_ranks"] == [0], single["worker_ranks"]
c = single["checkpoint"]
assert c["enabled"] is False and c["partitions_reduced"] == 5 and c["partitions_committed"] == 0, c
assert "partitions_recomputed" not in c and "tasks_recomputed" not in c, c
c = full["checkpoint"]
assert c["enabled"] and c["partitions_committed"] == 6 and c["tasks_damaged"] == 0, c
assert again["checkpoint"]["already_complete"] is True, again["checkpoint"]
print(f"ok: {len(found)} field names, all in docs/report.md; worker_ranks {full['worker_ranks']}")
PY

mr 3 run wordcount -i a.h5 -o progress.h5 --split-size 20000 --progress 0 2>progress.txt ||
  fail "run with --progress 0 failed"
grep -qE '^\[[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8}\] map: [0-9]+/[0-9]+ tasks, .* MB \([0-9]+%\), .* MB/s.*workers busy' progress.txt ||
  { cat progress.txt; fail "no timestamped progress line with a rate"; }
grep 'map: ' progress.txt | tail -1 | grep -q '(100%)' || { cat progress.txt; fail "the last progress line is not at 100%"; }
# The phases after the map, in order, each ending complete: the bytes the
# shuffle moved, the partitions reduced (the job's default reducers), the write.
grep -E '\] shuffle: ' progress.txt | tail -1 | grep -qE 'shuffle: ([0-9.]+) of \1 MB received \(100%\)' ||
  { cat progress.txt; fail "no shuffle line at 100%"; }
grep -E '\] reduce: ' progress.txt | tail -1 | grep -qE 'reduce: ([0-9]+)/\1 partitions \(100%\)' ||
  { cat progress.txt; fail "no reduce line at 100%"; }
grep "^\[" progress.txt | tail -1 | grep -qE '\] write: ([0-9.]+) of \1 MB written \(100%\)' ||
  { cat progress.txt; fail "the progress does not end with the write"; }
phases=$(sed -n 's/^\[[^]]*\] \([a-z]*\): .*/\1/p' progress.txt | uniq | tr '\n' ' ')
[ "$phases" = "map shuffle reduce write " ] || { cat progress.txt; fail "phases out of order: $phases"; }
mr 3 run wordcount -i a.h5 -o progress.h5 --split-size 20000 --progress 0 --overwrite -q 2>quiet.txt ||
  fail "run with -q failed"
[ ! -s quiet.txt ] || { cat quiet.txt; fail "-q printed something"; }
echo "ok: --progress 0 prints $(wc -l <progress.txt) timestamped lines: map, shuffle, reduce, write, each to 100%; -q none"
