#!/usr/bin/env bash
# Installs what is missing, builds, and runs the main job.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/setup.sh"
"$root/scripts/build.sh"
build=${WOOLY_BUILD_DIR:-$root/build}
echo "== wooly-opt: parse, verify and print examples/wis/saxpy.mlir (bytecode round trip)"
"$build/bin/wooly-opt" "$root/examples/wis/saxpy.mlir" -emit-bytecode |
  "$build/bin/wooly-opt" -canonicalize
