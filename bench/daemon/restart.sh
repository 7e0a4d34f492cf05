#!/usr/bin/env bash
# What an operator's `woolyd --restart` costs a client (daemon/README.md):
# the time from the restart request to the end of a small program started
# right after it (it waits for the new process), against the same program
# on a woolyd started from nothing at the same moment (cold) and on a
# running one (warm). Host executor, loopback TCP.
#
#   bench/daemon/restart.sh [ROUNDS]      (build/bin from scripts/build.sh)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
bin=${WOOLY_BIN:-$root/build/bin}
rounds=${1:-5}
hold=$bin/wooly-test-hold-memory
[[ -x $bin/woolyd && -x $hold ]] || { echo "build first (scripts/build.sh)" >&2; exit 1; }
export WOOLY_CACHE_DIR=${WOOLY_CACHE_DIR:-$root/build/test-cache}
tmp=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT
ms() { date +%s%3N; }
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
client() { "$bin/wooly-run" --server "$1" "$hold" 4096 0 >"$tmp/client.out" 2>&1 ||
  { cat "$tmp/client.out" >&2; exit 1; }; }
median() { sort -n | awk '{v[NR]=$1} END {print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }

cold=() restart=() warm=()
for ((i = 0; i < rounds; i++)); do
  url=tcp://127.0.0.1:$(port)
  t0=$(ms)
  "$bin/woolyd" --listen "$url" 2>"$tmp/woolyd.log" &
  pids+=($!)
  # The client retries until woolyd answers (its connect timeout is longer).
  client "$url"
  cold+=($(($(ms) - t0)))
  t0=$(ms); client "$url"; warm+=($(($(ms) - t0)))
  t0=$(ms)
  "$bin/woolyd" --listen "$url" --restart >/dev/null
  client "$url"
  restart+=($(($(ms) - t0)))
  grep -q "restarting on" "$tmp/woolyd.log" || { echo "woolyd did not restart" >&2; exit 1; }
  kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
done
c=$(printf '%s\n' "${cold[@]}" | median)
r=$(printf '%s\n' "${restart[@]}" | median)
w=$(printf '%s\n' "${warm[@]}" | median)
echo "rounds $rounds (ms): cold ${cold[*]}; restart ${restart[*]}; warm ${warm[*]}"
echo "median: program on a fresh woolyd $c ms, right after --restart $r ms, on a running woolyd $w ms"
awk -v c="$c" -v r="$r" -v w="$w" 'BEGIN { printf "restart / cold start: %.2f; a restart adds %d ms to a program started with it\n", r / c, r - w }'
