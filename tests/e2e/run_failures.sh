# tests/e2e/run_failures.sh: a map that throws on a record is tried again,
# then ends every rank at once with one message and exit code 1, leaving no
# output; a job that refuses its
# parameters is reported once, before anything starts.
# Uses MAPREDUCE_TEST_JOBS: the mapreduce command with tests/tools/test_jobs.cpp.
source "$(dirname "$0")/lib.sh"
: "${MAPREDUCE_TEST_JOBS:?}"
MAPREDUCE=$MAPREDUCE_TEST_JOBS

printf 'a\nb\nboom\nc\n' >boom.txt
for i in $(seq 1 200); do echo "line $i"; done >many.txt
mr 0 import -o in.h5 many.txt boom.txt many.txt

for n in 1 2 4; do
  rc=0
  start=$(date +%s)
  mr "$n" run explode -i in.h5 -o out.h5 --split-size 100 >stdout.txt 2>stderr.txt || rc=$?
  [ "$rc" -ne 0 ] || fail "explode at $n ranks: exit 0"
  [ "$rc" -ne 124 ] || fail "explode at $n ranks: a rank hung"
  # A map that throws fails its task, never its rank: the task is tried 4
  # times (--task-attempts), then one message names it, its input, the
  # record and why.
  [ "$rc" -eq 1 ] || { cat stderr.txt >&2; fail "explode at $n ranks: exit $rc, not 1"; }
  [ "$(grep -c "error: map task [0-9]* failed 4 time(s) (--task-attempts 4), the last on rank [0-9]* (host [^)]*): input bytes [0-9]* to [0-9]* (in boom.txt[^)]*), on the record at boom.txt at byte [0-9]*: \"boom\": boom on purpose" stderr.txt)" = 1 ] ||
    { cat stderr.txt >&2; fail "explode at $n ranks: not one message naming the task"; }
  [ "$(grep -c "trying it again: input bytes.*: boom on purpose" stderr.txt)" = 3 ] ||
    { cat stderr.txt >&2; fail "explode at $n ranks: not 3 retries said"; }
  [ ! -e out.h5 ] || fail "explode at $n ranks left out.h5"
  echo "ok: a worker failing at $n ranks ends the job (exit $rc, $(($(date +%s) - start)) s)"
done

# A combine that throws when it merges two "boom"s, one a task: only the
# pass that combines across a worker's tasks, or reduce, merges them. The
# run fails as a reduce partition (tried 4 times, one message), never with a
# rank's uncaught error.
for t in 1 2 3 4 5 6; do seq -f 'w%g' 1 30; echo boom; done >combine.txt
mr 0 import -o combine.h5 combine.txt
for n in 1 3; do
  rc=0
  mr "$n" run combineboom -i combine.h5 -o out.h5 --split-size 100 >stdout.txt 2>stderr.txt || rc=$?
  [ "$rc" -eq 1 ] || { cat stderr.txt >&2; fail "combineboom at $n ranks: exit $rc, not 1"; }
  [ "$(grep -c "error: reduce partition [0-9]* failed 4 time(s) (--task-attempts 4) on rank [0-9]*: combine boom on purpose" stderr.txt)" = 1 ] ||
    { cat stderr.txt >&2; fail "combineboom at $n ranks: not one message naming the partition"; }
  ! grep -q "error on rank" stderr.txt || { cat stderr.txt >&2; fail "combineboom at $n ranks: a rank's own error"; }
  [ ! -e out.h5 ] || fail "combineboom at $n ranks left out.h5"
  echo "ok: a combine that throws at $n ranks fails its reduce partition (exit 1)"
done

for n in 1 3; do
  rc=0
  mr "$n" run needparam -i in.h5 -o out.h5 >stdout.txt 2>stderr.txt || rc=$?
  [ "$rc" -eq 1 ] || fail "needparam at $n ranks: exit $rc"
  [ "$(grep -c 'needs --param x=VALUE' stderr.txt)" -eq 1 ] || { cat stderr.txt >&2; fail "needparam: message not printed once"; }
  [ ! -e out.h5 ] || fail "needparam left out.h5"
  mr "$n" run needparam -i in.h5 -o out.h5 --param x=1 -q || fail "needparam with x=1 failed"
  # 200 distinct "line i" + a, b, boom, c
  [ "$(mr 0 export out.h5 | wc -l)" -eq 204 ] || fail "needparam output has the wrong rows"
  h5dump -a /parameters out.h5 | grep -q 'x=1' || fail "parameters attribute lacks x=1"
  rm out.h5
  echo "ok: job parameters checked at $n ranks"
done
