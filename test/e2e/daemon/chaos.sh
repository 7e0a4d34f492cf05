# Clients dying at random while others work: for 20 s six clients at a time
# run CUDA examples on one woolyd, and half of them, chosen at random, are
# killed with -9 at a random moment in their first 0.4 s (connecting,
# compiling, copying, or with kernels running). Every client that was not
# killed must pass; afterwards woolyd is alive, holds no device memory
# within 5 s, and serves a new client. WOOLY_CHAOS_SEED replays a run.
set -u
source "$(dirname "$0")/lib.sh"
need_woolyd
list=$WOOLY_BUILD/examples/examples.list
[[ -s $list ]] || skip "no CUDA examples built (needs nvcc)"
mapfile -t names < <(grep -v -e '^$' -e error_cases -e device_printf -e not_for_wooly \
  -e kernel_trap -e device_assert "$list")
((${#names[@]})) || skip "no examples"
seed=${WOOLY_CHAOS_SEED:-$RANDOM}
RANDOM=$seed
echo "seed $seed"
start_woolyd
tmp=$(mktemp -d)
declare -A running=() # pid -> log
started=0 killed=0 passed=0 failed=0

reap() {
  local pid status
  for pid in "${!running[@]}"; do
    kill -0 "$pid" 2>/dev/null && continue
    wait "$pid" 2>/dev/null
    status=$?
    if ((status == 137)); then
      ((killed++))
    elif grep -q '^PASS$' "${running[$pid]}"; then
      ((passed++))
    else
      ((failed++))
      echo "client $pid failed (exit $status):"; tail -3 "${running[$pid]}"
    fi
    unset "running[$pid]"
  done
}

end=$((SECONDS + 20))
while ((SECONDS < end)); do
  reap
  while ((${#running[@]} < 6)); do
    name=${names[$((RANDOM % ${#names[@]}))]}
    log=$tmp/$started.$name
    "$WOOLY_BIN/wooly-run" --server "$WOOLYD_URL" "$WOOLY_BUILD/examples/$name" >"$log" 2>&1 &
    running[$!]=$log
    if ((RANDOM % 2)); then
      (sleep "$(printf '0.%03d' $((RANDOM % 400)))"; kill -9 "$!" 2>/dev/null) &
    fi
    ((started++))
  done
  sleep 0.05
done
while ((${#running[@]})); do reap; sleep 0.05; done
echo "$started clients: $killed killed, $passed passed, $failed failed"
kill -0 "$WOOLYD_PID" 2>/dev/null || { tail -20 "$WOOLYD_LOG"; echo "FAIL: woolyd died"; exit 1; }
((failed == 0)) || { echo "FAIL: clients that were not killed failed (seed $seed)"; exit 1; }
((killed > 0 && passed > 0)) || { echo "FAIL: nothing was tested"; exit 1; }
for _ in $(seq 1 50); do
  used=$(memory_used)
  [[ $used == 0 ]] && break
  sleep 0.1
done
[[ $used == 0 ]] || { echo "FAIL: $used bytes still in use 5 s after the last client"; exit 1; }
timeout 60 "$WOOLY_BIN/wooly-run" --server "$WOOLYD_URL" "$WOOLY_BUILD/examples/${names[0]}" >"$tmp/after" 2>&1
grep -q '^PASS$' "$tmp/after" || { cat "$tmp/after"; echo "FAIL: no client served afterwards"; exit 1; }
rm -rf "$tmp"
echo PASS
