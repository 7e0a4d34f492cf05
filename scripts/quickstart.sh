#!/usr/bin/env bash
# Installs what is missing, builds, and runs the main job: an unmodified CUDA
# program (built by nvcc with -cudart shared) under wooly-run on the embedded
# default — the daemon core in-process with the host (CPU) executor.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/setup.sh"
"$root/scripts/build.sh"
build=${WOOLY_BUILD_DIR:-$root/build}
program="$build/examples/${1:-matmul_tiled}"
if [[ -x $program ]]; then
  echo "== wooly-run $program (embedded server, host executor)"
  exec "$build/bin/wooly-run" --verbose "$program"
fi
echo "== no CUDA example at $program (nvcc from the CUDA toolkit builds them: /usr/local/cuda/bin/nvcc);"
echo "== running the WIS example through wooly-opt instead"
"$build/bin/wooly-opt" "$root/examples/wis/saxpy.mlir" -emit-bytecode |
  "$build/bin/wooly-opt" -canonicalize
