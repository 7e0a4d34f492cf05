# The systemd units the build writes (build/systemd/): systemd-analyze
# finds nothing wrong with them, and the command line each starts is one
# its binary accepts and serves with (run here with this test's keys and
# free loopback ports in place of /etc/wooly and the public ones).
set -u
source "$(dirname "$0")/lib.sh"
need_woolyd
fail() { echo "FAIL: $*"; exit 1; }
units=$WOOLY_BUILD/systemd
command -v systemd-analyze >/dev/null || skip "systemd-analyze is not installed"
for unit in woolyd wooly-controller; do
  [[ -s $units/$unit.service ]] || fail "the build did not write $units/$unit.service"
  out=$(systemd-analyze verify "$units/$unit.service" 2>&1) || fail "$unit: $out"
  [[ -z $out ]] || fail "systemd-analyze on $unit.service: $out"
done
echo "systemd-analyze verify: both units clean"

tmp=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# One keys dir for the fleet, as the units expect.
"$WOOLY_BIN/woolyd" --gen-keys "$tmp/keys" >/dev/null || fail "--gen-keys"
echo secret >"$tmp/keys/http-token"
zport=$(free_port) hport=$(free_port) wport=$(free_port)
# command UNIT [KEY]: its ExecStart (or KEY=) with this test's paths and ports.
command_of() {
  local line
  line=$(sed -n "s/^${2:-ExecStart}=//p" "$units/$1.service")
  line=${line//\/etc\/wooly/$tmp/keys}
  line=${line//tcp:\/\/0.0.0.0:7700/tcp://127.0.0.1:$zport}
  line=${line//tcp:\/\/wooly-controller:7700/tcp://127.0.0.1:$zport}
  line=${line//127.0.0.1:8080/127.0.0.1:$hport}
  line=${line//tcp:\/\/0.0.0.0:7701/tcp://127.0.0.1:$wport}
  line=${line//tcp:\/\/127.0.0.1:7701/tcp://127.0.0.1:$wport}
  echo "$line"
}
# run UNIT: its ExecStart, in the background.
run() {
  local line
  line=$(command_of "$1")
  echo "$1: $line"
  # shellcheck disable=SC2086 # the unit's words, as systemd splits them
  $line >"$tmp/$1.log" 2>&1 &
  pids+=($!)
}
run wooly-controller
for _ in $(seq 100); do grep -q "http" "$tmp/wooly-controller.log" && break; sleep 0.1; done
run woolyd
for _ in $(seq 100); do grep -q "serving" "$tmp/woolyd.log" && break; sleep 0.1; done
grep -q "serving" "$tmp/woolyd.log" || fail "woolyd from its unit: $(cat "$tmp/woolyd.log")"
# The woolyd registers with the controller; the API wants the token.
ok=0
for _ in $(seq 100); do
  n=$(curl -sf -H "Authorization: Bearer secret" "http://127.0.0.1:$hport/api/v1/servers" |
      python3 -c 'import json,sys; print(len(json.load(sys.stdin)))' 2>/dev/null)
  [[ $n == 1 ]] && { ok=1; break; }
  sleep 0.1
done
((ok)) || fail "woolyd did not register with the controller: $(cat "$tmp/woolyd.log" "$tmp/wooly-controller.log")"
echo "woolyd and wooly-controller serve with their units' command lines"
# systemctl reload: woolyd restarts in place and serves again.
reload=$(command_of woolyd ExecReload)
[[ -n $reload ]] || fail "woolyd.service has no ExecReload"
echo "woolyd reload: $reload"
$reload >"$tmp/reload.log" 2>&1 || fail "ExecReload: $(cat "$tmp/reload.log")"
# The reload returns once the new process serves.
grep -q "restarted: the new process serves" "$tmp/reload.log" || fail "ExecReload said: $(cat "$tmp/reload.log")"
grep -q "restarting on" "$tmp/woolyd.log" && (( $(grep -c serving "$tmp/woolyd.log") == 2 )) ||
  fail "woolyd did not restart on reload: $(cat "$tmp/woolyd.log")"
kill -0 "${pids[1]}" || fail "the reloaded woolyd is not the unit's process any more"
echo "systemctl reload's command restarts woolyd in place"
echo PASS
