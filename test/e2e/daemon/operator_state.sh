# A woolyd that replaced itself after a lost GPU context (daemon/Restart.h)
# gets what operators had set from the old one (WOOLY_OPERATOR_STATE,
# daemon/OperatorState.h): the real binary started with that state stays
# draining and keeps the tenants' shares and quotas; a damaged state is
# said and ignored.
set -u
source "$(dirname "$0")/lib.sh"
need_woolyd
fail() { echo "FAIL: $*"; exit 1; }
status() { "$WOOLY_BIN/woolyd" --listen "$WOOLYD_URL" --status; }
# alice: weight 3, latency-sensitive (class 2), no quota; "team b": a 4 KiB quota.
state="wooly-operator-state 1 d=1 t=616c696365,3,2,0 t=7465616d2062,0,255,4096"
WOOLYD_AS=(env "WOOLY_OPERATOR_STATE=$state")
start_woolyd
WOOLYD_AS=()
grep -q "kept the operators' settings across the restart (draining, 2 tenants)" "$WOOLYD_LOG" ||
  fail "woolyd did not say it kept the settings: $(cat "$WOOLYD_LOG")"
status | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["draining"] is True, d["draining"]
t = {x["tenant"]: x for x in d["tenants"]}
assert t["alice"]["weight"] == 3 and t["alice"]["priority"] == "latency-sensitive", t
assert t["team b"]["memoryQuota"] == 4096 and t["team b"]["weight"] is None, t' ||
  fail "the settings are not in --status: $(status)"
stop_woolyd
echo "a restarted woolyd keeps the drain and the tenants' settings"

WOOLYD_AS=(env "WOOLY_OPERATOR_STATE=wooly-operator-state 1 d=7")
start_woolyd
WOOLYD_AS=()
grep -q "ignoring WOOLY_OPERATOR_STATE" "$WOOLYD_LOG" || fail "a damaged state was not said: $(cat "$WOOLYD_LOG")"
status | grep -q '"draining":false' || fail "a damaged state changed something"
echo PASS
