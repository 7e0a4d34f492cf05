# A woolyd bound to every interface (tcp://0.0.0.0:PORT) registers with its
# controller the address this machine reaches the controller from, not
# 0.0.0.0 (which on a client's machine is that machine), so a program the
# controller places there reaches it; --advertise URL registers what it
# says. Skipped where this machine has no address but loopback.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$WOOLY_SOURCE/test/e2e/lib/net.sh"
WOOLYD=$WOOLY_BIN/woolyd
HOLD=$WOOLY_BIN/wooly-test-hold-memory
[[ -x $WOOLYD ]] || { echo "SKIP: $WOOLYD is not built"; exit 77; }
[[ -x $HOLD ]] || { echo "SKIP: wooly-test-hold-memory is not built"; exit 77; }
ip=$(machine_ipv4)
[[ -n $ip ]] || { echo "SKIP: no IPv4 address but loopback here"; exit 77; }

ZMQ_PORT=$(any_port)
HTTP_PORT=$(free_port)
URL=tcp://$ip:$ZMQ_PORT
start controller "$WOOLY_BIN/wooly-controller" --listen "tcp://0.0.0.0:$ZMQ_PORT" \
  --http "127.0.0.1:$HTTP_PORT" --insecure
wait_for 5000 api /healthz || fail "controller did not come up"

wport=$(any_port)
start woolyd "$WOOLYD" --listen "tcp://0.0.0.0:$wport" --insecure --controller "$URL" --executor host
wait_for 10000 count_is 1 || fail "woolyd did not register"
endpoint=$(api /api/v1/servers | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["endpoint"])')
[[ $endpoint == "tcp://$ip:$wport" ]] || fail "registered $endpoint, not tcp://$ip:$wport"
grep -q "as tcp://$ip:$wport (bound to every interface" "$WORK/woolyd.log" ||
  fail "woolyd did not say what it registered: $(cat "$WORK/woolyd.log")"
echo "bound to 0.0.0.0, registered as $endpoint"
out=$(WOOLY_LOG=1 "$WOOLY_BIN/wooly-run" --controller "$URL" "$HOLD" 4096 0 2>&1)
[[ $out == *HOLDING* && $out == *"placed this program on"*"tcp://$ip:$wport"* ]] ||
  fail "a program placed there: $out"
echo "a program placed on it ran"

# --advertise: what it says is registered.
w2=$(any_port)
start woolyd2 "$WOOLYD" --listen "tcp://0.0.0.0:$w2" --insecure --controller "$URL" \
  --executor host --advertise "tcp://gpu-7.example:$w2"
wait_for 10000 count_is 2 || fail "the second woolyd did not register"
api /api/v1/servers | python3 -c '
import json, sys
eps = sorted(s["endpoint"] for s in json.load(sys.stdin))
assert sys.argv[1] in eps, eps' "tcp://gpu-7.example:$w2" ||
  fail "--advertise was not registered: $(api /api/v1/servers)"
echo "--advertise registered tcp://gpu-7.example:$w2"
"$WOOLYD" --listen tcp://127.0.0.1:1 --advertise tcp://x:1 2>"$WORK/err.log" &&
  fail "--advertise without --controller was taken"
grep -q "goes with --controller" "$WORK/err.log" || fail "said: $(cat "$WORK/err.log")"
echo PASS
