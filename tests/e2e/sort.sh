# tests/e2e/sort.sh RANKS "SPLIT...": the sort job against `LC_ALL=C sort`
# (gensort's ASCII records) and Python (binary, skewed keys); validate-sort
# agrees; partitions stay balanced for skewed keys.
source "$(dirname "$0")/lib.sh"
ranks=$1
"$GEN_DATA" records 30000 --ascii >a.txt
"$GEN_DATA" records 20000 --skewed >b.bin
"$GEN_DATA" records 3000 >c.bin
cat c.bin c.bin >dup.bin # every record twice
mr 0 import --format records --record-size 100 -o ascii.h5 a.txt
mr 0 import --format records --record-size 100 -o bin.h5 b.bin dup.bin
LC_ALL=C sort a.txt >expected_ascii
"$PY" -c '
import sys
d = open("b.bin", "rb").read() + open("dup.bin", "rb").read()
sys.stdout.buffer.write(b"".join(sorted(d[i:i + 100] for i in range(0, len(d), 100))))' >expected_bin
for split in $2; do
  run_split "$ranks" "$split" out.h5 sort -i ascii.h5 --reducers 3
  mr 0 export out.h5 >got
  same_file got expected_ascii "sort (ASCII), $ranks ranks, split $split"
  # The other way to send shuffle rounds (MPI_Alltoallw), in many rounds.
  run_split "$ranks" "$split" out.h5 sort -i ascii.h5 --reducers 3 --shuffle-send datatypes \
    --round-size 64k --report datatypes.json
  mr 0 export out.h5 | cmp -s - expected_ascii || fail "sort with --shuffle-send datatypes differs"
  "$PY" -c 'import json; assert json.load(open("datatypes.json"))["phases"]["shuffle"]["send"] == "datatypes"' ||
    fail "the report does not say the rounds went through datatypes"
  mr 0 validate-sort out.h5 --input ascii.h5 >valid.txt || { cat valid.txt; fail "validate-sort failed"; }
  grep -q "records: ok" valid.txt || fail "validate-sort did not compare the input"
  run_split "$ranks" "$split" out.h5 sort -i bin.h5 --reducers 4 --report report.json
  mr 0 export out.h5 >got
  same_file got expected_bin "sort (binary, skewed), $ranks ranks, split $split"
  mr 0 validate-sort out.h5 --input bin.h5 >valid.txt || { cat valid.txt; fail "validate-sort failed"; }
  "$PY" -c '
import json, sys
rows = json.load(open("report.json"))["partition_rows"]
assert len(rows) == 4 and sum(rows) == 26000, rows
assert json.load(open("report.json"))["phases"]["shuffle"]["send"] == "packed"
assert max(rows) <= 1.25 * min(rows), "unbalanced partitions: %s" % rows
print("partitions", rows)' || fail "partition sizes"
  echo "ok: sort, $ranks ranks, split $split: ASCII and skewed binary records match"
done
# validate-sort catches an unsorted output: word count is hash-partitioned.
printf 'b\na\nc\nd\ne\nf\ng\n' >words.txt
mr 0 import -o words.h5 words.txt
mr 1 run wordcount -i words.h5 -o wc.h5 --reducers 3 -q
if mr 0 validate-sort wc.h5 >valid.txt; then cat valid.txt; fail "validate-sort passed a hash-partitioned output"; fi
grep -q "order: FAILED" valid.txt || fail "validate-sort did not say what failed"
echo "ok: validate-sort refuses an output that is not in global order"
