#!/usr/bin/env bash
# The README's first job: wooly-opt reads the example WIS module, writes it as
# bytecode and reads it back; a malformed module is rejected with a located
# error and exit status 1.
set -euo pipefail
opt="$WOOLY_BIN/wooly-opt"
example="$WOOLY_SOURCE/examples/wis/saxpy.mlir"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

"$opt" "$example" -emit-bytecode -o "$tmp/saxpy.wis"
head -c 4 "$tmp/saxpy.wis" | grep -q "ML" || { echo "not MLIR bytecode"; exit 1; }
"$opt" "$tmp/saxpy.wis" > "$tmp/back.mlir"
grep -q "wooly.kernel @saxpy" "$tmp/back.mlir"
# Text -> bytecode -> text is a fixed point.
"$opt" "$example" > "$tmp/direct.mlir"
diff "$tmp/direct.mlir" "$tmp/back.mlir"

printf 'wooly.kernel @k(%%p: !wooly.ptr<const>, %%v: i32) {\n  wooly.store %%v, %%p : i32, !wooly.ptr<const>\n  wooly.return\n}\n' > "$tmp/bad.mlir"
set +e
"$opt" "$tmp/bad.mlir" > /dev/null 2> "$tmp/err"
status=$?
set -e
[[ $status == 1 ]] || { echo "expected exit 1, got $status"; exit 1; }
grep -q "bad.mlir:2:3: error: 'wooly.store' op const memory is read-only" "$tmp/err" || { cat "$tmp/err"; exit 1; }
echo "wooly-opt example: ok"
