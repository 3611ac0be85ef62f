# tests/e2e/two_nodes.sh: several nodes, for real, on one machine. Two
# network namespaces on a bridge are two "nodes" (docs/testing.md); Open
# MPI's rsh launcher starts ranks in them through a small agent, and ranks on
# different nodes talk over TCP. Word count and sort across the two nodes
# equal coreutils; then a whole node is lost in the middle of a checkpointed
# run (every process in its namespace killed) and the job is resumed on the
# node that is left, with the correct result. Needs root and `ip netns`:
# without them the test says so and is skipped (exit 77).
source "$(dirname "$0")/lib.sh"

skip() {
  echo "SKIP: $*"
  exit 77
}
[ "$(id -u)" -eq 0 ] || skip "needs root for network namespaces"
command -v ip >/dev/null || skip "no 'ip' command (iproute2)"
source "$(dirname "$0")/two_nodes_lib.sh"
cleanup() {
  two_nodes_cleanup
  end_work
}
trap cleanup EXIT
# A machine that cannot make the two nodes skips the test, with the reason.
two_nodes_start 2>nodes.err || skip "cannot make two network namespaces on a bridge here: $(tr '\n' ' ' <nodes.err)"
# two N ARGS...: `mapreduce ARGS` on N ranks over the two nodes, in this folder.
two() {
  local n=$1
  shift
  bounded "$MPIEXEC" "${tcp[@]}" -n "$n" --oversubscribe --wdir "$WORK" "$MAPREDUCE" "$@"
}

# Where the ranks run: 0-1 on the first node, 2-3 on the second.
timeout -k 10 60 "$MPIEXEC" "${tcp[@]}" -n 4 /bin/sh -c 'echo "$OMPI_COMM_WORLD_RANK $(ip netns identify $$)"' |
  sort >placement.txt || skip "Open MPI cannot start ranks in the namespaces"
cat placement.txt
grep -q "^0 $ns1\$" placement.txt && grep -q "^3 $ns2\$" placement.txt ||
  fail "ranks are not spread over the two nodes"
timeout -k 10 60 "$MPIEXEC" "${tcp[@]}" -n 4 /bin/sh -c 'echo "$OMPI_FILE_LOCATION"' >sessions.txt
cat sessions.txt
[ "$(grep -c "^$WORK/tmp-$ns1/" sessions.txt)" -eq 2 ] && [ "$(grep -c "^$WORK/tmp-$ns2/" sessions.txt)" -eq 2 ] ||
  fail "the ranks did not take their node's own session folder"

# Word count and sort across the nodes, over TCP.
"$GEN_TEXT" 3000000 5 50000 >text.txt
mr 0 import -o text.h5 text.txt >/dev/null
oracle text.txt >expected_wc
two 4 run wordcount -i text.h5 -o wc.h5 --split-size 64k -q || fail "word count over two nodes"
mr 0 export wc.h5 >got_wc
same_file got_wc expected_wc "word count over two nodes"
echo "ok: word count over two nodes (TCP) matches the oracle"
"$GEN_DATA" records 50000 --ascii >records.txt
mr 0 import --format records --record-size 100 -o records.h5 records.txt >/dev/null
LC_ALL=C sort records.txt >expected_sort
two 4 run sort -i records.h5 -o sorted.h5 --reducers 3 --split-size 256k -q ||
  fail "sort over two nodes"
mr 0 export sorted.h5 >got_sort
same_file got_sort expected_sort "sort over two nodes"
echo "ok: sort over two nodes (TCP) matches coreutils"

# Lose the second node mid-run: kill every process in its namespace once a
# few map tasks are committed (one of its ranks is held so the moment exists).
"$GEN_TEXT" 8000000 9 200000 >big.txt
mr 0 import -o big.h5 big.txt >/dev/null
oracle big.txt >expected_big
# slowcount (tests/tools/test_jobs.cpp): word count whose rank 3 holds each
# map task and partition until the file "go" exists: the run cannot end
# before the node is lost, however busy the machine; "go" is made after.
SLOW=(run slowcount --param rank=3 --param ms=20 --param gate="$WORK/go")
MAPREDUCE=$MAPREDUCE_TEST_JOBS two 4 "${SLOW[@]}" -i big.h5 -o lost.h5 --checkpoint-dir ck \
  --split-size 200000 --reducers 4 -q >lost.log 2>&1 &
job=$!
deadline=$((SECONDS + 60))
while [ "$(find ck -name 't*-r*' 2>/dev/null | wc -l)" -lt 6 ]; do
  kill -0 "$job" 2>/dev/null || { cat lost.log; fail "the job ended before 6 map tasks were committed"; }
  [ $SECONDS -lt $deadline ] || fail "waited 60 s for 6 committed map tasks"
  sleep 0.05
done
at_kill=$({ find ck -name 't*-r*' 2>/dev/null || true; } | wc -l)
ip netns pids "$ns2" | xargs -r kill -9
rc=0
wait "$job" || rc=$?
[ "$rc" -ne 0 ] || fail "the job finished although a node was lost"
[ ! -e lost.h5 ] || fail "a run that lost a node left an output"
echo "ok: losing node 2 when $at_kill map task(s) were committed ended the run (exit $rc)"

# Resume on the node that is left (its 2 cores: 3 ranks, shared memory).
touch go
bounded ip netns exec "$ns1" "$MPIEXEC" -n 3 "${MPI_FLAGS[@]}" --wdir "$WORK" \
  "$MAPREDUCE_TEST_JOBS" "${SLOW[@]}" -i big.h5 -o lost.h5 --checkpoint-dir ck --resume \
  --report resume.json 2>resume.err || { cat resume.err; fail "resume on the remaining node"; }
mr 0 export lost.h5 >got_big
same_file got_big expected_big "resumed on the remaining node"
"$PY" -c '
import json; r = json.load(open("resume.json"))
assert r["checkpoint"]["tasks_reused"] > 0, r["checkpoint"]' || fail "the resume reused nothing"
echo "ok: resumed on the remaining node from the checkpoint: $(grep -o 'reusing [0-9]* of [0-9]* map task(s)' resume.err)"
