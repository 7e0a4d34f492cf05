# cuMemAllocManaged: a driver-API program, embedded and against a woolyd over
# tcp (the host shadow is mapped at the device address there).
set -u
source "$(dirname "$0")/embedded_and_woolyd.sh"
[[ -e $WOOLY_BUILD/lib/wooly/libcuda.so.1 ]] || skip "the libcuda shim is not built"
run_embedded_and_woolyd "$WOOLY_BUILD/test/e2e/client/driver_managed" driver_managed
