# tests/e2e/custom_partitioner.sh: a job's own partitioner (Partitioning::
# custom; the test job byletter sends a word to partition (first byte) mod
# R). Every word is in the partition the rule names, as awk computes it; the
# counts equal coreutils'; the output says "custom"; a resume reuses the
# partitions. A rule that names a partition out of range ends the run with
# one message naming the key, and leaves no output.
source "$(dirname "$0")/lib.sh"
: "${MAPREDUCE_TEST_JOBS:?}"
MAPREDUCE=$MAPREDUCE_TEST_JOBS
make_corpus
mr 0 import -o in.h5 "${CORPUS[@]}"
oracle "${CORPUS[@]}" >expected.tsv
# The rule, independently: the first byte of each word, mod R, as awk sees it.
R=5
LC_ALL=C awk -F'\t' -v R=$R 'BEGIN { for (i = 0; i < 256; i++) code[sprintf("%c", i)] = i }
  { print code[substr($1, 1, 1)] % R "\t" $1 }' expected.tsv | LC_ALL=C sort >expected_parts.tsv
for n in 1 3; do
  mr "$n" run byletter -i in.h5 -o out.h5 --reducers $R --split-size 64k --overwrite -q \
    --checkpoint-dir ck --keep-checkpoint || fail "byletter at $n ranks"
  "$MAPREDUCE" export out.h5 >got.tsv
  same_file got.tsv expected.tsv "byletter at $n ranks"
  "$PY" - out.h5 <<'PY' | LC_ALL=C sort >got_parts.tsv || fail "cannot read the partitions"
import sys, h5py
f = h5py.File(sys.argv[1], "r")
assert f.attrs["partitioning"] in (b"custom", "custom"), f.attrs["partitioning"]
k, ko, po = f["keys"][:].tobytes(), f["key_offsets"][:], f["partition_offsets"][:]
out = sys.stdout.buffer
for p in range(len(po) - 1):
    for i in range(po[p], po[p + 1]):
        out.write(b"%d\t%s\n" % (p, k[ko[i]:ko[i + 1]]))
PY
  same_file got_parts.tsv expected_parts.tsv "byletter partitions at $n ranks"
  # A resume of the finished run's checkpoint reuses every partition.
  rm -f out.h5
  mr "$n" run byletter -i in.h5 -o out.h5 --reducers $R --split-size 64k -q \
    --checkpoint-dir ck --resume --report report.json || fail "byletter resume at $n ranks"
  "$PY" -c 'import json; c = json.load(open("report.json"))["checkpoint"]; assert c["partitions_reused"] == 5, c' ||
    fail "the resume did not reuse the partitions"
  "$MAPREDUCE" export out.h5 >got.tsv
  same_file got.tsv expected.tsv "byletter resumed at $n ranks"
  rm -rf ck
  echo "ok: a job's own partitioner at $n ranks: every word where the rule puts it"
done

# A rule out of range: one message naming the key, no output.
echo "zebra zoo" >>c.txt
mr 0 import -o bad.h5 "${CORPUS[@]}"
# (A partition out of range fails the map task like any error of the job's
# code: it is tried --task-attempts times; one attempt here, one message.)
for n in 1 3; do
  expect_error "partition out of range, $n ranks" "in partition 5 of 5" out2.h5 \
    mr "$n" run byletter -i bad.h5 -o out2.h5 --reducers $R --param bad=true --task-attempts 1
done
