#!/usr/bin/env bash
# One command: install what is missing, build, run every test (unit, MPI at
# 1-4 ranks, end-to-end against coreutils). Exits non-zero if any test fails.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
cd build
ctest --output-on-failure -j"$(nproc)" "$@"
