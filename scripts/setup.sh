#!/usr/bin/env bash
# One command on a fresh Debian 12: install what is missing, build, and run
# word count on the sample texts in samples/ with 3 MPI ranks (a coordinator
# and two workers). Prints the most frequent words and where the result is.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh

# Demo only: Open MPI refuses root and more ranks than cores unless told.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mr=build/mapreduce
out=build/demo
mkdir -p "$out"
set -x
$mr import --format lines -o "$out/sample.h5" --overwrite samples/*.txt
mpirun -n 3 --oversubscribe $mr run wordcount -i "$out/sample.h5" -o "$out/counts.h5" \
  --overwrite --report "$out/report.json"
$mr export "$out/counts.h5" >"$out/counts.tsv"
{ set +x; } 2>/dev/null

echo
echo "Most frequent words (word, count):"
sort -t $'\t' -k2,2nr -k1,1 "$out/counts.tsv" | head -n 10
echo
echo "Result: $out/counts.h5 (HDF5), $out/counts.tsv (text), $out/report.json (timings)"
