#!/usr/bin/env bash
# bench/scripts/peers.sh [REPS]: word count side by side with the fastest peers we
# know, built from their public sources when they are on this machine, and
# skipped (saying so) when they are not. Nothing fetched enters this
# repository: the sources are read from git repositories given by
#   BLAZE_REPO  junhao12131/blaze (default /work/.mirror/junhao12131+blaze/repo)
#   HPS_REPO    jl2922/hps, its serializer, used at the commit Blaze pins
#               (default /work/.mirror/jl2922+hps/repo)
#   THRILL_REPO thrill/thrill (default /work/.mirror/thrill+thrill/repo), with
#               its submodules at the commits its tree pins, from
#   TLX_REPO, FOXXLL_REPO, CEREAL_REPO, GTEST_REPO (tlx/tlx, stxxl/foxxll,
#               USCiLab/cereal, google/googletest; defaults /work/.mirror/...)
# and exported into $BENCH_DIR/peers. Blaze needs one change to build with
# Open MPI: its MpiType constants become `static inline const` (MPI_CHAR and
# friends are not constant expressions there). Thrill builds as it is, with
# bench/programs/peers/thrill_wordcount.cc added as one of its example programs (its
# library takes ~10 minutes to compile here, once).
#
# The corpus is bench/scripts/real_text.sh's (run it first) with NUL bytes removed
# (Blaze loses words that hold them) and one newline after each file. Ours
# at -n 3 (2 workers), Blaze at -n 2 (2 ranks, 1 OpenMP thread: 2 cores), the
# sequential count, Thrill as one process with 2 workers (two processes
# would pin their workers to the same core); MPI runs with ob1 + vader;
# each output checked against
# coreutils. Medians into bench/RESULTS.md (between the peers markers).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
source "$root/bench/scripts/lib.sh"
reps=${1:-5}
dir=${BENCH_DIR:-/tmp/mr-bench}
peers=$dir/peers
mr=$root/build/mapreduce
seq=$root/build/bench/sequential_wordcount
blaze_repo=${BLAZE_REPO:-/work/.mirror/junhao12131+blaze/repo}
hps_repo=${HPS_REPO:-/work/.mirror/jl2922+hps/repo}
hps_commit=8b98194218ca792e78f60b308c152c64e2cb2a7b # vendor/hps in blaze's tree
mirror=/work/.mirror
thrill_repo=${THRILL_REPO:-$mirror/thrill+thrill/repo}
declare -A thrill_sub=([tlx]=${TLX_REPO:-$mirror/tlx+tlx/repo}
  [foxxll]=${FOXXLL_REPO:-$mirror/stxxl+foxxll/repo}
  [cereal]=${CEREAL_REPO:-$mirror/USCiLab+cereal/repo}
  [googletest]=${GTEST_REPO:-$mirror/google+googletest/repo})
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_NUM_THREADS=1 # bench only
fast=(--mca pml ob1 --mca btl self,vader)
py=/usr/bin/python3
[ -s "$dir/realtext/c4.txt" ] || { echo "run bench/scripts/real_text.sh first (it makes the corpus)" >&2; exit 1; }
mkdir -p "$peers"
cd "$peers"

# export REPO COMMIT DEST: a commit's files, from a bare or normal git repository.
export_tree() {
  local git=$1
  [ -d "$1/.git" ] && git=$1/.git
  mkdir -p "$3"
  # A large test file of blaze's may be missing from a partial mirror: the
  # headers come first and are all we need.
  git --git-dir="$git" archive "$2" 2>/dev/null | tar -x -C "$3" 2>/dev/null || true
}
blaze=""
if [ -d "$blaze_repo" ] && [ -d "$hps_repo" ]; then
  if [ ! -d src/blaze ]; then
    export_tree "$blaze_repo" HEAD src/blaze
    export_tree "$hps_repo" "$hps_commit" src/blaze/vendor/hps
    sed -i 's/constexpr static MPI_Datatype value = /static inline const MPI_Datatype value = /' \
      src/blaze/src/internal/mpi_type.h
  fi
  driver=$root/bench/programs/peers/blaze_wordcount.cc
  if [ ! -x blaze_wordcount ] || [ "$driver" -nt blaze_wordcount ] ||
    [ "$root/include/mr/text.h" -nt blaze_wordcount ]; then
    mpic++ -std=c++17 -O3 -fopenmp -w -isystem "$peers/src" -I "$root/include" "$driver" \
      -o blaze_wordcount
  fi
  blaze=$peers/blaze_wordcount
else
  echo "peers: Blaze skipped: no $blaze_repo or $hps_repo (set BLAZE_REPO and HPS_REPO)" >&2
fi
thrill=""
thrill_missing=""
for r in "$thrill_repo" "${thrill_sub[@]}"; do [ -d "$r" ] || thrill_missing+=" $r"; done
if [ -z "$thrill_missing" ]; then
  example=src/thrill/examples/word_count
  if [ ! -f thrill-build/Makefile ]; then
    rm -rf src/thrill && export_tree "$thrill_repo" HEAD src/thrill
    tgit=$thrill_repo
    [ -d "$tgit/.git" ] && tgit=$tgit/.git
    for name in "${!thrill_sub[@]}"; do
      # The commit Thrill's tree pins for extlib/NAME (a submodule entry).
      pinned=$(git --git-dir="$tgit" ls-tree HEAD "extlib/$name" | awk '{print $3}')
      export_tree "${thrill_sub[$name]}" "$pinned" "src/thrill/extlib/$name"
    done
    mkdir -p "$example/mr"
    cp -p "$root/bench/programs/peers/thrill_wordcount.cc" "$example/thrill_wordcount.cpp"
    cmake -S src/thrill -B thrill-build -DCMAKE_BUILD_TYPE=Release -DTHRILL_BUILD_EXAMPLES=ON \
      -DTHRILL_USE_MPI=OFF >thrill-cmake.log
  fi
  # The program and our splitter beside it (times kept: make rebuilds what changed),
  # built as C++17 (Thrill's own code is C++14; mr/text.h needs std::string_view).
  cml=$example/CMakeLists.txt
  grep -q '^thrill_build_prog(thrill_wordcount)' "$cml" ||
    echo 'thrill_build_prog(thrill_wordcount)' >>"$cml"
  grep -q '^target_compile_options(thrill_wordcount' "$cml" ||
    echo 'target_compile_options(thrill_wordcount PRIVATE -std=c++17)' >>"$cml"
  # Added after the first configure, the target is unknown to make until CMake
  # runs again (on a fresh machine, `make thrill_wordcount` had no rule).
  make -C thrill-build help | grep -q thrill_wordcount || cmake thrill-build >>thrill-cmake.log
  mkdir -p "$example/mr"
  cp -p "$root/bench/programs/peers/thrill_wordcount.cc" "$example/thrill_wordcount.cpp"
  cp -p "$root/include/mr/text.h" "$example/mr/"
  make -C thrill-build -j"$(nproc)" thrill_wordcount >thrill-make.log
  thrill=$peers/thrill-build/examples/word_count/thrill_wordcount
else
  echo "peers: Thrill skipped: missing$thrill_missing (set THRILL_REPO, TLX_REPO, FOXXLL_REPO, CEREAL_REPO, GTEST_REPO)" >&2
fi

if [ ! -s text.txt ]; then
  for f in "$dir"/realtext/c[1-4].txt; do tr -d '\000' <"$f"; echo; done >text.txt
fi
"$mr" import -o text.h5 --overwrite text.txt >/dev/null
word_oracle text.txt >oracle.tsv

log=$peers/runs.tsv
: >"$log"
for rep in $(seq 1 "$reps"); do
  order=(ours blaze thrill sequential)
  [ $((rep % 2)) = 0 ] && order=(sequential thrill blaze ours)
  for what in "${order[@]}"; do
    case $what in
    ours) run ours mpirun --oversubscribe "${fast[@]}" -n 3 "$mr" run wordcount -i text.h5 \
      -o ours.h5 --overwrite -q ;;
    blaze) [ -n "$blaze" ] && run blaze mpirun --oversubscribe "${fast[@]}" -x OMP_NUM_THREADS \
      -n 2 "$blaze" text.txt blaze-counts ;;
    thrill) [ -n "$thrill" ] && rm -f thrill-counts-* &&
      THRILL_LOCAL=1 THRILL_WORKERS_PER_HOST=2 run thrill "$thrill" text.txt thrill-counts ;;
    sequential) run sequential "$seq" text.txt ;;
    esac
  done
done
"$mr" export ours.h5 | cmp -s - oracle.tsv || { echo "ours differs from coreutils" >&2; exit 1; }
cmp -s sequential.out oracle.tsv || { echo "sequential differs from coreutils" >&2; exit 1; }
if [ -n "$blaze" ]; then
  cat blaze-counts.* | LC_ALL=C sort -t "$(printf '\t')" -k1,1 | cmp -s - oracle.tsv ||
    { echo "Blaze differs from coreutils" >&2; exit 1; }
fi
if [ -n "$thrill" ]; then
  cat thrill-counts-* | LC_ALL=C sort -t "$(printf '\t')" -k1,1 | cmp -s - oracle.tsv ||
    { echo "Thrill differs from coreutils" >&2; exit 1; }
fi

"$py" - "$root" "$log" "$reps" "$(stat -c %s text.txt)" <<'PY'
import os, statistics, subprocess, sys
sys.path.insert(0, os.path.join(sys.argv[1], "bench", "scripts"))
from results_section import replace_section
times = {}
for line in open(sys.argv[2]):
    name, s = line.split()
    times.setdefault(name, []).append(float(s))
med = {k: statistics.median(v) for k, v in times.items()}
cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"],
                     capture_output=True, text=True).stdout.strip()
labels = [("ours", "ours, `mpirun -n 3` (2 workers)"), ("blaze", "Blaze, `mpirun -n 2`, 1 thread each"),
          ("thrill", "Thrill, 1 process, 2 workers"), ("sequential", "sequential `std::unordered_map`")]
rows = "\n".join("| %s | %.2f | %.2fx | %s |" % (label, med[k], med[k] / med["ours"],
                 " ".join("%.2f" % t for t in times[k])) for k, label in labels if k in med)
text = """<!-- peers:begin -->
## Word count against the fastest peers, @DATE@

`bash bench/scripts/peers.sh %s`: the real-text corpus of bench/scripts/real_text.sh without NUL bytes (%.0f MB),
%s, 2 cores, ob1 + vader for all, whole process, medians, order reversed every other
repetition; every output identical to coreutils.

| what | median s | / ours | runs |
|---|---|---|---|
%s
<!-- peers:end -->""" % (sys.argv[3], int(sys.argv[4]) / 1e6, cpu, rows)
import datetime
text = text.replace("@DATE@", str(datetime.date.today()))  # the day it ran
replace_section(os.path.join(sys.argv[1], "bench", "RESULTS.md"), "peers", text)
PY
