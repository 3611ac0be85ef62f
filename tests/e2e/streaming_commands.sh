# tests/e2e/streaming_commands.sh RANKS: the streaming job's commands as
# processes: a mapper that writes more than a pipe holds before it reads (no
# deadlock); the environment the commands get; the descriptors they hold;
# stderr on a terminal; a cancel and a rank's kill -9 end them; and the
# failures: a missing mapper, a command that does not exist, one that exits
# non-zero or stops reading, a line over the limit, task and reduce attempts,
# a failing worker (3 ranks or more) and a backup copy that wins.
source "$(dirname "$0")/lib.sh"
ranks=$1
source "$(dirname "$0")/streaming_setup.sh"

# A mapper that writes 3 MB (far more than a pipe holds) before it reads a
# line: the worker must keep reading its output while it feeds it.
lines=$(LC_ALL=C awk 'END { print NR }' "${CORPUS[@]}")
run_split "$ranks" 64k flood.h5 streaming -i in.h5 --report flood.json \
  --param mapper="LC_ALL=C awk 'BEGIN { for (i = 0; i < 300000; i++) print \"x\\t1\" }
    { n++ } END { print \"lines\\t\" n }'" --param reducer="$PY $WORK/reduce.py"
tasks=$("$PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))["tasks"])' flood.json)
mr 0 export flood.h5 >got.tsv
printf 'lines\t%s\nx\t%s\n' "$lines" $((300000 * tasks)) >want.tsv
same_file got.tsv want.tsv "a mapper that floods its stdout before reading ($tasks tasks)"

# The environment: MR_TASK and MR_INPUT_FILE for a mapper, MR_PARTITION for
# a reducer.
run_split "$ranks" 64k env.h5 streaming -i in.h5 --reducers 3 \
  --param mapper='cat >/dev/null; printf "task%s\t%s\n" "$MR_TASK" "$MR_INPUT_FILE"' \
  --param reducer='cut -f1 | sort -u | sed "s/\$/\tpartition$MR_PARTITION/"'
mr 0 export env.h5 >got.tsv
[ "$(wc -l <got.tsv)" = "$tasks" ] || fail "not one row a task: $(wc -l <got.tsv) of $tasks"
for t in $(seq 0 $((tasks - 1))); do
  grep -q "^task$t	partition[0-2]\$" got.tsv || fail "no row for task $t"
done
echo "ok: the commands see MR_TASK, MR_INPUT_FILE and MR_PARTITION"

# A command holds only its stdin, stdout and stderr of ours: not the
# input's HDF5 file, MPI's sockets or the rank's own stdout (a command that
# outlived its rank held `mapreduce ... | tail` open).
cat >fds.py <<'PY'
import os, sys
sys.stdin.buffer.read()
held = []
for fd in os.listdir("/proc/self/fd"):
    try:
        held.append("%s -> %s" % (fd, os.readlink("/proc/self/fd/" + fd)))
    except OSError:
        pass  # the listing's own descriptor, gone
for h in held:
    if int(h.split()[0]) > 2:
        print("%s\t1" % h)
PY
run_split "$ranks" 64k fds.h5 streaming -i in.h5 \
  --param mapper="$PY $WORK/fds.py" --param reducer="cat; $PY $WORK/fds.py </dev/null"
mr 0 export fds.h5 >got.tsv
[ ! -s got.tsv ] || { cat got.tsv >&2; fail "a mapper holds descriptors of the rank"; }
echo "ok: the commands hold no descriptor of the rank beyond 0, 1 and 2"
mr 1 run streaming -i in.h5 -o env1.h5 -q --split-size 100m \
  --param mapper='cat >/dev/null; printf "file\t%s\n" "$MR_INPUT_FILE"' --param reducer=cat
mr 0 export env1.h5 >got.tsv
printf 'file\ta.txt\n' >want.tsv
same_file got.tsv want.tsv "MR_INPUT_FILE of the first record's file"

# On a terminal (one process: the progress line is redrawn in place) a
# command's stderr never lands in the middle of that line: the line ends
# first. Each mapper says one line on stderr as it starts.
if [ "$ranks" -eq 1 ] && command -v script >/dev/null; then
  script -qec "$MAPREDUCE run streaming -i in.h5 -o tty.h5 --split-size 256k \
    --param mapper='echo warned >&2; cat >/dev/null' --param reducer=cat" /dev/null >tty.txt 2>&1 ||
    { cat -v tty.txt; fail "a streaming run on a terminal failed"; }
  grep -q 'warned' tty.txt || { cat -v tty.txt; fail "no mapper's stderr on the terminal"; }
  grep -qaP '\x1b\[K' tty.txt || { cat -v tty.txt; fail "no progress line redrawn on the terminal"; }
  ! grep -qaP '\x1b\[K[^\r\n]' tty.txt || { cat -v tty.txt | head -20; fail "a message landed in the middle of the progress line"; }
  echo "ok: on a terminal the mappers' stderr ($(grep -c warned tty.txt) lines) never lands in the progress line"
fi

# A cancel (Ctrl-C or scancel: SIGINT or SIGTERM to mpirun) ends the
# commands too: in process groups of their own, they outlived their ranks
# (a hung mapper ran on after the job had ended). The mapper hangs, its
# command line names $WORK so that only this test's are counted.
hung() { pgrep -f "^$PY -c import time; time.sleep.3600. $WORK/hung" || true; }
env "$(new_session)" "$MPIEXEC" -n "$ranks" "${MPI_FLAGS[@]}" "$MAPREDUCE" run streaming \
  -i in.h5 -o cancelled.h5 -q --split-size 64k --no-backup-tasks \
  --param mapper="$PY -c 'import time; time.sleep(3600)' $WORK/hung" \
  --param reducer=cat >cancel.txt 2>&1 &
job=$!
for _ in $(seq 1 1200); do [ -n "$(hung)" ] && break; sleep 0.1; done
[ -n "$(hung)" ] || { kill -9 $job; fail "the hanging mappers never started"; }
kill -INT $job
rc=0
wait $job || rc=$?
[ "$rc" -ne 0 ] || fail "a cancelled run exited 0"
for _ in $(seq 1 100); do [ -z "$(hung)" ] && break; sleep 0.1; done
[ -z "$(hung)" ] || { ps -o pid,pgid,args -p "$(hung | tr '\n' ',' | sed 's/,$//')" >&2; pkill -9 -f "$WORK/hung"; fail "mappers outlived the cancelled run"; }
! compgen -G "cancelled.h5*" >/dev/null || fail "a cancelled run left its output"
echo "ok: Ctrl-C to mpirun ends the mappers with the ranks (exit $rc)"

# A rank killed with SIGKILL (the OOM killer, a node's failure, mpirun's own
# escalation on a loaded node) runs no handler: its commands must go all the
# same. Each command's group holds a watchdog that kills the group when the
# rank's end of a pipe closes, which the kernel does however the rank ends.
if [ "$ranks" -gt 1 ]; then
  env "$(new_session)" "$MPIEXEC" -n "$ranks" "${MPI_FLAGS[@]}" "$MAPREDUCE" run streaming \
    -i in.h5 -o killed.h5 -q --split-size 64k --no-backup-tasks \
    --param mapper="$PY -c 'import time; time.sleep(3600)' $WORK/hung" \
    --param reducer=cat >killed.txt 2>&1 &
  job=$!
  for _ in $(seq 1 1200); do [ "$(hung | wc -l)" -ge $((ranks - 1)) ] && break; sleep 0.1; done
  [ -n "$(hung)" ] || { kill -9 $job; fail "the hanging mappers never started"; }
  kill_rank 1 || { kill -9 $job; fail "found no rank 1 to kill"; }
  wait $job || true
  for _ in $(seq 1 100); do [ -z "$(hung)" ] && break; sleep 0.1; done
  [ -z "$(hung)" ] || { ps -o pid,pgid,args -p "$(hung | tr '\n' ',' | sed 's/,$//')" >&2; pkill -9 -f "$WORK/hung"; fail "mappers outlived a rank killed with SIGKILL"; }
  echo "ok: kill -9 of a rank ends its mapper too"
fi

# Failures: one message, a non-zero exit, no output.
expect_error "no mapper" "job streaming needs --param mapper=VALUE" bad.h5 \
  mr "$ranks" run streaming -i in.h5 -o bad.h5 --param reducer=cat
expect_error "an empty mapper" "parameter 'mapper' is empty" bad.h5 \
  mr "$ranks" run streaming -i in.h5 -o bad.h5 --param mapper=' ' --param reducer=cat
expect_error "a command that does not exist" "exited with code 127 (the shell found no such command)" \
  bad.h5 mr "$ranks" run streaming -i in.h5 -o bad.h5 --task-attempts 1 --split-size 100m \
  --param mapper=no-such-command-here --param reducer=cat
expect_error "a mapper that fails" "exited with code 3; the last lines of its stderr" bad.h5 \
  mr "$ranks" run streaming -i in.h5 -o bad.h5 --task-attempts 1 --split-size 100m \
  --param mapper='echo broken >&2; exit 3' --param reducer=cat
grep -q "^  broken\$" stderr.txt || fail "the failing mapper's stderr is not in the message"
expect_error "a reducer killed by a signal" "was killed by signal 9" bad.h5 \
  mr "$ranks" run streaming -i in.h5 -o bad.h5 --task-attempts 1 --split-size 100m --reducers 1 \
  --param mapper=cat --param reducer='kill -9 $$'
expect_error "a mapper that stops reading" "stopped reading its input" bad.h5 \
  mr "$ranks" run streaming -i in.h5 -o bad.h5 --task-attempts 1 --split-size 100m \
  --param mapper='head -c 10 >/dev/null' --param reducer=cat

# A line too long to hold: a reducer that writes a line of 1 GiB is killed
# at the line limit (64 MiB by default), never held whole; the message
# says how to raise it. A mapper's lines have the same limit.
expect_error "a reducer's line of 1 GiB" "wrote a line longer than 67108864 bytes, and was killed (the line limit; raise it with --param max-line-mib=N)" \
  bad.h5 mr "$ranks" run streaming -i in.h5 -o bad.h5 --task-attempts 1 --reducers 1 \
  --param mapper=cat --param reducer='cat >/dev/null; head -c 1073741824 /dev/zero | tr "\0" x'
expect_error "a mapper's line over --param max-line-mib=1" "wrote a line longer than 1048576 bytes" \
  bad.h5 mr "$ranks" run streaming -i in.h5 -o bad.h5 --task-attempts 1 --split-size 100m \
  --param max-line-mib=1 --param mapper='head -c 2000000 /dev/zero | tr "\0" x; cat' \
  --param reducer=cat
grep -q "the mapper of task 0 .* wrote a line longer" stderr.txt ||
  fail "the line limit's message does not name the mapper's task"
expect_error "--param max-line-mib=0" "parameter 'max-line-mib': 0 is not in range 1" bad.h5 \
  mr "$ranks" run streaming -i in.h5 -o bad.h5 --param max-line-mib=0 --param mapper=cat \
  --param reducer=cat
# A line of exactly the limit passes: the reducer's line is the key of
# 1048575 bytes and its TAB, 1 MiB.
mr "$ranks" run streaming -i in.h5 -o longline.h5 -q --reducers 1 --split-size 100m \
  --param max-line-mib=1 --param reducer=cat \
  --param mapper='cat >/dev/null; head -c 1048575 /dev/zero | tr "\0" y; echo'
[ "$(mr 0 export longline.h5 | wc -c)" = 1048577 ] || fail "a line of 1 MiB was not kept whole"
echo "ok: a line of exactly the limit is kept whole"

# A pair that cannot be a line: a key with a TAB (a quoted CSV field, as
# the join job keeps it) fails map on that record, and says why.
printf '"x\ty",1\nz,2\n' >tab_a.csv
printf '"x\ty",3\nz,4\n' >tab_b.csv
mr 0 import -o tab_a.h5 tab_a.csv
mr 0 import -o tab_b.h5 tab_b.csv
mr 1 run join -i tab_a.h5 -i tab_b.h5 -o tabs.h5 --param left-key=1 --param right-key=1 \
  --param left-fields=2 --param right-fields=2 -q
expect_error "a key with a TAB" "its key holds a TAB or a newline" bad.h5 \
  mr "$ranks" run streaming -i tabs.h5 -o bad.h5 --task-attempts 1 \
  --param mapper=cat --param reducer=cat
head -c 1000 /dev/zero >zeros.bin
mr 0 import --format records --record-size 10 -o records.h5 zeros.bin
expect_error "a records input" "job streaming reads" bad.h5 \
  mr "$ranks" run streaming -i records.h5 -o bad.h5 --param mapper=cat --param reducer=cat

# Task attempts: a mapper that always fails is tried 4 times (the default),
# then the job fails with one message naming the task and its input.
expect_error "a task that always fails" "failed 4 time(s) (--task-attempts 4)" bad.h5 \
  mr "$ranks" run streaming -i in.h5 -o bad.h5 --split-size 100m \
  --param mapper='echo broken >&2; exit 3' --param reducer=cat
grep -q "input bytes 0 to [0-9]* (in a.txt, b.txt, c.txt, long.txt)" stderr.txt ||
  fail "the failure does not name the task's input"
expect_error "two attempts" "failed 2 time(s) (--task-attempts 2)" bad.h5 \
  mr "$ranks" run streaming -i in.h5 -o bad.h5 --split-size 100m --task-attempts 2 \
  --param mapper='exit 3' --param reducer=cat
expect_error "--task-attempts 0" "--task-attempts" bad.h5 \
  mr "$ranks" run streaming -i in.h5 -o bad.h5 --task-attempts 0 --param mapper=cat \
  --param reducer=cat
# Reduce attempts: a reducer that fails the first time on each partition
# is tried again on its worker (which alone holds the partition's pairs),
# with what the failed attempt wrote dropped: the output is exact.
rm -rf rmarks && mkdir rmarks
mr "$ranks" run streaming -i in.h5 -o retried.h5 --reducers 5 --report retried.json \
  --param mapper="$PY $WORK/map.py" \
  --param reducer="if mkdir '$WORK/rmarks/'\$MR_PARTITION 2>/dev/null; then head -c 100; echo half-done; exit 4; fi; $PY $WORK/reduce.py" \
  2>retried.txt || { cat retried.txt >&2; fail "the run with failing reducers failed"; }
mr 0 export retried.h5 >got.tsv
same_file got.tsv expected.tsv "word count with each reducer failing once"
[ "$(grep -c "^reduce: partition [0-4] failed on rank [0-9]* (attempt 1 of 4), trying it again: the reducer of partition [0-4] .* exited with code 4" retried.txt)" = 5 ] ||
  { cat retried.txt >&2; fail "not 5 reduce retries said"; }
"$PY" -c 'import json, sys; n = json.load(open(sys.argv[1]))["reduce_attempts_failed"]; assert n == 5, n' \
  retried.json || fail "the report does not count 5 failed reduce attempts"
expect_error "a reducer that always fails" "reduce partition 0 failed 2 time(s) (--task-attempts 2)" bad.h5 \
  mr "$ranks" run streaming -i in.h5 -o bad.h5 --reducers 1 --task-attempts 2 \
  --param mapper=cat --param reducer='cat >/dev/null; exit 6'
echo "ok: reducers failing once are tried again; one failing always ends the job (exit 1)"

[ "$ranks" -ge 3 ] || exit 0
# A worker whose mapper fails on every task (rank 1's): each of its tasks
# is tried again on another worker, and the result is exact.
mr "$ranks" run streaming -i in.h5 -o flaky.h5 --split-size 64k --report flaky.json \
  --param mapper="[ \"\$OMPI_COMM_WORLD_RANK\" != 1 ] || exit 5; $PY $WORK/map.py" \
  --param reducer="$PY $WORK/reduce.py" 2>flaky.txt ||
  { cat flaky.txt >&2; fail "the run with a failing worker failed"; }
mr 0 export flaky.h5 >got.tsv
same_file got.tsv expected.tsv "word count with rank 1's mapper failing"
grep -q "failed on rank 1 (host [^)]*) (attempt 1 of 4), trying it again" flaky.txt ||
  fail "no task was said to be tried again"
"$PY" - flaky.json <<'CHECK' || fail "the report does not count the failed copies"
import json, sys
report = json.load(open(sys.argv[1]))
failed = report["map_attempts_failed"]
assert 1 <= failed <= report["tasks"], (failed, report["tasks"])
print("map attempts failed: %d of %d tasks" % (failed, report["tasks"]))
CHECK
echo "ok: a worker failing every task: its tasks ran elsewhere, the output is exact"

# A backup copy wins: the first copy of task 0 waits until the backup's
# mapper has ended (so the coordinator cancels it mid-task), then goes on.
# The cancelled copy's mapper must go with it: once it was left running
# and fed the reduce phase's pairs as if it were the reducer (186,128 rows
# of "word 1" instead of 70,442 counts). Short lines, more than a pipe
# holds: a task checks for a cancellation every 4096 records it feeds.
LC_ALL=C awk 'BEGIN { for (i = 0; i < 300000; i++) print "w" (i * 7919 % 1500), "x" i % 3 }' >short.txt
mr 0 import -o short.h5 short.txt
oracle short.txt >short.tsv
for wait in 2 5 15; do
  rm -rf marks && mkdir marks
  mr "$ranks" run streaming -i short.h5 -o won.h5 --split-size 512k --overwrite -q \
    --report won.json --param reducer="$PY $WORK/reduce.py" --param mapper="
      if [ \"\$MR_TASK\" = 0 ] && mkdir '$WORK/marks/first' 2>/dev/null; then
        n=0; until [ -e '$WORK/marks/done' ] || [ \$n -ge 600 ]; do sleep 0.1; n=\$((n + 1)); done
        sleep $wait; exec $PY $WORK/map.py
      fi
      $PY $WORK/map.py; [ \"\$MR_TASK\" != 0 ] || touch '$WORK/marks/done'"
  mr 0 export won.h5 >got.tsv
  same_file got.tsv short.tsv "word count with a backup copy of task 0 winning"
  abandoned=$("$PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))["backups"]["abandoned"])' won.json)
  [ "$abandoned" -ge 1 ] && break
  echo "note: the first copy of task 0 ended before its cancellation reached it (waited $wait s): drawn again"
done
[ "$abandoned" -ge 1 ] || fail "no copy was ever abandoned"
echo "ok: a backup copy won, the first copy was abandoned mid-task, the output is exact"
