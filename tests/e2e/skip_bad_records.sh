# tests/e2e/skip_bad_records.sh RANKS: --skip-bad-records. A C++ map that
# throws on 3 records of 1M, a Python mapper that raises on 2, and a C++ map
# that crashes its rank on 1 (under slurm/run-with-restarts): each record is
# skipped after its second failure, the output equals coreutils' without
# those records, and every skipped record is listed (stderr, the report, the
# output's /skipped_records). Without the flag nothing is skipped; more bad
# records than MAX fail the job; a crash in reduce names the key; a link in
# the checkpoint folder where a crash record goes is not written through.
source "$(dirname "$0")/lib.sh"
ranks=$1
: "${MAPREDUCE_TEST_JOBS:?}"
mrt() { MAPREDUCE=$MAPREDUCE_TEST_JOBS mr "$@"; }
WRAP=$(cd "$(dirname "$0")/../../slurm" && pwd)/run-with-restarts

# bad_lines FILE WORD: "FILE at byte N: \"WORD\"" for each line WORD, as the
# engine lists a skipped record (N: the line's first byte in the file).
bad_lines() {
  LC_ALL=C awk -v f="$1" -v w="$2" '$0 == w { print f " at byte " at ": \"" w "\"" }
    { at += length($0) + 1 }' "$1"
}
report_list() { # REPORT.json: the skipped records it lists, one a line
  "$PY" -c 'import json, sys
r = json.load(open(sys.argv[1]))["skipped_records"]
assert r["count"] == len(r["records"]), r
print("\n".join(r["records"]))' "$1"
}
dataset_list() { # OUTPUT.h5: its /skipped_records, as text
  "$PY" -c 'import h5py, sys
sys.stdout.buffer.write(bytes(h5py.File(sys.argv[1], "r")["skipped_records"][:]))' "$1"
}

# --- A C++ map that throws on 3 records of 1,000,000. ---
LC_ALL=C awk 'BEGIN { for (i = 0; i < 1000000; i++)
  print (i == 1234 || i == 500000 || i == 999990 ? "boom" : "r" (i * 7919) % 60000) }' >boom.txt
mr 0 import -o boom.h5 boom.txt 2>/dev/null
# (explode's values are raw 8-byte counts: its keys are compared.)
LC_ALL=C grep -vx boom boom.txt | LC_ALL=C sort -u >boom.keys
bad_lines boom.txt boom >want_bad.txt
[ "$(wc -l <want_bad.txt)" = 3 ] || fail "the oracle found $(wc -l <want_bad.txt) bad lines"
mrt "$ranks" run explode -i boom.h5 -o out.h5 --split-size 1m --skip-bad-records 3 -q \
  --report r.json 2>err.txt || { cat err.txt >&2; fail "explode with --skip-bad-records 3 failed"; }
mr 0 export out.h5 | cut -f1 >got.keys
same_file got.keys boom.keys "explode, 3 records skipped, $ranks ranks"
report_list r.json >got_bad.txt
same_file got_bad.txt want_bad.txt "the report's skipped records"
dataset_list out.h5 >got_bad.txt
same_file got_bad.txt want_bad.txt "the output's /skipped_records"
# Said even with -q: the output lacks these records.
grep -q "warning: 3 bad record(s) skipped (--skip-bad-records 3)" err.txt ||
  { cat err.txt >&2; fail "no warning listing the skipped records"; }
sed -n 's/^  //p' err.txt >got_bad.txt
same_file got_bad.txt want_bad.txt "the records listed on stderr"
echo "ok: 3 records that throw skipped at $ranks ranks, listed 3 ways: $(head -1 want_bad.txt)"

# One fewer allowed than there are: the job fails, and leaves no output.
rm -f out.h5
expect_error "more bad records than allowed" "more than 2 bad record(s) to skip (--skip-bad-records 2)" \
  out.h5 mrt "$ranks" run explode -i boom.h5 -o out.h5 --split-size 1m --skip-bad-records 2
# Without the flag nothing is skipped: the task fails its attempts.
expect_error "no --skip-bad-records" "failed 4 time(s) (--task-attempts 4)" out.h5 \
  mrt "$ranks" run explode -i boom.h5 -o out.h5 --split-size 1m
grep -qF "on the record at $(head -1 want_bad.txt): boom on purpose" stderr.txt ||
  { cat stderr.txt >&2; fail "the failure does not name the record"; }
# Flags that make no sense.
expect_error "a negative limit" "--skip-bad-records" out.h5 \
  mrt "$ranks" run explode -i boom.h5 -o out.h5 --skip-bad-records -1
expect_error "a limit that is not a number" "--skip-bad-records" out.h5 \
  mrt "$ranks" run explode -i boom.h5 -o out.h5 --skip-bad-records many
expect_error "one attempt" "needs --task-attempts 2 or more" out.h5 \
  mrt "$ranks" run explode -i boom.h5 -o out.h5 --skip-bad-records 3 --task-attempts 1

# --- A Python mapper that raises on 2 records: the engine finds them by
# mapping parts of the task, each part in a process of its own. ---
cat >map.py <<'PY'
import sys
out = sys.stdout.buffer
for line in sys.stdin.buffer:
    if line.rstrip(b"\n") == b"boom":
        raise ValueError("cannot map %r" % line)
    for word in line.split():
        out.write(word + b"\t1\n")
PY
# Word count's reducer: the one bench/streaming uses.
cp "$(dirname "$0")/../../bench/streaming/wc_reduce.py" reduce.py
LC_ALL=C awk 'BEGIN { for (i = 0; i < 200000; i++)
  print (i == 1000 || i == 150000 ? "boom" : "w" i % 5000 " x" i % 7) }' >py.txt
mr 0 import -o py.h5 py.txt 2>/dev/null
LC_ALL=C grep -vx boom py.txt >py_good.txt
oracle py_good.txt >py.tsv
bad_lines py.txt boom >want_bad.txt
mr "$ranks" run streaming -i py.h5 -o pyout.h5 --split-size 1m --skip-bad-records 2 \
  --report py.json --param mapper="$PY $WORK/map.py" --param reducer="$PY $WORK/reduce.py" \
  2>err.txt || { tail -30 err.txt >&2; fail "streaming with --skip-bad-records failed"; }
mr 0 export pyout.h5 >got.tsv
same_file got.tsv py.tsv "streaming word count, 2 records skipped, $ranks ranks"
report_list py.json >got_bad.txt
same_file got_bad.txt want_bad.txt "the records a Python mapper failed on"
# The search maps parts of the task again and again, each failing on
# purpose: the mapper's stderr of those probes is not echoed (it was, 2x17
# tracebacks a record); a real attempt's still is.
echoed=$(grep -c "^mapper of task [0-9]*: Traceback" err.txt || true)
[ "$echoed" -ge 1 ] && [ "$echoed" -le 20 ] ||
  { cat err.txt >&2; fail "$echoed tracebacks echoed for 2 bad records"; }
echo "ok: a Python mapper raising on 2 records: found, skipped, the rest exact ($echoed tracebacks echoed)"

# --- A run that skips records, commits its map tasks and then fails (its
# reducers fail): the run that resumes it reuses those tasks and lists
# their skipped records as its own (they were lost from the list before).
# Without --skip-bad-records such a task is mapped again, not reused. ---
failing_reducer="if [ -e '$WORK/fail_reduce' ]; then cat >/dev/null; exit 5; fi; $PY $WORK/reduce.py"
touch fail_reduce
rm -rf ck
rc=0
mr "$ranks" run streaming -i py.h5 -o resumed.h5 --split-size 1m --skip-bad-records 2 \
  --task-attempts 2 --checkpoint-dir ck -q --param mapper="$PY $WORK/map.py" \
  --param reducer="$failing_reducer" 2>first.txt || rc=$?
[ "$rc" = 1 ] || { cat first.txt >&2; fail "the run with failing reducers: exit $rc, expected 1"; }
rm fail_reduce
rc=0
mr "$ranks" run streaming -i py.h5 -o resumed.h5 --split-size 1m --task-attempts 2 \
  --checkpoint-dir ck --resume --param mapper="$PY $WORK/map.py" \
  --param reducer="$failing_reducer" 2>noflag.txt || rc=$?
[ "$rc" = 1 ] && grep -q "committed output lacks 1 record(s) an earlier run skipped" noflag.txt &&
  grep -q "failed 2 time(s)" noflag.txt ||
  { cat noflag.txt >&2; fail "resumed without the flag: exit $rc, or the tasks were reused"; }
[ ! -e resumed.h5 ] || fail "resumed without the flag: an output was left"
mr "$ranks" run streaming -i py.h5 -o resumed.h5 --split-size 1m --skip-bad-records 2 \
  --task-attempts 2 --checkpoint-dir ck --resume --report resumed.json \
  --param mapper="$PY $WORK/map.py" --param reducer="$failing_reducer" 2>resumed.txt ||
  { cat resumed.txt >&2; fail "the resumed run failed"; }
mr 0 export resumed.h5 >got.tsv
same_file got.tsv py.tsv "word count resumed after 2 records were skipped, $ranks ranks"
report_list resumed.json >got_bad.txt
same_file got_bad.txt want_bad.txt "the report of the resumed run"
dataset_list resumed.h5 >got_bad.txt
same_file got_bad.txt want_bad.txt "the resumed output's /skipped_records"
"$PY" -c 'import json, sys; n = json.load(open(sys.argv[1]))["checkpoint"]["tasks_reused"]; assert n >= 1, n' \
  resumed.json || fail "the resumed run reused no map task"
echo "ok: records skipped before a failure are listed by the run that resumes"

# --- A mapper that hangs on one record: --param idle-timeout kills it and
# fails the task (a decision by outcome: a mapper that never answers is
# always killed; the limit only says how soon). The record is alone in
# its task (first in the file, longer than a split), so a slow machine
# cannot make the search blame another one. ---
cat >hang.py <<'PY'
import sys, time
out = sys.stdout.buffer
for line in sys.stdin.buffer:
    if line.startswith(b"hang"):
        time.sleep(30)
    for word in line.split():
        out.write(word + b"\t1\n")
PY
LC_ALL=C awk 'BEGIN { s = "hang"; while (length(s) < 3000) s = s "x"; print s
  for (i = 0; i < 3000; i++) print "w" i % 700 " y" i % 11 }' >hang.txt
mr 0 import -o hang.h5 hang.txt 2>/dev/null
LC_ALL=C sed 1d hang.txt >hang_good.txt
oracle hang_good.txt >hang.tsv
mr "$ranks" run streaming -i hang.h5 -o hangout.h5 --split-size 1k --skip-bad-records 1 \
  --task-attempts 2 --report hang.json --param idle-timeout=4 \
  --param mapper="$PY $WORK/hang.py" --param reducer="$PY $WORK/reduce.py" \
  2>err.txt || { tail -30 err.txt >&2; fail "streaming with a hanging mapper failed"; }
grep -q "took no input and wrote nothing for 4 s, and was killed" err.txt ||
  { tail -30 err.txt >&2; fail "no word of the idle limit"; }
mr 0 export hangout.h5 >got.tsv
same_file got.tsv hang.tsv "streaming word count, the hanging record skipped, $ranks ranks"
report_list hang.json >got_bad.txt
[ "$(wc -l <got_bad.txt)" = 1 ] && grep -q '^hang.txt at byte 0: "hangxxx' got_bad.txt ||
  { cat got_bad.txt >&2; fail "the report does not list the hanging record alone"; }
echo "ok: a mapper hanging on a record: killed after its idle limit, the record skipped"
# Without skipping, the task fails, saying why; a bad limit is refused.
expect_error "an idle mapper" "took no input and wrote nothing for 1 s, and was killed" \
  out.h5 mr "$ranks" run streaming -i hang.h5 -o out.h5 --task-attempts 1 \
  --param idle-timeout=1 --param mapper="sleep 30" --param reducer=cat
expect_error "a negative idle limit" "parameter 'idle-timeout'" out.h5 \
  mr "$ranks" run streaming -i hang.h5 -o out.h5 --param idle-timeout=-1 \
  --param mapper=cat --param reducer=cat

# --- A crash (SIGSEGV) on 1 record of 1,000,000, under run-with-restarts:
# the crashed rank records the record in the checkpoint; once it has
# crashed twice, a relaunch skips it. ---
LC_ALL=C awk 'BEGIN { for (i = 0; i < 1000000; i++)
  print (i == 777777 ? "segv" : "r" (i * 7919) % 60000) }' >segv.txt
mr 0 import -o segv.h5 segv.txt 2>/dev/null
LC_ALL=C grep -vx segv segv.txt | LC_ALL=C sort | LC_ALL=C uniq -c |
  LC_ALL=C awk '{ print $2 "\t" $1 }' >segv.tsv
bad_lines segv.txt segv >want_bad.txt
rm -rf ck
MAPREDUCE=$MAPREDUCE_TEST_JOBS "$WRAP" --max-restarts 3 -n "$((ranks > 1 ? ranks : 1))" \
  --delay 0 --mpirun-arg --oversubscribe -- crashcount -i segv.h5 -o segv_out.h5 \
  --split-size 1m --checkpoint-dir ck --skip-bad-records 1 --report segv.json \
  >wrap.txt 2>&1 || { tail -40 wrap.txt >&2; fail "run-with-restarts did not get past the crash"; }
grep -q "attempt 1 failed with exit code" wrap.txt || { cat wrap.txt >&2; fail "no crash"; }
segv_at=$(cat want_bad.txt)
grep -qF "in the job's map, in task" wrap.txt &&
  grep -qF "on the record at $segv_at (recorded in the checkpoint" wrap.txt ||
  { cat wrap.txt >&2; fail "the crash does not name its record"; }
grep -qF "resume: the record at $segv_at crashed a rank" wrap.txt ||
  { cat wrap.txt >&2; fail "no relaunch skipped the record"; }
mr 0 export segv_out.h5 >got.tsv
same_file got.tsv segv.tsv "crashcount, the crashing record skipped"
report_list segv.json >got_bad.txt
same_file got_bad.txt want_bad.txt "the record that crashed"
[ ! -e ck ] || [ -z "$(ls ck)" ] || fail "the checkpoint (and its crash records) left: $(ls ck)"
echo "ok: a record that crashes its rank: skipped after $(grep -c 'failed with exit code' wrap.txt) crashed attempt(s)"

# Without the flag, a record that crashed twice is named, not skipped.
rm -rf ck
for attempt in 1 2 3; do
  rc=0
  mrt "$ranks" run crashcount -i segv.h5 -o segv2.h5 --split-size 1m --checkpoint-dir ck \
    --resume --no-backup-tasks -q >crash$attempt.txt 2>&1 || rc=$?
  [ "$rc" -ne 0 ] || fail "crashcount succeeded on attempt $attempt"
done
grep -qF "warning: the record at $segv_at crashed a rank 2 times in earlier runs; --skip-bad-records MAX would skip it" crash3.txt ||
  { cat crash3.txt >&2; fail "the third run does not name the record that crashed twice"; }
# A link where a crash record goes is not written through.
echo "the user's file" >victim.txt
cp victim.txt victim.orig
rm -f ck/crash-r*
for r in 0 1 2 3; do ln -s "$WORK/victim.txt" "ck/crash-r$r"; done
mrt "$ranks" run crashcount -i segv.h5 -o segv2.h5 --split-size 1m --checkpoint-dir ck \
  --resume --no-backup-tasks -q >crash4.txt 2>&1 && fail "crashcount succeeded"
cmp -s victim.txt victim.orig || fail "a crash record was written through a link"
echo "ok: without the flag the record is named, not skipped; links are not written through"

# --- A crash in reduce names the key. ---
printf 'a\ncrash-in-reduce\nb\n' >red.txt
mr 0 import -o red.h5 red.txt 2>/dev/null
rc=0
mrt "$ranks" run crashcount -i red.h5 -o red_out.h5 >red.log 2>&1 || rc=$?
[ "$rc" -ne 0 ] || fail "a crash in reduce: exit 0"
grep -q "crashed (signal 11, SIGSEGV) in the job's reduce, in partition [0-9]*, on the key \"crash-in-reduce\"" red.log ||
  { cat red.log >&2; fail "a crash in reduce does not name the key"; }
[ ! -e red_out.h5 ] || fail "an output after a crash in reduce"
echo "ok: a crash in reduce names its key (exit $rc)"
