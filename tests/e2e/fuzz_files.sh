# tests/e2e/fuzz_files.sh: corrupted copies of a small input and of small
# outputs (uint64 values, byte values) are refused with a clear message or
# give exactly the right result; never a crash, a hang or a wrong result.
# Deterministic from the printed seed (SEED=... to replay).
source "$(dirname "$0")/lib.sh"
SEED=${SEED:-$(date +%s)}
COUNT=${COUNT:-100}
echo "seed $SEED, $COUNT cases per file (replay: SEED=$SEED ctest -R e2e.fuzz_files)"
export FUZZ_DIR=$WORK
"$GEN_TEXT" 300000 4 4000 >a.txt
"$GEN_TEXT" 200000 5 300 >b.txt
mr 0 import -o in.h5 a.txt b.txt 2>/dev/null
mr 3 run wordcount -i in.h5 -o counts.h5 --split-size 64k -q
mr 3 run grep -i in.h5 -o lines.h5 --param pattern='w1' --split-size 64k -q

echo "input, read by 'run wordcount' then 'export':"
cat >run_and_export.sh <<EOS
#!/bin/bash
rm -f "$WORK/fz-out.h5"
"$MAPREDUCE" run wordcount -i "\$1" -o "$WORK/fz-out.h5" -q && "$MAPREDUCE" export "$WORK/fz-out.h5"
EOS
$PY "$(dirname "$0")/fuzz_files.py" "$SEED" "$COUNT" in.h5 -- bash run_and_export.sh {} ||
  fail "a corrupted input was not refused cleanly"
echo "word count output (uint64 values), read by 'export':"
$PY "$(dirname "$0")/fuzz_files.py" $((SEED + 1)) "$COUNT" counts.h5 -- "$MAPREDUCE" export {} ||
  fail "a corrupted output was not refused cleanly"
echo "grep output (byte values), read by 'export':"
$PY "$(dirname "$0")/fuzz_files.py" $((SEED + 2)) "$COUNT" lines.h5 -- "$MAPREDUCE" export {} ||
  fail "a corrupted output was not refused cleanly"
echo "ok: every corrupted file was refused or read exactly right"
