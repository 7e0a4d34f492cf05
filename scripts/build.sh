#!/usr/bin/env bash
# Configures (once) and builds Wooly into build/ with clang-22, lld and Ninja.
#   scripts/build.sh [TARGET...]      all targets when none is named
#   WOOLY_BUILD_DIR    another build tree (default build/)
#   WOOLY_BUILD_TYPE   CMake build type at first configure (default Release)
#   WOOLY_CMAKE_ARGS   more CMake options at first configure
#   WOOLY_NINJA_FLAGS  options for ninja (e.g. -j1)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${WOOLY_BUILD_DIR:-$root/build}
if [[ ! -f $build/build.ninja ]]; then
  # shellcheck disable=SC2086 # WOOLY_CMAKE_ARGS is a list of options
  cmake -S "$root" -B "$build" -G Ninja \
    -DCMAKE_BUILD_TYPE=${WOOLY_BUILD_TYPE:-Release} \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
    -DCMAKE_EXE_LINKER_FLAGS=-fuse-ld=lld -DCMAKE_SHARED_LINKER_FLAGS=-fuse-ld=lld \
    -DCMAKE_MODULE_LINKER_FLAGS=-fuse-ld=lld ${WOOLY_CMAKE_ARGS:-} >/dev/null
fi
targets=()
for t in "$@"; do targets+=(--target "$t"); done
cmake --build "$build" "${targets[@]}" -- ${WOOLY_NINJA_FLAGS:-}
