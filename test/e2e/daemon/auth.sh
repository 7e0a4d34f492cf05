# CURVE: a client whose key is in authorized_keys gets in; one with another
# key is refused (no session, a clear error, exit status 1).
set -u
source "$(dirname "$0")/lib.sh"
need_woolyd
tmp=$(mktemp -d)
"$WOOLY_BIN/woolyd" --gen-keys "$tmp/keys" >/dev/null
"$WOOLY_BIN/woolyd" --gen-keys "$tmp/other" >/dev/null
cp "$tmp/keys/server.pub" "$tmp/other/server.pub" # right server, wrong client key
start_woolyd --keys "$tmp/keys"
"$WOOLY_BIN/woolyd" --listen "$WOOLYD_URL" --status --keys "$tmp/keys" >/dev/null ||
  { echo "FAIL: an allowed key was refused"; exit 1; }
"$WOOLY_BIN/woolyd" --listen "$WOOLYD_URL" --status --keys "$tmp/other" 2>"$tmp/err" >/dev/null
[[ $? == 1 ]] || { echo "FAIL: a key not in authorized_keys got in"; exit 1; }
"$WOOLY_BIN/woolyd" --listen "$WOOLYD_URL" --status 2>/dev/null >/dev/null
[[ $? == 1 ]] || { echo "FAIL: a plain (unencrypted) client got in"; exit 1; }
if [[ -x $WOOLY_BIN/wooly-test-hold-memory ]]; then
  out=$(WOOLY_CONNECT_TIMEOUT_MS=2000 WOOLY_KEYS=$tmp/other "$WOOLY_BIN/wooly-run" --server "$WOOLYD_URL" \
        "$WOOLY_BIN/wooly-test-hold-memory" 4096 0 2>&1)
  [[ $out == *"no answer"* || $out == *REFUSED* ]] || { echo "FAIL: runtime with a wrong key: $out"; exit 1; }
  out=$(WOOLY_KEYS=$tmp/keys "$WOOLY_BIN/wooly-run" --server "$WOOLYD_URL" \
        "$WOOLY_BIN/wooly-test-hold-memory" 4096 0 2>&1)
  [[ $out == *HOLDING* ]] || { echo "FAIL: runtime with the allowed key: $out"; exit 1; }
fi
echo PASS
