# A woolyd restarted by its operator (`woolyd --restart`) while a program
# still runs there: the controller shows it "restarting" and places new
# programs elsewhere, saying why; once the program ends woolyd replaces
# itself, registers again under the same name and takes placements again.
# The controller's API restarts another woolyd the same way.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
WOOLYD=${WOOLYD:-$WOOLY_BIN/woolyd}
HOLD=$WOOLY_BIN/wooly-test-hold-memory
[[ -x $WOOLYD ]] || { echo "SKIP: $WOOLYD is not built"; exit 77; }
[[ -x $HOLD ]] || { echo "SKIP: wooly-test-hold-memory is not built"; exit 77; }

launch_controller --heartbeat-ms 200
P1=$(free_port)
P2=$(free_port)
start woolyd1 "$WOOLYD" --listen "tcp://127.0.0.1:$P1" --controller "$URL" --executor host --insecure
start woolyd2 "$WOOLYD" --listen "tcp://127.0.0.1:$P2" --controller "$URL" --executor host --insecure
wait_for 15000 count_is 2 || fail "two woolyd did not register"
n1=$(name_at_port "$P1")
n2=$(name_at_port "$P2")

# A program on woolyd1 for 6 s, then the operator's restart.
"$WOOLY_BIN/wooly-run" --server "tcp://127.0.0.1:$P1" "$HOLD" 4096 6 >"$WORK/held.log" 2>&1 &
held=$!
PIDS+=($held)
wait_for 15000 grep -q HOLDING "$WORK/held.log" || fail "the held program did not start"
"$WOOLYD" --listen "tcp://127.0.0.1:$P1" --restart --grace 60 >/dev/null || fail "--restart"
wait_for 5000 state_is "$n1" restarting || fail "the controller does not show $n1 restarting: $(server_state "$n1")"
echo "$n1: restarting"
smi=$("$WOOLY_BIN/wooly-smi" --controller "$URL") || fail "wooly-smi: $smi"
[[ $smi == *"servers: 1 up, 0 draining, 1 restarting, 0 down"* ]] || fail "wooly-smi does not count it: $smi"

out=$(WOOLY_TENANT=alice "$WOOLY_BIN/wooly-run" --controller "$URL" "$HOLD" 4096 0 2>&1) ||
  fail "the program placed during the restart failed: $out"
api '/api/v1/placements?limit=1' | python3 -c '
import json, sys
[p] = json.load(sys.stdin)
assert p["server"] == sys.argv[2], p
why = [c["reason"] for c in p["candidates"] if c["server"] == sys.argv[1]][0]
assert why.startswith("restarting"), why
print("placed on %s; %s: %s" % (p["server"], sys.argv[1], why))' "$n1" "$n2" ||
  fail "the placement did not leave out the restarting server"
api /metrics | grep -q 'wooly_servers{state="restarting"} 1' || fail "/metrics does not count it"

wait "$held" || fail "the held program was cut off: $(cat "$WORK/held.log")"
wait_for 5000 grep -q "every session has ended; restarting on" "$WORK/woolyd1.log" ||
  fail "woolyd1 did not restart"
wait_for 15000 state_is "$n1" up || fail "$n1 did not come back: $(server_state "$n1")"
echo "$n1: up again after its restart"
out=$("$WOOLY_BIN/wooly-run" --server "tcp://127.0.0.1:$P1" "$HOLD" 4096 0 2>&1) ||
  fail "the restarted woolyd1 does not serve: $out"

# The same from the controller (POST /api/v1/servers/NAME/restart, the
# dashboard's Restart button): woolyd2 restarts in place and registers again.
name_url=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$n2")
curl -sf -X POST -H 'Content-Type: application/json' -d '{"grace":5}' \
  "http://127.0.0.1:$HTTP_PORT/api/v1/servers/$name_url/restart" >/dev/null ||
  fail "POST .../restart"
wait_for 5000 grep -q "the controller asked for a restart: no session is open, restarting now" "$WORK/woolyd2.log" ||
  fail "the controller's restart did not reach woolyd2"
wait_for 5000 grep -q "restarting on tcp://127.0.0.1:$P2" "$WORK/woolyd2.log" || fail "woolyd2 did not restart"
reported_twice() { (( $(grep -c "reporting to the controller" "$WORK/woolyd2.log") == 2 )); }
wait_for 10000 reported_twice || fail "the new woolyd2 did not register"
wait_for 15000 state_is "$n2" up || fail "$n2 did not come back: $(server_state "$n2")"
out=$("$WOOLY_BIN/wooly-run" --server "tcp://127.0.0.1:$P2" "$HOLD" 4096 0 2>&1) ||
  fail "the restarted woolyd2 does not serve: $out"
echo "$n2: restarted from the controller's API, up again"
echo PASS
