# A client killed with -9 while holding device memory: the server notices
# the silence and frees everything within 5 s; another client is unaffected.
# Then one killed while its kernel spins forever.
set -u
source "$(dirname "$0")/lib.sh"
need_woolyd
[[ -x $WOOLY_BIN/wooly-test-hold-memory ]] || skip "wooly-test-hold-memory not built"
start_woolyd
run=("$WOOLY_BIN/wooly-run" --server "$WOOLYD_URL" "$WOOLY_BIN/wooly-test-hold-memory")
tmp=$(mktemp -d)
"${run[@]}" $((64 << 20)) 60 >"$tmp/victim" 2>&1 &
victim=$!
"${run[@]}" $((8 << 20)) 30 >"$tmp/other" 2>&1 &
other=$!
for _ in $(seq 1 100); do
  grep -q HOLDING "$tmp/victim" && grep -q HOLDING "$tmp/other" && break
  sleep 0.1
done
grep -q HOLDING "$tmp/victim" || { cat "$tmp/victim"; echo "FAIL: client never allocated"; exit 1; }
used=$(memory_used)
[[ $used -ge $((72 << 20)) ]] || { echo "FAIL: server reports $used bytes in use"; exit 1; }
# kill_and_wait PID WHAT: kills the client with -9 and waits (at most 6 s)
# until the server holds no more than the other client's 8 MiB.
kill_and_wait() {
  kill -9 "$1"
  local start freed= used took
  start=$(date +%s.%N)
  for _ in $(seq 1 60); do
    used=$(memory_used)
    if [[ $used -le $((8 << 20)) ]]; then freed=1; break; fi
    sleep 0.1
  done
  took=$(awk "BEGIN { printf \"%.2f\", $(date +%s.%N) - $start }")
  [[ -n $freed ]] || { echo "FAIL: $2 memory not back after $took s ($used bytes in use)"; exit 1; }
  echo "$2 memory back after ${took}s"
}
kill_and_wait "$victim" "the killed client's"
kill -0 "$other" || { echo "FAIL: the other client died"; exit 1; }
[[ $(memory_used) -eq $((8 << 20)) ]] || { echo "FAIL: the other client's memory changed"; exit 1; }

# A client killed while its kernel never ends (no launch timeout on this
# server), a second launch queued behind it: its teardown stops both (the
# queued one never ran a block), so its memory comes back and the workers
# it held serve the next client.
spinner=$WOOLY_BUILD/test/e2e/daemon/spinner
victim=$WOOLY_BUILD/test/e2e/daemon/victim
if [[ -x $spinner && -x $victim ]]; then
  "$WOOLY_BIN/wooly-run" --server "$WOOLYD_URL" "$spinner" 2 >"$tmp/spinner" 2>&1 &
  spinning=$!
  for _ in $(seq 1 100); do
    [[ $(memory_used) -gt $((8 << 20)) ]] && break
    sleep 0.1
  done
  sleep 1 # its kernel is running
  kill_and_wait "$spinning" "the spinning client's"
  timeout 20 "$WOOLY_BIN/wooly-run" --server "$WOOLYD_URL" "$victim" 0 >"$tmp/after" 2>&1
  grep -q PASS "$tmp/after" || { cat "$tmp/after"; echo "FAIL: no client served after the spinning one"; exit 1; }
else
  echo "spinning client not tested: test programs not built (needs nvcc)"
fi
kill "$other"; wait "$other" 2>/dev/null
echo PASS
