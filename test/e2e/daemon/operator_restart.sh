# `woolyd --restart`: an operator has the real woolyd replace itself with a
# new process on the same endpoint (after an upgrade, or for a fresh device
# context), the way it does after a lost GPU context (daemon/Restart.h).
#  - a program running there finishes first; one started meanwhile waits
#    (Restarting, asked again) and is served by the new process;
#  - the new process runs the upgraded file, keeps the pid (systemd's
#    view) and what operators set;
#  - a grace period ends the sessions still open, with an error for them;
#  - without its file (an upgrade half done) it does not restart and serves;
#  - a SIGTERM right after a restart request still ends woolyd.
set -u
source "$(dirname "$0")/lib.sh"
need_woolyd
HOLD=$WOOLY_BIN/wooly-test-hold-memory
[[ -x $HOLD ]] || skip "wooly-test-hold-memory not built"
tmp=$(mktemp -d)
cleanup() { stop_woolyd; rm -rf "$tmp"; }
fail() { echo "FAIL: $*"; [[ -n ${WOOLYD_LOG:-} ]] && tail -20 "$WOOLYD_LOG"; exit 1; }
woolyd() { "$WOOLY_BIN/woolyd" --listen "$WOOLYD_URL" "$@"; }
run() { "$WOOLY_BIN/wooly-run" --server "$WOOLYD_URL" "$HOLD" "$@"; }
wait_for() { # FILE TEXT: up to 30 s
  for _ in $(seq 1 300); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  return 1
}

# woolyd runs from a copy of its file, so that the test can upgrade it.
mkdir "$tmp/bin"
cp "$WOOLY_BIN/woolyd" "$tmp/bin/woolyd"
start_woolyd() { # as lib.sh's, from the copy
  "$tmp/bin/woolyd" --listen 'tcp://127.0.0.1:*' "$@" 2>"$tmp/woolyd.log" &
  WOOLYD_PID=$! WOOLYD_LOG=$tmp/woolyd.log
  wait_for "$WOOLYD_LOG" 'tcp://127.0.0.1:[0-9]' || fail "woolyd did not start"
  WOOLYD_URL=$(grep -o 'tcp://127.0.0.1:[0-9]*' "$WOOLYD_LOG" | head -1)
  trap cleanup EXIT
}
start_woolyd --verbose
pid=$WOOLYD_PID
woolyd --set-quota probe=1GiB >/dev/null || fail "--set-quota"

# A program holding memory for 3 s, then a restart request.
run 4096 3 >"$tmp/a.out" 2>&1 &
a=$!
wait_for "$tmp/a.out" HOLDING || fail "the first program did not start: $(cat "$tmp/a.out")"
cp "$WOOLY_BIN/woolyd" "$tmp/bin/woolyd.new" && mv "$tmp/bin/woolyd.new" "$tmp/bin/woolyd"
[[ $(readlink "/proc/$pid/exe") == *" (deleted)" ]] || fail "the upgrade did not replace the running file"
out=$(woolyd --restart) || fail "--restart: $out"
[[ $out == *"restarts once its 1 session ends"* ]] || fail "--restart said: $out"
echo "$out"
woolyd --status | grep -q '"restarting":true' || fail "--status does not show the pending restart"
# A program started now waits for the new process.
run 4096 0 >"$tmp/b.out" 2>&1 &
b=$!
wait "$a"; status_a=$?
[[ $status_a == 0 ]] && grep -q FREED "$tmp/a.out" ||
  fail "the running program was cut off by the restart (exit $status_a): $(cat "$tmp/a.out")"
echo "ok the running program finished before the restart"
wait "$b"; status_b=$?
[[ $status_b == 0 ]] && grep -q FREED "$tmp/b.out" ||
  fail "the program started during the restart failed (exit $status_b): $(cat "$tmp/b.out")"
grep -q "is restarting" "$tmp/b.out" || fail "the waiting program did not say why it waited: $(cat "$tmp/b.out")"
echo "ok a program started during the restart waited and ran on the new woolyd"
grep -q "every session has ended; restarting on $WOOLYD_URL" "$WOOLYD_LOG" ||
  fail "woolyd did not say it restarted once the sessions ended"
kill -0 "$pid" 2>/dev/null || fail "woolyd is gone"
[[ $(readlink "/proc/$pid/exe") == "$tmp/bin/woolyd" ]] ||
  fail "the restarted woolyd does not run the upgraded file: $(readlink "/proc/$pid/exe")"
grep -q "kept the operators' settings across the restart" "$WOOLYD_LOG" || fail "the settings were not carried"
st=$(woolyd --status)
[[ $st == *'"restarting":false'* && $st == *'"tenant":"probe"'*'"memoryQuota":1073741824'* ]] ||
  fail "after the restart, --status: $st"
echo "ok the same pid runs the upgraded woolyd, with the operator's quota"

# The grace period: a program holding its session for 6 s, a restart with
# 1 s of grace. Its session is gone when it frees its memory.
run 4096 6 >"$tmp/c.out" 2>&1 &
c=$!
wait_for "$tmp/c.out" HOLDING || fail "the third program did not start: $(cat "$tmp/c.out")"
restarts=$(grep -c "restarting on" "$WOOLYD_LOG")
watch_restart "$WOOLYD_LOG" "$tmp/timeline"
t0=$(date +%s%3N)
out=$(woolyd --restart --grace 1 --wait) || fail "--restart --grace 1 --wait: $out"
# --wait returns once the new process serves: before the program wakes.
[[ $out == *"restarted: the new process serves"* ]] || fail "--wait said: $out"
kill -0 "$c" 2>/dev/null || fail "--wait returned after the program ended"
(( $(grep -c "restarting on" "$WOOLYD_LOG") == restarts + 1 )) || fail "--wait returned before the restart"
echo "ok ${out##*: }"
wait_for "$tmp/timeline" serving || fail "the timeline did not see the new process"
restart_timeline "$tmp/timeline" "$t0"
wait "$c"; status_c=$?
[[ $status_c == 3 ]] && grep -q "^LOST" "$tmp/c.out" ||
  fail "a session left past the grace period did not get an error (exit $status_c): $(cat "$tmp/c.out")"
grep -q "grace period ended (1 session still open" "$WOOLYD_LOG" || fail "the log does not say why it restarted"
(( $(grep -c "restarting on" "$WOOLYD_LOG") == restarts + 1 )) || fail "woolyd did not restart once more"
woolyd --status >/dev/null || fail "no woolyd after the second restart"
echo "ok the grace period ended a session left open, which got $(grep -o 'LOST.*' "$tmp/c.out")"

# Its file gone (an upgrade half done): the request is refused and woolyd
# serves on; gone while the restart waits for a session: said, and
# woolyd serves on too.
mv "$tmp/bin/woolyd" "$tmp/bin/woolyd.away"
out=$(woolyd --restart 2>&1) && fail "--restart without the executable was taken: $out"
[[ $out == *"cannot restart: $tmp/bin/woolyd: No such file or directory (still serving)"* ]] ||
  fail "--restart without the executable said: $out"
run 4096 0 >/dev/null 2>&1 || fail "woolyd does not serve after a refused restart"
mv "$tmp/bin/woolyd.away" "$tmp/bin/woolyd"
run 4096 2 >"$tmp/d.out" 2>&1 &
d=$!
wait_for "$tmp/d.out" HOLDING || fail "the fourth program did not start: $(cat "$tmp/d.out")"
woolyd --restart >/dev/null || fail "--restart"
mv "$tmp/bin/woolyd" "$tmp/bin/woolyd.away"
wait "$d" || fail "the fourth program failed: $(cat "$tmp/d.out")"
wait_for "$WOOLYD_LOG" "cannot restart: $tmp/bin/woolyd: No such file or directory; serving on as before" ||
  fail "woolyd did not say it could not restart"
run 4096 0 >/dev/null 2>&1 || fail "woolyd does not serve after a restart it could not do"
woolyd --status | grep -q '"restarting":false' || fail "still restarting after giving up"
mv "$tmp/bin/woolyd.away" "$tmp/bin/woolyd"
echo "ok without its file woolyd refuses to restart, or gives up, and serves on"

# Bad input: clear errors, nothing restarted.
woolyd --grace 3 --status >/dev/null 2>&1 && fail "--grace without --restart was taken"
woolyd --wait >/dev/null 2>&1 && fail "--wait without --restart was taken"
woolyd --restart --grace soon >/dev/null 2>&1 && fail "--grace soon was taken"
woolyd --restart --status >/dev/null 2>&1 && fail "--restart with --status was taken"

# A stop right after a restart request ends woolyd, whichever process
# takes it.
woolyd --restart >/dev/null || fail "--restart"
kill -TERM "$pid"
for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$pid" 2>/dev/null && { kill -KILL "$pid"; fail "woolyd still runs 10 s after a SIGTERM sent during a restart"; }
WOOLYD_PID=
echo "ok SIGTERM during a restart ends woolyd"
echo PASS
