# tests/e2e/info.sh: `mapreduce info PATH` says what an input, an output and
# a checkpoint folder hold, from their metadata, with figures checked against
# what made them (stat, the export, the run's flags); a path that is none of
# these is refused.
source "$(dirname "$0")/lib.sh"
"$GEN_TEXT" 300000 41 5000 >a.txt
printf 'one line\n' >b.txt
mr 0 import -o in.h5 a.txt b.txt 2>/dev/null
field() { # FILE NAME: the value of line "NAME:" of an info listing
  sed -n "s/^$2: *//p" "$1"
}
mr 0 info in.h5 >info.txt || fail "info of an input failed"
[ "$(field info.txt what)" = "input (made by mapreduce import)" ] || { cat info.txt; fail "info: not an input"; }
[ "$(field info.txt format)" = lines ] || fail "info: format $(field info.txt format)"
[ "$(field info.txt files)" = 2 ] || fail "info: files $(field info.txt files)"
bytes=$(($(stat -c %s a.txt) + $(stat -c %s b.txt)))
[ "$(field info.txt bytes)" = "$bytes" ] || fail "info: bytes $(field info.txt bytes), expected $bytes"
grep -qE "^ +$(stat -c %s a.txt)  a.txt$" info.txt || { cat info.txt; fail "info: no line for a.txt with its size"; }
echo "ok: info of an input: lines, 2 files, $bytes bytes"

mr 3 run wordcount -i in.h5 -o out.h5 --reducers 5 -q || fail "word count failed"
mr 0 info out.h5 >info.txt || fail "info of an output failed"
rows=$(mr 0 export out.h5 | wc -l)
[ "$(field info.txt job)" = wordcount ] || { cat info.txt; fail "info: job $(field info.txt job)"; }
[ "$(field info.txt rows)" = "$rows" ] || fail "info: rows $(field info.txt rows), the export has $rows"
[ "$(field info.txt partitions)" = "5 (hash partitioned)" ] || fail "info: partitions $(field info.txt partitions)"
[ "$(field info.txt values)" = "64-bit counts" ] || fail "info: values $(field info.txt values)"
echo "ok: info of an output: wordcount, $rows rows, 5 partitions"

# A checkpoint folder of a run killed after some tasks (slowcount: rank 1
# holds its first task until the file "held" exists, which it never does:
# the run cannot end before the kill, however busy the machine); its
# figures against the files in the folder.
: "${MAPREDUCE_TEST_JOBS:?}"
MAPREDUCE=$MAPREDUCE_TEST_JOBS mr 3 run slowcount --param rank=1 --param ms=20 \
  --param gate="$WORK/held" -i in.h5 -o slow.h5 --split-size 20000 --reducers 4 \
  --checkpoint-dir ck --no-backup-tasks -q &
job=$!
wait_files 't*' 3
kill_rank 1 || fail "no rank 1 to kill"
wait $job 2>/dev/null || true
mr 0 info ck >info.txt || fail "info of a checkpoint folder failed"
[ "$(field info.txt job)" = slowcount ] || { cat info.txt; fail "info: checkpoint job $(field info.txt job)"; }
tasks=$(field info.txt "map tasks")
[[ "$tasks" =~ ^([0-9]+)\ of\ ([0-9]+)\ committed$ ]] || { cat info.txt; fail "info: map tasks '$tasks'"; }
files=$(find ck -name 't*' -not -name '*.tmp-*' | wc -l)
[ "${BASH_REMATCH[1]}" -eq "$files" ] || fail "info: ${BASH_REMATCH[1]} tasks committed, the folder holds $files task files"
[ "${BASH_REMATCH[2]}" -ge "${BASH_REMATCH[1]}" ] && [ "${BASH_REMATCH[2]}" -ge 10 ] || fail "info: '$tasks'"
parts=$(find ck -name 'p*' -not -name '*.tmp-*' | wc -l)
[ "$(field info.txt partitions)" = "$parts of 4 committed" ] || fail "info: partitions $(field info.txt partitions), files $parts"
echo "ok: info of a checkpoint folder: slowcount, $tasks"

expect_error "info of a text file" "is not an HDF5 file" "" mr 0 info a.txt
expect_error "info of a missing path" "does not exist" "" mr 0 info nope.h5
mkdir empty
expect_error "info of a folder that is no checkpoint" "empty" "" mr 0 info empty

# A pipeline's checkpoint folder: a line a stage kept (stage-1, stage-2, ...),
# each with its job and what it committed. A stage that is a link is never
# followed: such a folder is refused as no checkpoint.
printf 'wordcount -i in.h5 -o pc.h5 --reducers 3\ntop -i pc.h5 -o pt.h5\n' >p.txt
mr 2 pipeline p.txt --checkpoint-dir pck --keep-checkpoint -q || fail "pipeline failed"
mr 0 info pck >pinfo.txt || { cat pinfo.txt; fail "info of a pipeline's folder failed"; }
[ "$(field pinfo.txt 'stages kept')" = 2 ] || { cat pinfo.txt; fail "info: stages kept"; }
[[ "$(field pinfo.txt 'stage 1')" == "wordcount: "*" 3 of 3 partitions committed" ]] || { cat pinfo.txt; fail "info: stage 1"; }
[[ "$(field pinfo.txt 'stage 2')" == "top: "* ]] || { cat pinfo.txt; fail "info: stage 2"; }
mkdir linked && ln -s "$WORK/pck/stage-1" linked/stage-1
expect_error "info of a pipeline folder whose stage is a link" "no checkpoint manifest" "" mr 0 info linked
echo "ok: info of a pipeline's checkpoint folder: a line a stage"
