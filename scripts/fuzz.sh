#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz) with clang and runs each for a bounded time,
# starting from the seeds in tests/fuzz/corpus/<target>. A crash, leak, sanitizer report or
# timeout fails the run and leaves the input in build-fuzz/ (crash-*, leak-*, timeout-*).
#   FUZZ_SECONDS   time per target (default 60)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
SECONDS_PER_TARGET="${FUZZ_SECONDS:-60}"

launcher=()
if command -v ccache >/dev/null 2>&1; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$ROOT}" CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-1}"
fi
cmake -S tests/fuzz -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_CXX_COMPILER=clang++-14 "${launcher[@]}" >/dev/null
ninja -C build-fuzz

for target in jwt; do
  work="build-fuzz/corpus/$target"
  mkdir -p "$work"
  echo "fuzz_$target: ${SECONDS_PER_TARGET}s"
  (cd build-fuzz && "./fuzz_$target" -max_total_time="$SECONDS_PER_TARGET" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 "corpus/$target" "$ROOT/tests/fuzz/corpus/$target")
done
