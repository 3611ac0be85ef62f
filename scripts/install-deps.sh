#!/usr/bin/env bash
# Installs the Debian 12 packages the project needs, and only the missing ones.
# Safe to run again; needs root (or sudo) only when something is missing.
set -euo pipefail

packages=(
  cmake g++ make pkg-config
  openmpi-bin libopenmpi-dev
  libhdf5-openmpi-dev hdf5-tools
  libboost-mpi-dev libboost-serialization-dev
  libcli11-dev libgtest-dev
  zlib1g-dev              # CRC-32 (validate-sort)
  libxxhash-dev           # XXH3-64, checksums of checkpoint files
  nlohmann-json3-dev      # the job report (--report) is written with it
  slurm-wlm munge         # a real one-node Slurm for the requeue test
  python3 python3-h5py    # tests read our output with h5py, as a user would
  python3-xxhash          # tests forge checkpoint records (XXH3-sealed lines)
  libmrmpi-dev            # MR-MPI, the peer we benchmark against
  gawk coreutils grep     # the word count oracle
  procps                  # ps, for peak-RSS figures in bench/
  iproute2                # ip netns: two emulated nodes in tests/e2e/two_nodes.sh
  python3-matplotlib      # bench/scripts/scaling.sh draws its plots with it
  clang-format clang-tidy # the lint tests (.clang-format, .clang-tidy)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
