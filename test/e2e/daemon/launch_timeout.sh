# woolyd --launch-timeout: a kernel that never ends is stopped after the
# limit, its client gets cudaErrorLaunchTimeout, and a client running at the
# same time (and one after) is served; a bad value is refused at start.
set -u
source "$(dirname "$0")/lib.sh"
need_woolyd
spinner=$WOOLY_BUILD/test/e2e/daemon/spinner
victim=$WOOLY_BUILD/test/e2e/daemon/victim
[[ -x $spinner && -x $victim ]] || skip "test programs not built (needs nvcc)"
if "$WOOLY_BIN/woolyd" --listen 'tcp://127.0.0.1:*' --launch-timeout soon 2>"$WOOLY_BUILD/lt.err"; then
  echo "FAIL: woolyd took --launch-timeout soon"; exit 1
fi
grep -q "launch-timeout takes a number of seconds" "$WOOLY_BUILD/lt.err" ||
  { cat "$WOOLY_BUILD/lt.err"; echo "FAIL: no clear error for a bad --launch-timeout"; exit 1; }
rm -f "$WOOLY_BUILD/lt.err"
start_woolyd --launch-timeout 1.5
run=("$WOOLY_BIN/wooly-run" --server "$WOOLYD_URL")
tmp=$(mktemp -d)
"${run[@]}" "$victim" 3 >"$tmp/victim" 2>&1 &
vpid=$!
start=$SECONDS
timeout 30 "${run[@]}" "$spinner" >"$tmp/spinner" 2>&1
status=$?
took=$((SECONDS - start))
cat "$tmp/spinner"
[[ $status == 0 ]] && grep -q DONE "$tmp/spinner" ||
  { echo "FAIL: the endless kernel was not stopped with cudaErrorLaunchTimeout (exit $status)"; exit 1; }
grep -q "kernel .spin(int volatile\*, int\*). ran longer than the 1500 ms" "$tmp/spinner" || { echo "FAIL: the client was not told the kernel and the limit"; exit 1; }
((took < 20)) || { echo "FAIL: stopping it took ${took} s"; exit 1; }
wait "$vpid"
cat "$tmp/victim"
grep -q PASS "$tmp/victim" || { echo "FAIL: the other session was disturbed"; exit 1; }
"${run[@]}" "$victim" 0 >"$tmp/after" 2>&1
grep -q PASS "$tmp/after" || { cat "$tmp/after"; echo "FAIL: no session after the timeout"; exit 1; }
rm -rf "$tmp"
echo PASS
