# CURVE: --gen-keys writes a keys dir; servers and clients with an authorized
# key work, a client whose key is not in authorized_keys is refused. The HTTP
# side runs with a bearer token.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

"$WOOLY_BIN/wooly-controller" --gen-keys "$WORK/keys" >/dev/null
for f in server.key server.pub client.key client.pub authorized_keys; do
  [[ -f $WORK/keys/$f ]] || fail "--gen-keys did not write $f"
done
"$WOOLY_BIN/wooly-controller" --gen-keys "$WORK/keys" 2>/dev/null &&
  fail "--gen-keys overwrote an existing keys dir"

ZMQ_PORT=$(free_port)
HTTP_PORT=$(free_port)
URL=tcp://127.0.0.1:$ZMQ_PORT
echo "t0ken-$RANDOM$RANDOM" >"$WORK/token"
start controller "$WOOLY_BIN/wooly-controller" --listen "$URL" \
  --http "127.0.0.1:$HTTP_PORT" --keys "$WORK/keys" --http-token-file "$WORK/token"
wait_for 5000 api /healthz || fail "controller did not come up"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HTTP_PORT/api/v1/servers")
[[ $code == 401 ]] || fail "API without the token answered $code"
TOKEN=$(cat "$WORK/token")
api /api/v1/servers >/dev/null || fail "API with the token refused"
echo "HTTP API needs the bearer token"

start sim "$WOOLY_BIN/wooly-fleet-sim" serve --controller "$URL" \
  --keys "$WORK/keys" --name secure-1
wait_for 5000 count_is 1 || fail "a server with authorized keys could not register"
out=$("$WOOLY_BIN/wooly-fleet-sim" place --controller "$URL" --keys "$WORK/keys" --memory 1GiB)
[[ $out == "placed secure-1 "* ]] || fail "placement over CURVE: $out"
echo "authorized server and client work over CURVE"

# A stranger: same server key, but a client key not in authorized_keys.
mkdir "$WORK/stranger"
"$WOOLY_BIN/wooly-controller" --gen-keys "$WORK/stranger-gen" >/dev/null
cp "$WORK/stranger-gen/client.key" "$WORK/stranger/client.key"
cp "$WORK/keys/server.pub" "$WORK/stranger/server.pub"
if "$WOOLY_BIN/wooly-smi" --controller "$URL" --keys "$WORK/stranger" >"$WORK/smi.out" 2>&1; then
  fail "an unknown client key was admitted"
fi
grep -q "refused this client's key" "$WORK/smi.out" ||
  fail "unexpected refusal text: $(cat "$WORK/smi.out")"
# Plain clients get nothing either.
"$WOOLY_BIN/wooly-smi" --controller "$URL" >/dev/null 2>&1 && fail "plain client admitted"
"$WOOLY_BIN/wooly-smi" --controller "$URL" --keys "$WORK/keys" | grep -q secure-1 ||
  fail "authorized wooly-smi"
echo "PASS"
