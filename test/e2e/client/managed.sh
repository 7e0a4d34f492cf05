# cudaMallocManaged: one unmodified CUDA program, embedded and against a
# woolyd over tcp (the host shadow is mapped at the device address there).
set -u
source "$WOOLY_SOURCE/test/e2e/daemon/lib.sh"
program=$WOOLY_BUILD/test/e2e/client/managed
[[ -x $program ]] || skip "managed example not built (needs nvcc)"
run=("$WOOLY_BIN/wooly-run")
out=$("${run[@]}" "$program" 2>&1); status=$?
echo "embedded: $out"
[[ $status == 0 && $out == *PASS* ]] || { echo "FAIL: embedded (exit $status)"; exit 1; }
need_woolyd
start_woolyd
out=$("${run[@]}" --server "$WOOLYD_URL" "$program" 2>&1); status=$?
echo "woolyd: $out"
[[ $status == 0 && $out == *PASS* ]] || { echo "FAIL: via woolyd (exit $status)"; exit 1; }
echo PASS
