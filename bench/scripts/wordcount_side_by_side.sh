#!/usr/bin/env bash
# Usage: bash bench/scripts/wordcount_side_by_side.sh, after bench/scripts/wordcount.sh made /tmp/mr-bench and an
# older build of this repository is in /tmp/oldsrc/b (git clone; git checkout OLD; cmake; build).
# old vs new word count side by side at -n 3 on the 1 GiB bench corpus, then MR-MPI once.
set -euo pipefail
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
cd /tmp/mr-bench
/tmp/oldsrc/b/mapreduce import -o corpus-old.h5 --overwrite part*.txt
for r in 1 2 3; do
  for v in old new; do
    b=/tmp/oldsrc/b/mapreduce; in=corpus-old.h5
    [ $v = new ] && b=/work/main/build/mapreduce && in=corpus.h5
    t0=$(date +%s.%N)
    mpirun -n 3 --oversubscribe $b run wordcount -i $in -o wc-$v.h5 --overwrite -q --report wc-$v-$r.json
    t1=$(date +%s.%N)
    echo "$v $r $(echo "$t1 - $t0" | bc) $(/usr/bin/python3 -c 'import json, sys; p = json.load(open(sys.argv[1]))["phases"]; print("map=%s reduce=%s" % (p["map"]["seconds"], p["reduce"]["seconds"]))' wc-$v-$r.json)"
  done
done
/work/main/build/mapreduce export wc-new.h5 | md5sum
/tmp/oldsrc/b/mapreduce export wc-old.h5 | md5sum
md5sum < oracle.tsv 2>/dev/null || true
t0=$(date +%s.%N)
mpirun -n 3 --oversubscribe /work/main/build/bench/mrmpi_wordcount part*.txt > mrmpi.txt
t1=$(date +%s.%N)
echo "mrmpi-n3 $(echo "$t1 - $t0" | bc) $(cat mrmpi.txt)"
