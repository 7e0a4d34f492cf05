# Sourced by the e2e tests that run one program built with nvcc under
# wooly-run twice: embedded, then against a woolyd on tcp loopback (where
# managed memory has a host shadow at the device address).
#   run_embedded_and_woolyd PROGRAM WHAT   WHAT names the build step if missing
source "$WOOLY_SOURCE/test/e2e/daemon/lib.sh"
run_embedded_and_woolyd() {
  local program=$1 what=$2 out status
  [[ -x $program ]] || skip "$what not built (needs nvcc)"
  local run=("$WOOLY_BIN/wooly-run")
  out=$("${run[@]}" "$program" 2>&1); status=$?
  echo "embedded: $out"
  [[ $status == 0 && $out == *PASS* ]] || { echo "FAIL: embedded (exit $status)"; exit 1; }
  need_woolyd
  start_woolyd
  out=$("${run[@]}" --server "$WOOLYD_URL" "$program" 2>&1); status=$?
  echo "woolyd: $out"
  [[ $status == 0 && $out == *PASS* ]] || { echo "FAIL: via woolyd (exit $status)"; exit 1; }
  echo PASS
}
