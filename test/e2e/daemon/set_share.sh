# An operator changes shares of a running woolyd: --set-share for every
# session of a tenant (and its later ones), --set-session-share for one
# session, --set-quota for what a tenant's sessions hold together; with
# CURVE only a key from admin_keys may, a tenant's key is refused; bad
# spellings are user errors.
set -u
source "$(dirname "$0")/lib.sh"
need_woolyd
fail() { echo "FAIL: $*"; exit 1; }
[[ -x $WOOLY_BIN/wooly-test-hold-memory ]] || skip "wooly-test-hold-memory not built"
bin=$WOOLY_BIN/woolyd
tmp=$(mktemp -d)
"$bin" --gen-keys "$tmp/keys" >/dev/null
for f in admin.key admin.pub admin_keys; do
  [[ -s $tmp/keys/$f ]] || fail "--gen-keys did not write $f"
done
start_woolyd --keys "$tmp/keys"

# Two tenants' clients, each holding a session for a while.
hold() {
  WOOLY_KEYS=$tmp/keys WOOLY_TENANT=$1 "$WOOLY_BIN/wooly-run" --server "$WOOLYD_URL" \
    "$WOOLY_BIN/wooly-test-hold-memory" 4096 30 >"$tmp/$1.out" 2>&1 &
  eval "pid_$1=\$!"
}
hold alice
hold bob
trap 'kill $pid_alice $pid_bob 2>/dev/null; stop_woolyd' EXIT
for t in alice bob; do
  for _ in $(seq 100); do grep -q HOLDING "$tmp/$t.out" && break; sleep 0.1; done
  grep -q HOLDING "$tmp/$t.out" || fail "client of $t: $(cat "$tmp/$t.out")"
done

# session_field TENANT FIELD: from --status.
session_field() {
  "$bin" --listen "$WOOLYD_URL" --keys "$tmp/keys" --status | python3 -c '
import json, sys
for s in json.load(sys.stdin)["sessions"]:
    if s["tenant"] == sys.argv[1]:
        print(s[sys.argv[2]]); break' "$1" "$2"
}

out=$("$bin" --listen "$WOOLYD_URL" --keys "$tmp/keys" --set-share alice=3:latency-sensitive) ||
  fail "--set-share: $out"
[[ $out == "tenant alice: weight 3, latency-sensitive (1 session now)" ]] || fail "said: $out"
[[ $(session_field alice weight) == 3 && $(session_field alice priority) == latency-sensitive ]] ||
  fail "alice's share did not change: $(session_field alice weight) $(session_field alice priority)"
[[ $(session_field bob weight) == 1 && $(session_field bob priority) == normal ]] ||
  fail "bob's share changed too"
echo "tenant share changed while its client runs: $out"

bob=$(session_field bob id)
out=$("$bin" --listen "$WOOLYD_URL" --keys "$tmp/keys" --set-session-share "$bob=5:best-effort") ||
  fail "--set-session-share: $out"
[[ $(session_field bob weight) == 5 && $(session_field bob priority) == best-effort ]] ||
  fail "bob's session share did not change"
echo "session share changed: $out"

# alice holds 4 KiB; a quota of 64 KiB lets a new session of hers take 32
# KiB but not 128 KiB, while bob is not capped; 0 lifts it.
out=$("$bin" --listen "$WOOLYD_URL" --keys "$tmp/keys" --set-quota alice=64KiB) ||
  fail "--set-quota: $out"
[[ $out == "tenant alice: memory quota 65536 bytes (4096 in use now)" ]] || fail "said: $out"
try() { # try TENANT BYTES: what the client printed
  WOOLY_KEYS=$tmp/keys WOOLY_TENANT=$1 "$WOOLY_BIN/wooly-run" --server "$WOOLYD_URL" \
    "$WOOLY_BIN/wooly-test-hold-memory" "$2" 0 2>&1
}
[[ $(try alice 32768) == *HOLDING* ]] || fail "alice within her quota"
[[ $(try alice 131072) == *"REFUSED cudaErrorMemoryAllocation"* ]] || fail "alice over her quota"
[[ $(try bob 131072) == *HOLDING* ]] || fail "bob was capped by alice's quota"
out=$("$bin" --listen "$WOOLYD_URL" --keys "$tmp/keys" --set-quota alice=0) || fail "--set-quota 0: $out"
[[ $out == "tenant alice: no memory quota (4096 bytes in use now)" ]] || fail "said: $out"
[[ $(try alice 131072) == *HOLDING* ]] || fail "alice's quota was not lifted"
echo "tenant memory quota set and lifted while her client runs"

# A tenant's own key is not an operator's: refused, nothing changes.
mkdir "$tmp/tenant"
cp "$tmp/keys/client.key" "$tmp/tenant/admin.key"
cp "$tmp/keys/client.pub" "$tmp/tenant/admin.pub"
cp "$tmp/keys/server.pub" "$tmp/tenant/server.pub"
"$bin" --listen "$WOOLYD_URL" --keys "$tmp/tenant" --set-share alice=1000 2>"$tmp/err"
[[ $? == 1 ]] && grep -q "operator key" "$tmp/err" || fail "a tenant key changed shares: $(cat "$tmp/err")"
[[ $(session_field alice weight) == 3 ]] || fail "the refused request changed alice's weight"
"$bin" --listen "$WOOLYD_URL" --keys "$tmp/tenant" --set-quota bob=1 2>"$tmp/err"
[[ $? == 1 ]] && grep -q "operator key" "$tmp/err" || fail "a tenant key set a quota: $(cat "$tmp/err")"
echo "a tenant's key is refused: $(cat "$tmp/err")"

# Cleared: bob (whose session had its own share changed by id) keeps that,
# alice's session goes back to what it asked for.
out=$("$bin" --listen "$WOOLYD_URL" --keys "$tmp/keys" --clear-share alice) ||
  fail "--clear-share: $out"
[[ $out == "tenant alice: each session's own share again (1 session now)" ]] || fail "said: $out"
[[ $(session_field alice weight) == 1 && $(session_field alice priority) == normal ]] ||
  fail "alice's share was not cleared: $(session_field alice weight) $(session_field alice priority)"
echo "tenant share cleared: $out"
"$bin" --listen "$WOOLYD_URL" --keys "$tmp/keys" --set-share alice=3:latency-sensitive >/dev/null ||
  fail "setting alice's share again"

expect_usage() {
  "$bin" --listen "$WOOLYD_URL" --keys "$tmp/keys" "$@" 2>"$tmp/err" >/dev/null
  [[ $? == 1 ]] && grep -q -- "$want" "$tmp/err" || fail "'$*' said: $(cat "$tmp/err")"
}
want="WHO=WEIGHT" expect_usage --set-share alice
want="1..1000" expect_usage --set-share alice=0
want="latency-sensitive" expect_usage --set-share alice=2:urgent
want="its number" expect_usage --set-session-share x=2
want="no session 999" expect_usage --set-session-share 999=2
want="TENANT=SIZE" expect_usage --set-quota alice=lots
want="TENANT=SIZE" expect_usage --set-quota =4GiB
want="goes alone" expect_usage --set-quota alice=1 --set-share alice=2
want="goes alone" expect_usage --clear-share alice --set-share alice=2
[[ $(session_field alice weight) == 3 ]] || fail "a refused request changed a share"
echo PASS
