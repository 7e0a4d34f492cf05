# Eight clients on one woolyd at once, each running a different mix of
# examples; every one must print PASS.
set -u
source "$(dirname "$0")/lib.sh"
need_woolyd
list=$WOOLY_BUILD/examples/examples.list
[[ -s $list ]] || skip "no CUDA examples built (needs nvcc)"
mapfile -t names < <(grep -v -e '^$' -e error_cases -e device_printf -e driver_api "$list")
((${#names[@]})) || skip "no examples"
start_woolyd
tmp=$(mktemp -d)
pids=()
for i in $(seq 0 7); do
  name=${names[$((i % ${#names[@]}))]}
  ("$WOOLY_BIN/wooly-run" --server "$WOOLYD_URL" "$WOOLY_BUILD/examples/$name" >"$tmp/$i.out" 2>&1;
   echo "exit $?" >>"$tmp/$i.out") &
  pids+=($!)
  echo "client $i: $name"
done
wait "${pids[@]}"
bad=0
for i in $(seq 0 7); do
  if ! grep -q '^PASS$' "$tmp/$i.out"; then
    echo "client $i failed:"; tail -3 "$tmp/$i.out"; bad=1
  fi
done
((bad == 0)) || { echo "FAIL"; exit 1; }
echo PASS
