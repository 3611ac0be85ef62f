# tests/e2e/pipeline.sh: `mapreduce pipeline FILE` runs its stages in one
# launch with the results of separate runs; a kill -9 in the middle stage
# resumes at that stage (the first is not run again, the second reuses its
# committed tasks); a bad file is refused naming the line.
source "$(dirname "$0")/lib.sh"
: "${MAPREDUCE_TEST_JOBS:?}"
"$GEN_TEXT" 3000000 5 300000 >text.txt
mr 0 import -o in.h5 text.txt
oracle text.txt >expected_counts.tsv
LC_ALL=C sort -t$'\t' -k2,2nr -k1,1 expected_counts.tsv >ranked.tsv
head -n 20 ranked.tsv >expected_top.tsv

# Three stages, the third reading the second's output; the first's output
# is read by no one (kept), the second's is an intermediate (removed).
cat >stages.txt <<'P'
# count the words twice, then rank the second count
wordcount -i in.h5 -o counts.h5 --split-size 64k  # stage 1
slowcount --param rank=1 --param ms=60 -i in.h5 -o counts2.h5 --split-size 100000 --reducers 6
top -i counts2.h5 -o 'top.h5' --param "n=20"
P
bounded env "$(new_session)" "$MPIEXEC" -n 3 "${MPI_FLAGS[@]}" "$MAPREDUCE_TEST_JOBS" \
  pipeline stages.txt 2>log.txt || { cat log.txt >&2; fail "pipeline failed"; }
mr 0 export counts.h5 >got.tsv
same_file got.tsv expected_counts.tsv "pipeline stage 1"
mr 0 export top.h5 >got.tsv
same_file got.tsv expected_top.tsv "pipeline stage 3"
[ ! -e counts2.h5 ] || fail "the intermediate counts2.h5 was kept"
grep -q "removed the intermediate output 'counts2.h5'" log.txt || fail "removal not said"
[ "$(grep -c '^pipeline: stage [123] of 3' log.txt)" = 3 ] || fail "stages not announced"
echo "ok: 3 stages in one launch, equal to the oracles; the intermediate removed"

# kill -9 a worker in stage 2, at 3 ranks: its rank 1 holds its first map
# task until the file "go" exists (no backup copies), so stage 2 cannot end
# before the kill, however busy the machine; rank 2 commits 4 tasks, then
# rank 1 is killed and "go" made. The resume runs at full speed.
rm -f counts.h5 top.h5
rm -rf ck go
sed "s|--param ms=60|--param ms=20 --param \"gate=$WORK/go\" --no-backup-tasks|" stages.txt >held.txt
grep -q -- "gate=$WORK/go" held.txt || fail "held.txt: stage 2 not gated"
env "$(new_session)" "$MPIEXEC" -n 3 "${MPI_FLAGS[@]}" "$MAPREDUCE_TEST_JOBS" \
  pipeline held.txt --checkpoint-dir ck --keep-intermediates >log1.txt 2>&1 &
job=$!
wait_files 't*-r*' 4 ck/stage-2
kill_rank 1 || { cat log1.txt >&2; fail "no rank 1 to kill in stage 2"; }
touch go
wait $job && fail "the pipeline succeeded although rank 1 was killed"
[ -s counts.h5 ] && [ ! -e top.h5 ] || fail "after the kill: stage 1 should be done, stage 3 not"
bounded env "$(new_session)" "$MPIEXEC" -n 3 "${MPI_FLAGS[@]}" "$MAPREDUCE_TEST_JOBS" \
  pipeline held.txt --checkpoint-dir ck --resume 2>log2.txt ||
  { cat log2.txt >&2; fail "the resumed pipeline failed"; }
grep -q "'counts.h5' is already this job's complete output" log2.txt ||
  { cat log2.txt >&2; fail "stage 1 ran again"; }
grep -q "resume: reusing" log2.txt || { cat log2.txt >&2; fail "stage 2 did not reuse its tasks"; }
mr 0 export top.h5 >got.tsv
same_file got.tsv expected_top.tsv "pipeline resumed after kill -9 in stage 2"
mr 0 export counts.h5 >got.tsv
same_file got.tsv expected_counts.tsv "stage 1 after the resume"
[ ! -e ck/stage-1 ] && [ ! -e ck/stage-2 ] || fail "stage checkpoints left behind"
echo "ok: kill -9 in stage 2; the resume skipped stage 1 and reused stage 2's tasks"

# A bad file: one message naming the line, exit 1, nothing run.
bad() { # bad NAME PHRASE LINES...
  local name=$1 phrase=$2
  shift 2
  printf '%s\n' "$@" >bad.txt
  expect_error "pipeline: $name" "$phrase" "" \
    bounded env "$(new_session)" "$MPIEXEC" -n 3 "${MPI_FLAGS[@]}" "$MAPREDUCE" pipeline bad.txt
}
bad "unknown job" "bad.txt line 2: job: nosuchjob not in" \
  "wordcount -i in.h5 -o a.h5" "nosuchjob -i a.h5 -o b.h5"
bad "unclosed quote" "bad.txt line 3: the quote at column 23 is not closed" \
  "# comment" "" "wordcount -i in.h5 -o 'a.h5"
bad "an input nothing makes" "bad.txt line 1: input 'nothing.h5' does not exist, and no earlier stage writes it" \
  "top -i nothing.h5 -o b.h5"
bad "an input a later stage makes" "bad.txt line 1: input 'a.h5' is written by line 2, a later stage" \
  "top -i a.h5 -o b.h5" "wordcount -i in.h5 -o a.h5"
bad "two stages, one output" "bad.txt line 2: output './a.h5' is written by line 1 too" \
  "wordcount -i in.h5 -o a.h5" "wordcount -i in.h5 -o ./a.h5"
bad "a stage's checkpoint" "bad.txt line 1: --checkpoint-dir, --resume" \
  "wordcount -i in.h5 -o a.h5 --checkpoint-dir ck"
bad "an empty file" "has no stage" "# nothing here"
bad "mapreduce run written out" "write the words that follow 'mapreduce run'" \
  "mapreduce run wordcount -i in.h5 -o a.h5"
for f in a.h5 b.h5; do [ ! -e "$f" ] || fail "a refused pipeline wrote $f"; done
