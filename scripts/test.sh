#!/usr/bin/env bash
# One command: install what is missing, build, run every test (unit, MPI at
# 1-4 ranks, end-to-end against coreutils), then build again with
# AddressSanitizer and UBSan and run the unit tests, the corruption fuzz test
# and MPI end-to-end tests there. Both halves always run; every failure is
# reported, and the exit code is non-zero if any test failed.
# MR_SKIP_SANITIZE=1 skips the sanitizer half (for a quick local run);
# MR_ONLY_SANITIZE=1 runs the sanitizer half alone. The sanitizer half runs
# the tests labelled `sanitize` (tests/CMakeLists.txt).
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh || exit 1
bash scripts/install-browser.sh # optional: the HTML report's browser test skips without
failed=()
if [ "${MR_ONLY_SANITIZE:-0}" != 1 ]; then
  bash scripts/build.sh || exit 1
  # Twice as many tests as cores: much of a test's time is MPI start-up and
  # waiting on its ranks, not computing (557-626 s against 742-904 s at
  # -j(cores); bench/RESULTS.md, "CI time"). The load made a real coordinator
  # bug show (e2e.top.4ranks hung: docs/testing.md), fixed since.
  (cd build && ctest --output-on-failure -j"$((2 * $(nproc)))" "$@") ||
    failed+=("the main build's tests")
fi

if [ "${MR_SKIP_SANITIZE:-0}" != 1 ]; then
  # -O0 -g1 (line tables for stack traces): the build took 204 s against
  # 369 s at -O1 (cli.cpp alone 16 s against 42 s), and the sanitizer tests
  # ran as fast (218 s against 213-230 s: they wait on launches more than
  # they compute); -O2 -g compiled 2.5-4x slower still. The libraries in
  # unity batches (MR_UNITY_LIBS): at -O0 a compile is mostly parsing, and
  # the build took 266 CPU-s against 413 (137 s against 212). bench/RESULTS.md.
  if cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-O0 -g1" \
    -DMR_SANITIZE=ON -DMR_WERROR=ON -DMR_BUILD_BENCH=OFF -DMR_UNITY_LIBS=ON >/dev/null &&
    cmake --build build-asan -j"$(nproc)" --target sanitize_programs >/dev/null; then
    # Open MPI allocates for the process's life and frees little at
    # MPI_Finalize: LeakSanitizer would report those allocations in every MPI
    # program, so leak checking is off; every other ASan and UBSan check stays,
    # and any report fails the test (exit code 86, never taken for a refusal).
    export ASAN_OPTIONS=detect_leaks=0:halt_on_error=1:exitcode=86
    export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
    # Twice as many tests as cores here too: its longest tests wait on
    # Python mappers, sleeps and kills (e2e.streaming.2ranks: 133 s for 66
    # CPU-s), and three at a time left a core half idle.
    (cd build-asan && ctest --output-on-failure -j"$((2 * $(nproc)))" -L sanitize) ||
      failed+=("the sanitizer build's tests")
  else
    failed+=("the sanitizer build")
  fi
fi

if [ ${#failed[@]} -gt 0 ]; then
  printf 'FAILED: %s\n' "${failed[@]}" >&2
  exit 1
fi
halves=()
[ "${MR_ONLY_SANITIZE:-0}" != 1 ] && halves+=("main build")
[ "${MR_SKIP_SANITIZE:-0}" != 1 ] && halves+=("sanitizer build")
echo "all tests passed (${halves[*]})"
