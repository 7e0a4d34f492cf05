# Runs every CUDA example under wooly-run and checks each prints PASS.
#   run_examples.sh embedded        the daemon core inside each program
#   run_examples.sh woolyd          a woolyd the test starts on loopback TCP
set -u
source "$WOOLY_SOURCE/test/e2e/daemon/lib.sh"
mode=${1:-embedded}
[[ -x $WOOLY_BIN/wooly-run && -e $WOOLY_BUILD/lib/wooly/libcudart.so.13 ]] ||
  skip "wooly-run or the libcudart shim is not built"
list=$WOOLY_BUILD/examples/examples.list
[[ -s $list ]] || skip "no CUDA examples built (needs nvcc)"
args=()
if [[ $mode == woolyd ]]; then
  need_woolyd
  start_woolyd
  args=(--server "$WOOLYD_URL")
fi
failed=()
while read -r name; do
  [[ -n $name ]] || continue
  bin=$WOOLY_BUILD/examples/$name
  [[ -x $bin ]] || { failed+=("$name (not built)"); continue; }
  start=$(date +%s.%N)
  out=$(timeout 120 "$WOOLY_BIN/wooly-run" "${args[@]}" "$bin" 2>&1)
  status=$?
  took=$(awk "BEGIN { printf \"%.2f\", $(date +%s.%N) - $start }")
  last=$(printf '%s\n' "$out" | tail -1)
  if [[ $status == 0 && $last == PASS ]]; then
    echo "ok   $name (${took}s)"
  else
    echo "FAIL $name (exit $status, ${took}s):"
    printf '%s\n' "$out" | tail -5 | sed 's/^/     /'
    failed+=("$name")
  fi
done <"$list"
if ((${#failed[@]})); then
  echo "FAIL: ${#failed[@]} example(s) failed under wooly-run ($mode): ${failed[*]}"
  exit 1
fi
echo PASS
