# woolyd's command line: usage errors exit 1 with a message, --gen-keys
# writes a key directory, --status prints the running server's JSON, and
# the start-up log says how best-effort work is scheduled.
set -u
source "$(dirname "$0")/lib.sh"
need_woolyd
bin=$WOOLY_BIN/woolyd
tmp=$(mktemp -d)

"$bin" >/dev/null 2>"$tmp/err"; [[ $? == 1 ]] && grep -q -- "--listen URL is required" "$tmp/err" ||
  { echo "FAIL: no --listen"; exit 1; }
"$bin" --listen tcp://127.0.0.1:1 --bogus 2>"$tmp/err"; [[ $? == 1 ]] && grep -q "unknown option" "$tmp/err" ||
  { echo "FAIL: unknown option"; exit 1; }
"$bin" --listen tcp://0.0.0.0:7799 2>"$tmp/err"; [[ $? == 1 ]] && grep -q -- "--insecure" "$tmp/err" ||
  { echo "FAIL: plain TCP on a public address must need --insecure"; exit 1; }
"$bin" --listen tcp://127.0.0.1:1 --executor nonsense 2>"$tmp/err"; [[ $? == 1 ]] ||
  { echo "FAIL: bad executor"; exit 1; }
# ZeroMQ binds addresses, not host names: say so.
"$bin" --listen tcp://localhost:7799 --executor host 2>"$tmp/err"; [[ $? == 1 ]] &&
  grep -q "not a host name: e.g. tcp://127.0.0.1:7701, tcp://\[::1\]:7701" "$tmp/err" ||
  { echo "FAIL: a host name to listen on: $(cat "$tmp/err")"; exit 1; }

"$bin" --gen-keys "$tmp/keys" >/dev/null || { echo "FAIL: --gen-keys"; exit 1; }
for f in server.key server.pub client.key client.pub authorized_keys admin.key admin.pub admin_keys; do
  [[ -s $tmp/keys/$f ]] || { echo "FAIL: --gen-keys did not write $f"; exit 1; }
done

start_woolyd --executor host
json=$("$bin" --listen "$WOOLYD_URL" --status) || { echo "FAIL: --status"; exit 1; }
for key in '"device":' '"executor":"host"' '"memory":{"total":' '"sessions":[' '"busy":' \
           '"scheduling":"best-effort'; do
  [[ $json == *$key* ]] || { echo "FAIL: status JSON lacks $key: $json"; exit 1; }
done
# How best-effort work makes way here, said once at start.
grep -q "^woolyd: scheduling: best-effort" "$WOOLYD_LOG" ||
  { echo "FAIL: woolyd did not say how it schedules: $(cat "$WOOLYD_LOG")"; exit 1; }
grep "^woolyd: scheduling:" "$WOOLYD_LOG"
stop_woolyd
"$bin" --listen "$WOOLYD_URL" --status 2>"$tmp/err"
[[ $? == 1 ]] && grep -q "no answer" "$tmp/err" || { echo "FAIL: status of a stopped server"; exit 1; }
echo PASS
