#!/usr/bin/env bash
# wooly-cc --target=host --emit=llvm|asm|obj on the SAXPY WIS example: the IR
# has the block entry point the host executor calls, the object is ELF, the
# assembly defines the entry. Skips (77) while wooly-cc has no host backend.
set -u
cc="$WOOLY_BIN/wooly-cc"
src="$WOOLY_SOURCE/examples/wis/saxpy.mlir"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [[ ! -x $cc ]]; then
  echo "skipped: $cc not built"
  exit 77
fi
if ! "$cc" "$src" --target=host --emit=llvm -o "$tmp/saxpy.ll" 2>"$tmp/err"; then
  if grep -qi "host" "$tmp/err" && grep -qiE "unknown|target|backend" "$tmp/err"; then
    echo "skipped: this wooly-cc has no host backend: $(head -2 "$tmp/err")"
    exit 77
  fi
  echo "wooly-cc --emit=llvm failed:"; cat "$tmp/err"; exit 1
fi
grep -q "define void @__wooly_block_saxpy(ptr" "$tmp/saxpy.ll" || {
  echo "no block entry point in the IR"; head -40 "$tmp/saxpy.ll"; exit 1; }
"$cc" "$src" --target=host --emit=obj -o "$tmp/saxpy.o" || exit 1
[[ $(head -c 4 "$tmp/saxpy.o" | od -An -c | tr -d ' ') == "177ELF" ]] || {
  echo "the object is not ELF"; exit 1; }
"$cc" "$src" --target=host --emit=asm -o "$tmp/saxpy.s" || exit 1
grep -q "^__wooly_block_saxpy:" "$tmp/saxpy.s" || { echo "no entry in the assembly"; exit 1; }
# A bad module is a user error (exit 1 with a message), never a signal.
printf 'wooly.kernel @k() {\n  %%x = wooly.bogus\n}\n' > "$tmp/bad.mlir"
"$cc" "$tmp/bad.mlir" --target=host --emit=llvm -o "$tmp/bad.ll" 2>"$tmp/err"
rc=$?
[[ $rc == 1 ]] || { echo "bad input gave exit status $rc"; cat "$tmp/err"; exit 1; }
echo "ok"
