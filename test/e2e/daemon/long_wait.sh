# A client that waits for one kernel longer than the session timeout (3 s)
# is alive, not silent: woolyd must not close its session (it closes, and
# stops the kernels of, clients silent that long; kill_client.sh).
set -u
source "$(dirname "$0")/lib.sh"
need_woolyd
program=$WOOLY_BUILD/test/e2e/daemon/long_kernel
[[ -x $program ]] || skip "test programs not built (needs nvcc)"
start_woolyd
timeout 120 "$WOOLY_BIN/wooly-run" --server "$WOOLYD_URL" "$program" 6
status=$?
[[ $status == 0 ]] || { echo "FAIL: the waiting client was cut off (exit $status)"; tail -5 "$WOOLYD_LOG"; exit 1; }
echo PASS
