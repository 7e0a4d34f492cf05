#!/usr/bin/env bash
# The example binaries must be what the client runtime expects to intercept:
# runtime-API programs import versioned libcudart.so.13 symbols (the
# registration and launch entry points included) and carry a .nv_fatbin
# section; driver-API programs need libcuda.so.1 and no cudart. Every PTX file
# targets its architecture and has at least one kernel.
set -euo pipefail
examples=$WOOLY_BUILD/examples
if [[ ! -f $examples/examples.list ]] || [[ ! -s $examples/examples.list ]]; then
  echo "skipped: no CUDA examples were configured (nvcc missing?)"
  exit 77
fi
for tool in objdump readelf; do
  if ! command -v $tool >/dev/null; then
    echo "skipped: $tool (binutils) is not installed"
    exit 77
  fi
done

failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

while read -r name; do
  [[ -n $name ]] || continue
  binary=$examples/$name
  if [[ ! -x $binary ]]; then
    fail "$name was not built ($binary)"
    continue
  fi
  imports=$(objdump -T "$binary")
  needed=$(readelf -d "$binary" | grep NEEDED || true)
  if [[ $name == driver_api_* ]]; then
    grep -q 'libcuda.so.1' <<<"$needed" || fail "$name does not need libcuda.so.1"
    grep -q 'cudart' <<<"$needed" && fail "$name links cudart"
    for symbol in cuInit cuModuleLoadData cuModuleGetFunction cuLaunchKernel; do
      grep -qw "$symbol" <<<"$imports" || fail "$name does not import $symbol"
    done
    continue
  fi
  grep -q 'libcudart.so.13' <<<"$needed" || fail "$name does not need libcudart.so.13"
  for symbol in __cudaRegisterFatBinary __cudaRegisterFatBinaryEnd \
    __cudaRegisterFunction __cudaPushCallConfiguration \
    __cudaPopCallConfiguration __cudaLaunchKernel __cudaGetKernel; do
    grep -qE "\(libcudart\.so\.13\)[[:space:]]+$symbol\$" <<<"$imports" ||
      fail "$name does not import $symbol@libcudart.so.13"
  done
  # Into a variable first: grep -q closing a pipe early would fail objdump.
  sections=$(objdump -h "$binary")
  grep -q '\.nv_fatbin' <<<"$sections" || fail "$name has no .nv_fatbin section"
done <"$examples/examples.list"

ptx_count=0
while read -r ptx; do
  [[ -n $ptx ]] || continue
  ptx_count=$((ptx_count + 1))
  if [[ ! -s $ptx ]]; then
    fail "missing PTX $ptx"
    continue
  fi
  arch=${ptx%.ptx}
  arch=${arch##*.}
  grep -q "^\.target $arch\$" "$ptx" || fail "$ptx does not target $arch"
  grep -q '\.entry' "$ptx" || fail "$ptx has no kernel (.entry)"
done <"$examples/ptx.list"

echo "checked $(grep -c . "$examples/examples.list") programs and $ptx_count PTX files"
if ((failures > 0)); then
  echo "$failures check(s) failed"
  exit 1
fi
echo PASS
