# IPv6 endpoints: a woolyd and a controller on tcp://[::1]:PORT (its HTTP
# side on [::1] too), a program
# run there directly and one placed by the controller, an operator's
# request from ::1 (a loopback peer: an operator without CURVE).
# Skipped where this machine has no IPv6 loopback.
set -u
source "$(dirname "$0")/lib.sh"
need_woolyd
fail() { echo "FAIL: $*"; exit 1; }
HOLD=$WOOLY_BIN/wooly-test-hold-memory
[[ -x $HOLD ]] || skip "wooly-test-hold-memory not built"
port6() {
  python3 -c 'import socket; s=socket.socket(socket.AF_INET6); s.bind(("::1",0)); print(s.getsockname()[1])' 2>/dev/null
}
wport=$(port6) || skip "no IPv6 loopback (::1) here"
cport=$(port6)
tmp=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT
"$WOOLY_BIN/wooly-controller" --listen "tcp://[::1]:$cport" --http '[::1]:0' --insecure \
  >"$tmp/controller.log" 2>&1 &
pids+=($!)
"$WOOLY_BIN/woolyd" --listen "tcp://[::1]:$wport" --controller "tcp://[::1]:$cport" \
  --executor host >"$tmp/woolyd.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do grep -q serving "$tmp/woolyd.log" && break; sleep 0.1; done
grep -q "serving .* on tcp://\[::1\]:$wport" "$tmp/woolyd.log" ||
  fail "woolyd on [::1]: $(cat "$tmp/woolyd.log")"

out=$(WOOLY_TENANT=alice "$WOOLY_BIN/wooly-run" --server "tcp://[::1]:$wport" "$HOLD" 4096 0 2>&1)
[[ $out == *HOLDING* ]] || fail "a program over [::1]: $out"
echo "a program ran on woolyd at tcp://[::1]:$wport"
out=$("$WOOLY_BIN/woolyd" --listen "tcp://[::1]:$wport" --set-share alice=3) ||
  fail "--set-share from ::1: $out"
echo "operator request from ::1: $out"

# Placed by the controller once woolyd has registered with it.
placed=""
for _ in $(seq 100); do
  placed=$(WOOLY_LOG=1 WOOLY_TENANT=bob "$WOOLY_BIN/wooly-run" --controller "tcp://[::1]:$cport" \
    "$HOLD" 4096 0 2>&1) && [[ $placed == *HOLDING* ]] && break
  sleep 0.2
done
[[ $placed == *HOLDING* && $placed == *"placed this program on"*"tcp://[::1]:$wport"* ]] ||
  fail "a program placed over [::1]: $placed"
echo "a program placed by the controller at tcp://[::1]:$cport ran"
# Its HTTP side on [::1] too, at the URL it printed.
http=$(grep -o 'http://\[::1\]:[0-9]*/' "$tmp/controller.log") ||
  fail "the controller's HTTP URL: $(cat "$tmp/controller.log")"
[[ $(curl -sg "${http}healthz") == ok ]] || fail "GET ${http}healthz"
echo "the controller's HTTP API answers at $http"
echo PASS
