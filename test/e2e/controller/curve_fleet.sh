# A whole fleet over CURVE from one keys dir: wooly-controller, a woolyd
# reporting to it, a program placed by it (wooly-run --controller with
# WOOLY_KEYS) and an operator's --set-share, all with the same dir. The dir
# comes from `woolyd --gen-keys`, from `wooly-controller --gen-keys`, and
# in the bare form woolyd wrote before both tools wrote one format (the
# secret key alone in each .key file): every tool must read each.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
WOOLYD=$WOOLY_BIN/woolyd
HOLD=$WOOLY_BIN/wooly-test-hold-memory
[[ -x $WOOLYD ]] || { echo "SKIP: $WOOLYD is not built"; exit 77; }
[[ -x $HOLD ]] || { echo "SKIP: wooly-test-hold-memory is not built"; exit 77; }

# fleet DIR LABEL: the fleet with keys DIR (LABEL: a word for the logs).
fleet() {
  local dir=$1 label=$2 wport out ctl wd
  ZMQ_PORT=$(free_port)
  HTTP_PORT=$(free_port)
  URL=tcp://127.0.0.1:$ZMQ_PORT
  wport=$(free_port)
  start "ctl_$label" "$WOOLY_BIN/wooly-controller" --listen "$URL" \
    --http "127.0.0.1:$HTTP_PORT" --keys "$dir"
  wait_for 5000 api /healthz || fail "$label: the controller did not start"
  start "wd_$label" "$WOOLYD" --listen "tcp://127.0.0.1:$wport" --keys "$dir" \
    --controller "$URL" --executor host
  wait_for 10000 count_is 1 || fail "$label: woolyd did not register over CURVE"
  out=$(WOOLY_KEYS=$dir WOOLY_TENANT=alice WOOLY_CONNECT_TIMEOUT_MS=5000 \
    "$WOOLY_BIN/wooly-run" --controller "$URL" "$HOLD" 4096 0 2>&1) ||
    fail "$label: the placed program failed: $out"
  [[ $out == *HOLDING* ]] || fail "$label: the placed program said: $out"
  out=$("$WOOLYD" --listen "tcp://127.0.0.1:$wport" --keys "$dir" --set-share alice=2 2>&1) ||
    fail "$label: --set-share with the operator key: $out"
  out=$("$WOOLY_BIN/wooly-smi" --controller "$URL" --keys "$dir" 2>&1) ||
    fail "$label: wooly-smi: $out"
  echo "$label keys: controller, woolyd, a placed program, an operator and wooly-smi over CURVE"
  ctl=PID_ctl_$label wd=PID_wd_$label
  kill "${!wd}" "${!ctl}" 2>/dev/null || true
  wait "${!wd}" "${!ctl}" 2>/dev/null || true
}

"$WOOLYD" --gen-keys "$WORK/from-woolyd" >/dev/null || fail "woolyd --gen-keys"
fleet "$WORK/from-woolyd" woolyd
"$WOOLY_BIN/wooly-controller" --gen-keys "$WORK/from-controller" >/dev/null ||
  fail "wooly-controller --gen-keys"
fleet "$WORK/from-controller" controller
# The bare form: each .key file holds the secret key alone.
cp -r "$WORK/from-woolyd" "$WORK/bare"
for k in server client admin; do
  sed -n 's/^secret //p' "$WORK/from-woolyd/$k.key" >"$WORK/bare/$k.key"
  [[ $(wc -c <"$WORK/bare/$k.key") == 41 ]] || fail "could not write the bare $k.key"
done
fleet "$WORK/bare" bare
echo PASS
