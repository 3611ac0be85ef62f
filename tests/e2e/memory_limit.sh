# tests/e2e/memory_limit.sh: --memory-limit bounds what grows with the input.
# Word count and sort on inputs 8x the workers' limits together give the
# oracle's result, spill (the report says how much), and no worker's peak
# RSS exceeds the fixed memory of a run on a 4-byte input (MPI, HDF5, the
# program) by more than 1.5x the limit. Too small a limit, or a split size
# that cannot fit, is refused before any work. A resume under a limit reads
# committed map output back from the checkpoint.
source "$(dirname "$0")/lib.sh"
limit=4MiB
limit_bytes=$((4 << 20))

# peak_check REPORT BASELINE WHAT [JOB_BYTES]: every worker's peak within baseline +
# 1.5 x limit (+ JOB_BYTES: what the job's own code holds, outside the limit), and
# spilling really happened.
peak_check() {
  "$PY" - "$1" "$2" "$3" "$limit_bytes" "${4:-0}" <<'PY' || fail "memory check: $3"
import json, sys
report, baseline, what, limit = json.load(open(sys.argv[1])), int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
job_bytes = int(sys.argv[5])
m = report["memory"]
peaks = report["per_worker"]["peak_rss_bytes"]["values"]
allowed = baseline + 1.5 * limit + job_bytes
print("%s: limit %.1f MiB, baseline %.1f MiB, job's own %.1f MiB, worker peaks %s MiB (allowed %.1f), "
      "spilled %.1f MiB (map %.1f, received %.1f in %d sorted runs, rows %.1f)" % (
      what, limit / 2**20, baseline / 2**20, job_bytes / 2**20, [round(p / 2**20, 1) for p in peaks],
      allowed / 2**20,
      m["spilled_bytes"] / 2**20, m["map_spilled_bytes"] / 2**20, m["received_spilled_bytes"] / 2**20,
      m["sorted_runs"], m["rows_spilled_bytes"] / 2**20))
assert m["limit_bytes_per_rank"] == limit, m
assert m["map_spilled_bytes"] > 0 and m["received_spilled_bytes"] > 0, m
assert m["sorted_runs"] > 2, m
assert max(peaks) <= allowed, "peak RSS over the limit"
PY
}

# The fixed memory: the same run on a 4-byte input.
printf 'a b\n' >tiny.txt
mr 0 import -o tiny.h5 tiny.txt >/dev/null
mr 3 run wordcount -i tiny.h5 -o tiny_out.h5 -q --memory-limit $limit --report tiny.json ||
  fail "tiny run"
baseline=$("$PY" -c 'import json; print(int(max(json.load(open("tiny.json"))["per_worker"]["peak_rss_bytes"]["values"])))')

# Word count: 64 MB of text, 2 workers x 4 MiB.
"$GEN_TEXT" 64000000 7 300000 >big.txt
mr 0 import -o big.h5 big.txt >/dev/null
mr 3 run wordcount -i big.h5 -o wc.h5 -q --memory-limit $limit --report wc.json ||
  fail "word count under --memory-limit"
oracle big.txt >expected_wc
mr 0 export --memory-limit 1MiB wc.h5 >got_wc
same_file got_wc expected_wc "word count under --memory-limit $limit"
peak_check wc.json "$baseline" "word count"
"$PY" -c '
import json; m = json.load(open("wc.json"))["memory"]
assert m["rows_spilled_bytes"] > 0, m' || fail "output rows did not spill"
echo "ok: word count on 64 MB within $limit per rank matches the oracle"

# Without a limit (auto, half the node's memory), nothing spills.
mr 3 run wordcount -i big.h5 -o wc_auto.h5 -q --report auto.json || fail "auto limit run"
"$PY" -c '
import json; m = json.load(open("auto.json"))["memory"]
assert m["spilled_bytes"] == 0 and m["limit_bytes_per_rank"] > 64 << 20, m' ||
  fail "a run with the default limit spilled"
mr 0 export wc_auto.h5 | cmp -s - expected_wc || fail "auto-limit output differs"
echo "ok: the default limit spills nothing"
# The default limit is shared by the workers on the node, not by rank 0,
# the coordinator, which holds no pairs: one worker (-n 2) gets what a
# lone rank (-n 1) gets, two workers (-n 3) half of it each.
for n in 1 2; do
  mr $n run wordcount -i tiny.h5 -o auto$n.h5 -q --report auto$n.json || fail "auto limit at -n $n"
done
"$PY" - auto1.json auto2.json auto.json <<'PY' || fail "the default limit is not shared by the workers"
import json, sys
one, two, three = (json.load(open(f))["memory"]["limit_bytes_per_rank"] for f in sys.argv[1:])
assert one == two and abs(three - two / 2) <= 1, (one, two, three)
assert json.load(open(sys.argv[3]))["memory"]["limit_source"].endswith("shared by its workers")
print("ok: the default limit: %.0f MiB at -n 1 and -n 2, %.0f MiB a worker at -n 3" % (one / 2**20, three / 2**20))
PY

# Inverted index (a combine that appends: lists of file ids grow in place,
# then spill and merge as sorted runs): 32 documents of 1 MB. The job's map
# holds a set of the current file's words, outside the limit (docs/jobs.md):
# 16-byte slots, at least twice as many as words (plus a batch of 16), the old
# slots beside the new while they grow, and the words' bytes in a string that
# grows by doubling.
mkdir -p docs
for i in $(seq 1 32); do "$GEN_TEXT" 1000000 $((100 + i)) 300000 >docs/d$i.txt; done
mr 0 import -o docs.h5 docs >/dev/null
mr 3 run inverted-index -i docs.h5 -o ii.h5 -q --memory-limit $limit --report ii.json ||
  fail "inverted-index under --memory-limit"
"$PY" - docs >expected_ii <<'PY'
import os, sys
index = {}
for f in sorted(os.listdir(sys.argv[1])):
    p = os.fsencode(os.path.join(sys.argv[1], f))
    for w in set(open(p, "rb").read().split()):
        index.setdefault(w, []).append(p)
out = sys.stdout.buffer
for w in sorted(index):
    out.write(w + b"\t" + b"\t".join(sorted(index[w])) + b"\n")
PY
mr 0 export ii.h5 >got_ii
same_file got_ii expected_ii "inverted-index under --memory-limit $limit"
set_bytes=$("$PY" - docs <<'PY'
import os, sys
most = 0
for f in os.listdir(sys.argv[1]):
    words = set(open(os.path.join(sys.argv[1], f), "rb").read().split())
    slots = 1024
    while 2 * (len(words) + 16) > slots:
        slots *= 2
    most = max(most, 16 * slots * 3 // 2 + 2 * sum(map(len, words)))
print(most)
PY
)
peak_check ii.json "$baseline" "inverted-index" "$set_bytes"
echo "ok: inverted-index on 32 MB within $limit per rank matches the oracle"

# Sort (no combiner: received pairs spill as sorted runs with their values).
"$GEN_DATA" records 640000 --ascii >records.txt
mr 0 import --format records --record-size 100 -o records.h5 records.txt >/dev/null
mr 3 run sort -i records.h5 -o sorted.h5 -q --reducers 3 --memory-limit $limit \
  --report sort.json || fail "sort under --memory-limit"
LC_ALL=C sort records.txt >expected_sort
mr 0 export sorted.h5 >got_sort
same_file got_sort expected_sort "sort under --memory-limit $limit"
mr 0 validate-sort sorted.h5 --input records.h5 >valid.txt || { cat valid.txt; fail "validate-sort"; }
peak_check sort.json "$baseline" "sort"
echo "ok: sort of 64 MB within $limit per rank matches coreutils"

# Resume under a limit: committed map tasks are read back from their files.
mr 3 run wordcount -i big.h5 -o ck.h5 -q --memory-limit $limit --checkpoint-dir ck \
  --keep-checkpoint || fail "checkpointed run"
rm -f ck/reduce/* # the partitions are gone: every map task is loaded again
rm -f ck.h5
mr 3 run wordcount -i big.h5 -o ck.h5 -q --memory-limit $limit --checkpoint-dir ck \
  --resume --report resume.json 2>resume.err || { cat resume.err; fail "resume under a limit"; }
"$PY" -c '
import json; r = json.load(open("resume.json"))
loaded = sum(r["per_worker"]["tasks_loaded"]["values"])
assert loaded == r["tasks"] and sum(r["per_worker"]["tasks"]["values"]) == 0, r["per_worker"]["tasks_loaded"]' ||
  fail "resume did not reuse the committed map tasks"
mr 0 export ck.h5 | cmp -s - expected_wc || fail "resumed output differs"
echo "ok: a resume under $limit streams committed map output from the checkpoint"

# Refused before any work, with the numbers to use instead.
expect_error "limit below the minimum" "must be 4MiB to 1PiB" tiny_out2.h5 \
  mr 3 run wordcount -i big.h5 -o tiny_out2.h5 --memory-limit 1MiB
expect_error "split size over the limit" "split size of at most 0.5 MiB" tiny_out2.h5 \
  mr 3 run wordcount -i big.h5 -o tiny_out2.h5 --memory-limit $limit --split-size 8MiB
expect_error "nonsense limit" "expected a size" tiny_out2.h5 \
  mr 3 run wordcount -i big.h5 -o tiny_out2.h5 --memory-limit lots
echo "ok: impossible limits are refused up front"

# A record longer than a task may be: refused before any work, naming the
# file and the bytes, under a limit it would exceed; taken, exactly, under
# a limit that holds it (a 2 GB line once took 32x a 64 MiB limit).
{ head -c 12000000 /dev/zero | tr '\0' 'w'; printf ' tail\nshort words here\n'; } >long.txt
mr 0 import -o long.h5 long.txt 2>/dev/null
expect_error "a 12 MB record under a 32 MiB limit" "raise --memory-limit to at least" out.h5 \
  mr 3 run wordcount -i long.h5 -o out.h5 --memory-limit 32MiB
grep -q "'long.txt'" stderr.txt || fail "the long record's file is not named"
mr 3 run wordcount -i long.h5 -o out.h5 --memory-limit 64MiB -q || fail "a 12 MB record under a 64 MiB limit"
"$MAPREDUCE" export out.h5 >got.tsv
oracle long.txt >long.tsv
same_file got.tsv long.tsv "a 12 MB record under a 64 MiB limit"
echo "ok: a 12 MB record refused under a 32 MiB limit, exact under 64 MiB"

# --memory-limit auto: half the smallest memory that applies (the node's,
# the cgroup's, Slurm's allocation on the node), shared by the workers on
# the node; the report says which. Here Slurm's SLURM_MEM_PER_NODE (600 MiB)
# is the smallest: 600 MiB / 2 / 2 workers (3 ranks, one the coordinator).
# (tiny.h5: imported above.)
(export SLURM_MEM_PER_NODE=600 && mr 3 run wordcount -i tiny.h5 -o auto.h5 -q --report auto.json) ||
  fail "the run with SLURM_MEM_PER_NODE failed"
"$PY" - auto.json <<'PY' || fail "--memory-limit auto did not take Slurm's allocation"
import json, sys
m = json.load(open(sys.argv[1]))["memory"]
assert m["limit_bytes_per_rank"] == (600 << 20) // 2 // 2, m
assert "SLURM_MEM_PER_NODE" in m["limit_source"], m
print("auto under SLURM_MEM_PER_NODE=600: %d bytes a rank (%s)" % (m["limit_bytes_per_rank"], m["limit_source"]))
PY
echo "ok: --memory-limit auto takes Slurm's allocation when it is the smallest"
