# Every example program on a woolyd using the GPU executor named by $1
# (cuda or hip), compared with the same program run natively by the CUDA
# runtime: each example the native run passes must pass through Wooly too.
# device_assert and kernel_trap run last, each followed by vector_add again:
# the assert and the trap must stay in their session (on CUDA they write the
# session's fault record instead of faulting the GPU context all sessions
# share: runtime/exec/gpu/FaultRecord.h), and the server must serve the next
# session all the same, without losing its context (on HIP, where they still
# go to the driver, woolyd restarts).
# On a failure woolyd's log is shown. WOOLY_GPU_EXAMPLES="a b ..." runs only
# those examples (the checks after them run all the same).
# Skipped where the executor has no device.
set -u
kind=${1:?usage: run_examples.sh cuda|hip}
source "$WOOLY_SOURCE/test/e2e/daemon/lib.sh"
need_woolyd
list=$WOOLY_BUILD/examples/examples.list
[[ -s $list ]] || skip "no CUDA examples built (needs nvcc)"
log=$(mktemp)
"$WOOLY_BIN/woolyd" --listen "ipc://$log.sock" --executor "$kind" --insecure 2>"$log" &
pid=$!
# Without a device woolyd exits at once, saying which executor failed.
for _ in $(seq 1 20); do
  kill -0 $pid 2>/dev/null || break
  sleep 0.1
done
if ! kill -0 $pid 2>/dev/null; then
  reason=$(head -3 "$log")
  rm -f "$log"
  skip "no $kind device: $reason"
fi
kill -TERM $pid; wait $pid 2>/dev/null; rm -f "$log" "$log.sock"
start_woolyd --executor "$kind" --insecure
tmp=$(mktemp -d)
fail=0 ran=0
if [[ -n ${WOOLY_GPU_EXAMPLES:-} ]]; then
  tr ' ' '\n' <<<"$WOOLY_GPU_EXAMPLES" | grep -v '^$' | grep -xFf - "$list" >"$tmp/list"
  list=$tmp/list
fi
# The two that fault the device run last, each followed by vector_add.
order=$(grep -vx -e kernel_trap -e device_assert "$list")
for faulting in device_assert kernel_trap; do
  grep -qx $faulting "$list" && order="$order
$faulting
vector_add"
done
while read -r name; do
  [[ -n $name ]] || continue
  program=$WOOLY_BUILD/examples/$name
  [[ -x $program ]] || continue
  native=skipped
  if "$program" >"$tmp/native" 2>&1 && grep -q '^PASS$' "$tmp/native"; then
    native=pass
  fi
  if [[ $native != pass ]]; then
    echo "native run of $name does not pass here; not compared"; continue
  fi
  ran=$((ran + 1))
  if "$WOOLY_BIN/wooly-run" --server "$WOOLYD_URL" "$program" >"$tmp/wooly" 2>&1 &&
     grep -q '^PASS$' "$tmp/wooly"; then
    echo "ok $name"
  else
    echo "FAIL $name on $kind:"; tail -5 "$tmp/wooly"; fail=1
  fi
done <<<"$order"
if [[ $kind == cuda ]] && grep -q "context was lost" "$WOOLYD_LOG"; then
  echo "FAIL: a kernel fault lost woolyd's CUDA context:"
  grep "context was lost" "$WOOLYD_LOG" | head -3
  fail=1
fi
# The launch watchdog on the GPU (cuda: every module polled under a limit):
# an endless kernel ends with cudaErrorLaunchTimeout on a woolyd with
# --launch-timeout, and the next session on it is served.
spinner=$WOOLY_BUILD/test/e2e/daemon/spinner
if [[ $kind == cuda && -x $spinner ]]; then
  first_log=$WOOLYD_LOG
  stop_woolyd
  start_woolyd --executor cuda --insecure --launch-timeout 2
  if timeout 60 "$WOOLY_BIN/wooly-run" --server "$WOOLYD_URL" "$spinner" >"$tmp/spinner" 2>&1 &&
     grep -q DONE "$tmp/spinner"; then
    echo "ok spinner stopped by --launch-timeout"
  else
    echo "FAIL spinner under --launch-timeout on cuda:"; tail -5 "$tmp/spinner"; fail=1
  fi
  if timeout 60 "$WOOLY_BIN/wooly-run" --server "$WOOLYD_URL" "$WOOLY_BUILD/examples/vector_add" >"$tmp/after" 2>&1 &&
     grep -q '^PASS$' "$tmp/after"; then
    echo "ok vector_add after the stopped kernel"
  else
    echo "FAIL vector_add after the stopped kernel:"; tail -5 "$tmp/after"; fail=1
  fi
fi
# A trap left to the driver (WOOLY_GPU_TRAPS=driver) loses the CUDA
# context: woolyd replaces itself (daemon/Restart.h). A client that comes
# right after the trap waits for the new process (Restarting, asked again),
# and a SIGTERM right after a trap still ends woolyd, whether the old or the
# new process takes it (daemon/StopRequest.h).
trapper=$WOOLY_BUILD/examples/kernel_trap
if [[ $kind == cuda && -x $trapper ]]; then
  first_log=${first_log:-$WOOLYD_LOG}
  stop_woolyd
  WOOLYD_AS=(env WOOLY_GPU_TRAPS=driver)
  start_woolyd --executor cuda --insecure
  WOOLYD_AS=()
  # An operator's setting, to see it survive the restart.
  "$WOOLY_BIN/woolyd" --listen "$WOOLYD_URL" --set-quota probe=1GiB >/dev/null ||
    { echo "FAIL: --set-quota"; fail=1; }
  # When woolyd saw the lost context and when its new process served,
  # counted from the start of kernel_trap (where a slow restart goes).
  watch_restart "$WOOLYD_LOG" "$tmp/timeline"
  t_trap=$(date +%s%3N)
  for step in kernel_trap vector_add; do
    # Up to WOOLY_RESTART_WAIT_MS (60 s) for the new woolyd; how long it
    # took is printed (the restart's time on this GPU).
    t0=$(date +%s%3N)
    if timeout 90 "$WOOLY_BIN/wooly-run" --server "$WOOLYD_URL" "$WOOLY_BUILD/examples/$step" >"$tmp/restart" 2>&1 &&
       grep -q '^PASS$' "$tmp/restart"; then
      echo "ok $step (traps to the driver) in $(($(date +%s%3N) - t0)) ms"
    else
      echo "FAIL $step on a woolyd whose traps go to the driver:"; tail -5 "$tmp/restart"; fail=1
    fi
  done
  grep -q "restarting on" "$WOOLYD_LOG" ||
    { echo "FAIL: the trap did not restart woolyd"; fail=1; }
  restart_timeline "$tmp/timeline" "$t_trap"
  if "$WOOLY_BIN/woolyd" --listen "$WOOLYD_URL" --status | grep -q '"tenant":"probe".*"memoryQuota":1073741824'; then
    echo "ok the operator's quota survived the restart"
  else
    echo "FAIL: the operator's quota did not survive the restart"; fail=1
  fi
  timeout 60 "$WOOLY_BIN/wooly-run" --server "$WOOLYD_URL" "$trapper" >/dev/null 2>&1
  kill -TERM "$WOOLYD_PID"
  for _ in $(seq 1 100); do
    kill -0 "$WOOLYD_PID" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$WOOLYD_PID" 2>/dev/null; then
    echo "FAIL: woolyd still runs 10 s after a SIGTERM sent right after a trap"
    kill -KILL "$WOOLYD_PID"; fail=1
  else
    echo "ok SIGTERM right after a trap ends woolyd"
  fi
  wait "$WOOLYD_PID" 2>/dev/null; WOOLYD_PID=
fi
if ((fail)); then
  [[ -n ${first_log:-} ]] && { echo "the examples' woolyd's log:"; tail -20 "$first_log"; }
  echo "woolyd's log:"; tail -20 "$WOOLYD_LOG"
fi
rm -rf "$tmp"
((ran > 0)) || skip "no example passes natively here"
((fail == 0)) || { echo FAIL; exit 1; }
echo PASS
