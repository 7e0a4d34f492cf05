# cudaMallocManaged: one unmodified CUDA program, embedded and against a
# woolyd over tcp (the host shadow is mapped at the device address there).
set -u
source "$(dirname "$0")/embedded_and_woolyd.sh"
run_embedded_and_woolyd "$WOOLY_BUILD/test/e2e/client/managed" "managed example"
