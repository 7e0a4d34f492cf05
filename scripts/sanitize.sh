#!/usr/bin/env bash
# Builds the runtime, the executors, woolyd and their tests with a sanitizer
# and runs them: the Catch2 tests, woolyd's end-to-end tests against a
# sanitized woolyd, and (address) every CUDA example through the sanitized
# client library, embedded and through that woolyd.
#
#   scripts/sanitize.sh [address|thread]...     both when none is named
#
# address: AddressSanitizer + UndefinedBehaviorSanitizer + LeakSanitizer,
#          built in build-address/; thread: ThreadSanitizer, in build-thread/.
# The end-to-end part takes the CUDA examples and the clients from the main
# build (scripts/build.sh; WOOLY_BUILD_DIR), and is left out where that has
# none. A failing test or any sanitizer report fails the script; reports are
# kept in build-<kind>/sanitizer-logs/.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
main=${WOOLY_BUILD_DIR:-$root/build}
kinds=("$@")
((${#kinds[@]})) || kinds=(address thread)

# The tests of what runs concurrently or reads untrusted input.
units=(ProtocolTests daemon-core daemon-server ControllerTests client-cudart client-hello
       client-deadline-timer wooly-exec-host-tests wooly-gpu-printf-tests)
# Also under AddressSanitizer: the compilers and the rest of the runtime.
# (Not client-managed: it checks that a managed variable's host view sits at
# its device address, which the sanitized client cannot map there, its own
# allocator holding that range; the documented fallback then takes over.)
address_units=(wooly-exec-host-region-tests wooly-gpu-tests
               wooly-gpu-server-tests wooly-host-codegen-tests
               wooly-disk-cache-tests)
client_libs=(WoolyClientCore WoolyCuda WoolyCudart)
e2e=(concurrent isolation kill_client quota auth launch_timeout long_wait chaos
     set_share operator_state insecure_operator operator_restart)

# start_woolyd/stop_woolyd, as the end-to-end tests start theirs.
# shellcheck source=../test/e2e/daemon/lib.sh
source "$root/test/e2e/daemon/lib.sh"
failures=()

# Reports in $logs: files with an error in them (ASan also writes warnings
# there; the fibers' stacks are announced to it, so a kernel's fault on one
# no longer gives "ignoring requested __asan_handle_no_return").
reports() {
  local files=("$logs"/report.*)
  [[ -e ${files[0]} ]] || { echo 0; return; }
  { grep -lE "ERROR: |runtime error: |WARNING: ThreadSanitizer" "${files[@]}" || true; } | wc -l
}

# check NAME COMMAND...: runs the command (output in $logs/NAME.out); it
# fails on a non-zero exit (77 is a skip) or on a report it left.
check() {
  local name=$1 before rc=0
  shift
  before=$(reports)
  "$@" >"$logs/$name.out" 2>&1 || rc=$?
  if ((rc == 77)); then
    echo "  $name: skipped ($(tail -1 "$logs/$name.out"))"
  elif ((rc != 0)); then
    tail -15 "$logs/$name.out"
    failures+=("$kind: $name (exit $rc)")
  elif (($(reports) > before)); then
    failures+=("$kind: $name (sanitizer report)")
  else
    echo "  $name: ok"
  fi
}

# Every file of the main build's bin/, with the sanitized woolyd instead.
overlay_bin() {
  local dir=$build/overlay-bin
  rm -rf "$dir"
  mkdir -p "$dir"
  ln -s "$main"/bin/* "$dir"/
  ln -sf "$build/bin/woolyd" "$dir/woolyd"
  echo "$dir"
}

run_examples() {
  local list=$main/examples/examples.list server=$1 name
  local runtime
  runtime=$(clang-22 -print-file-name=libclang_rt.asan-x86_64.so)
  while read -r name; do
    [[ -n $name ]] || continue
    # Through woolyd, the sanitized client cannot map a managed variable's
    # host view at its device address (its allocator holds that range); the
    # documented fallback then gives the variable another host address, and
    # this example passes &variable to a kernel (docs/managed-memory.md).
    [[ -n $server && $name == managed_variable ]] && continue
    # The examples are not instrumented: the ASan runtime comes first.
    check "example-$name${server:+-woolyd}" env LD_PRELOAD="$runtime" \
      LD_LIBRARY_PATH="$build/lib/wooly" ${server:+WOOLY_SERVER=$server} \
      WOOLY_CACHE_DIR="$build/test-cache" "$main/examples/$name"
  done <"$list"
}

for kind in "${kinds[@]}"; do
  case $kind in
  address)
    sanitizer="Address;Undefined"
    targets=("${units[@]}" "${address_units[@]}" "${client_libs[@]}")
    # allow_user_poisoning=0: LLVM's BumpPtrAllocator, inlined into our
    # instrumented code, poisons slabs that Debian's uninstrumented
    # libLLVM/libMLIR then allocate from without unpoisoning (false
    # use-after-poison reports inside MLIR's uniquer).
    export ASAN_OPTIONS="detect_leaks=1 allow_user_poisoning=0 log_path=$root/build-$kind/sanitizer-logs/report"
    export LSAN_OPTIONS="suppressions=$root/test/sanitizers/lsan.supp"
    export UBSAN_OPTIONS="print_stacktrace=1 halt_on_error=1 log_path=$root/build-$kind/sanitizer-logs/report"
    unset TSAN_OPTIONS
    ;;
  thread)
    sanitizer="Thread"
    targets=("${units[@]}")
    export TSAN_OPTIONS="suppressions=$root/test/sanitizers/tsan.supp log_path=$root/build-$kind/sanitizer-logs/report"
    unset ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS
    ;;
  *)
    echo "usage: scripts/sanitize.sh [address|thread]..." >&2
    exit 1
    ;;
  esac
  build=$root/build-$kind
  echo "== $kind: building in $build"
  WOOLY_BUILD_DIR=$build WOOLY_BUILD_TYPE=RelWithDebInfo \
    WOOLY_CMAKE_ARGS="-DLLVM_USE_SANITIZER=$sanitizer -DWOOLY_BUILD_FUZZERS=OFF -DWOOLY_BUILD_EXAMPLES=OFF" \
    "$root/scripts/build.sh" "${targets[@]}" woolyd
  logs=$build/sanitizer-logs
  rm -rf "$logs"
  mkdir -p "$logs"

  echo "== $kind: Catch2 tests"
  for unit in "${units[@]}"; do
    filter=()
    # A kernel's memory fault ends its launch by a siglongjmp out of the
    # SIGSEGV handler. From one of the host executor's fibers (its own
    # stacks, not announced to ThreadSanitizer: SanitizerFibers.h) that
    # kills a TSan process; the test whose kernels fault there
    # ([fiber-signal]) runs under AddressSanitizer only. The other [signal]
    # tests run under both.
    [[ $kind == thread && $unit == wooly-exec-host-tests ]] &&
      filter=('~[fiber-signal]')
    check "$unit" "$build/bin/unit/$unit" "${filter[@]}"
  done
  if [[ $kind == address ]]; then
    for unit in "${address_units[@]}"; do
      # A compile LLVM gives up on leaves the message strings of the frames
      # its fatal error jumps over (~60 bytes; lsan.supp): LeakSanitizer
      # sees whose they are only with full stacks, slow for every test.
      case $unit in
      wooly-gpu-tests | wooly-host-codegen-tests)
        check "$unit" env ASAN_OPTIONS="$ASAN_OPTIONS fast_unwind_on_malloc=0" \
          "$build/bin/unit/$unit" ;;
      *) check "$unit" "$build/bin/unit/$unit" ;;
      esac
    done
  fi

  if [[ ! -x $main/bin/woolyd ]]; then
    echo "== $kind: no main build in $main: end-to-end part left out"
    continue
  fi
  echo "== $kind: woolyd end-to-end tests"
  bin=$(overlay_bin)
  for test in "${e2e[@]}"; do
    check "e2e-$test" env WOOLY_BIN="$bin" WOOLY_BUILD="$main" \
      WOOLY_SOURCE="$root" WOOLY_CACHE_DIR="$build/test-cache" \
      bash "$root/test/e2e/daemon/$test.sh"
  done

  if [[ $kind == address && -s $main/examples/examples.list ]]; then
    echo "== $kind: the CUDA examples through the sanitized client library"
    run_examples ""
    # lib.sh is written for the tests' `set -u` alone (its polling greps
    # fail until woolyd says where it listens).
    set +e +o pipefail
    WOOLY_BIN=$bin start_woolyd
    set -e -o pipefail
    run_examples "$WOOLYD_URL"
    stop_woolyd || failures+=("$kind: woolyd exited with status $?")
  fi
  (($(reports) == 0)) || failures+=("$kind: $(reports) sanitizer reports in $logs")
done

if ((${#failures[@]})); then
  echo "sanitize: FAILED:"
  printf '  %s\n' "${failures[@]}"
  exit 1
fi
echo "sanitize: PASS (${kinds[*]})"
