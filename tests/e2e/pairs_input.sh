# tests/e2e/pairs_input.sh: an output as an input, beyond the happy path:
# damage found by the second stage, outputs of version 3 (partitions as
# checksum blocks) and without checksums, formats refused both ways, the
# resume fingerprint, and tsv imports.
source "$(dirname "$0")/lib.sh"
TEST_JOBS=${MAPREDUCE_TEST_JOBS:?}
"$GEN_TEXT" 2000000 5 300000 >a.txt
mr 0 import -o in.h5 a.txt
mr 2 run wordcount -i in.h5 -o counts.h5 --reducers 2 -q || fail "wordcount"
mr 2 run top -i counts.h5 -o top.h5 --param n=50 -q || fail "top"
mr 0 export top.h5 >top.tsv
[ "$(wc -l <top.tsv)" = 50 ] || fail "top wrote $(wc -l <top.tsv) rows, not 50"

# h5py EDIT FILE: changes an output in place (keys, datasets, attributes).
edit() {
  /usr/bin/python3 - "$2" "$1" <<'PY'
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r+")
what = sys.argv[2]
if what == "flip":  # one key byte in the middle of the file
    i = len(f["keys"]) // 2
    f["keys"][i] = f["keys"][i] ^ 0x20
elif what in ("v3", "unchecked"):
    del f["block_rows"], f["block_checksums"]
    f.attrs["mapreduce_output_version"] = np.uint64(3)
    if what == "unchecked":
        del f["partition_checksums"]
        f.attrs["mapreduce_output_version"] = np.uint64(2)
PY
}

# A damaged byte: the task that reads it stops the run, naming the rows.
cp counts.h5 damaged.h5
edit flip damaged.h5
expect_error "damaged pairs input" "is damaged: rows" out.h5 \
  mr 2 run top -i damaged.h5 -o out.h5

# Version 3 (no blocks: a task a partition, checked against the partition's
# checksum) and version 2 (no checksums: a warning) read the same rows.
for v in v3 unchecked; do
  cp counts.h5 "$v.h5"
  edit "$v" "$v.h5"
  mr 2 run top -i "$v.h5" -o "top_$v.h5" --param n=50 --split-size 1k 2>stderr.txt ||
    fail "top of a $v output"
  mr 0 export "top_$v.h5" >got.tsv
  same_file got.tsv top.tsv "top of a $v output"
done
grep -q "has no checksums" stderr.txt || fail "no warning for an output without checksums"
cp counts.h5 damaged_v3.h5
edit flip damaged_v3.h5
edit v3 damaged_v3.h5
expect_error "damaged version 3 pairs input" "do not match their checksum" out.h5 \
  mr 2 run top -i damaged_v3.h5 -o out.h5
echo "ok: outputs of versions 3 and 2 read as inputs"

# Formats, both ways; bad parameters; the input as the output.
expect_error "lines job, pairs input" \
  "job wordcount reads lines, but 'counts.h5' holds key/value pairs (it is the output of job wordcount)" \
  out.h5 mr 2 run wordcount -i counts.h5 -o out.h5
expect_error "pairs job, lines input" \
  "job top reads key/value pairs, but 'in.h5' holds lines (it is an imported input)" \
  out.h5 mr 2 run top -i in.h5 -o out.h5
expect_error "top n=0" "parameter 'n': 0 is not in range 1 to 1000000" out.h5 \
  mr 2 run top -i counts.h5 -o out.h5 --param n=0
expect_error "input as output" "writing it would destroy the input" "" \
  mr 2 run top -i counts.h5 -o counts.h5 --overwrite
[ -s counts.h5 ] || fail "counts.h5 was harmed"

# The resume fingerprint covers the rows: a checkpoint of top over one
# counts file is refused over another.
mr 2 run top -i counts.h5 -o t1.h5 --checkpoint-dir ck --keep-checkpoint -q || fail "top"
head -c 1000000 a.txt >b.txt
mr 0 import -o in.h5 --overwrite b.txt
mr 2 run wordcount -i in.h5 -o counts.h5 --overwrite -q || fail "wordcount of b.txt"
rm t1.h5
expect_error "resume over changed pairs" "input_content_xxh3: checkpoint has" t1.h5 \
  mr 2 run top -i counts.h5 -o t1.h5 --checkpoint-dir ck --resume

# import --format tsv: key TAB value; a line without TAB is all key, value
# empty; a second TAB belongs to the value; CR LF ends a line as LF does.
printf 'b\t2\nno tab here\n\na\t1\t1\r\nb\t1\n' >kv.tsv
mr 0 import --format tsv -o kv.h5 kv.tsv
bounded "$TEST_JOBS" run echopairs -i kv.h5 -o kv_out.h5 -q || fail "echopairs"
mr 0 export kv_out.h5 >got.tsv
printf '\t\na\t1\t1\nb\t1\nb\t2\nno tab here\t\n' >expected.tsv
same_file got.tsv expected.tsv "echopairs of a tsv import"
# A pairs job's own output read again: the same rows.
bounded "$TEST_JOBS" run echopairs -i kv_out.h5 -o kv_again.h5 -q || fail "echopairs 2"
mr 0 export kv_again.h5 >got.tsv
same_file got.tsv expected.tsv "echopairs of its own output"
echo "ok: tsv import and pairs of bytes"
