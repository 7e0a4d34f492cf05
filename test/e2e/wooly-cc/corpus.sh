#!/usr/bin/env bash
# Every example's PTX (nvcc 13 -O3, sm_75 and sm_90) parses, lowers and
# verifies; every example program's embedded PTX does too.
set -euo pipefail
cc=$WOOLY_BIN/wooly-cc
list=$WOOLY_BUILD/examples/ptx.list
if [[ ! -s $list ]]; then
  echo "skipped: no example PTX ($list); the examples need nvcc 13"
  exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0 count=0 kernels=0
while read -r ptx; do
  [[ -n $ptx ]] || continue
  if [[ ! -f $ptx ]]; then
    echo "FAIL: $ptx is listed but was not built"; fail=1; continue
  fi
  count=$((count + 1))
  if ! "$cc" "$ptx" --emit=wis-text -o "$tmp/out.mlir" 2>"$tmp/err"; then
    echo "FAIL: $ptx"; cat "$tmp/err"; fail=1; continue
  fi
  n=$(grep -c 'wooly.kernel @' "$tmp/out.mlir" || true)
  want=$(grep -c '^\.visible \.entry\|^\.entry' "$ptx" || true)
  if [[ $n != "$want" ]]; then
    echo "FAIL: $ptx has $want kernels, the WIS module $n"; fail=1
  fi
  kernels=$((kernels + n))
done < "$list"
echo "translated $count PTX files, $kernels kernels"
[[ $count -gt 0 ]] || { echo "FAIL: empty corpus"; exit 1; }

# The programs themselves: PTX from their fatbins (zstd-compressed sm_75).
examples=$WOOLY_BUILD/examples/examples.list
if [[ -s $examples ]]; then
  while read -r name; do
    bin=$WOOLY_BUILD/examples/$name
    [[ -x $bin ]] || continue
    [[ $name == driver_api_vecadd ]] && continue # plain C++, PTX loaded at run time
    if ! "$cc" "$bin" -o "$tmp/out.wis" 2>"$tmp/err"; then
      echo "FAIL: $bin"; cat "$tmp/err"; fail=1
    fi
  done < "$examples"
fi
exit $fail
