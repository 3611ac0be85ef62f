# tests/e2e/run_with_restarts.sh: slurm/run-with-restarts, the restart policy
# for plain mpirun: a killed rank is followed by a resumed attempt; a bad
# input is not retried; a signal to the wrapper stops it for good.
source "$(dirname "$0")/lib.sh"
WRAP=$(cd "$(dirname "$0")/../../slurm" && pwd)/run-with-restarts
"$GEN_TEXT" 3000000 8 50000 >a.txt
oracle a.txt >expected.tsv
mr 0 import -o a.h5 a.txt 2>/dev/null
export MAPREDUCE
# slowcount (tests/tools/test_jobs.cpp): word count whose rank 1 holds each
# map task until the file "go" exists, so that the job is still running when
# killed however busy the machine; the test makes "go" once it has killed.
: "${MAPREDUCE_TEST_JOBS:?}"
ARGS=(--max-restarts 2 -n 3 --delay 0 --mpirun-arg --oversubscribe -- slowcount
  --param rank=1 --param ms=20 --param gate="$WORK/go" -i a.h5 -o out.h5 --split-size 150000
  --checkpoint-dir ck --no-backup-tasks -q)


# A rank killed in the first attempt: the second resumes and succeeds.
MAPREDUCE=$MAPREDUCE_TEST_JOBS "$WRAP" "${ARGS[@]}" >wrap.txt 2>&1 &
wrapper=$!
job=$wrapper
wait_files 't*' 2
kill_rank 2 || { cat wrap.txt >&2; fail "no rank 2 to kill"; }
touch go
wait $wrapper || { cat wrap.txt >&2; fail "run-with-restarts failed"; }
grep -q "attempt 1 failed with exit code 137" wrap.txt || { cat wrap.txt >&2; fail "no failed first attempt"; }
grep -q "attempt 2 of 3" wrap.txt || fail "no second attempt"
"$MAPREDUCE" export out.h5 >got.tsv
same_file got.tsv expected.tsv "after a restart"
echo "ok: a killed rank, then a resumed attempt: output matches the oracle"

# A bad input is the user's to fix: one attempt only.
rc=0
"$WRAP" --max-restarts 2 -n 2 --mpirun-arg --oversubscribe -- wordcount -i nope.h5 \
  -o out2.h5 --checkpoint-dir ck2 >bad.txt 2>&1 || rc=$?
[ "$rc" -eq 1 ] || { cat bad.txt >&2; fail "bad input: exit $rc, expected 1"; }
[ "$(grep -c 'attempt [0-9] of' bad.txt)" -eq 1 ] || { cat bad.txt >&2; fail "bad input was retried"; }
echo "ok: a missing input is not retried (exit 1)"

# SIGTERM to the wrapper: the job stops, no further attempt, exit 75.
rm -rf ck out.h5 go
MAPREDUCE=$MAPREDUCE_TEST_JOBS "$WRAP" "${ARGS[@]}" >term.txt 2>&1 &
wrapper=$!
job=$wrapper
wait_files 't*' 2
kill -TERM $wrapper
rc=0
wait $wrapper || rc=$?
[ "$rc" -eq 75 ] || { cat term.txt >&2; fail "SIGTERM to the wrapper: exit $rc, expected 75"; }
grep -q "attempt 2" term.txt && fail "the wrapper restarted after SIGTERM"
! ranks_running || fail "ranks still running after SIGTERM"
echo "ok: SIGTERM to the wrapper stops the job without a restart (exit 75)"

# Flags in every form `mapreduce run` takes: `--checkpoint-dir=DIR`,
# `--output=FILE`, `-oFILE` (the wrappers read them to place the
# checkpoint and the report; before, `--checkpoint-dir=DIR` was "missing").
rm -rf ck out.h5
"$WRAP" --max-restarts=1 -n 2 --mpirun-arg=--oversubscribe -- wordcount -i a.h5 \
  --output=out.h5 --checkpoint-dir=ck -q >eq.txt 2>&1 || { cat eq.txt >&2; fail "--checkpoint-dir=DIR refused"; }
"$MAPREDUCE" export out.h5 >got.tsv
same_file got.tsv expected.tsv "run-with-restarts with --flag=value forms"
echo "ok: run-with-restarts takes --checkpoint-dir=DIR and its own --opt=value"

# The sbatch script outside Slurm (MR_LAUNCHER=mpirun): it adds a
# checkpoint folder and a report named after the output, however the
# output was given, and never a second --checkpoint-dir.
SBATCH_SCRIPT=$(cd "$(dirname "$0")/../../slurm" && pwd)/mapreduce.sbatch
for form in --output=sb1.h5 -osb2.h5; do
  out=${form#--output=}
  out=${out#-o}
  MR_LAUNCHER=mpirun SLURM_NTASKS=2 bash "$SBATCH_SCRIPT" wordcount -i a.h5 "$form" -q \
    >sb.txt 2>&1 || { cat sb.txt >&2; fail "sbatch script with $form failed"; }
  grep -q -- "--checkpoint-dir ${out%.h5}.mapreduce.checkpoint" sb.txt ||
    { cat sb.txt >&2; fail "sbatch script with $form: no checkpoint folder named after $out"; }
  [ -s "${out%.h5}.report.json" ] || { cat sb.txt >&2; fail "sbatch script with $form: no ${out%.h5}.report.json"; }
  "$MAPREDUCE" export "$out" >got.tsv
  same_file got.tsv expected.tsv "sbatch script with $form"
done
MR_LAUNCHER=mpirun SLURM_NTASKS=2 bash "$SBATCH_SCRIPT" wordcount -i a.h5 -o sb3.h5 \
  --checkpoint-dir=ck3 -q >sb.txt 2>&1 || { cat sb.txt >&2; fail "sbatch script with --checkpoint-dir=DIR failed"; }
[ "$(grep -o -- '--checkpoint-dir' sb.txt | wc -l)" -eq 1 ] ||
  { cat sb.txt >&2; fail "sbatch script added a second --checkpoint-dir"; }
echo "ok: the sbatch script reads --output=FILE, -oFILE and --checkpoint-dir=DIR"
