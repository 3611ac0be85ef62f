# tests/e2e/streaming.sh RANKS "SPLIT...": the streaming job (commands over
# stdin/stdout) against coreutils: word count with a Python mapper and
# reducer (with and without a combiner) and with awk ones, at several split
# sizes; url-frequency in awk and in Python; kill -9 and --resume; a mapper that writes
# more than a pipe holds before it reads (no deadlock); the environment
# the commands get; and the failures: a missing mapper, a command that does
# not exist, a command that exits non-zero, one that stops reading.
source "$(dirname "$0")/lib.sh"
ranks=$1
make_corpus
mr 0 import -o in.h5 "${CORPUS[@]}"
oracle "${CORPUS[@]}" >expected.tsv

cat >map.py <<'PY'
import sys
out = sys.stdout.buffer
for line in sys.stdin.buffer:
    for word in line.split():  # ASCII whitespace, as the oracle's tr
        out.write(word + b"\t1\n")
PY
# Word count's reducer: the one bench/streaming uses.
cp "$(dirname "$0")/../../bench/streaming/wc_reduce.py" reduce.py
# awk splits on space and TAB only: the other whitespace the oracle splits
# on (\v \f \r) becomes spaces first. Keys are compared as strings (awk
# would take "0" and "00" for one number).
awk_map="LC_ALL=C awk '{ gsub(/[\\v\\f\\r]/, \" \"); for (i = 1; i <= NF; i++) print \$i \"\\t\" 1 }'"
awk_reduce="LC_ALL=C awk -F '\\t' '(\$1 \"\") != k { if (NR > 1) print k \"\\t\" s; k = \$1 \"\"; s = 0 }
  { s += \$2 } END { if (NR) print k \"\\t\" s }'"
for split in $2; do
  run_split "$ranks" "$split" py.h5 streaming -i in.h5 \
    --param mapper="$PY $WORK/map.py" --param reducer="$PY $WORK/reduce.py"
  mr 0 export py.h5 >got.tsv
  same_file got.tsv expected.tsv "streaming word count in Python, $ranks ranks, split $split"
  run_split "$ranks" "$split" comb.h5 streaming -i in.h5 --report comb.json \
    --param mapper="$PY $WORK/map.py" --param reducer="$PY $WORK/reduce.py" \
    --param combiner="$PY $WORK/reduce.py"
  mr 0 export comb.h5 >got.tsv
  same_file got.tsv expected.tsv "streaming word count with a combiner, $ranks ranks, split $split"
  # The combiner ran: at most one pair a distinct word and task left the
  # map phase, far fewer than the words.
  "$PY" - comb.json expected.tsv <<'CHECK' || fail "the combiner did not combine"
import json, sys
report = json.load(open(sys.argv[1]))
shuffled, tasks = report["phases"]["map"]["pairs_out"], report["tasks"]
counts = [int(l.rsplit(b"\t", 1)[1]) for l in open(sys.argv[2], "rb")]
assert shuffled <= len(counts) * tasks and shuffled < sum(counts) / 2, (shuffled, tasks)
print("combiner: %d pairs left the map phase (%d tasks) for %d words, %d distinct" % (
    shuffled, tasks, sum(counts), len(counts)))
CHECK
  run_split "$ranks" "$split" awk.h5 streaming -i in.h5 \
    --param mapper="$awk_map" --param reducer="$awk_reduce"
  mr 0 export awk.h5 >got.tsv
  same_file got.tsv expected.tsv "streaming word count in awk, $ranks ranks, split $split"
done
echo "ok: streaming word count in Python and awk equals coreutils at $ranks ranks"

# A pairs input (a run's output): each row reaches the mapper as
# key<TAB>value, a count in decimal. cat as mapper and reducer gives the
# word counts back.
mr "$ranks" run wordcount -i in.h5 -o wc.h5 --overwrite -q
run_split "$ranks" 64k cat.h5 streaming -i wc.h5 --param mapper=cat --param reducer=cat
mr 0 export cat.h5 >got.tsv
same_file got.tsv expected.tsv "streaming over a pairs input (word count's output)"
echo "ok: a pairs input reaches the mapper as key<TAB>count lines"

# A reduce-side join in Python (docs/streaming.md): users (a tsv import,
# ids repeated) and orders (CSV lines), two inputs; MR_INPUT tells the
# mapper which side a record is. Oracle: a Python dictionary.
LC_ALL=C awk 'BEGIN { for (i = 0; i < 2000; i++) print "u" i % 1500 "\tname" (i * 37) % 2000 }' >users.tsv
LC_ALL=C awk 'BEGIN { for (i = 0; i < 20000; i++) print "u" (i * 7) % 1800 ",item" i }' >orders.csv
mr 0 import --format tsv -o users.h5 users.tsv
mr 0 import -o orders.h5 orders.csv
cat >join_map.py <<'PY'
import os, sys
side = os.environ["MR_INPUT"].encode()
for line in sys.stdin.buffer:
    line = line.rstrip(b"\n")
    if side == b"0":
        key, _, rest = line.partition(b"\t")
    else:
        key, _, rest = line.partition(b",")
    sys.stdout.buffer.write(key + b"\t" + side + b"|" + rest + b"\n")
PY
cat >join_reduce.py <<'PY'
import sys
def flush(key, left, right):
    for l in left:
        for r in right:
            sys.stdout.buffer.write(key + b"\t" + l + b"," + r + b"\n")
key, left, right = None, [], []
for line in sys.stdin.buffer:
    k, _, v = line.rstrip(b"\n").partition(b"\t")
    if k != key:
        if key is not None:
            flush(key, left, right)
        key, left, right = k, [], []
    (left if v.startswith(b"0|") else right).append(v[2:])
if key is not None:
    flush(key, left, right)
PY
"$PY" - users.tsv orders.csv >join_expected.tsv <<'ORACLE'
import sys
users, orders = {}, {}
for line in open(sys.argv[1], "rb"):
    k, _, v = line.rstrip(b"\n").partition(b"\t")
    users.setdefault(k, []).append(v)
for line in open(sys.argv[2], "rb"):
    k, _, v = line.rstrip(b"\n").partition(b",")
    orders.setdefault(k, []).append(v)
out = sys.stdout.buffer
for k in sorted(set(users) & set(orders)):
    for name in sorted(users[k]):
        for item in sorted(orders[k]):
            out.write(k + b"\t" + name + b"," + item + b"\n")
ORACLE
run_split "$ranks" 16k joined.h5 streaming -i users.h5 -i orders.h5 \
  --param mapper="$PY $WORK/join_map.py" --param reducer="$PY $WORK/join_reduce.py"
mr 0 export joined.h5 >got.tsv
same_file got.tsv join_expected.tsv "a join in Python over two inputs, $ranks ranks"
echo "ok: a Python join of a tsv import and CSV lines: $(wc -l <got.tsv) rows equal a dictionary's"

# The same join in awk (docs/streaming.md), against the same dictionary.
cat >join_map.awk <<'AWK'
{ i = index($0, side == 0 ? "\t" : ",")
  if (i == 0) print $0 "\t" side "|"
  else print substr($0, 1, i - 1) "\t" side "|" substr($0, i + 1) }
AWK
cat >join_reduce.awk <<'AWK'
function flush(a, b) { for (a = 1; a <= nl; a++) for (b = 1; b <= nr; b++) print k "\t" l[a] "," r[b] }
NR == 1 || ($1 "") != k { if (NR > 1) flush(); k = $1 ""; nl = nr = 0 }
{ v = substr($0, length($1) + 2)
  if (substr(v, 1, 2) == "0|") l[++nl] = substr(v, 3); else r[++nr] = substr(v, 3) }
END { if (NR > 0) flush() }
AWK
run_split "$ranks" 16k joined_awk.h5 streaming -i users.h5 -i orders.h5 \
  --param mapper="LC_ALL=C awk -v side=\"\$MR_INPUT\" -f $WORK/join_map.awk" \
  --param reducer="LC_ALL=C awk -F '\t' -f $WORK/join_reduce.awk"
mr 0 export joined_awk.h5 >got.tsv
same_file got.tsv join_expected.tsv "a join in awk over two inputs, $ranks ranks"
echo "ok: an awk join: $(wc -l <got.tsv) rows equal a dictionary's"

# url-frequency, the paper's second example: an awk mapper (the access-log
# rules of access_log_oracle.awk, then a count of 1) and the Python sum,
# against the same rules over the whole file with sort | uniq -c.
here=$(cd "$(dirname "$0")" && pwd)
"$GEN_DATA" logs 1000000 7 >access.log
mr 0 import -o logs.h5 access.log
LC_ALL=C awk -v mode=url -v bad=/dev/null -f "$here/access_log_oracle.awk" access.log |
  LC_ALL=C sort | LC_ALL=C uniq -c |
  LC_ALL=C awk '{ c = $1; sub(/^ *[0-9]+ /, ""); print $0 "\t" c }' >expected_urls.tsv
[ "$(wc -l <expected_urls.tsv)" -gt 100 ] || fail "the oracle found too few URLs"
run_split "$ranks" 64k urls.h5 streaming -i logs.h5 --param reducer="$PY $WORK/reduce.py" \
  --param mapper="LC_ALL=C awk -v mode=url -v bad=/dev/null -f '$here/access_log_oracle.awk' |
    LC_ALL=C awk '{ print \$0 \"\\t\" 1 }'"
mr 0 export urls.h5 >got.tsv
same_file got.tsv expected_urls.tsv "streaming url-frequency (awk mapper), $ranks ranks"
# All in awk, with a combiner: the awk reducer of word count.
run_split "$ranks" 64k urls.h5 streaming -i logs.h5 --param reducer="$awk_reduce" \
  --param combiner="$awk_reduce" --param mapper="LC_ALL=C awk -v mode=url -v bad=/dev/null \
    -f '$here/access_log_oracle.awk' | LC_ALL=C awk '{ print \$0 \"\\t\" 1 }'"
mr 0 export urls.h5 >got.tsv
same_file got.tsv expected_urls.tsv "streaming url-frequency in awk, $ranks ranks"
# All in Python: a mapper written from docs/jobs.md's definition of a
# well-formed line (not from the awk rules above), at another split size.
cat >url_map.py <<'PY'
import re, sys
request = re.compile(rb"[^ ]+ +([^ ]+) +[^ ]+")
status = re.compile(rb" +[0-9]{3}( |$)")
out = sys.stdout.buffer
for line in sys.stdin.buffer:
    line = line[:-1] if line.endswith(b"\n") else line
    line = line[:-1] if line.endswith(b"\r") else line
    q = line.find(b'"')
    e = line.find(b'"', q + 1) if q >= 0 else -1
    if line.find(b" ") <= 0 or e < 0:
        continue  # no host, or no quoted request
    target = request.fullmatch(line[q + 1:e])
    if target and status.match(line[e + 1:]):
        out.write(target.group(1) + b"\t1\n")
PY
run_split "$ranks" 16k urls.h5 streaming -i logs.h5 --param mapper="$PY $WORK/url_map.py" \
  --param reducer="$PY $WORK/reduce.py"
mr 0 export urls.h5 >got.tsv
same_file got.tsv expected_urls.tsv "streaming url-frequency in Python, $ranks ranks"
echo "ok: streaming url-frequency (awk mapper, all awk with a combiner, all Python): $(wc -l <got.tsv) URLs"

if [ "$ranks" = 2 ]; then
  # Checkpoints: kill -9 the worker once 5 map tasks are committed, then
  # --resume: the committed tasks are reused, and the output equals
  # coreutils. The mapper of task 5 and later waits until the file "go"
  # exists (made once the kill is done), so the run cannot end before the
  # kill, however busy the machine.
  held="[ \"\$MR_TASK\" -lt 5 ] || while [ ! -e $WORK/go ]; do sleep 0.02; done; $PY $WORK/map.py"
  rm -rf ck kill.h5 go
  env "$(new_session)" "$MPIEXEC" -n 2 "${MPI_FLAGS[@]}" "$MAPREDUCE" run streaming \
    -i in.h5 -o kill.h5 --split-size 16k --checkpoint-dir ck --no-backup-tasks \
    --param mapper="$held" --param reducer="$PY $WORK/reduce.py" >kill1.txt 2>&1 &
  job=$!
  wait_files 't*-r*' 5
  kill_rank 1 || { cat kill1.txt >&2; fail "no worker to kill"; }
  touch go
  wait $job && fail "the run succeeded although its worker was killed"
  [ ! -e kill.h5 ] || fail "an output after the kill"
  mr 2 run streaming -i in.h5 -o kill.h5 --split-size 16k --checkpoint-dir ck --resume \
    --no-backup-tasks --param mapper="$held" --param reducer="$PY $WORK/reduce.py" \
    2>kill2.txt || { cat kill2.txt >&2; fail "the resumed streaming run failed"; }
  grep -q "resume: reusing" kill2.txt || { cat kill2.txt >&2; fail "no task reused"; }
  mr 0 export kill.h5 >got.tsv
  same_file got.tsv expected.tsv "streaming word count resumed after kill -9"
  echo "ok: streaming resumed after kill -9: $(grep -o 'resume: reusing[^;]*' kill2.txt)"
fi

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
