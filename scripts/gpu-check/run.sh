#!/usr/bin/env bash
# The GPU checks, run from the repository root on a machine with an NVIDIA
# GPU but without LLVM 22, MLIR 22 or ZeroMQ, from the bundle that
# scripts/gpu-check/pack.sh made here. Logs go to $OUT (or /tmp/gpu-check).
#   1. the device's facts and the bundle's libraries resolving
#   2. ctest's GPU tests: the cuda executor's unit tests (saxpy, fenced
#      kernels, device printf, timing, best-effort SM partition, named
#      barriers), woolyd's GPU report, and every example through woolyd
#      --executor cuda against its native run
#   3. wooly-bench-gpu: Wooly-compiled kernels against nvcc's (aim >= 0.95),
#      then again with the fault polls in every module (--polls)
# --quick (about 2 minutes, for a device lease nearly spent): the device
# tests of traps, asserts and the watchdog, the e2e check on the examples
# in $QUICK_EXAMPLES (woolyd's restart and watchdog checks included), and
# both benchmarks with fewer runs.
set -u
quick=0
[[ ${1:-} == --quick ]] && quick=1
root=$PWD
out=${OUT:-/tmp/gpu-check}
mkdir -p "$out"
libs=/tmp/wooly-libs
rm -rf "$libs" && mkdir -p "$libs"
tar -C "$libs" --strip-components=1 -xJf .gpu-bundle/libs.tar.xz
mkdir -p build && tar -C build -xJf .gpu-bundle/build.tar.xz
mkdir -p build/test-cache
# ctest's files and the benchmark name the paths of the machine that built
# them (/work/main).
if [[ ! -e /work/main ]]; then
  mkdir -p /work && ln -s "$root" /work/main
elif [[ $(cd /work/main && pwd -P) != $(pwd -P) ]]; then
  echo "warning: /work/main is another tree; ctest runs that tree's tests"
fi
export LD_LIBRARY_PATH=$libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
xz -dc .gpu-bundle/ld.lld.xz >"$libs/ld.lld" && chmod +x "$libs/ld.lld"
export WOOLY_LLD=$libs/ld.lld

{
  date -u; uname -r; nvidia-smi -L; nvidia-smi --query-gpu=driver_version,clocks.sm,clocks.mem --format=csv
  ls /usr/local/cuda/nvvm/libdevice/ 2>&1; command -v ptxas ctest
  for b in build/bin/woolyd build/bin/unit/wooly-gpu-tests build/lib/wooly/libwooly-client.so; do
    ldd "$b" | grep "not found" && echo "UNRESOLVED in $b"
  done
} 2>&1 | tee "$out/env.log"

step() { # step NAME SECONDS COMMAND...: runs it, log under $out, status line
  local name=$1 limit=$2; shift 2
  local t0=$SECONDS
  timeout -k 10 "$limit" "$@" >"$out/$name.log" 2>&1
  local rc=$?
  echo "== $name: rc=$rc in $((SECONDS - t0)) s" | tee -a "$out/summary.log"
}

if ((quick)); then
  step device-tests 60 build/bin/unit/wooly-gpu-tests "[fault],[watchdog]"
  tail -3 "$out/device-tests.log"
  step e2e 150 env WOOLY_GPU_EXAMPLES="${QUICK_EXAMPLES:-vector_add device_recursion device_assert kernel_trap}" \
    ctest --test-dir build --output-on-failure -V --timeout 140 -R 'e2e/gpu/run-examples-cuda'
  grep -E "ok |FAIL|PASS|native run" "$out/e2e.log"
  step bench-gpu 60 build/bin/bench/wooly-bench-gpu build/examples/ptx 100
  cat "$out/bench-gpu.log"
  step bench-gpu-polls 60 build/bin/bench/wooly-bench-gpu build/examples/ptx 50 --polls
  cat "$out/bench-gpu-polls.log" "$out/summary.log"
  exit 0
fi
step ctest 300 ctest --test-dir build --output-on-failure -V --timeout 240 \
  -R 'wooly-gpu-tests|wooly-gpu-printf-tests|wooly-gpu-server-tests|e2e/gpu/run-examples-cuda'
grep -E "tests passed,|tests failed|Failed|Timeout|skipped|SKIP|: ok |FAIL|native run|not compared" \
  "$out/ctest.log" | grep -v "All tests passed" | head -80
# An example that failed on the shared woolyd, again on a woolyd of its own
# (tells its own failure from one an earlier example left behind).
for name in $(grep -o 'FAIL [a-z_0-9]* on cuda' "$out/ctest.log" | cut -d' ' -f2); do
  log=$(mktemp)
  build/bin/woolyd --listen "ipc://$log.sock" --executor cuda --insecure 2>"$log.d" &
  pid=$!
  sleep 1
  timeout 60 build/bin/wooly-run --server "ipc://$log.sock" build/examples/$name >"$log" 2>&1
  echo "alone: $name: $(tail -1 "$log")" | tee -a "$out/alone.log"
  kill $pid; wait $pid 2>/dev/null
done
# The in-place context reset (WOOLY_GPU_RECOVERY=reset) after a trap that
# goes to the driver (WOOLY_GPU_TRAPS=driver; by default traps stay in their
# session): does a session after it work in the same process? (The default
# recovery restarts woolyd.)
reset=$(mktemp)
WOOLY_GPU_TRAPS=driver WOOLY_GPU_RECOVERY=reset build/bin/woolyd --listen "ipc://$reset.sock" \
  --executor cuda --insecure 2>"$reset.log" &
pid=$!
sleep 1
for name in kernel_trap vector_add; do
  timeout 60 build/bin/wooly-run --server "ipc://$reset.sock" \
    build/examples/$name >"$reset.out" 2>&1
  echo "reset policy: $name: $(tail -1 "$reset.out")" | tee -a "$out/reset.log"
done
kill $pid; wait $pid 2>/dev/null
tail -5 "$reset.log" | tee -a "$out/reset.log"
echo "native error_cases:"; build/examples/error_cases 2>&1 | tail -3
echo "what CUDA answers:"; .gpu-bundle/probe_errors 2>&1 | tee "$out/probe.log"
step bench-gpu 150 build/bin/bench/wooly-bench-gpu build/examples/ptx 200
cat "$out/bench-gpu.log"
# What the fault polls cost where every module has them (woolyd
# --launch-timeout), against the run above.
step bench-gpu-polls 120 build/bin/bench/wooly-bench-gpu build/examples/ptx 100 --polls
cat "$out/bench-gpu-polls.log"
cat "$out/summary.log"
