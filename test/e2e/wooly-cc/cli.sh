#!/usr/bin/env bash
# The command-line contract: --help, exit status 0/1 with a message, never a
# signal, on bad arguments and hostile files.
set -uo pipefail
cc=$WOOLY_BIN/wooly-cc
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
expect() { # expect STATUS PATTERN -- command...
  local want=$1 pattern=$2; shift 3
  "$@" >"$tmp/out" 2>"$tmp/err"; local rc=$?
  if [[ $rc != "$want" ]] || { [[ -n $pattern ]] && ! grep -q -- "$pattern" "$tmp/out" "$tmp/err"; }; then
    echo "FAIL: '$*' exited $rc (want $want), looking for '$pattern':"; cat "$tmp/out" "$tmp/err"; fail=1
  fi
}
expect 0 'usage: wooly-cc INPUT' -- "$cc" --help
expect 0 'rebuild with PTX\|-gencode' -- "$cc" --help
expect 1 'no input file' -- "$cc"
expect 1 "unknown option '--frobnicate'" -- "$cc" --frobnicate x.ptx
expect 1 "cannot read '/nonexistent.ptx'" -- "$cc" /nonexistent.ptx
expect 1 'needs a --target' -- "$cc" --emit=llvm x.ptx
expect 1 'no code generator for --target=quantum' -- "$cc" --target=quantum x.ptx
printf '\x7fELF\x02\x01garbage' > "$tmp/fake"
expect 1 'ELF section table is malformed\|not an ELF' -- "$cc" "$tmp/fake"
head -c 4096 /dev/urandom > "$tmp/random.bin"
expect 1 'error' -- "$cc" "$tmp/random.bin"
printf '.version 8.0\n.target sm_90\n.entry k() { ret; }\n' > "$tmp/ok.ptx"
expect 0 '' -- "$cc" "$tmp/ok.ptx" -O0 --emit=wis-text -o "$tmp/ok.mlir"
grep -q 'wooly.kernel @k()' "$tmp/ok.mlir" || { echo "FAIL: -o"; fail=1; }
expect 0 'wooly.kernel @k' -- "$cc" "$tmp/ok.ptx" --emit=wis-text
# Random PTX-looking junk never crashes it (exit 0 or 1, never a signal).
for i in $(seq 1 30); do
  head -c 2000 /dev/urandom | tr -dc 'a-z%.;,{}[]()0-9 \n@!' > "$tmp/junk.ptx"
  "$cc" "$tmp/junk.ptx" -o "$tmp/junk.wis" >/dev/null 2>&1; rc=$?
  if [[ $rc -gt 1 ]]; then echo "FAIL: exit $rc on junk input"; cp "$tmp/junk.ptx" /tmp/wooly-cc-crash.ptx; fail=1; fi
done
exit $fail
