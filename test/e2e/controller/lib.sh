# Shared helpers for the controller end-to-end tests (sourced, not run).
# Every process started with `start` is killed when the test exits.
set -euo pipefail
: "${WOOLY_BIN:?run through ctest (WOOLY_BIN=build/bin)}"
PIDS=()
WORK=$(mktemp -d "${TMPDIR:-/tmp}/wooly-e2e-controller.XXXXXX")
cleanup() {
  local pid
  for pid in "${PIDS[@]:-}"; do
    [[ -n $pid ]] && kill -9 "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  for f in "$WORK"/*.log; do
    [[ -f $f ]] && { echo "--- $f" >&2; tail -n 30 "$f" >&2; }
  done
  exit 1
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# start NAME CMD...: runs CMD in the background, output in $WORK/NAME.log,
# pid in the variable PID_NAME.
start() {
  local name=$1
  shift
  "$@" >"$WORK/$name.log" 2>&1 &
  PIDS+=($!)
  printf -v "PID_$name" '%s' "$!"
}

now_ms() { date +%s%3N; }

# launch_controller [ARGS...]: wooly-controller on free loopback ports
# (sets ZMQ_PORT, HTTP_PORT and URL), plain (--insecure), with ARGS; waits
# until its HTTP side answers.
launch_controller() {
  ZMQ_PORT=$(free_port)
  HTTP_PORT=$(free_port)
  URL=tcp://127.0.0.1:$ZMQ_PORT
  start controller "$WOOLY_BIN/wooly-controller" --listen "$URL" \
    --http "127.0.0.1:$HTTP_PORT" --insecure "$@"
  wait_for 5000 api /healthz || fail "controller did not come up"
}

# wait_for TIMEOUT_MS CMD...: polls CMD every 50 ms until it succeeds.
wait_for() {
  local limit=$1
  shift
  local end=$(($(now_ms) + limit))
  while (($(now_ms) < end)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.05
  done
  "$@" >/dev/null 2>&1
}

# api PATH: GET from the controller's HTTP side (with $TOKEN if set).
api() {
  if [[ -n ${TOKEN:-} ]]; then
    curl -sf -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$HTTP_PORT$1"
  else
    curl -sf "http://127.0.0.1:$HTTP_PORT$1"
  fi
}

# server_state NAME: up, draining, restarting, down or missing
server_state() {
  api /api/v1/servers | python3 -c '
import json, sys
name = sys.argv[1]
for s in json.load(sys.stdin):
    if s["name"] == name:
        print(s["state"]); break
else:
    print("missing")' "$1"
}
state_is() { [[ $(server_state "$1") == "$2" ]]; }
# name_at_port PORT: the name of the server registered at that port.
name_at_port() {
  api /api/v1/servers | python3 -c '
import json, sys
print([s["name"] for s in json.load(sys.stdin) if s["endpoint"].endswith(":" + sys.argv[1])][0])' "$1"
}
server_count() {
  api /api/v1/servers | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'
}
count_is() { [[ $(server_count) == "$1" ]]; }

# ms_until_state NAME STATE TIMEOUT_MS (STATE as server_state prints it):
# polls the API every 10 ms from one process (so polling adds little to the
# measurement) and prints how many ms passed until NAME reached STATE; fails
# on timeout.
ms_until_state() {
  python3 - "$HTTP_PORT" "$@" <<'PY'
import json, sys, time, urllib.request
port, name, state, limit = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
start = time.monotonic()
while (time.monotonic() - start) * 1000 < limit:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/servers") as r:
        servers = {s["name"]: s["state"] for s in json.load(r)}
    if servers.get(name, "missing") == state:
        print(int((time.monotonic() - start) * 1000)); sys.exit(0)
    time.sleep(0.01)
sys.exit(1)
PY
}

# ms_until_count N TIMEOUT_MS: like ms_until_state, for the number of servers.
ms_until_count() {
  python3 - "$HTTP_PORT" "$@" <<'PY'
import json, sys, time, urllib.request
port, want, limit = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
start = time.monotonic()
while (time.monotonic() - start) * 1000 < limit:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/servers") as r:
            if len(json.load(r)) == want:
                print(int((time.monotonic() - start) * 1000)); sys.exit(0)
    except OSError:
        pass
    time.sleep(0.01)
sys.exit(1)
PY
}

# has_telemetry NAME: the controller has heard NAME's load at least once.
has_telemetry() {
  api /api/v1/servers | python3 -c '
import json, sys
sys.exit(0 if any(s["name"] == sys.argv[1] and s["heartbeats"] > 0
                  for s in json.load(sys.stdin)) else 1)' "$1"
}
