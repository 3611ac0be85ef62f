# tests/e2e/range_lines.sh: range partitioning of a lines input (a test job,
# tests/tools/test_jobs.cpp): the output is globally sorted (validate-sort)
# and holds the lines of `LC_ALL=C sort`, with balanced partitions.
source "$(dirname "$0")/lib.sh"
: "${MAPREDUCE_TEST_JOBS:?}"
MAPREDUCE=$MAPREDUCE_TEST_JOBS
make_corpus
mr 0 import -o in.h5 "${CORPUS[@]}"
LC_ALL=C awk '{ sub(/\r$/, "") } 1' "${CORPUS[@]}" | LC_ALL=C sort >expected.txt
for n in 2 4; do
  mr "$n" run sortlines -i in.h5 -o out.h5 --reducers 5 --split-size 32k --overwrite -q \
    --report report.json || fail "sortlines at $n ranks"
  mr 0 validate-sort out.h5 >valid.txt || { cat valid.txt; fail "not globally sorted"; }
  "$PY" - out.h5 expected.txt <<'PY' || fail "rows differ from sort"
import sys, h5py
f = h5py.File(sys.argv[1], "r")
k, ko = f["keys"][:].tobytes(), f["key_offsets"][:]
rows = [k[ko[i]:ko[i + 1]] for i in range(len(ko) - 1)]
want = open(sys.argv[2], "rb").read().split(b"\n")[:-1]
assert rows == want, (len(rows), len(want))
PY
  "$PY" -c '
import json
rows = json.load(open("report.json"))["partition_rows"]
assert len(rows) == 5 and max(rows) <= 1.5 * sum(rows) / 5, rows
print("partitions", rows)' || fail "partitions unbalanced"
  echo "ok: range partitioning of lines at $n ranks"
done
