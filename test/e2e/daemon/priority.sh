# Priority classes on the host executor, as a deployment meets them: a
# best-effort client and a latency-sensitive one on one woolyd both get
# correct results, and best-effort work runs under the OS's idle policy.
# Where woolyd may take a thread out of SCHED_IDLE again (root here) its
# workers switch per best-effort chunk and no extra workers exist; run
# unprivileged (as nobody, when this test is root) it has best-effort
# workers of its own, "wooly-b<i>", under SCHED_IDLE at nice 19 from the
# start (ExecutorOptions::BestEffortYield, docs/host-backend.md).
set -u
source "$(dirname "$0")/lib.sh"
need_woolyd
list=$WOOLY_BUILD/examples/examples.list
[[ -s $list ]] || skip "no CUDA examples built (needs nvcc)"

# "name policy nice" of each of woolyd's threads (/proc/PID/task/*/stat:
# field 19 is nice, field 41 the policy; the name may hold spaces, so
# count from after its closing parenthesis).
threads() {
  local t
  for t in /proc/"$WOOLYD_PID"/task/*; do
    local comm stat rest
    comm=$(cat "$t/comm" 2>/dev/null) || continue
    stat=$(cat "$t/stat" 2>/dev/null) || continue
    rest=${stat##*) }
    read -r -a f <<<"$rest"
    # rest starts at field 3: nice is f[16], policy f[38].
    echo "$comm ${f[38]} ${f[16]}"
  done
}

# Both classes at once: a best-effort matmul and a latency-sensitive
# vector_add, each must print PASS.
run_clients() {
  local tmp bad=0
  tmp=$(mktemp -d)
  WOOLY_PRIORITY=best-effort "$WOOLY_BIN/wooly-run" --server "$WOOLYD_URL" \
    "$WOOLY_BUILD/examples/matmul_tiled" >"$tmp/be.out" 2>&1 &
  local be=$!
  WOOLY_PRIORITY=latency-sensitive "$WOOLY_BIN/wooly-run" --server "$WOOLYD_URL" \
    "$WOOLY_BUILD/examples/vector_add" >"$tmp/ls.out" 2>&1 &
  local ls=$!
  wait "$be" "$ls"
  for c in be ls; do
    grep -q '^PASS$' "$tmp/$c.out" || { echo "$c client failed:"; tail -5 "$tmp/$c.out"; bad=1; }
  done
  rm -rf "$tmp"
  return $bad
}

cache=$(mktemp -d)
chmod 777 "$cache"
export WOOLY_CACHE_DIR=$cache
bad=0

if [[ $(id -u) == 0 ]]; then
  echo "== woolyd as root: workers switch, no best-effort workers of their own"
  start_woolyd
  if threads | grep -q '^wooly-b'; then
    echo "unexpected best-effort workers:"; threads | grep '^wooly-'; bad=1
  fi
  threads | grep -q '^wooly-w0 0 ' || { echo "no normal worker:"; threads; bad=1; }
  run_clients || bad=1
  stop_woolyd
  command -v setpriv >/dev/null || skip "no setpriv to run woolyd unprivileged"
  WOOLYD_AS=(setpriv --reuid=65534 --regid=65534 --clear-groups)
elif (( $(ulimit -e) >= 20 )); then
  skip "this user may leave SCHED_IDLE (RLIMIT_NICE $(ulimit -e)): woolyd switches"
fi

echo "== woolyd unprivileged: best-effort workers of their own under SCHED_IDLE"
start_woolyd
# SCHED_IDLE is policy 5.
idle=$(threads | grep -c '^wooly-b[0-9]* 5 19$')
others=$(threads | grep '^wooly-[wu]' | grep -vc ' 0 [0-9-]*$')
echo "best-effort workers under SCHED_IDLE at nice 19: $idle; other workers not SCHED_OTHER: $others"
((idle >= 1)) || { threads | grep '^wooly-'; bad=1; }
((others == 0)) || { threads | grep '^wooly-'; bad=1; }
run_clients || bad=1
stop_woolyd
rm -rf "$cache"
((bad == 0)) || { echo "FAIL"; exit 1; }
echo PASS
