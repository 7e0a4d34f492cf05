# An operator's tenant settings through the controller's API reach a real
# woolyd (host executor) and take effect there: the tenant's running
# session gets the weight and the priority class, and its memory quota caps
# what the tenant's sessions hold together, while another tenant is not
# capped. Lifting the quota (0) lets the tenant allocate again.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
WOOLYD=${WOOLYD:-$WOOLY_BIN/woolyd}
hold=$WOOLY_BIN/wooly-test-hold-memory
if [[ ! -x $WOOLYD || ! -x $hold ]]; then
  echo "SKIP: woolyd or wooly-test-hold-memory is not built"
  exit 77
fi

launch_controller
WOOLYD_URL=tcp://127.0.0.1:$(free_port)
start woolyd "$WOOLYD" --listen "$WOOLYD_URL" --controller "$URL" \
  --executor host --insecure
wait_for 15000 count_is 1 || fail "woolyd did not register"

# A running session of alice's, asking for the defaults.
WOOLY_TENANT=alice "$WOOLY_BIN/wooly-run" --server "$WOOLYD_URL" "$hold" $((1 << 20)) 60 \
  >"$WORK/alice.out" 2>&1 &
PIDS+=($!)
wait_for 10000 grep -q HOLDING "$WORK/alice.out" || fail "alice's client: $(cat "$WORK/alice.out")"

# session_field TENANT FIELD: from woolyd --status.
session_field() {
  "$WOOLYD" --listen "$WOOLYD_URL" --status | python3 -c '
import json, sys
for s in json.load(sys.stdin)["sessions"]:
    if s["tenant"] == sys.argv[1]:
        print(s[sys.argv[2]]); break' "$1" "$2"
}
[[ $(session_field alice priority) == normal ]] || fail "alice starts $(session_field alice priority)"

post() {
  curl -s -o "$WORK/post.json" -w '%{http_code}' -X POST -d "$1" \
    "http://127.0.0.1:$HTTP_PORT/api/v1/weights"
}
code=$(post '{"tenant":"alice","weight":3,"priority":"latency-sensitive","memoryQuota":4194304}')
[[ $code == 200 ]] || fail "POST weights: $code $(cat "$WORK/post.json")"
grep -q '"priority":"latency-sensitive"' "$WORK/post.json" || fail "answer: $(cat "$WORK/post.json")"
alice_is() {
  [[ $(session_field alice weight) == 3 && $(session_field alice priority) == latency-sensitive ]]
}
wait_for 5000 alice_is || fail "alice's session: weight $(session_field alice weight), $(session_field alice priority)"
echo "alice's running session: weight 3, latency-sensitive"
api /api/v1/weights | python3 -c '
import json, sys
w = json.load(sys.stdin)["fleet"]["alice"]
assert w == {"weight": 3, "memoryQuota": 4194304, "priority": "latency-sensitive"}, w'

# 1 MiB held; 8 MiB more would pass the 4 MiB quota: refused. bob has none.
out=$(WOOLY_TENANT=alice "$WOOLY_BIN/wooly-run" --server "$WOOLYD_URL" "$hold" $((8 << 20)) 0 2>&1) || true
[[ $out == *"REFUSED cudaErrorMemoryAllocation"* ]] || fail "alice over her quota: $out"
out=$(WOOLY_TENANT=alice "$WOOLY_BIN/wooly-run" --server "$WOOLYD_URL" "$hold" $((2 << 20)) 0 2>&1) || true
[[ $out == *HOLDING* ]] || fail "alice within her quota: $out"
out=$(WOOLY_TENANT=bob "$WOOLY_BIN/wooly-run" --server "$WOOLYD_URL" "$hold" $((8 << 20)) 0 2>&1) || true
[[ $out == *HOLDING* ]] || fail "bob: $out"
"$WOOLYD" --listen "$WOOLYD_URL" --status | python3 -c '
import json, sys
t = {t["tenant"]: t for t in json.load(sys.stdin)["tenants"]}["alice"]
assert t == {"tenant": "alice", "weight": 3, "priority": "latency-sensitive",
             "memoryQuota": 4194304, "memoryUsed": 1048576}, t' ||
  fail "woolyd --status does not show alice's settings"
echo "alice's quota holds her to 4 MiB; bob is not capped"
# A later session of alice's gets the class whatever it asks for.
WOOLY_TENANT=alice WOOLY_PRIORITY=best-effort "$WOOLY_BIN/wooly-run" --server "$WOOLYD_URL" \
  "$hold" $((1 << 20)) 60 >"$WORK/alice2.out" 2>&1 &
PIDS+=($!)
wait_for 10000 grep -q HOLDING "$WORK/alice2.out" || fail "alice's second client: $(cat "$WORK/alice2.out")"
"$WOOLYD" --listen "$WOOLYD_URL" --status | python3 -c '
import json, sys
s = [s for s in json.load(sys.stdin)["sessions"] if s["tenant"] == "alice"]
assert len(s) == 2 and all(x["priority"] == "latency-sensitive" for x in s), s' ||
  fail "alice's later session did not get her class"

# No quota (0): alice allocates 8 MiB again. A bad class is a 400.
code=$(post '{"tenant":"alice","weight":3,"memoryQuota":0}')
[[ $code == 200 ]] || fail "POST weights: $code $(cat "$WORK/post.json")"
lifted() {
  # Its whole output first: a grep -q that stops reading at HOLDING would
  # end the program by SIGPIPE at its next line, which pipefail counts.
  local out
  out=$(WOOLY_TENANT=alice "$WOOLY_BIN/wooly-run" --server "$WOOLYD_URL" "$hold" $((8 << 20)) 0 2>&1)
  [[ $out == *HOLDING* ]]
}
wait_for 5000 lifted || fail "alice's quota was not lifted"
# A new weight alone keeps the class set before.
api /api/v1/weights | python3 -c '
import json, sys
w = json.load(sys.stdin)["fleet"]["alice"]
assert w["priority"] == "latency-sensitive" and w["memoryQuota"] == 0, w' ||
  fail "the class was dropped by a POST without one"
# Cleared: alice's sessions are back to what they asked for (normal,
# best-effort), and the settings are gone from the API and woolyd.
code=$(curl -s -o "$WORK/post.json" -w '%{http_code}' -X DELETE \
  "http://127.0.0.1:$HTTP_PORT/api/v1/weights/alice")
[[ $code == 200 ]] || fail "DELETE weights/alice: $code $(cat "$WORK/post.json")"
back() {
  "$WOOLYD" --listen "$WOOLYD_URL" --status | python3 -c '
import json, sys
d = json.load(sys.stdin)
s = sorted(x["priority"] + "/" + str(x["weight"]) for x in d["sessions"] if x["tenant"] == "alice")
assert s == ["best-effort/1", "normal/1"], s
assert all(t["tenant"] != "alice" for t in d["tenants"]), d["tenants"]'
}
wait_for 5000 back || fail "alice's sessions did not get their own shares back"
api /api/v1/weights | python3 -c 'import json,sys; assert "alice" not in json.load(sys.stdin)["fleet"]' ||
  fail "the controller still lists alice"
echo "cleared: alice's sessions are back to their own shares"
code=$(post '{"tenant":"alice","weight":3,"priority":"urgent"}')
[[ $code == 400 ]] || fail "a bad priority class got $code"
grep -q 'latency-sensitive' "$WORK/post.json" || fail "the 400 does not say the classes: $(cat "$WORK/post.json")"
echo PASS
