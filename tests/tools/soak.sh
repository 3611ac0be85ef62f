#!/usr/bin/env bash
# tests/tools/soak.sh: hunts a rare hang. Runs one command again and again,
# LOOPS copies at once, beside BUSY processes that only burn CPU (a loaded
# machine is where rare interleavings show). A run still going after LIMIT
# seconds counts as hung: its process tree and, with gdb installed, every
# thread's stack of each of its processes are printed, then it is killed.
#
#   tests/tools/soak.sh [-n RUNS] [-j LOOPS] [-b BUSY] [-t LIMIT] -- COMMAND...
#
# Each copy runs in a folder of its own (soak.N/ under the current folder),
# with its own Open MPI session folder. Exit code: 0 if no run hung or
# failed, 1 otherwise. Example, the hang of e2e.top.4ranks (docs/testing.md):
#   tests/tools/soak.sh -n 150 -j 3 -b 2 -- mpirun -n 4 --oversubscribe \
#     "$PWD/build/mapreduce" run top -i "$PWD/counts.h5" --param n=1000000 \
#     -o top.h5 --split-size 256k --overwrite -q
set -uo pipefail
runs=100 loops=3 busy=2 limit=60
while [ $# -gt 0 ]; do
  case $1 in
  -n) runs=$2; shift 2 ;;
  -j) loops=$2; shift 2 ;;
  -b) busy=$2; shift 2 ;;
  -t) limit=$2; shift 2 ;;
  --) shift; break ;;
  *) echo "soak.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[ $# -gt 0 ] || { echo "soak.sh: no command (after --)" >&2; exit 2; }

tree() { # PID: PID and all its descendants
  local c
  echo "$1"
  for c in $(pgrep -P "$1"); do tree "$c"; done
}
stacks() { # PID: the command line and, with gdb, the stacks of each process
  local p
  for p in $(tree "$1"); do
    echo "== $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | cut -c1-160) (pid $p)"
    if command -v gdb >/dev/null; then
      gdb -p "$p" -batch -ex "thread apply all bt" 2>/dev/null | grep -E '^(#|Thread)'
    fi
  done
}

loop() { # ID: runs the command `runs` times in soak.ID/
  local id=$1 i pid waited bad=0
  shift
  mkdir -p "soak.$id" && cd "soak.$id" || return 1
  for i in $(seq "$runs"); do
    export OMPI_MCA_orte_tmpdir_base
    OMPI_MCA_orte_tmpdir_base=$(mktemp -d -p "$PWD" session.XXXXXX)
    "$@" >run.log 2>&1 &
    pid=$!
    waited=0
    while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt $((limit * 10)) ]; do
      sleep 0.1
      waited=$((waited + 1))
    done
    if kill -0 "$pid" 2>/dev/null; then
      echo "soak $id: run $i HUNG (still running after $limit s); its processes' stacks:"
      stacks "$pid"
      cp run.log "hung.$i.log"
      kill -9 $(tree "$pid") 2>/dev/null
      bad=1
    fi
    wait "$pid"
    local rc=$?
    if [ "$rc" -ne 0 ] && [ "$rc" -ne 137 ]; then
      echo "soak $id: run $i failed with exit code $rc:"
      tail -5 run.log
      bad=1
    fi
    rm -rf "$OMPI_MCA_orte_tmpdir_base"
  done
  echo "soak $id: $runs runs done"
  return $bad
}

burners=()
for _ in $(seq "$busy"); do
  (while :; do :; done) &
  burners+=($!)
done
pids=()
for id in $(seq "$loops"); do
  loop "$id" "$@" &
  pids+=($!)
done
status=0
for p in "${pids[@]}"; do wait "$p" || status=1; done
kill "${burners[@]}" 2>/dev/null
exit $status
