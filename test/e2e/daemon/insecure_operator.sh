# A woolyd on a network address without CURVE (--insecure): anyone there may
# run programs, but shares, quotas and other sessions' status are taken
# only from this machine (loopback), never from a peer on the network.
set -u
source "$(dirname "$0")/lib.sh"
source "$WOOLY_SOURCE/test/e2e/lib/net.sh"
need_woolyd
fail() { echo "FAIL: $*"; exit 1; }
[[ -x $WOOLY_BIN/wooly-test-hold-memory ]] || skip "wooly-test-hold-memory not built"
ip=$(machine_ipv4)
[[ -n $ip ]] || skip "this machine has no IPv4 address but loopback to come from"
port=$(any_port)
bin=$WOOLY_BIN/woolyd
tmp=$(mktemp -d)
"$bin" --listen "tcp://0.0.0.0:$port" --insecure 2>"$tmp/woolyd.log" &
WOOLYD_PID=$!
trap 'kill ${pid_alice:-} 2>/dev/null; stop_woolyd; rm -rf "$tmp"' EXIT
for _ in $(seq 100); do grep -q serving "$tmp/woolyd.log" && break; sleep 0.1; done
grep -q serving "$tmp/woolyd.log" || fail "woolyd did not start: $(cat "$tmp/woolyd.log")"
remote=tcp://$ip:$port
local=tcp://127.0.0.1:$port

# A program from the network address runs and holds a session.
WOOLY_TENANT=alice "$WOOLY_BIN/wooly-run" --server "$remote" \
  "$WOOLY_BIN/wooly-test-hold-memory" 4096 30 >"$tmp/alice.out" 2>&1 &
pid_alice=$!
for _ in $(seq 100); do grep -q HOLDING "$tmp/alice.out" && break; sleep 0.1; done
grep -q HOLDING "$tmp/alice.out" || fail "a client over $remote: $(cat "$tmp/alice.out")"
echo "a program connected from $ip runs"

# From the network: refused, with what to do instead; nothing changes.
"$bin" --listen "$remote" --set-share alice=5 2>"$tmp/err" >/dev/null
[[ $? == 1 ]] && grep -q "only from this machine" "$tmp/err" ||
  fail "--set-share from $ip: $(cat "$tmp/err")"
"$bin" --listen "$remote" --set-quota alice=1 2>"$tmp/err2" >/dev/null
[[ $? == 1 ]] && grep -q "only from this machine" "$tmp/err2" ||
  fail "--set-quota from $ip: $(cat "$tmp/err2")"
echo "refused from $ip: $(cat "$tmp/err")"
sessions() { # sessions URL: the tenants in --status's sessions, one line
  "$bin" --listen "$1" --status |
    python3 -c 'import json,sys; print(" ".join(s["tenant"] for s in json.load(sys.stdin)["sessions"]))'
}
[[ -z $(sessions "$remote") ]] || fail "a peer on the network saw the sessions: $(sessions "$remote")"

# From loopback: an operator.
[[ $(sessions "$local") == alice ]] || fail "loopback --status: $(sessions "$local")"
out=$("$bin" --listen "$local" --set-share alice=5) || fail "--set-share from loopback: $out"
[[ $out == "tenant alice: weight 5 (1 session now)" ]] || fail "said: $out"
echo "from loopback: $out"
echo PASS
