# Shared by the daemon and client e2e tests: start a woolyd on a free
# loopback port and stop it again.
#   start_woolyd [extra woolyd options...]   sets WOOLYD_PID and WOOLYD_URL
#     (WOOLYD_AS=(setpriv ...) runs woolyd through that command, which must
#     exec it, so that WOOLYD_PID is woolyd's)
#   stop_woolyd
#   skip "why"                               exit 77 (ctest: skipped)

skip() { echo "SKIP: $*"; exit 77; }

WOOLYD_AS=()

need_woolyd() {
  [[ -x $WOOLY_BIN/woolyd ]] || skip "woolyd not built (needs the host executor, WoolyExec)"
}

start_woolyd() {
  local log
  log=$(mktemp)
  "${WOOLYD_AS[@]}" "$WOOLY_BIN/woolyd" --listen 'tcp://127.0.0.1:*' "$@" 2>"$log" &
  WOOLYD_PID=$!
  WOOLYD_LOG=$log
  for _ in $(seq 1 100); do
    WOOLYD_URL=$(grep -o 'tcp://127.0.0.1:[0-9]*' "$log" | head -1)
    [[ -n $WOOLYD_URL ]] && break
    if ! kill -0 "$WOOLYD_PID" 2>/dev/null; then
      cat "$log"
      # A build whose executors are not registered yet: nothing to test.
      grep -q "cannot start the .* executor" "$log" && skip "woolyd has no usable executor"
      echo "FAIL: woolyd did not start"; exit 1
    fi
    sleep 0.1
  done
  [[ -n $WOOLYD_URL ]] || { cat "$log"; echo "FAIL: woolyd never said where it listens"; exit 1; }
  trap stop_woolyd EXIT
}

stop_woolyd() {
  if [[ -n ${WOOLYD_PID:-} ]]; then
    kill -TERM "$WOOLYD_PID" 2>/dev/null
    wait "$WOOLYD_PID" 2>/dev/null
    WOOLYD_PID=
  fi
}

# The "memory" figure of woolyd --status: bytes in use on the device.
memory_used() {
  "$WOOLY_BIN/woolyd" --listen "$WOOLYD_URL" --status "$@" |
    grep -o '"memory":{"total":[0-9]*,"used":[0-9]*' | grep -o '[0-9]*$'
}

# watch_restart LOG OUT: in the background (up to 120 s), notes in OUT when
# woolyd's LOG next says "restarting on" and when, after that, one more
# "serving" line appears (the new process): "restarting MS" and "serving MS",
# ms since the epoch. restart_timeline OUT T0 prints both relative to T0.
watch_restart() {
  local log=$1 out=$2 restarts serves
  restarts=$(grep -c "restarting on" "$log")
  serves=$(grep -c "serving" "$log")
  : >"$out"
  (
    end=$(($(date +%s) + 120)) seen=0
    while (($(date +%s) < end)); do
      if ((!seen)) && (($(grep -c "restarting on" "$log") > restarts)); then
        echo "restarting $(date +%s%3N)" >>"$out"
        seen=1
      fi
      if ((seen)) && (($(grep -c "serving" "$log") > serves)); then
        echo "serving $(date +%s%3N)" >>"$out"
        break
      fi
      sleep 0.05
    done
  ) </dev/null >/dev/null 2>&1 &
}
restart_timeline() {
  local out=$1 t0=$2 r s
  r=$(sed -n 's/^restarting //p' "$out")
  s=$(sed -n 's/^serving //p' "$out")
  r=${r:+$((r - t0)) ms} s=${s:+$((s - t0)) ms}
  echo "restart timeline: woolyd said it restarts ${r:-never}, the new" \
    "process served ${s:-never} after the start"
}
