#!/usr/bin/env bash
# Packs what a GPU machine without LLVM 22, MLIR 22 or ZeroMQ needs to run
# Wooly's GPU checks from this build (scripts/gpu-check/run.sh there):
#   .gpu-bundle/libs.tar.xz   the shared libraries the binaries load, except
#                             glibc's and the C++ runtime (newer there)
#   .gpu-bundle/build.tar.xz  the binaries, the runtime library, the example
#                             programs and ctest's files of the build tree
# The folder is ignored by git (.git/info/exclude); name it in the device
# tool's `carry`. Needs patchelf (apt-get install patchelf). Usage: scripts/gpu-check/pack.sh [BUILD_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
out=$root/.gpu-bundle
grep -qx '/.gpu-bundle/' "$root/.git/info/exclude" 2>/dev/null ||
  echo '/.gpu-bundle/' >>"$root/.git/info/exclude"
mkdir -p "$out"

bins=(bin/woolyd bin/wooly-run bin/wooly-smi bin/unit/wooly-gpu-tests
      bin/unit/wooly-gpu-server-tests bin/unit/wooly-gpu-printf-tests
      bin/bench/wooly-bench-gpu)
for b in "${bins[@]}" lib/wooly/libwooly-client.so; do
  [[ -e $build/$b ]] || { echo "missing $build/$b (build it first)"; exit 1; }
done

# Every library the binaries load, but the ones every Linux has in a newer
# version (glibc, libstdc++, libgcc); packed once: delete libs.tar.xz to redo.
if [[ ! -s $out/libs.tar.xz ]]; then
rm -rf "$out/libs" && mkdir -p "$out/libs"
for b in "${bins[@]}" lib/wooly/libwooly-client.so; do ldd "$build/$b"; done |
  awk '$3 ~ /^\// {print $3}' | sort -u |
  grep -vE '/(libc|libm|libpthread|libdl|librt|libstdc\+\+|libgcc_s|ld-linux[^/]*)\.so' |
  grep -v '/lib/wooly/' |
  while read -r lib; do cp -L "$lib" "$out/libs/"; done
# libLLVM calls Z3 only for clang's static analyzer, lazily bound: leaving
# out Z3 (23 MB, 7 MB packed) keeps the bundle under the tool's 64 MiB.
rm -f "$out"/libs/libz3.so.*
patchelf --remove-needed libz3.so.4 "$out"/libs/libLLVM.so.*
tar -C "$out" -cf - libs | xz -T2 -9 >"$out/libs.tar.xz"
rm -rf "$out/libs"
fi

# LLVM's linker, for the AMD code object tests (WOOLY_LLD there).
xz -T2 -6 -c /usr/lib/llvm-22/bin/lld >"$out/ld.lld.xz"

# What the real CUDA runtime answers to error_cases' calls.
/usr/local/cuda/bin/nvcc -cudart shared -O2 -o "$out/probe_errors" \
  "$root/scripts/gpu-check/probe_errors.cu"

# The build tree's part the checks use, at the same path layout.
cd "$build"
# ctest's files: each folder's CTestTestfile.cmake and the lists of Catch2
# tests it includes.
{ printf '%s\n' "${bins[@]}"; find lib/wooly examples -maxdepth 2 \( -type f -o -type l \);
  # The endless kernel of the launch watchdog's e2e check (gpu/run_examples.sh).
  [[ -x test/e2e/daemon/spinner ]] && echo test/e2e/daemon/spinner;
  find . -path '*/CMakeFiles' -prune -o \( -name CTestTestfile.cmake \
    -o -name '*_include-*.cmake' -o -name '*_tests-*.cmake' \) -print; } |
  tar -cf - -T - | xz -T0 -6 >"$out/build.tar.xz"
du -sh "$out"/*
