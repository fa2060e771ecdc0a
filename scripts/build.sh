#!/usr/bin/env bash
# Configures and builds Tollgate with CMake + Ninja (ccache on).
#   scripts/build.sh [release]   -> build/       RelWithDebInfo, warnings are errors
#   scripts/build.sh asan        -> build-asan/  AddressSanitizer + UndefinedBehaviorSanitizer
# Extra arguments after the flavour go to ninja (e.g. a target name).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

flavour="${1:-release}"
shift || true

case "$flavour" in
  release)
    dir=build
    flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DTOLLGATE_WERROR=ON -DTOLLGATE_SANITIZE=OFF)
    ;;
  asan)
    dir=build-asan
    # -O1 as the sanitizers' documentation advises (and faster to compile), assertions on.
    flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DTOLLGATE_WERROR=ON -DTOLLGATE_SANITIZE=ON
           "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g -fno-omit-frame-pointer")
    ;;
  *)
    echo "usage: $0 [release|asan] [ninja args...]" >&2
    exit 2
    ;;
esac

launcher=()
if command -v ccache >/dev/null 2>&1; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  # The two flavours and repeated CI runs share one cache; keep it bounded.
  ccache --max-size=5G >/dev/null 2>&1 || true
  # Paths relative to the checkout, so that another clone (CI's) hits the same cache entries.
  export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$ROOT}"
  export CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-1}"
fi

# A build dir made with another generator cannot be reconfigured with Ninja: start it afresh.
if [[ -f "$dir/CMakeCache.txt" ]] && ! grep -q '^CMAKE_GENERATOR:INTERNAL=Ninja$' "$dir/CMakeCache.txt"; then
  echo "build.sh: $dir was not configured with Ninja; recreating it" >&2
  rm -rf "$dir"
fi

cmake -S . -B "$dir" -G Ninja "${flags[@]}" "${launcher[@]}"
ninja -C "$dir" "$@"
