#!/usr/bin/env bash
# Runs every example directly on the CUDA driver, without Wooly: the ground
# truth the Wooly runs are compared with. Needs an NVIDIA GPU and driver;
# elsewhere it skips.
set -uo pipefail
examples=$WOOLY_BUILD/examples
if [[ ! -s $examples/examples.list ]]; then
  echo "skipped: no CUDA examples were configured (nvcc missing?)"
  exit 77
fi
# Ask the runtime itself: without a usable driver the first program fails
# with a driver error before doing any work.
probe=$("$examples/vector_add" 2>&1 | tail -n 1)
if [[ $probe == *"driver version is insufficient"* || $probe == *"no CUDA-capable device"* ||
  $probe == *"cudaErrorNoDevice"* || $probe == *"cudaErrorInsufficientDriver"* ]]; then
  echo "skipped: no usable NVIDIA GPU here ($probe)"
  exit 77
fi

failures=0
while read -r name; do
  [[ -n $name ]] || continue
  output=$(timeout 120 "$examples/$name" 2>&1)
  status=$?
  last=$(tail -n 1 <<<"$output")
  if [[ $status -eq 0 && $last == PASS ]]; then
    echo "ok    $name"
  else
    echo "FAIL  $name (exit $status): $last"
    failures=$((failures + 1))
  fi
done <"$examples/examples.list"
if ((failures > 0)); then
  echo "$failures example(s) failed natively"
  exit 1
fi
echo PASS
