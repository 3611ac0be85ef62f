# tests/e2e/output_safety.sh: what a run may do to files: never destroy its
# input, find unwritable folders before any work, refuse negative sizes, and
# whatever runs at once, leave under the output's name exactly one run's
# complete result.
source "$(dirname "$0")/lib.sh"
"$GEN_TEXT" 300000 1 5000 >a.txt
"$GEN_TEXT" 300000 2 80000 >b.txt
oracle a.txt >a.tsv
oracle b.txt >b.tsv
mr 0 import -o a.h5 a.txt 2>/dev/null
mr 0 import -o b.h5 b.txt 2>/dev/null

# The output is the input: by the same name, another path, a symbolic link,
# a hard link. The input must survive.
before=$(md5sum <a.h5)
mkdir sub
ln -s ../a.h5 sub/link.h5
ln a.h5 hard.h5
for out in a.h5 ./sub/../a.h5 sub/link.h5 hard.h5; do
  expect_error "output is the input ($out)" "is the input" "" \
    mr 3 run wordcount -i a.h5 -o "$out" --overwrite
done
[ "$(md5sum <a.h5)" = "$before" ] || fail "the input was changed"

# Negative sizes wrap to 2^64-1 if read as unsigned: refused by name.
for flag in --split-size --round-size --combine-buffer; do
  expect_error "$flag -1" "must not be negative" out.h5 \
    mr 2 run wordcount -i a.h5 -o out.h5 "$flag" -1
done

# A report that cannot be written is refused before any work.
mkdir reports
expect_error "report is a folder" "is a folder" out.h5 \
  mr 2 run wordcount -i a.h5 -o out.h5 --report reports

# Read-only folders (a read-only mount: root may write anywhere else).
if mkdir ro && mount -t tmpfs -o ro,size=1m tmpfs ro 2>/dev/null; then
  trap 'umount "$WORK/ro" 2>/dev/null || true; end_work' EXIT
  for n in 1 3; do
    expect_error "read-only output folder, $n ranks" "cannot be written" "" \
      mr "$n" run wordcount -i a.h5 -o ro/out.h5
    expect_error "read-only report folder, $n ranks" "cannot be written" out.h5 \
      mr "$n" run wordcount -i a.h5 -o out.h5 --report ro/r.json
    expect_error "read-only checkpoint folder, $n ranks" "cannot be written" out.h5 \
      mr "$n" run wordcount -i a.h5 -o out.h5 --checkpoint-dir ro
    expect_error "checkpoint folder on a read-only mount, $n ranks" "Read-only file system" \
      out.h5 mr "$n" run wordcount -i a.h5 -o out.h5 --checkpoint-dir ro/ck
  done
  umount ro
else
  echo "skip: read-only folders (cannot mount a read-only tmpfs here: not root?)"
fi

# Two runs at once with one output, repeated: with --overwrite both succeed
# and the last to finish wins; the file is one run's complete result.
for i in 1 2 3 4 5 6; do
  rm -f out.h5
  mr 2 run wordcount -i a.h5 -o out.h5 --overwrite -q &
  first=$!
  mr 3 run wordcount -i b.h5 -o out.h5 --overwrite -q || fail "concurrent run $i (b) failed"
  wait $first || fail "concurrent run $i (a) failed"
  "$MAPREDUCE" export out.h5 >got.tsv || fail "concurrent run $i: export failed"
  if cmp -s got.tsv a.tsv; then who=a; elif cmp -s got.tsv b.tsv; then who=b; else
    fail "concurrent run $i: the output is neither run's result"
  fi
  ! compgen -G "out.h5.partial*" >/dev/null || fail "concurrent run $i: partial file left"
  echo "ok: concurrent --overwrite run $i: the output is run $who's complete result"
done

# Without --overwrite: one run creates the output; the other refuses, at the
# start or at the end, and its result does not replace the first.
for i in 1 2 3 4; do
  rm -f out.h5
  rc_a=0 rc_b=0
  mr 2 run wordcount -i a.h5 -o out.h5 -q 2>err_a.txt &
  first=$!
  mr 3 run wordcount -i b.h5 -o out.h5 -q 2>err_b.txt || rc_b=$?
  wait $first || rc_a=$?
  "$MAPREDUCE" export out.h5 >got.tsv
  if [ $rc_a -eq 0 ] && [ $rc_b -ne 0 ]; then same_file got.tsv a.tsv "exclusive run $i"; msg=$(head -1 err_b.txt)
  elif [ $rc_b -eq 0 ] && [ $rc_a -ne 0 ]; then same_file got.tsv b.tsv "exclusive run $i"; msg=$(head -1 err_a.txt)
  else fail "exclusive run $i: exit codes $rc_a and $rc_b (exactly one must succeed)"; fi
  ! compgen -G "out.h5.partial*" >/dev/null || fail "exclusive run $i: partial file left"
  echo "ok: concurrent run $i without --overwrite: one result kept, the other refused: $msg"
done

# Another program makes the output while a run works: the run keeps its
# result out, says so once, and every rank ends with exit 1: no MPI_Abort,
# whose mpirun now and then hung in its own shutdown under load (Open MPI
# 4.1.4 with PMIx 4.2.2: PMIx_server_finalize, deaf to SIGTERM). Worker
# rank 1 holds its first map task until the file "go" exists (slowcount's
# gate; no backup copies), so the run cannot end before the output appears,
# however busy the machine: the output is made once rank 2 has committed a
# task, then "go".
: "${MAPREDUCE_TEST_JOBS:?}"
cp a.h5 foreign.h5
rm -rf ck out.h5 out.h5.partial* go
rc=0
bounded env "$(new_session)" "$MPIEXEC" -n 3 "${MPI_FLAGS[@]}" "$MAPREDUCE_TEST_JOBS" \
  run slowcount --param rank=1 --param ms=20 --param gate="$WORK/go" --no-backup-tasks \
  -i a.h5 -o out.h5 --checkpoint-dir ck --split-size 64k -q 2>err.txt &
job=$!
wait_files 't*-r*' 1
cp foreign.h5 out.h5.new && mv -n out.h5.new out.h5
touch go
wait $job || rc=$?
[ $rc -eq 1 ] || { cat err.txt >&2; fail "output made meanwhile: exit $rc, not 1"; }
[ "$(grep -c "appeared while this job ran" err.txt)" -eq 1 ] || { cat err.txt >&2; fail "output made meanwhile: not said once"; }
! grep -q "MPI_ABORT" err.txt || { cat err.txt >&2; fail "output made meanwhile: ended by MPI_Abort"; }
cmp -s out.h5 foreign.h5 || fail "output made meanwhile: it was replaced"
! compgen -G "out.h5.partial*" >/dev/null || fail "output made meanwhile: partial file left"
echo "ok: an output made while the run worked is kept; the run says so and exits 1 on every rank"

# An output name of 250 bytes (legal on Linux): Open MPI's MPI-IO aborted
# on names of 228-254 bytes, after all the work, when the partial file was
# created under the output's name.
long=$(printf 'n%.0s' $(seq 1 247)).h5
mr 3 run wordcount -i a.h5 -o "$long" -q || fail "an output name of ${#long} bytes"
"$MAPREDUCE" export "$long" >got.tsv
same_file got.tsv a.tsv "an output name of ${#long} bytes"
! compgen -G "nnnn*.partial*" >/dev/null || fail "long name: partial file left"
echo "ok: an output name of ${#long} bytes"
