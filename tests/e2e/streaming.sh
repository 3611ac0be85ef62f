# tests/e2e/streaming.sh RANKS "SPLIT...": the streaming job (commands over
# stdin/stdout) against oracles: word count with a Python mapper and reducer
# (with and without a combiner) and with awk ones, at several split sizes,
# against coreutils; a pairs input; joins in Python and awk against a
# dictionary; url-frequency in awk and in Python; kill -9 and --resume.
# How the commands run as processes, and how they fail, is
# streaming_commands.sh's (two tests, so that the two halves can run at once).
source "$(dirname "$0")/lib.sh"
ranks=$1
source "$(dirname "$0")/streaming_setup.sh"

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
