# Controller + three servers on loopback: least-loaded placement, a killed
# server marked down within 3 heartbeats and avoided, a restarted controller
# seeing the fleet again within 2 heartbeats, wooly-smi, drain over HTTP.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ZMQ_PORT=$(free_port)
HTTP_PORT=$(free_port)
URL=tcp://127.0.0.1:$ZMQ_PORT
HEARTBEAT_MS=500

start_controller() {
  start controller "$WOOLY_BIN/wooly-controller" --listen "$URL" \
    --http "127.0.0.1:$HTTP_PORT" --insecure --heartbeat-ms $HEARTBEAT_MS
  wait_for 5000 api /healthz || fail "controller did not come up"
}
start_controller

# Three servers: heavy, medium and light load.
start heavy "$WOOLY_BIN/wooly-fleet-sim" serve --controller "$URL" --insecure \
  --name heavy --busy 0.9 --memory 16GiB --memory-used 12GiB --queue-depth 8 --sessions 3
start medium "$WOOLY_BIN/wooly-fleet-sim" serve --controller "$URL" --insecure \
  --name medium --busy 0.5 --memory 16GiB --memory-used 6GiB --queue-depth 2 --sessions 1
start light "$WOOLY_BIN/wooly-fleet-sim" serve --controller "$URL" --insecure \
  --name light --busy 0.05 --memory 16GiB --memory-used 1GiB --sessions 0
wait_for 5000 count_is 3 || fail "three servers did not register"
for s in heavy medium light; do
  wait_for 3000 state_is $s up || fail "$s is not up"
  wait_for 3000 has_telemetry $s || fail "no telemetry from $s"
done
echo "three servers registered"

place() {
  "$WOOLY_BIN/wooly-fleet-sim" place --controller "$URL" --insecure "$@"
}

# 1. A client goes to the least-loaded server.
out=$(place --memory 1GiB --tenant alice)
[[ $out == "placed light "* ]] || fail "expected placement on light, got: $out"
echo "placed on the least-loaded: $out"

# A burst: placements reserve memory until telemetry shows it, so once light
# is full (15 GiB free: 4 x 3 GiB) the rest go to the next best, medium
# (10 GiB free: 3 x 3 GiB), and none to heavy.
burst=$(place --count 7 --memory 3GiB --tenant bob)
[[ $(grep -c "placed light" <<<"$burst") == 4 ]] || fail "burst: $burst"
[[ $(grep -c "placed medium" <<<"$burst") == 3 ]] || fail "burst: $burst"
echo "a burst of 7 filled light, then medium"

# Every decision is explained in the API.
api /api/v1/placements | python3 -c '
import json, sys
p = json.load(sys.stdin)
assert len(p) == 8, len(p)
last = p[0]
assert last["placed"] and last["explanation"], last
assert {c["server"] for c in last["candidates"]} == {"heavy", "medium", "light"}, last
' || fail "placement explanations missing"

# 2. Kill the light server: down within 3 heartbeats, then avoided.
kill -9 "$PID_light"
took=$(ms_until_state light down 4000) || fail "killed server never marked down"
echo "killed server marked down after $took ms (3 heartbeats = $((3 * HEARTBEAT_MS)) ms)"
# Down 3 intervals after its last telemetry (which came before the kill),
# plus at most one 50 ms health tick, our 10 ms polling and scheduling noise
# on a loaded machine.
((took <= 3 * HEARTBEAT_MS + 250)) || fail "down-marking took $took ms"
for i in 1 2 3; do
  out=$(place --memory 1GiB)
  [[ $out == "placed light "* ]] && fail "a new client was placed on the dead server"
done
echo "new clients avoid the dead server"

# 3. Drain over HTTP: the API shows it and placements avoid it.
curl -sf -X POST -H 'Content-Type: application/json' -d '{"drain":true}' \
  "http://127.0.0.1:$HTTP_PORT/api/v1/servers/medium/drain" >/dev/null ||
  fail "drain request failed"
state_is medium draining || fail "medium is not draining"
out=$(place --memory 1GiB)
[[ $out == "placed heavy "* ]] || fail "expected heavy while medium drains, got: $out"
wait_for 2000 grep -q "command drain" "$WORK/medium.log" ||
  fail "the drain command did not reach the server"
echo "drain reached the server; placements avoid it"

# 4. Nothing fits: a clear refusal.
out=$(place --memory 64GiB)
[[ $out == "refused no server can take this: "* ]] || fail "unexpected: $out"
echo "$out"

# 5. wooly-smi shows the fleet, and the tenants' settings.
curl -sf -X POST -d '{"tenant":"carol","weight":2.5,"priority":"best-effort","memoryQuota":1073741824}' \
  "http://127.0.0.1:$HTTP_PORT/api/v1/weights" >/dev/null || fail "POST weights"
smi=$("$WOOLY_BIN/wooly-smi" --controller "$URL")
grep -qE "carol +\| 2\.5 +\| best-effort +\| 1\.0 GiB" <<<"$smi" || fail "wooly-smi lacks carol's settings: $smi"
for word in heavy medium light draining down "Kernel time"; do
  grep -q "$word" <<<"$smi" || fail "wooly-smi output lacks '$word': $smi"
done
"$WOOLY_BIN/wooly-smi" --controller "$URL" --json |
  python3 -c 'import json,sys; d=json.load(sys.stdin); assert len(d["servers"])==3' ||
  fail "wooly-smi --json"
echo "wooly-smi lists the fleet"

# 6. Restart the controller: servers re-register within 2 heartbeats, and
# the drain survives because the server reports it.
kill -9 "$PID_controller"
# A client that asks while the controller is down is answered once it is
# back: its request waits in its socket, and the fresh controller holds
# placements for its first two heartbeats while servers re-register.
start waiting_client "$WOOLY_BIN/wooly-fleet-sim" place --controller "$URL" --insecure --memory 1GiB
sleep 1
start controller "$WOOLY_BIN/wooly-controller" --listen "$URL" \
  --http "127.0.0.1:$HTTP_PORT" --insecure --heartbeat-ms $HEARTBEAT_MS
# Counted from the restart: includes the controller's own start-up.
took=$(ms_until_count 2 5000) || fail "fleet not visible after the restart"
echo "fleet visible again $took ms after the controller came back (2 heartbeats = $((2 * HEARTBEAT_MS)) ms)"
# Telemetry requests in flight to the dead controller time out after one
# interval, the next heartbeat re-registers: 2 intervals plus polling slack.
((took <= 2 * HEARTBEAT_MS + 300)) || fail "re-registration took $took ms"
wait_for 2000 state_is medium draining || fail "drain lost in the restart"
wait_for 5000 grep -q "placed heavy" "$WORK/waiting_client.log" ||
  fail "the client that asked during the restart got: $(cat "$WORK/waiting_client.log")"
echo "a client that asked while the controller was down was placed after the restart"
out=$(place --memory 1GiB)
[[ $out == "placed heavy "* ]] || fail "placement after restart: $out"
echo "PASS"
