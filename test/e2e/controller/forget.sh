# Servers that die are forgotten after --forget-after: a fleet whose servers
# come and go under new names (containers) does not fill the registry with
# the dead. The killed server is down first (still shown), then gone, while
# the live one stays; started again under its name, it registers afresh.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ZMQ_PORT=$(free_port)
HTTP_PORT=$(free_port)
URL=tcp://127.0.0.1:$ZMQ_PORT
HEARTBEAT_MS=100
FORGET_S=2

start controller "$WOOLY_BIN/wooly-controller" --listen "$URL" \
  --http "127.0.0.1:$HTTP_PORT" --insecure --heartbeat-ms $HEARTBEAT_MS \
  --forget-after $FORGET_S
wait_for 5000 api /healthz || fail "controller did not come up"

serve() {
  start "$1" "$WOOLY_BIN/wooly-fleet-sim" serve --controller "$URL" --insecure \
    --name "$1" --busy 0.1 --memory 16GiB
}
serve stays
serve dies
wait_for 5000 count_is 2 || fail "two servers did not register"
wait_for 3000 has_telemetry dies || fail "no telemetry from dies"

kill -9 "$PID_dies"
ms_until_state dies down 3000 >/dev/null || fail "killed server never marked down"
echo "killed server is down, still listed"
took=$(ms_until_state dies missing 6000) || fail "down server never forgotten"
# The exact moment (--forget-after counts from the last telemetry) is
# RegistryTests' job; here only that it happens and touches nobody else.
echo "down server forgotten ~$took ms after it was seen down (--forget-after ${FORGET_S} s)"
state_is stays up || fail "the live server was touched: $(server_state stays)"
wait_for 2000 grep -q "server dies forgotten" "$WORK/controller.log" ||
  fail "the controller did not log it: $(cat "$WORK/controller.log")"

serve dies
wait_for 3000 state_is dies up || fail "the server did not register again"
count_is 2 || fail "expected two servers, have $(server_count)"
echo "PASS"
