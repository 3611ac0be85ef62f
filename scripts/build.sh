#!/usr/bin/env bash
# Configures and builds into ./build (Release by default; BUILD_TYPE=Debug to change),
# with warnings as errors (the compiler is Debian 12's: a new warning is ours to fix).
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}" -DMR_WERROR=ON >/dev/null
cmake --build build -j"$(nproc)"
