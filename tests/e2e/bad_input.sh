# tests/e2e/bad_input.sh: each mistake gets one clear message, a non-zero exit
# on every rank, and no output file; nothing hangs (each run has a timeout).
source "$(dirname "$0")/lib.sh"
printf 'a b c\n' >text.txt
mr 0 import -o in.h5 text.txt
mr 1 run wordcount -i in.h5 -o notinput.h5 -q   # an output: pairs, not lines
/usr/bin/python3 -c 'import h5py, sys; h5py.File(sys.argv[1], "w")["x"] = [1, 2]' other.h5
head -c 1500 in.h5 >trunc.h5                    # an input cut short

for n in 1 3; do
  # With mpirun's default grace, to check that no signal's notice follows.
  expect_refusal_with_grace "missing input, $n ranks" "does not exist" out.h5 \
    mr "$n" run wordcount -i nope.h5 -o out.h5
  expect_refusal "input not HDF5, $n ranks" "is not an HDF5 file" out.h5 \
    mr "$n" run wordcount -i text.txt -o out.h5
  expect_refusal "HDF5 without our datasets, $n ranks" "has no dataset /data" out.h5 \
    mr "$n" run wordcount -i other.h5 -o out.h5
  expect_refusal "an output given to a lines job, $n ranks" "reads lines, but 'notinput.h5'" \
    out.h5 mr "$n" run wordcount -i notinput.h5 -o out.h5
  expect_refusal "truncated HDF5 input, $n ranks" "truncated file" out.h5 \
    mr "$n" run wordcount -i trunc.h5 -o out.h5
  expect_refusal "unknown job, $n ranks" "nosuchjob" out.h5 \
    mr "$n" run nosuchjob -i in.h5 -o out.h5
  expect_refusal "unknown flag, $n ranks" "--bogus" out.h5 \
    mr "$n" run wordcount -i in.h5 -o out.h5 --bogus
  expect_refusal "a flag one letter short, $n ranks" "--reducer is not a flag of 'run'; did you mean --reducers?" \
    out.h5 mr "$n" run wordcount -i in.h5 -o out.h5 --reducer 3
  expect_refusal "output folder missing, $n ranks" "does not exist" "" \
    mr "$n" run wordcount -i in.h5 -o missing/dir/out.h5
  expect_refusal "existing output, $n ranks" "pass --overwrite" "" \
    mr "$n" run wordcount -i in.h5 -o in.h5
  expect_refusal "zero reducers, $n ranks" "not in range 1 to 65536" out.h5 \
    mr "$n" run wordcount -i in.h5 -o out.h5 --reducers 0
  expect_refusal "bad size, $n ranks" "--split-size" out.h5 \
    mr "$n" run wordcount -i in.h5 -o out.h5 --split-size lots
  expect_refusal "bad --param, $n ranks" "name=value" out.h5 \
    mr "$n" run wordcount -i in.h5 -o out.h5 --param oops
done
# Jobs' parameters and input formats (issue: job library).
printf 'x,y\n' >t.csv
mr 0 import -o csv.h5 t.csv
head -c 250 /dev/zero >rec250.bin
mr 0 import --format records --record-size 50 -o rec.h5 rec250.bin
for n in 1 3; do
  expect_refusal "grep without pattern, $n ranks" "needs --param pattern=VALUE" out.h5 \
    mr "$n" run grep -i in.h5 -o out.h5
  expect_refusal "grep with an invalid regex, $n ranks" "invalid regular expression 'a(b'" out.h5 \
    mr "$n" run grep -i in.h5 -o out.h5 --param 'pattern=a(b'
  # Patterns whose compilation or matching has no useful bound: refused
  # (they took 24 GB, and 5 s on a 200-byte line growing exponentially).
  expect_refusal "grep with (.*){1,32000}, $n ranks" "more copies than it is written with" out.h5 \
    mr "$n" run grep -i in.h5 -o out.h5 --param 'pattern=(.*){1,32000}[bc]'
  expect_refusal "grep with a back-reference, $n ranks" "holds a back-reference" out.h5 \
    mr "$n" run grep -i in.h5 -o out.h5 --param 'pattern=(a*)*\1b'
  expect_refusal "clean without fields, $n ranks" "needs --param fields=VALUE" out.h5 \
    mr "$n" run clean -i csv.h5 -o out.h5
  expect_refusal "clean with fields=0, $n ranks" "'fields': 0 is not in range 1" out.h5 \
    mr "$n" run clean -i csv.h5 -o out.h5 --param fields=0
  expect_refusal "clean with a key beyond fields, $n ranks" "field 4 is beyond fields=3" out.h5 \
    mr "$n" run clean -i csv.h5 -o out.h5 --param fields=3 --param key=4
  expect_refusal "clean with header=yes, $n ranks" "expected true or false" out.h5 \
    mr "$n" run clean -i csv.h5 -o out.h5 --param fields=2 --param header=yes
  expect_refusal "log-analysis by=day, $n ranks" "'day' is not one of status, url, host" out.h5 \
    mr "$n" run log-analysis -i in.h5 -o out.h5 --param by=day
  expect_refusal "unknown parameter, $n ranks" "job wordcount has no parameter 'typo'" out.h5 \
    mr "$n" run wordcount -i in.h5 -o out.h5 --param typo=1
  expect_refusal "sort on a lines input, $n ranks" "job sort reads fixed-size records, but 'in.h5' holds lines" out.h5 \
    mr "$n" run sort -i in.h5 -o out.h5
  expect_refusal "word count on a records input, $n ranks" "job wordcount reads lines, but" out.h5 \
    mr "$n" run wordcount -i rec.h5 -o out.h5
done
expect_refusal "records not dividing a file" "has 250 bytes, not a multiple of the record size 100" new.h5 \
  mr 0 import --format records --record-size 100 -o new.h5 rec250.bin
expect_refusal "records without a size" "--format records: needs --record-size" new.h5 \
  mr 0 import --format records -o new.h5 rec250.bin
printf 'text.txt\nmissing one.txt\n' >list.txt
expect_refusal "--files-from naming a missing file" "'missing one.txt' (line 2 of list.txt) does not exist" new.h5 \
  mr 0 import -o new.h5 --files-from list.txt
expect_refusal "--files-from a missing list" "cannot read the list 'nolist.txt'" new.h5 \
  mr 0 import -o new.h5 --files-from nolist.txt

# The input we refused to overwrite is intact.
mr 1 run wordcount -i in.h5 -o check.h5 -q || fail "in.h5 was damaged"

# A mistyped command, or a job given as one, is named with what was meant.
expect_refusal "a mistyped command" "'imprt' is not a command; did you mean 'import'?" new.h5 \
  mr 0 imprt -o new.h5 text.txt
expect_refusal "a job given as a command" "'wordcount' is a job, not a command: mapreduce run wordcount" \
  out.h5 mr 0 wordcount -i in.h5 -o out.h5
expect_refusal "an unknown command" "'frobnicate' is not a command (the commands: import, run," "" \
  mr 0 frobnicate
expect_refusal "an unknown way to send the shuffle" "--shuffle-send: fast not in {packed,datatypes}" \
  out.h5 mr 0 run wordcount -i in.h5 -o out.h5 --shuffle-send fast
expect_refusal "a flag of import mistyped" "--overwrit is not a flag of 'import'; did you mean --overwrite?" \
  new.h5 mr 0 import -o new.h5 --overwrit text.txt
expect_refusal "import without files" "import: needs files or folders" new.h5 mr 0 import -o new.h5
expect_refusal "import of a missing file" "'gone.txt' does not exist" new.h5 \
  mr 0 import -o new.h5 text.txt gone.txt
expect_refusal "import onto existing output" "pass --overwrite" "" mr 0 import -o in.h5 text.txt
expect_refusal "export of a missing file" "does not exist" "" mr 0 export nope.h5
expect_refusal "export of a non-HDF5 file" "is not an HDF5 file" "" mr 0 export text.txt
expect_refusal "export of an input file" "has no dataset /keys" "" mr 0 export in.h5

# --overwrite replaces an existing output, and only on success.
mr 3 run wordcount -i in.h5 -o notinput.h5 --overwrite -q || fail "--overwrite refused"
[ "$(mr 0 export notinput.h5 | wc -l)" -eq 3 ] || fail "--overwrite output is wrong"
echo "ok: --overwrite replaces the output"

# Each job's parameters are listed by `jobs` and by `run JOB --help`.
mr 0 jobs >jobs.txt
for want in "--param pattern=VALUE" "--param fields=VALUE" "--param key=1" \
  "--param min-status=400" "--param by=status" "--param top=10"; do
  grep -qF -- "$want" jobs.txt || fail "'mapreduce jobs' does not show $want"
done
mr 0 run clean --help >help.txt || fail "run clean --help failed"
grep -qF "Job clean:" help.txt && grep -qF -- "--param header=false" help.txt ||
  fail "'run clean --help' does not list the job's parameters"
echo "ok: jobs and run JOB --help list the parameters"

# import started by mpirun on 3 ranks imports once (rank 0), without MPI.
mr 3 import -o three.h5 text.txt 2>stderr.txt || { cat stderr.txt; fail "import under mpirun -n 3"; }
[ "$(grep -c "imported 1 file" stderr.txt)" -eq 1 ] || fail "import under mpirun did not run exactly once"
[ "$(mr 0 export notinput.h5 | wc -l)" -eq 3 ] && mr 1 run wordcount -i three.h5 -o three-out.h5 -q ||
  fail "the input imported under mpirun is not usable"
echo "ok: import under mpirun -n 3 runs once"

# A bad flag under mpirun: rank 0's message always appears (the other ranks
# must not end the job first), several times in a row.
for i in 1 2 3 4 5; do
  expect_refusal "bad flag under mpirun -n 4, try $i" "--split-size" out.h5 \
    mr 4 run wordcount -i in.h5 -o out.h5 --split-size lots
done
expect_refusal "import without files under mpirun -n 3" "import: needs files or folders" new.h5 \
  mr 3 import -o new.h5
