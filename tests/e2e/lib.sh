# tests/e2e/lib.sh: shared by the end-to-end tests. Expects MAPREDUCE,
# GEN_TEXT, MPIEXEC and MPIEXEC_FLAGS in the environment (set by ctest).
set -euo pipefail
: "${MAPREDUCE:?}" "${GEN_TEXT:?}" "${MPIEXEC:?}"
read -r -a MPI_FLAGS <<<"${MPIEXEC_FLAGS:-}"
# Open MPI refuses root unless told; only tests and demos say so.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

WORK=$(mktemp -d)
# end_work: ends every process still in this test's folder, then removes it.
# A test that failed while it held a rank (a gate, a hung mapper) exited
# and left the run waiting for ever, taking CPU from the tests after it.
# (`-ef` compares with stat, no process started: a hundred tests run this.)
end_work() {
  local d
  for d in $(jobs -p); do kill -9 "$d" 2>/dev/null || true; done
  for d in /proc/[0-9]*; do
    if [ "${d#/proc/}" != $$ ] && [ "$d/cwd" -ef "$WORK" ]; then
      kill -9 "${d#/proc/}" 2>/dev/null || true
    fi
  done
  rm -rf "$WORK"
}
trap end_work EXIT
cd "$WORK"
# Each mpirun keeps its session files in a folder of its own: two mpiruns
# started at the same moment (by parallel tests, or by one test that runs
# several at once) can otherwise collide in a shared one (orte_init:
# session_dir "File exists"; seen under ctest -j3 and in output_safety).
export OMPI_MCA_orte_tmpdir_base="$WORK"
# new_session: "OMPI_MCA_orte_tmpdir_base=<a fresh folder>", for
# `env "$(new_session)" "$MPIEXEC" ...` (env execs mpirun: a background job's
# $! stays mpirun's pid).
new_session() {
  echo "OMPI_MCA_orte_tmpdir_base=$(mktemp -d -p "$WORK" ompi-session.XXXXXX)"
}

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# bounded COMMAND...: COMMAND, ended if it runs past 120 s: SIGTERM, then
# SIGKILL 10 s later (to its whole process group). A TERM alone once left an
# mpirun running until ctest's 600 s guard, with nothing said about which
# command hung. A command that had to be ended says so, with what was left.
bounded() {
  local rc=0
  timeout -k 10 120 "$@" || rc=$?
  if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
    {
      echo "HUNG?: exit $rc (timed out after 120 s, or killed): $*"
      ps -eo pid,ppid,pgid,stat,etime,args | grep -E '[m]pi(run|exec)|[o]rted|[m]apreduce|[m]r_with' || true
    } >&2
  fi
  return $rc
}

# mr N ARGS...: `mapreduce ARGS` on N ranks (a plain process for N=0).
# After a rank exits non-zero, mpirun signals the others with SIGTERM and
# sleeps odls_base_sigkill_timeout (1 s) before a SIGKILL: a failed run at
# one rank, where no other is left to signal, took 2.1 s against 0.1 s with
# 0 (bench/RESULTS.md, "CI time, 2026-12-06"). One rank: no grace given.
mr() {
  local n=$1
  shift
  if [ "$n" -eq 0 ]; then
    bounded "$MAPREDUCE" "$@"
  elif [ "$n" -eq 1 ]; then
    bounded env "$(new_session)" OMPI_MCA_odls_base_sigkill_timeout=0 \
      "$MPIEXEC" -n 1 "${MPI_FLAGS[@]}" "$MAPREDUCE" "$@"
  else
    bounded env "$(new_session)" "$MPIEXEC" -n "$n" "${MPI_FLAGS[@]}" "$MAPREDUCE" "$@"
  fi
}

# oracle FILES...: word counts by coreutils, as word<TAB>count sorted by bytes.
oracle() {
  LC_ALL=C awk 1 "$@" | tr -s ' \t\n\v\f\r' '\n' | grep -av '^$' |
    LC_ALL=C sort | LC_ALL=C uniq -c | LC_ALL=C awk '{print $2 "\t" $1}'
}

# A corpus with the edge cases: Zipf text with odd whitespace, CR LF, non-ASCII
# bytes and long lines; an empty file; a file without a final newline.
make_corpus() {
  "$GEN_TEXT" 400000 1 5000 --edge-cases >a.txt
  "$GEN_TEXT" 150000 2 200000 >b.txt
  : >empty.txt
  printf 'last line has no newline\r\n\xff\xfe bytes\ttab\vvt\fff' >c.txt
  awk 'BEGIN { for (i = 0; i < 20000; i++) printf "long%d ", i % 50; print "" }' >long.txt
  CORPUS=(a.txt empty.txt b.txt c.txt long.txt)
}

# run_split RANKS SPLIT OUT ARGS...: `mapreduce run ARGS -o OUT` quietly with
# that split size; fails the test if the run fails.
run_split() {
  local n=$1 split=$2 out=$3
  shift 3
  mr "$n" run "$@" -o "$out" --split-size "$split" --overwrite -q ||
    fail "run $* failed at $n ranks, split $split"
}

# same_file GOT EXPECTED WHAT: byte-for-byte equal, or a diff and a failure.
same_file() {
  if ! cmp -s "$1" "$2"; then
    diff <(head -c 3000 "$1" | cat -A) <(head -c 3000 "$2" | cat -A) | head -20 >&2
    fail "$3: output differs from the oracle ($(wc -l <"$1") vs $(wc -l <"$2") lines)"
  fi
}

# expect_error NAME PHRASE OUTPUT COMMAND...: COMMAND must fail, print PHRASE
# exactly once, and leave neither OUTPUT nor a partial OUTPUT behind.
expect_error() {
  local name=$1 phrase=$2 out=$3
  shift 3
  local rc=0
  "$@" >stdout.txt 2>stderr.txt || rc=$?
  [ "$rc" -ne 0 ] || fail "$name: exit code 0"
  [ "$rc" -ne 124 ] || fail "$name: timed out (a rank hung)"
  [ "$rc" -lt 128 ] || { cat stderr.txt >&2; fail "$name: crashed (exit $rc)"; }
  local count
  count=$(grep -c -F -- "$phrase" stderr.txt || true)
  [ "$count" -eq 1 ] || { cat stderr.txt >&2; fail "$name: '$phrase' printed $count times"; }
  if [ -n "$out" ] && { [ -e "$out" ] || compgen -G "$out.partial*" >/dev/null; }; then
    fail "$name: left $out behind"
  fi
  echo "ok: $name (exit $rc): $(grep -F -- "$phrase" stderr.txt)"
}

# expect_refusal NAME PHRASE OUT COMMAND...: expect_error for a refusal
# every rank reaches before any work (bad flags, inputs, checkpoints). mpirun
# signals the ranks still finishing when the first exits non-zero: the
# refusal must not be followed by "stopped by SIGTERM ... --resume". (After a
# failure that aborts the job, that notice is right.)
# Every rank has decided and rank 0 has said why before any exits, so no
# rank needs mpirun's 1 s of grace between its SIGTERM and SIGKILL (1-2 s a
# refusal: 49 refusals, many in loops). That makes the notice check weaker
# (a SIGKILL may come first); expect_refusal_with_grace keeps the default
# for the tests that check it (bad_input.sh).
expect_refusal() {
  OMPI_MCA_odls_base_sigkill_timeout=0 expect_refusal_with_grace "$@"
}
expect_refusal_with_grace() {
  expect_error "$@"
  if grep -q "stopped by SIGTERM" stderr.txt; then
    cat stderr.txt >&2
    fail "$1: the refusal is followed by a signal's notice"
  fi
}

# pid_of_rank R: the pid of world rank R of this test's running `mapreduce
# run`: by its environment (mpirun's command line looks the same) and its
# working folder (tests running in parallel must never signal each other's).
pid_of_rank() {
  local p here
  here=$(readlink -f "$WORK")
  for p in $(pgrep -f "(mapreduce|mr_with_test_jobs|myjobs) (run|pipeline)"); do
    [ "$(readlink -f "/proc/$p/cwd" 2>/dev/null)" = "$here" ] || continue
    if tr '\0' '\n' 2>/dev/null <"/proc/$p/environ" | grep -qx "OMPI_COMM_WORLD_RANK=$1"; then
      echo "$p"
      return 0
    fi
  done
  return 1
}

# find_rank RANK: prints the pid of world rank RANK of this test's running
# job, looking for it again for up to 20 s while the background job $job
# runs (on a busy machine pgrep and /proc can miss a rank once). False when
# none was found.
find_rank() {
  local deadline=$((SECONDS + 20))
  while [ $SECONDS -lt $deadline ] && kill -0 "$job" 2>/dev/null; do
    pid_of_rank "$1" && return 0
    nap 0.05
  done
  return 1
}

# kill_rank RANK: kill -9 world rank RANK of this test's running job (found by
# find_rank). False when none was found or it had ended; the processes of
# this test are then listed.
kill_rank() {
  local pid
  pid=$(find_rank "$1") && kill -9 "$pid" 2>/dev/null && return 0
  ps -eo pid,ppid,stat,etime,args | grep -E '[m]pi(run|exec)|[m]apreduce|[m]r_with' >&2 || true
  return 1
}

# kill_rank_when JOB RANK CONDITION...: while the background mpirun JOB runs
# (60 s at most), as soon as the command CONDITION... succeeds, kill -9
# world rank RANK of this test's run (kill_rank: looked for again while JOB
# runs; one look used to give up when pgrep missed the rank once); then
# waits for JOB. True when it killed (false: JOB ended first). A test that
# can hold a rank (slowcount's gate) should: this one only draws again.
kill_rank_when() {
  local job=$1 rank=$2 deadline=$((SECONDS + 60)) killed=1
  shift 2
  while kill -0 "$job" 2>/dev/null && [ $SECONDS -lt $deadline ]; do
    if "$@"; then
      kill_rank "$rank" 2>/dev/null && killed=0
      break
    fi
    nap 0.02
  done
  wait "$job" 2>/dev/null || true
  return $killed
}

# The polls below look every 20-50 ms while a job runs, so a look starts no
# process: `find | wc` and `sleep` were three a look (100 looks: 2.7 CPU-s,
# 40% of a core taken from the job under test).
#
# count_glob VAR GLOB: sets VAR to the number of paths matching GLOB, where
# ** matches any depth (as `find DIR -name PATTERN` for DIR/**/PATTERN).
count_glob() {
  local IFS= had=0 f
  shopt -q globstar && had=1
  shopt -s globstar
  # shellcheck disable=SC2206 # globbing wanted; IFS is empty: no splitting
  f=($2)
  [ "$had" = 1 ] || shopt -u globstar
  if [ -e "${f[0]}" ] || [ -L "${f[0]}" ]; then
    printf -v "$1" %d "${#f[@]}"
  else
    printf -v "$1" %d 0
  fi
}

# nap SECONDS: a pause without a process (a read that times out on a FIFO
# nobody writes).
nap() {
  [ -p "$WORK/.nap" ] || mkfifo "$WORK/.nap" 2>/dev/null || true
  read -rt "$1" <>"$WORK/.nap" || true
}

# files_at_least N PATTERN DIR: DIR (a folder, or a glob of folders) holds at
# least N files named like PATTERN, at any depth.
files_at_least() {
  local c
  count_glob c "$3/**/$2"
  [ "$c" -ge "$1" ]
}

# ranks_running: true while any `mapreduce run` of this test still runs.
ranks_running() {
  local p here
  here=$(readlink -f "$WORK")
  for p in $(pgrep -f "(mapreduce|mr_with_test_jobs) (run|pipeline)"); do
    [ "$(readlink -f "/proc/$p/cwd" 2>/dev/null)" = "$here" ] && return 0
  done
  return 1
}

# wait_files PATTERN N [DIR]: until DIR (default ck) holds N files named like
# PATTERN; fails after 60 s, or at once if the background job $job ended.
wait_files() {
  local deadline=$((SECONDS + 60)) dir=${3:-ck}
  while ! files_at_least "$2" "$1" "$dir"; do
    [ $SECONDS -lt $deadline ] || fail "waited 60 s for $2 file(s) $1 in $dir"
    [ -z "${job:-}" ] || kill -0 "$job" 2>/dev/null || fail "the job ended before $2 file(s) $1 were committed"
    nap 0.05
  done
}

# signal_when SIGNAL WHO PATTERN N: once ck holds N files named like PATTERN,
# sends SIGNAL to WHO (a world rank of the background job $job, or "mpirun":
# $job itself). Returns 1, without failing, when the job ended first (on a
# busy machine the signal may come too late: the caller draws the case
# again); 0 once the signal is sent.
signal_when() {
  local sig=$1 who=$2 deadline=$((SECONDS + 60)) pid
  while ! files_at_least "$4" "$3" ck; do
    kill -0 "$job" 2>/dev/null || return 1
    [ $SECONDS -lt $deadline ] || fail "waited 60 s for $4 file(s) $3 in ck"
    nap 0.05
  done
  if [ "$who" = mpirun ]; then pid=$job; else pid=$(find_rank "$who") || return 1; fi
  kill "-$sig" "$pid" 2>/dev/null || return 1
}

# Debian's python3 has h5py; a python3 earlier on PATH may not.
PY=/usr/bin/python3
