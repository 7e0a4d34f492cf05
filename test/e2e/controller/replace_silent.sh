# A program the controller places on a woolyd that has stopped answering
# (frozen with SIGSTOP before the controller could mark it down) is placed
# again on another woolyd within its connect timeout, instead of failing:
# the client names the silent server in its second placement request.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
WOOLYD=${WOOLYD:-$WOOLY_BIN/woolyd}
HOLD=$WOOLY_BIN/wooly-test-hold-memory
[[ -x $WOOLYD ]] || { echo "SKIP: $WOOLYD is not built"; exit 77; }
[[ -x $HOLD ]] || { echo "SKIP: wooly-test-hold-memory is not built"; exit 77; }

# Heartbeats every 4 s: a frozen woolyd stays "up" for 12 s, long enough
# for the controller to place a program on it.
# (A controller holds placements back for its first two heartbeats, 8 s
# here, while it learns the fleet: the program is started after that.)
controller_started=$(now_ms)
launch_controller --heartbeat-ms 4000
P1=$(free_port)
P2=$(free_port)
start woolyd1 "$WOOLYD" --listen "tcp://127.0.0.1:$P1" --controller "$URL" --executor host --insecure
start woolyd2 "$WOOLYD" --listen "tcp://127.0.0.1:$P2" --controller "$URL" --executor host --insecure
wait_for 15000 count_is 2 || fail "two woolyd did not register"
sessions_on() {
  api /api/v1/servers | python3 -c '
import json, sys
sys.exit(0 if [s["sessions"] for s in json.load(sys.stdin) if s["name"] == sys.argv[1]] == [int(sys.argv[2])] else 1)' "$1" "$2"
}
n1=$(name_at_port "$P1")
n2=$(name_at_port "$P2")

# A session on woolyd2 makes woolyd1 the better place for the next program.
WOOLY_TENANT=other "$WOOLY_BIN/wooly-run" --server "tcp://127.0.0.1:$P2" "$HOLD" 4096 60 \
  >"$WORK/other.log" 2>&1 &
PIDS+=($!)
wait_for 15000 sessions_on "$n2" 1 || fail "woolyd2's session never showed in its telemetry"

while (($(now_ms) < controller_started + 8500)); do sleep 0.1; done
kill -STOP "$PID_woolyd1"
out=$(WOOLY_CONNECT_TIMEOUT_MS=1500 WOOLY_TENANT=alice \
  "$WOOLY_BIN/wooly-run" --controller "$URL" "$HOLD" 4096 0 2>&1) || true
kill -CONT "$PID_woolyd1"
[[ $out == *HOLDING* ]] || fail "the program did not run: $out"
[[ $out == *"$n1 (tcp://127.0.0.1:$P1) did not answer; the controller placed this program on $n2"* ]] ||
  fail "not placed again: $out"
echo "placed again: $(grep 'did not answer' <<<"$out")"
api '/api/v1/placements?limit=2' | python3 -c '
import json, sys
new, old = json.load(sys.stdin)
assert old["server"] == sys.argv[1] and old["request"]["avoid"] is None, old
assert new["server"] == sys.argv[2] and new["request"]["avoid"] == sys.argv[1], new
why = [c["reason"] for c in new["candidates"] if c["server"] == sys.argv[1]][0]
assert "avoided by the client" in why, why
print("controller log: #%d %s, then #%d %s avoiding it (%s)" %
      (old["id"], old["server"], new["id"], new["server"], why))' "$n1" "$n2" ||
  fail "the placement log does not show the second request"
echo PASS
