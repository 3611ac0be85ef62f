#!/usr/bin/env bash
# bench/scripts/shuffle_tcp.sh [MIB] [REPS]: the shuffle's two ways of sending
# map output, side by side, over TCP between two emulated nodes and over
# shared memory on one: MPI_Alltoallw with datatypes pointing at the pieces
# (what the engine does) against packing the pieces into one buffer and
# MPI_Alltoallv (and a raw MPI_Alltoallv of contiguous bytes, the bound), at
# several round and piece sizes (bench/programs/shuffle_bandwidth.cpp).
# Needs root and `ip netns` (tests/e2e/two_nodes_lib.sh), and the bench
# programs (scripts/build.sh builds them). 4 ranks: 2 a node over TCP.
#
#   bash bench/scripts/shuffle_tcp.sh 64 5
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
mib=${1:-64}
reps=${2:-5}
prog=$root/build/bench/shuffle_bandwidth
[ -x "$prog" ] || { echo "no $prog: build the bench programs first" >&2; exit 1; }
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 # bench only
WORK=$(mktemp -d)
source "$root/tests/e2e/two_nodes_lib.sh"
trap 'two_nodes_cleanup; rm -rf "$WORK"' EXIT
two_nodes_start || { echo "cannot make two network namespaces here" >&2; exit 1; }
printf 'transport\tround MiB\tpiece KiB\traw s\tours s\tpacked s\n'
for transport in tcp shm; do
  for round in 8 64; do
    for piece in 4 64 1024; do
      if [ $transport = tcp ]; then
        out=$(mpirun "${tcp[@]}" -n 4 --oversubscribe --wdir "$WORK" "$prog" "$mib" "$reps" "$round" "$piece")
      else
        out=$(mpirun --oversubscribe --mca pml ob1 --mca btl self,vader -n 4 "$prog" "$mib" "$reps" "$round" "$piece")
      fi
      secs() { grep "^$1" <<<"$out" | sed 's/.*: *\([0-9.]*\) s.*/\1/'; }
      printf '%s\t%s\t%s\t%s\t%s\t%s\n' $transport "$round" "$piece" "$(secs raw)" "$(secs our)" "$(secs pack)"
    done
  done
done
