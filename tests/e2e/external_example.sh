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

# The example's driver (kmeans, mr/driver.h): k-means of integer points in
# three blobs, iterated in one launch, against the same algorithm in Python
# (exact sums, nearest centroid with ties to the first, stop when no
# centroid moves).
LC_ALL=C awk 'BEGIN { srand(3); for (i = 0; i < 3000; i++) { b = i % 3;
  printf "%d %d\n", int(b * 40 + rand() * 30), int((b == 1) * 50 + rand() * 30) }
  print "not a point" }' >points.txt
mr 0 import -o points.h5 points.txt
mr 3 run kmeans -i points.h5 -o km.h5 --param centroids='0,0;1,1;2,2' --split-size 4k \
  >km.txt 2>km.err || { cat km.err >&2; fail "kmeans run"; }
"$PY" - points.txt <<'PY' >expected_km.txt
import sys
pts = []
for line in open(sys.argv[1]):
    w = line.split()
    try:
        pts.append((int(w[0]), int(w[1])))
    except (ValueError, IndexError):
        pass
c = [(0.0, 0.0), (1.0, 1.0), (2.0, 2.0)]
t, moved = 0, True
while moved and t < 20:
    t += 1
    sums = [[0, 0, 0] for _ in c]
    for x, y in pts:
        best, best_d = 0, float("inf")
        for i, (cx, cy) in enumerate(c):
            d = (x - cx) * (x - cx) + (y - cy) * (y - cy)
            if d < best_d:
                best, best_d = i, d
        sums[best][0] += x; sums[best][1] += y; sums[best][2] += 1
    moved = False
    for i, (sx, sy, n) in enumerate(sums):
        if n:
            m = (float(sx) / n, float(sy) / n)
            moved = moved or m != c[i]
            c[i] = m
n = [0] * len(c)
for x, y in pts:
    d = [(x - cx) * (x - cx) + (y - cy) * (y - cy) for cx, cy in c]
    n[d.index(min(d))] += 1
print("kmeans: %d iteration(s)%s" % (t, " (the limit)" if moved else ", converged"))
for i, (cx, cy) in enumerate(c):
    print("centroid %d: %.17g %.17g (%d points)" % (i, cx, cy, n[i]))
PY
same_file km.txt expected_km.txt "the example's kmeans driver"
grep -q "malformed_lines" km.err || true
[ ! -e km.h5.work ] || fail "kmeans left its work folder"
echo "ok: the example's kmeans driver equals Python's k-means: $(head -1 km.txt)"

# kill -9 a worker once the second iteration has begun; the relaunch with
# --resume takes the iterations done from their outputs (and the counters
# those recorded: without them it stopped after one iteration, its clusters
# wrong) and ends with the same clusters.
for attempt in 1 2 3; do
  rm -rf ck km.h5 km.h5.work
  env "$(new_session)" "$MPIEXEC" -n 3 "${MPI_FLAGS[@]}" "$MAPREDUCE" run kmeans \
    -i points.h5 -o km.h5 --param centroids='0,0;1,1;2,2' --split-size 1k \
    --checkpoint-dir ck >km1.txt 2>&1 &
  killed=no
  kill_rank_when $! 2 files_at_least 1 't*-r*' ck/step-2 && killed=yes && break
  echo "attempt $attempt: kmeans ended before the kill; again"
done
[ "$killed" = yes ] || fail "could not kill a worker of kmeans"
[ ! -e km.h5 ] || fail "an output after the kill"
first=$(stat -c '%i %Y.%y' km.h5.work/step-1.h5) || fail "no first iteration before the kill"
mr 3 run kmeans -i points.h5 -o km.h5 --param centroids='0,0;1,1;2,2' --split-size 1k \
  --checkpoint-dir ck --resume --keep-checkpoint >km.txt 2>km.err ||
  { cat km.err >&2; fail "kmeans resume"; }
same_file km.txt expected_km.txt "kmeans resumed after kill -9"
[ "$(stat -c '%i %Y.%y' km.h5.work/step-1.h5)" = "$first" ] ||
  fail "the resumed kmeans wrote its first iteration again"
rm -rf ck km.h5.work
echo "ok: kmeans resumed after kill -9 equals Python's k-means"
