#!/usr/bin/env bash
# bench/scripts/scaling.sh: strong and weak scaling of word count and sort.
#   strong: a fixed input (WC_BYTES of Zipf text, SORT_BYTES of records) at
#           1, 2, 4, ... workers (WORKERS);
#   weak:   PER_WORKER bytes of input per worker.
# Writes every run to $OUT/scaling.csv and draws $OUT/*.png with matplotlib
# (bench/scripts/plot_scaling.py): speed-up and parallel efficiency against workers,
# and seconds per phase. Outside Slurm, ranks are started with mpirun on this
# node; inside an allocation (slurm/scaling.sbatch), with srun across it.
#
#   bash bench/scripts/scaling.sh                           # this machine, defaults
#   WORKERS="1 2 4 8 16" WC_BYTES=4000000000 bash bench/scripts/scaling.sh
#
# Environment: WORKERS ("1 2 4"), WC_BYTES (256000000), SORT_BYTES
# (128000000), PER_WORKER (64000000), REPS (1: each point's median),
# OUT ($BENCH_DIR/scaling, BENCH_DIR defaulting to /tmp/mr-bench),
# MPI_FLAGS (extra flags for mpirun, e.g. "--mca pml ob1 --mca btl self,vader").
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
workers_list=${WORKERS:-1 2 4}
wc_bytes=${WC_BYTES:-256000000}
sort_bytes=${SORT_BYTES:-128000000}
per_worker=${PER_WORKER:-64000000}
reps=${REPS:-1}
out=${OUT:-${BENCH_DIR:-/tmp/mr-bench}/scaling}
mr=${MAPREDUCE:-$root/build/mapreduce}
gen_text=$root/build/mr_gen_text
gen_data=$root/build/mr_gen_data
py=/usr/bin/python3
[ -x "$mr" ] && [ -x "$gen_text" ] || { echo "build first: bash scripts/build.sh" >&2; exit 1; }
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 # bench only
read -r -a mpi_flags <<<"${MPI_FLAGS:-}"
mkdir -p "$out"
cd "$out"

# launch RANKS CMD...: on this node, or across the Slurm allocation.
launch() {
  local n=$1
  shift
  if [ -n "${SLURM_JOB_ID:-}" ]; then
    srun --overcommit -n "$n" "$@"
  else
    mpirun --oversubscribe "${mpi_flags[@]}" -n "$n" "$@"
  fi
}

# input JOB BYTES: an input of about BYTES for JOB, made once; prints its name.
input() {
  local job=$1 bytes=$2 name
  if [ "$job" = wordcount ]; then
    name=text-$bytes.h5
    if [ ! -s "$name" ]; then
      "$gen_text" "$bytes" 11 1000000 >text.tmp
      "$mr" import -o "$name" --overwrite text.tmp >/dev/null
      rm -f text.tmp
    fi
  else
    name=records-$bytes.h5
    if [ ! -s "$name" ]; then
      "$gen_data" records $((bytes / 100)) >records.tmp
      "$mr" import --format records --record-size 100 -o "$name" --overwrite records.tmp >/dev/null
      rm -f records.tmp
    fi
  fi
  echo "$name"
}

csv=$out/scaling.csv
echo "kind,job,workers,ranks,input_bytes,rep,seconds,map,shuffle,reduce,write,peak_rss_max" >"$csv"
for kind in strong weak; do
  for job in wordcount sort; do
    for w in $workers_list; do
      if [ "$kind" = strong ]; then
        bytes=$([ "$job" = wordcount ] && echo "$wc_bytes" || echo "$sort_bytes")
      else
        bytes=$((per_worker * w))
      fi
      in=$(input "$job" "$bytes")
      ranks=$((w + 1)) # rank 0 coordinates
      for rep in $(seq 1 "$reps"); do
        extra=()
        [ "$job" = sort ] && extra=(--reducers "$w")
        t0=$(date +%s.%N)
        launch "$ranks" "$mr" run "$job" -i "$in" -o out.h5 --overwrite -q \
          --report report.json "${extra[@]}"
        t1=$(date +%s.%N)
        "$py" - "$kind" "$job" "$w" "$ranks" "$bytes" "$rep" "$t0" "$t1" >>"$csv" <<'PY'
import json, sys
kind, job, w, ranks, nbytes, rep, t0, t1 = sys.argv[1:]
r = json.load(open("report.json"))
p = r["phases"]
print(",".join([kind, job, w, ranks, nbytes, rep, "%.3f" % (float(t1) - float(t0))] +
               ["%.3f" % p[k]["seconds"] for k in ("map", "shuffle", "reduce", "write")] +
               [str(int(r["memory"]["peak_rss_bytes_max_worker"]))]))
PY
        tail -1 "$csv"
      done
    done
  done
done
"$py" "$root/bench/scripts/plot_scaling.py" "$csv" "$out"
echo "scaling: $csv and $out/*.png"
