#!/usr/bin/env bash
# wooly-cc's inputs: PTX, .cu (through nvcc), CUDA objects and programs,
# and a program without PTX, which must get the "rebuild with PTX" advice.
set -euo pipefail
cc=$WOOLY_BIN/wooly-cc
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
nvcc=$(command -v nvcc || true)
[[ -n $nvcc ]] || { [[ -x /usr/local/cuda/bin/nvcc ]] && nvcc=/usr/local/cuda/bin/nvcc; }
if [[ -z $nvcc ]]; then
  echo "skipped: needs nvcc to make CUDA inputs"
  exit 77
fi
export PATH=$(dirname "$nvcc"):$PATH
cat > "$tmp/k.cu" <<'CU'
__global__ void scale(float *x, float a, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) x[i] *= a;
}
int main() { return 0; }
CU

# .cu → bytecode, default output name next to the input.
"$cc" "$tmp/k.cu"
[[ -s $tmp/k.wis ]] || { echo "FAIL: no k.wis from k.cu"; exit 1; }
# Bytecode is MLIR bytecode ("ML\xefR").
head -c 4 "$tmp/k.wis" | od -An -c | grep -q 'M   L' || { echo "FAIL: k.wis is not MLIR bytecode"; exit 1; }

# An object and a program: PTX from the fatbin.
"$nvcc" -c "$tmp/k.cu" -o "$tmp/k.o"
"$cc" "$tmp/k.o" --emit=wis-text -o "$tmp/o.mlir"
grep -q 'wooly.kernel @_Z5scalePffi' "$tmp/o.mlir" || { echo "FAIL: kernel missing from object"; exit 1; }
"$nvcc" -cudart shared "$tmp/k.cu" -o "$tmp/k"
"$cc" "$tmp/k" --emit=wis-text | grep -q 'wooly.kernel @_Z5scalePffi' || { echo "FAIL: kernel missing from program"; exit 1; }

# A program with machine code only: a clear error naming the flag, exit 1.
"$nvcc" -cudart shared -gencode arch=compute_75,code=sm_75 "$tmp/k.cu" -o "$tmp/sass"
set +e
"$cc" "$tmp/sass" -o "$tmp/sass.wis" 2>"$tmp/err"
rc=$?
set -e
[[ $rc == 1 ]] || { echo "FAIL: exit $rc for a program without PTX"; cat "$tmp/err"; exit 1; }
grep -q 'rebuild with PTX: add -gencode arch=compute_75,code=compute_75' "$tmp/err" || { echo "FAIL: message"; cat "$tmp/err"; exit 1; }
[[ ! -e $tmp/sass.wis ]] || { echo "FAIL: output written on error"; exit 1; }
# ... and the advice works.
"$nvcc" -cudart shared -gencode arch=compute_75,code=compute_75 -gencode arch=compute_75,code=sm_75 "$tmp/k.cu" -o "$tmp/sass2"
"$cc" "$tmp/sass2" -o "$tmp/sass2.wis"
# -rdc=true programs keep their PTX in __nv_relfatbin.
"$nvcc" -rdc=true -cudart shared "$tmp/k.cu" -o "$tmp/rdc"
"$cc" "$tmp/rdc" --emit=wis-text | grep -q 'wooly.kernel @_Z5scalePffi' || { echo "FAIL: rdc program"; exit 1; }

# A .cu file nvcc rejects: nvcc's message, exit 1.
echo '__global__ void broken( {' > "$tmp/bad.cu"
set +e
"$cc" "$tmp/bad.cu" 2>"$tmp/err"; rc=$?
set -e
[[ $rc == 1 ]] && grep -q 'nvcc could not compile' "$tmp/err" || { echo "FAIL: bad .cu"; cat "$tmp/err"; exit 1; }
echo "ok"
