# A session over its memory limit gets cudaErrorMemoryAllocation; another
# session on the same server allocates normally.
set -u
source "$(dirname "$0")/lib.sh"
need_woolyd
[[ -x $WOOLY_BIN/wooly-test-hold-memory ]] || skip "wooly-test-hold-memory not built"
start_woolyd
hold="$WOOLY_BIN/wooly-test-hold-memory"
out=$(WOOLY_MEMORY_LIMIT=$((1 << 20)) "$WOOLY_BIN/wooly-run" --server "$WOOLYD_URL" "$hold" $((2 << 20)) 0)
[[ $? == 2 && $out == *"REFUSED cudaErrorMemoryAllocation"* ]] || { echo "FAIL: over quota: $out"; exit 1; }
out=$("$WOOLY_BIN/wooly-run" --server "$WOOLYD_URL" "$hold" $((2 << 20)) 0)
[[ $out == *HOLDING* ]] || { echo "FAIL: the unlimited session: $out"; exit 1; }
echo PASS
