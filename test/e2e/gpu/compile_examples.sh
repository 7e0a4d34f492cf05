# Every example kernel (nvcc's PTX) through wooly-cc to PTX for sm_75/sm_90,
# checked by ptxas where it is installed (for sm_90 also address-fenced and
# with the fault polls in every loop: what the cuda executor loads under
# woolyd --launch-timeout), and to HSA code objects for
# gfx90a/gfx942/gfx1100, checked with llvm-readelf (EM_AMDGPU, processor,
# one kernel descriptor per .entry).
set -u
skip() { echo "SKIP: $*"; exit 77; }
ptxdir=$WOOLY_BUILD/examples/ptx
compgen -G "$ptxdir/*.ptx" >/dev/null || skip "no example PTX (the examples need nvcc)"
[[ -x $WOOLY_BIN/wooly-cc ]] || skip "wooly-cc not built"
ptxas=$(command -v ptxas || echo /usr/local/cuda/bin/ptxas)
[[ -x $ptxas ]] || { echo "note: ptxas not found, PTX is not validated"; ptxas=; }
readelf=$(command -v llvm-readelf-22 || command -v llvm-readelf || echo /usr/lib/llvm-22/bin/llvm-readelf)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0 ok=0
for ptx in "$ptxdir"/*.ptx; do
  base=$(basename "$ptx" .ptx)      # saxpy.sm_75
  name=${base%.sm_*}
  sm=${base##*.}
  entries=$(grep -c '^\.visible \.entry\|^\.entry' "$ptx")
  if ! "$WOOLY_BIN/wooly-cc" "$ptx" --target=nvptx:$sm --emit=ptx -o "$tmp/$base.ptx" 2>"$tmp/err"; then
    echo "FAIL nvptx:$sm $name: $(head -3 "$tmp/err")"; fail=1; continue
  fi
  if [[ -n $ptxas ]] && ! "$ptxas" -arch=$sm "$tmp/$base.ptx" -o "$tmp/$base.cubin" 2>"$tmp/err"; then
    echo "FAIL ptxas $sm $name: $(head -3 "$tmp/err")"; fail=1; continue
  fi
  ok=$((ok + 1))
  if [[ $sm == sm_90 ]]; then
    if ! { "$WOOLY_BIN/wooly-cc" "$ptx" --emit=wis-text -o "$tmp/$base.mlir" &&
           "$WOOLY_BIN/wooly-opt" "$tmp/$base.mlir" --wooly-fence-addresses -o "$tmp/$base.fenced.mlir" &&
           "$WOOLY_BIN/wooly-cc" "$tmp/$base.fenced.mlir" --target=nvptx:$sm --emit=ptx --fault-polls \
             -o "$tmp/$base.polls.ptx"; } 2>"$tmp/err"; then
      echo "FAIL nvptx:$sm --fault-polls $name: $(head -3 "$tmp/err")"; fail=1; continue
    fi
    if ! grep -q '__wooly_fault' "$tmp/$base.polls.ptx"; then
      echo "FAIL nvptx:$sm --fault-polls $name: no fault slot"; fail=1; continue
    fi
    if [[ -n $ptxas ]] && ! "$ptxas" -arch=$sm "$tmp/$base.polls.ptx" -o "$tmp/$base.polls.cubin" 2>"$tmp/err"; then
      echo "FAIL ptxas $sm --fault-polls $name: $(head -3 "$tmp/err")"; fail=1; continue
    fi
    ok=$((ok + 1))
  fi
  [[ $sm == sm_75 ]] || continue
  for chip in gfx90a gfx942 gfx1100; do
    out=$tmp/$name.$chip.hsaco
    if ! "$WOOLY_BIN/wooly-cc" "$ptx" --target=amdgpu:$chip --emit=hsaco -o "$out" 2>"$tmp/err"; then
      echo "FAIL amdgpu:$chip $name: $(head -3 "$tmp/err")"; fail=1; continue
    fi
    header=$("$readelf" -h -s "$out")
    kds=$(grep -o '[^ ]*\.kd$' <<<"$header" | sort -u | wc -l)
    if ! grep -q 'EM_AMDGPU' <<<"$header" || ! grep -q "$chip" <<<"$header" ||
       ((kds != entries)); then
      echo "FAIL code object $name $chip: $kds kernel descriptors for $entries kernels"; fail=1; continue
    fi
    ok=$((ok + 1))
  done
done
echo "$ok code objects and PTX files checked"
((fail == 0)) || { echo FAIL; exit 1; }
echo PASS
