# tests/e2e/external_example.sh: install the package, build examples/ (a
# project with one job of its own) out of tree against it, and run that
# program under mpirun: its own job against awk, a built-in job beside it,
# and every `run` flag. Expects CMAKE, BUILD_DIR and SOURCE_DIR from ctest.
source "$(dirname "$0")/lib.sh"
: "${CMAKE:?}" "${BUILD_DIR:?}" "${SOURCE_DIR:?}"
"$CMAKE" --install "$BUILD_DIR" --prefix "$WORK/prefix" >install.log || fail "cmake --install"
[ -f prefix/include/mr/job.h ] && [ -f prefix/lib/cmake/mapreduce/mapreduceConfig.cmake ] ||
  fail "the package lacks headers or its CMake config"
[ ! -e prefix/include/engine ] || fail "engine headers were installed"
"$CMAKE" -S "$SOURCE_DIR/examples/linelength" -B ex -DCMAKE_PREFIX_PATH="$WORK/prefix" \
  >configure.log 2>&1 || { cat configure.log; fail "configuring the example"; }
"$CMAKE" --build ex >build.log 2>&1 || { cat build.log; fail "building the example"; }
MAPREDUCE=$WORK/ex/myjobs # `mr` below runs the user's program

make_corpus
mr 0 import -o in.h5 "${CORPUS[@]}"
LC_ALL=C awk '{ sub(/\r$/, ""); if (length($0) >= 3) print length($0) }' "${CORPUS[@]}" |
  LC_ALL=C sort | LC_ALL=C uniq -c | LC_ALL=C awk '{print $2 "\t" $1}' >expected.tsv
mr 3 run linelength -i in.h5 -o out.h5 --param min=3 --split-size 16k --reducers 5 \
  --round-size 1k --combine-buffer 4k --report report.json -q || fail "linelength run"
mr 0 export out.h5 >got.tsv
same_file got.tsv expected.tsv "the example's linelength job"
grep -q '"reducers": 5' report.json || fail "--reducers not taken"
oracle "${CORPUS[@]}" >expected.tsv
mr 2 run wordcount -i in.h5 -o wc.h5 -q || fail "built-in wordcount in the user's program"
mr 0 export wc.h5 >got.tsv
same_file got.tsv expected.tsv "built-in wordcount in the user's program"
mr 0 jobs | grep -q '^linelength ' || fail "'jobs' does not list linelength"
echo "ok: the example built against the installed package runs its job and the built-in ones"
