# tests/e2e/bad_input.sh: each mistake gets one clear message, a non-zero exit
# on every rank, and no output file; nothing hangs (each run has a timeout).
source "$(dirname "$0")/lib.sh"
printf 'a b c\n' >text.txt
mr 0 import -o in.h5 text.txt
mr 1 run wordcount -i in.h5 -o notinput.h5 -q   # valid HDF5, but not an input
head -c 1500 in.h5 >trunc.h5                    # an input cut short

# expect_error NAME PHRASE OUTPUT COMMAND...: COMMAND must fail, print PHRASE
# exactly once, and leave neither OUTPUT nor OUTPUT.partial behind.
expect_error() {
  local name=$1 phrase=$2 out=$3
  shift 3
  local rc=0
  "$@" >stdout.txt 2>stderr.txt || rc=$?
  [ "$rc" -ne 0 ] || fail "$name: exit code 0"
  [ "$rc" -ne 124 ] || fail "$name: timed out (a rank hung)"
  local count
  count=$(grep -c -F -- "$phrase" stderr.txt || true)
  [ "$count" -eq 1 ] || { cat stderr.txt >&2; fail "$name: '$phrase' printed $count times"; }
  if [ -n "$out" ] && { [ -e "$out" ] || [ -e "$out.partial" ]; }; then
    fail "$name: left $out behind"
  fi
  echo "ok: $name (exit $rc): $(grep -F -- "$phrase" stderr.txt)"
}

for n in 1 3; do
  expect_error "missing input, $n ranks" "does not exist" out.h5 \
    mr "$n" run wordcount -i nope.h5 -o out.h5
  expect_error "input not HDF5, $n ranks" "is not an HDF5 file" out.h5 \
    mr "$n" run wordcount -i text.txt -o out.h5
  expect_error "HDF5 without our datasets, $n ranks" "has no dataset /data" out.h5 \
    mr "$n" run wordcount -i notinput.h5 -o out.h5
  expect_error "truncated HDF5 input, $n ranks" "truncated file" out.h5 \
    mr "$n" run wordcount -i trunc.h5 -o out.h5
  expect_error "unknown job, $n ranks" "nosuchjob" out.h5 \
    mr "$n" run nosuchjob -i in.h5 -o out.h5
  expect_error "unknown flag, $n ranks" "--bogus" out.h5 \
    mr "$n" run wordcount -i in.h5 -o out.h5 --bogus
  expect_error "output folder missing, $n ranks" "does not exist" "" \
    mr "$n" run wordcount -i in.h5 -o missing/dir/out.h5
  expect_error "existing output, $n ranks" "pass --overwrite" "" \
    mr "$n" run wordcount -i in.h5 -o in.h5
  expect_error "zero reducers, $n ranks" "not in range 1 to 65536" out.h5 \
    mr "$n" run wordcount -i in.h5 -o out.h5 --reducers 0
  expect_error "bad size, $n ranks" "--split-size" out.h5 \
    mr "$n" run wordcount -i in.h5 -o out.h5 --split-size lots
  expect_error "bad --param, $n ranks" "name=value" out.h5 \
    mr "$n" run wordcount -i in.h5 -o out.h5 --param oops
done
# The input we refused to overwrite is intact.
mr 1 run wordcount -i in.h5 -o check.h5 -q || fail "in.h5 was damaged"

expect_error "import without files" "import needs files or folders" new.h5 mr 0 import -o new.h5
expect_error "import of a missing file" "'gone.txt' does not exist" new.h5 \
  mr 0 import -o new.h5 text.txt gone.txt
expect_error "import onto existing output" "pass --overwrite" "" mr 0 import -o in.h5 text.txt
expect_error "export of a missing file" "does not exist" "" mr 0 export nope.h5
expect_error "export of a non-HDF5 file" "is not an HDF5 file" "" mr 0 export text.txt
expect_error "export of an input file" "has no dataset /keys" "" mr 0 export in.h5

# --overwrite replaces an existing output, and only on success.
mr 3 run wordcount -i in.h5 -o notinput.h5 --overwrite -q || fail "--overwrite refused"
[ "$(mr 0 export notinput.h5 | wc -l)" -eq 3 ] || fail "--overwrite output is wrong"
echo "ok: --overwrite replaces the output"
