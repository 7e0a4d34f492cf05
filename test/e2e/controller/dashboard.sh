# Browser test: headless Chromium loads the dashboard, sees three servers and
# a chart update, clicks Drain; the API shows the server draining; clicks
# Restart on another, which gets the command. The
# screenshot stays in $WOOLY_BUILD/test-artifacts/controller-dashboard.png.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
PY=/usr/bin/python3
if [[ ! -x /usr/bin/chromedriver ]] || ! command -v chromium >/dev/null ||
   ! $PY -c 'import selenium' 2>/dev/null; then
  echo "SKIP: needs chromium, chromium-driver and python3-selenium (scripts/setup.sh)"
  exit 77
fi

launch_controller --heartbeat-ms 250
start alpha "$WOOLY_BIN/wooly-fleet-sim" serve --controller "$URL" --insecure \
  --name alpha --busy 0.6 --jitter 0.2 --memory-used 6GiB --sessions 2 --tenant alice
start beta "$WOOLY_BIN/wooly-fleet-sim" serve --controller "$URL" --insecure \
  --name beta --busy 0.3 --jitter 0.2 --memory-used 2GiB --sessions 1 --tenant bob
start gamma "$WOOLY_BIN/wooly-fleet-sim" serve --controller "$URL" --insecure \
  --name gamma --busy 0.1 --jitter 0.1 --vendor nvidia --arch sm_90 \
  --device-name "simulated H100" --memory 80GiB
wait_for 5000 count_is 3 || fail "servers did not register"
"$WOOLY_BIN/wooly-fleet-sim" place --controller "$URL" --insecure --count 3 \
  --memory 1GiB --tenant carol >/dev/null

mkdir -p "$WOOLY_BUILD/test-artifacts"
shot="$WOOLY_BUILD/test-artifacts/controller-dashboard.png"
rm -f "$shot"
HOME="$WORK" timeout 90 $PY "$(dirname "${BASH_SOURCE[0]}")/dashboard_browser.py" \
  "$HTTP_PORT" "$shot" || fail "browser test failed"
[[ -s $shot ]] || fail "no screenshot"
wait_for 3000 grep -q "command drain" "$WORK/beta.log" || fail "drain did not reach beta"
grep -q "command restart" "$WORK/gamma.log" || fail "restart did not reach gamma"
echo "PASS"
