# Session A runs a kernel that writes far out of bounds while session B's
# data sits on the same server: A gets an error (or its writes stay in its
# own arena), B's data is intact, the server keeps serving. Then sessions
# whose kernels trap and fail an assert, B still waiting.
set -u
source "$(dirname "$0")/lib.sh"
need_woolyd
oob=$WOOLY_BUILD/test/e2e/daemon/oob_writer
victim=$WOOLY_BUILD/test/e2e/daemon/victim
[[ -x $oob && -x $victim ]] || skip "isolation programs not built (needs nvcc)"
start_woolyd
run=("$WOOLY_BIN/wooly-run" --server "$WOOLYD_URL")
tmp=$(mktemp -d)
"${run[@]}" "$victim" 4 >"$tmp/victim" 2>&1 &
vpid=$!
for _ in $(seq 1 300); do grep -q READY "$tmp/victim" && break; sleep 0.1; done
grep -q READY "$tmp/victim" || { cat "$tmp/victim"; echo "FAIL: victim never got ready"; exit 1; }
"${run[@]}" "$oob" >"$tmp/oob" 2>&1
status=$?
cat "$tmp/oob"
[[ $status == 0 ]] && grep -q DONE "$tmp/oob" || { echo "FAIL: the out-of-bounds client broke (exit $status)"; exit 1; }
# A trap and a failed assert in other sessions meanwhile: each gets its own
# error (the examples check which), B's data stays.
for example in kernel_trap device_assert; do
  program=$WOOLY_BUILD/examples/$example
  [[ -x $program ]] || continue
  "${run[@]}" "$program" >"$tmp/$example" 2>&1
  grep -q '^PASS$' "$tmp/$example" || { cat "$tmp/$example"; echo "FAIL: $example beside session B"; exit 1; }
  echo "ok $example beside session B"
done
wait "$vpid"
cat "$tmp/victim"
grep -q PASS "$tmp/victim" || { echo "FAIL: session B's data was touched"; exit 1; }
"$WOOLY_BIN/woolyd" --listen "$WOOLYD_URL" --status >/dev/null || { echo "FAIL: server gone"; exit 1; }
echo PASS
