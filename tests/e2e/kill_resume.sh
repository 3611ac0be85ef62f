# tests/e2e/kill_resume.sh: kill -9 a rank from outside at chosen moments
# (map phase, shuffle, reduce phase, while a checkpoint file is written, and
# the coordinator), then resume, alternately at the same and at another rank
# count: the result must equal the coreutils oracle every time, and the file
# be the same bytes as an uninterrupted run's. Trials are
# drawn from a seed the test prints (SEED=... to replay one run).
source "$(dirname "$0")/lib.sh"

SEED=${SEED:-$(date +%s)}
echo "seed $SEED (replay: SEED=$SEED ctest -R e2e.kill_resume)"
RANDOM=$SEED
TRIALS=${TRIALS:-12}

"$GEN_TEXT" 6000000 11 400000 >text.txt
oracle text.txt >expected.tsv
mr 0 import -o in.h5 text.txt 2>/dev/null
# Word count with rank 1 slowed a little (2 ms before each map task and
# partition: the test job slowcount), so that every moment is reached.
: "${MAPREDUCE_TEST_JOBS:?}"
JOB=(run slowcount --param rank=1 --param ms=2)

# wait_for polls often, so it starts no process (lib.sh's files_at_least
# and nap; find and `sleep` used a core for the whole test: 55 CPU-s of 57 s).
# ck_state: what ck holds, for the log.
ck_state() {
  local t p w
  count_glob t 'ck/**/t*-r*'
  count_glob p 'ck/**/p*-r*'
  count_glob w 'ck/**/*.tmp-*'
  echo "$t task file(s), $p partition file(s), $w being written just after"
}
# map_records: sets n to the map tasks the manifest records.
map_records() {
  local line lines=()
  n=0
  [ -e ck/manifest ] && mapfile -t lines <ck/manifest 2>/dev/null
  for line in "${lines[@]}"; do [ "${line#map }" = "$line" ] || n=$((n + 1)); done
}

# wait_for MOMENT: returns once the job has reached MOMENT (or ended); the
# map moment is after 1 to 12 committed map tasks, drawn for each trial.
# "writing" is a task's or partition's file, in map/ or reduce/: the kill
# of rank 0 while it wrote the manifest itself left no checkpoint, and the
# resume, without --split-size and --reducers, ran the whole job with the
# defaults (docs/failures.md: right, but not the reference run's file).
wait_for() {
  local deadline=$((SECONDS + 60)) tasks_in=$((RANDOM % 12 + 1)) n
  while kill -0 "$job" 2>/dev/null && [ $SECONDS -lt $deadline ]; do
    case $1 in
    map) files_at_least "$tasks_in" 't*-r*' ck && return 0 ;;
    shuffle) map_records && [ "$n" -ge "$tasks" ] && return 0 ;;
    reduce) files_at_least 1 'p*-r*' ck && return 0 ;;
    writing) files_at_least 1 '*.tmp-*' 'ck/*' && return 0 ;; # in a folder of ck
    esac
    nap 0.005
  done
  return 1
}

# An uninterrupted run's file: every resumed output must be the same bytes
# (HDF5 records no object times: docs/file-formats.md).
MAPREDUCE=$MAPREDUCE_TEST_JOBS mr 3 "${JOB[@]}" -i in.h5 -o ref.h5 --checkpoint-dir ckref \
  --split-size 250000 --reducers 6 -q || fail "the uninterrupted run failed"
moments=(map shuffle reduce writing map)
late=0
trial=0
while [ "$trial" -lt "$TRIALS" ]; do
  trial=$((trial + 1))
  rm -rf ck out.h5 out.h5.partial-*
  n=$((3 + RANDOM % 2))
  moment=${moments[$((trial % ${#moments[@]}))]}
  victim=$((1 + RANDOM % (n - 1)))
  [ $((trial % 4)) -eq 0 ] && victim=0 # the coordinator
  # 24 tasks; 6 partitions, so that the reduce phase commits several files.
  tasks=24
  env "$(new_session)" "$MPIEXEC" -n "$n" "${MPI_FLAGS[@]}" "$MAPREDUCE_TEST_JOBS" "${JOB[@]}" \
    -i in.h5 -o out.h5 --checkpoint-dir ck --split-size 250000 --reducers 6 -q \
    >log.txt 2>&1 &
  job=$!
  # The victim is looked up while the job starts, so that the kill follows
  # the moment at once: a lookup after it (pgrep, /proc) let a short reduce
  # phase end first, trial after trial, once the poll no longer slowed the job.
  pid=$(find_rank "$victim") || pid=
  hit=no
  wait_for "$moment" && hit=yes
  killed=no
  [ -n "$pid" ] && kill -0 "$job" 2>/dev/null && kill -9 "$pid" 2>/dev/null && killed=yes
  state=$(ck_state)
  rc=0
  wait "$job" || rc=$?
  # On a busy machine the job may finish before the kill lands: that trial
  # tested nothing, so it is drawn again (decided by what happened: the job
  # succeeded), at most 3 times as many as asked.
  if [ "$rc" -eq 0 ]; then
    late=$((late + 1))
    echo "retry: trial $trial: the job finished before the kill (killed: $killed); drawn again"
    [ "$late" -le $((3 * TRIALS)) ] || fail "the job always finished before the kill"
    trial=$((trial - 1))
    continue
  fi
  # Resume at the same rank count on odd trials, another on even ones.
  m=$n
  [ $((trial % 2)) -eq 0 ] && m=$((n == 3 ? 4 : 2))
  MAPREDUCE=$MAPREDUCE_TEST_JOBS mr "$m" "${JOB[@]}" -i in.h5 -o out.h5 --checkpoint-dir ck --resume -q \
    --report report.json >resume.txt 2>&1 || { cat log.txt resume.txt >&2; fail "trial $trial: resume failed"; }
  "$MAPREDUCE" export out.h5 >got.tsv
  same_file got.tsv expected.tsv "trial $trial"
  cmp -s out.h5 ref.h5 || fail "trial $trial: out.h5 differs from an uninterrupted run's file: $(cmp out.h5 ref.h5 2>&1)"
  [ ! -e ck ] || fail "trial $trial: checkpoint left after success"
  reused=$($PY -c "import json; c = json.load(open('report.json'))['checkpoint']; print(c['tasks_reused'], 'task(s) and', c['partitions_reused'], 'partition(s) reused')")
  echo "ok: trial $trial: $n ranks, kill -9 rank $victim at '$moment' (reached: $hit; $state; exit $rc); resumed at $m ranks: $reused"
done
echo "$TRIALS trials, $late drawn again (the job finished before the kill)"
