#!/usr/bin/env bash
# bench/scripts/streaming_vs_pipe.sh [REPS]: the same Python word-count
# mapper and reducer (bench/streaming/) run as a shell pipeline,
#   cat FILES | mapper | LC_ALL=C sort | reducer
# and as `mpirun -n 3 mapreduce run streaming` (with and without the
# reducer as combiner), on the real-text corpus of real_text.sh, with the
# built-in C++ word count for scale. Whole commands timed (the corpus is
# imported once beforehand: not counted); alternating; medians of REPS
# (default 3); every output checked against coreutils.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
source "$root/bench/scripts/lib.sh"
reps=${1:-3}
mr=$root/build/mapreduce
map="/usr/bin/python3 $root/bench/streaming/wc_map.py"
reduce="/usr/bin/python3 $root/bench/streaming/wc_reduce.py"
dir=${BENCH_DIR:-/tmp/mr-bench}/realtext
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 # bench only
# These machines set PYTHONUNBUFFERED=1: Python then makes a write(2) a word
# (2.6M for 20 MB; the mapper alone 23 s instead of 2.3 s on the corpus).
# Both sides run Python as it runs by default, buffered.
unset PYTHONUNBUFFERED
mkdir -p "$dir"
cd "$dir"
real_text_corpus
texts=(c1.txt c2.txt c3.txt c4.txt)
"$mr" import -o stream.h5 --overwrite "${texts[@]}" >/dev/null 2>&1
[ -s oracle.tsv ] || word_oracle "${texts[@]}" >oracle.tsv
log=$dir/streaming.tsv
: >"$log"
# The pipeline reads one file: the four, each ended by a newline (as the
# engine reads them: a file's last word never joins the next file's first).
[ -s all.txt ] || LC_ALL=C awk 1 "${texts[@]}" >all.txt
check() { # check OUTPUT.h5 WHAT
  "$mr" export "$1" >got.tsv
  cmp -s got.tsv oracle.tsv || { echo "$2: output differs from coreutils" >&2; exit 1; }
}
for rep in $(seq 1 "$reps"); do
  run pipe bash -c "cat all.txt | $map | LC_ALL=C sort | $reduce >pipe.tsv"
  # sort orders whole lines, so a word with a byte below TAB (NULs in the
  # corpus) comes out of its byte order: compare as sorted sets of rows.
  cmp -s <(LC_ALL=C sort pipe.tsv) <(LC_ALL=C sort oracle.tsv) ||
    { echo "the shell pipeline: rows differ from coreutils" >&2; exit 1; }
  run streaming mpirun --oversubscribe -n 3 "$mr" run streaming -i stream.h5 -o s.h5 \
    --overwrite -q --param mapper="$map" --param reducer="$reduce"
  check s.h5 streaming
  run streaming_combiner mpirun --oversubscribe -n 3 "$mr" run streaming -i stream.h5 \
    -o sc.h5 --overwrite -q --param mapper="$map" --param reducer="$reduce" \
    --param combiner="$reduce"
  check sc.h5 "streaming with a combiner"
  run wordcount mpirun --oversubscribe -n 3 "$mr" run wordcount -i stream.h5 -o wc.h5 \
    --overwrite -q
  check wc.h5 wordcount
done
BENCH_SCRIPTS=$root/bench/scripts /usr/bin/python3 - "$log" <<'PY'
import os, sys
sys.path.insert(0, os.environ["BENCH_SCRIPTS"])
from timings import medians
runs, m = medians(sys.argv[1])
print("medians of %d, whole commands:" % len(runs["pipe"]))
for k in ("pipe", "streaming", "streaming_combiner", "wordcount"):
    print("  %-19s %7.2f s  (pipe / this: %.2fx)" % (k, m[k], m["pipe"] / m[k]))
PY
