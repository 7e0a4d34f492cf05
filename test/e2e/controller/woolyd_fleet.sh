# The controller with real woolyd servers (host executor) on loopback: they
# register through ServerAgent, placement picks one of them, a killed woolyd
# is marked down within 3 heartbeats, a restarted controller gets them back.
# Skipped when woolyd is not built (it lives in the daemon area).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
WOOLYD=${WOOLYD:-$WOOLY_BIN/woolyd}
if [[ ! -x $WOOLYD ]]; then
  echo "SKIP: $WOOLYD is not built"
  exit 77
fi

launch_controller

# woolyd may be built before its host executor is: then there is nothing to
# test here yet.
start probe "$WOOLYD" --listen "tcp://127.0.0.1:$(free_port)" --executor "${WOOLYD_EXECUTOR:-host}" --insecure
sleep 1
if ! kill -0 "$PID_probe" 2>/dev/null; then
  echo "SKIP: this woolyd cannot run its executor: $(cat "$WORK/probe.log")"
  exit 77
fi
kill -9 "$PID_probe"

declare -A PORT_OF
for i in 1 2 3; do
  PORT_OF[$i]=$(free_port)
  start "woolyd$i" "$WOOLYD" --listen "tcp://127.0.0.1:${PORT_OF[$i]}" \
    --controller "$URL" --executor "${WOOLYD_EXECUTOR:-host}" --insecure
done
wait_for 15000 count_is 3 || fail "three woolyd did not register"
names=$(api /api/v1/servers | python3 -c '
import json, sys
for s in json.load(sys.stdin):
    assert s["devices"][0]["vendor"], s
    print(s["name"])')
echo "registered: $(tr '\n' ' ' <<<"$names")"
for n in $names; do
  wait_for 5000 has_telemetry "$n" || fail "no telemetry from $n"
done

out=$("$WOOLY_BIN/wooly-fleet-sim" place --controller "$URL" --insecure --memory 64MiB)
[[ $out == placed* ]] || fail "placement: $out"
endpoint=${out##* }
echo "placed on $endpoint"

# Kill the woolyd we were placed on.
victim=""
for i in 1 2 3; do
  [[ $endpoint == *":${PORT_OF[$i]}" ]] && victim=$i
done
[[ -n $victim ]] || fail "no woolyd listens at $endpoint"
victim_name=$(api /api/v1/servers | python3 -c '
import json, sys
print([s["name"] for s in json.load(sys.stdin) if s["endpoint"] == sys.argv[1]][0])' "$endpoint")
pid_var=PID_woolyd$victim
kill -9 "${!pid_var}"
took=$(ms_until_state "$victim_name" down 4000) || fail "killed woolyd never marked down"
echo "killed woolyd marked down after $took ms"
((took <= 1750)) || fail "down-marking took $took ms"
for i in 1 2 3; do
  out=$("$WOOLY_BIN/wooly-fleet-sim" place --controller "$URL" --insecure --memory 64MiB)
  [[ $out == "placed"* && $out != *"$endpoint" ]] || fail "placed on the dead server: $out"
done
echo "new clients avoid it"

kill -9 "$PID_controller"
sleep 0.5
start controller "$WOOLY_BIN/wooly-controller" --listen "$URL" \
  --http "127.0.0.1:$HTTP_PORT" --insecure
took=$(ms_until_count 2 5000) || fail "woolyd fleet not back after the restart"
echo "two live woolyd back $took ms after the controller restart"
((took <= 1300)) || fail "re-registration took $took ms"
echo "PASS"
