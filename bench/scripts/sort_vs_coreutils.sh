#!/usr/bin/env bash
# bench/scripts/sort_vs_coreutils.sh [REPS] [MAPREDUCE]: the sort job at -n 3
# and `LC_ALL=C sort -S 2G --parallel=2`, alternating, REPS times each (7),
# on the records bench/scripts/jobs.sh made (run it first). Each run writes a
# fresh output (the last one's is removed first, untimed). Prints each pair
# of times and their ratio, then the medians; checks the outputs agree once.
#
#   bash bench/scripts/jobs.sh 1073741824 1 && bash bench/scripts/sort_vs_coreutils.sh 9
set -euo pipefail
cd "$(dirname "$0")/../.."
reps=${1:-7}
mr=${2:-$PWD/build/mapreduce}
dir=${BENCH_DIR:-/tmp/mr-bench-jobs}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 # bench only
[ -x "$mr" ] || { echo "build first: bash scripts/build.sh" >&2; exit 1; }
cd "$dir"
[ -s records.h5 ] && [ -s records.txt ] ||
  { echo "no records in $dir: run bench/scripts/jobs.sh first" >&2; exit 1; }

seconds() { # CMD...: runs it, prints its wall seconds
  local t0 t1
  t0=$(date +%s.%N)
  "$@" >/dev/null
  t1=$(date +%s.%N)
  awk -v a="$t1" -v b="$t0" 'BEGIN { printf "%.2f", a - b }'
}

ours=() theirs=()
for i in $(seq 1 "$reps"); do
  rm -f sort-vs.h5
  a=$(seconds mpirun -n 3 --oversubscribe "$mr" run sort -i records.h5 -o sort-vs.h5 -q)
  rm -f sorted-vs.txt
  b=$(seconds env LC_ALL=C sort -S 2G --parallel=2 -o sorted-vs.txt records.txt)
  ours+=("$a") theirs+=("$b")
  echo "rep $i: ours $a s, coreutils $b s, ratio $(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", b / a }')"
done
"$mr" export sort-vs.h5 | cmp -s - sorted-vs.txt ||
  { echo "sort differs from coreutils" >&2; exit 1; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
mo=$(median "${ours[@]}") mt=$(median "${theirs[@]}")
echo "medians of $reps: ours $mo s, coreutils $mt s: $(awk -v a="$mo" -v b="$mt" 'BEGIN { printf "%.2f", b / a }')x (outputs equal)"
rm -f sort-vs.h5 sorted-vs.txt
