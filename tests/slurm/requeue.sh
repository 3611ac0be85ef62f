# tests/slurm/requeue.sh: a real one-node Slurm runs slurm/mapreduce.sbatch;
# a worker rank is killed with kill -9 from outside in the middle of the map
# phase; the script requeues the job, the next attempt resumes from the
# checkpoint, and the output equals the coreutils oracle.
source "$(dirname "$0")/../e2e/lib.sh"
source "$(dirname "$0")/local_slurm.sh"
SBATCH_SCRIPT=$(cd "$(dirname "$0")/../../slurm" && pwd)/mapreduce.sbatch

rc=0
slurm_start "$WORK/slurm" || rc=$?
[ "$rc" -eq 77 ] && exit 77
trap 'slurm_stop; end_work' EXIT
[ "$rc" -eq 0 ] || fail "could not start a local Slurm"
echo "ok: local Slurm up: $(sinfo -h -o '%P %T %c CPUs %N')"

"$GEN_TEXT" 4000000 5 100000 >a.txt
oracle a.txt >expected.tsv
mr 0 import -o a.h5 a.txt 2>/dev/null

# Rank 1 holds each task until the file "go" exists (the test job slowcount:
# word count with a slow rank), so the job is still in its map phase when
# killed, however busy the machine; "go" is made once the kill is done.
# Rank 0 coordinates: 3 tasks on 2 cores need --overcommit, which the script
# asks for.
: "${MAPREDUCE_TEST_JOBS:?}"
MAPREDUCE=$MAPREDUCE_TEST_JOBS MR_CHECKPOINT_ROOT=$WORK \
  sbatch --export=ALL --output="$WORK/job.log" --job-name=wc "$SBATCH_SCRIPT" \
  slowcount --param rank=1 --param ms=20 --param gate="$WORK/go" -i a.h5 -o out.h5 \
  --split-size 200000 --no-backup-tasks >submit.txt ||
  fail "sbatch failed: $(cat submit.txt)"
job=$(grep -o '[0-9]*$' submit.txt)
ckpt=$WORK/out.wc.checkpoint
echo "ok: submitted job $job"

# Wait for three committed map tasks, then kill -9 worker rank 2.
for _ in $(seq 1 300); do
  [ "$(find "$ckpt" -name 't*' 2>/dev/null | wc -l)" -ge 3 ] && break
  sleep 0.1
done
[ "$(find "$ckpt" -name 't*' 2>/dev/null | wc -l)" -ge 3 ] || { cat job.log; fail "no map task committed within 30 s"; }
# Looked for again for up to 20 s, as lib.sh's kill_rank does: on a busy
# machine pgrep and /proc can miss a rank once (rank 1 holds the job).
killed=""
for _ in $(seq 1 200); do
  for p in $(pgrep -f "run slowcount"); do
    [ "$(readlink -f "/proc/$p/cwd")" = "$(readlink -f "$WORK")" ] || continue
    if tr '\0' '\n' 2>/dev/null <"/proc/$p/environ" | grep -qx "SLURM_PROCID=2"; then
      kill -9 "$p" && killed=$p
    fi
  done
  [ -n "$killed" ] && break
  sleep 0.1
done
[ -n "$killed" ] || { ps -eo pid,ppid,stat,args | grep -E '[s]lurm|[m]r_with' >&2; fail "found no rank 2 to kill"; }
touch go
echo "ok: killed rank 2 (pid $killed) after $(find "$ckpt" -name 't*' | wc -l) committed map tasks"

state=""
for _ in $(seq 1 120); do
  state=$(scontrol show job "$job" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | cut -d= -f2)
  case $state in COMPLETED | FAILED | CANCELLED | TIMEOUT) break ;; esac
  sleep 1
done
cat job.log
[ "$state" = COMPLETED ] || fail "job $job ended $state"
grep -q "attempt 1 ended with exit code 137" job.log || fail "the first attempt did not fail as expected"
grep -q "attempt 2 of" job.log || fail "the job was not requeued"
grep -q "resume: reusing [1-9][0-9]* of 20 map task" job.log || fail "the second attempt did not reuse the checkpoint"
"$MAPREDUCE" export out.h5 >got.tsv
same_file got.tsv expected.tsv "requeued job"
[ ! -e "$ckpt" ] || fail "checkpoint left after success"
echo "ok: job $job: killed, requeued by the script, resumed ($(grep -o 'reusing [0-9]* of 20' job.log)), output matches the oracle"
