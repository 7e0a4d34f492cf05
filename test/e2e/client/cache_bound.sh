# The kernel cache stays under WOOLY_CACHE_MAXSIZE: a program run with a
# bound of 1 MB over a cache folder full of old entries leaves the folder
# under the bound, the old entries gone first and its own new ones kept;
# with no bound (0) nothing is removed.
set -u
skip() { echo "SKIP: $*"; exit 77; }
program=$WOOLY_BUILD/examples/vector_add
[[ -x $program ]] || skip "no CUDA examples built (needs nvcc)"
unset WOOLY_SERVER WOOLY_CONTROLLER
cache=$(mktemp -d)
trap 'rm -rf "$cache"' EXIT
export WOOLY_CACHE_DIR=$cache

fill() {
  for i in $(seq 1 20); do
    head -c 100000 /dev/zero >"$cache/host-old$i.o"
    touch -d "2020-01-01 00:00:$i" "$cache/host-old$i.o"
  done
}
bytes() { du -sb --apparent-size "$cache" | cut -f1; }
run() {
  out=$("$WOOLY_BIN/wooly-run" "$program" 2>&1) || { echo "$out"; echo "FAIL: $program failed"; exit 1; }
  grep -q '^PASS$' <<<"$out" || { echo "$out"; echo "FAIL: no PASS"; exit 1; }
}

fill
WOOLY_CACHE_MAXSIZE=0 run
((bytes_unbounded = $(bytes)))
(($(ls "$cache"/host-old*.o | wc -l) == 20)) || { echo "FAIL: an unbounded cache removed entries"; exit 1; }

rm -rf "${cache:?}"/*
fill
WOOLY_CACHE_MAXSIZE=1000000 run
ls -l --time-style=+%s "$cache"
(($(bytes) <= 1000000)) || { echo "FAIL: $(bytes) bytes in the cache, bound 1000000"; exit 1; }
# Oldest first: what is left of the old entries are the youngest of them.
[[ ! -e $cache/host-old1.o && -e $cache/host-old20.o ]] ||
  { echo "FAIL: not the least recently used entries removed"; exit 1; }
ls "$cache"/ptx-*.wisbc >/dev/null 2>&1 || { echo "FAIL: the program's translated PTX was removed"; exit 1; }
ls "$cache"/host-????????????????????????????????.o >/dev/null 2>&1 ||
  { echo "FAIL: the program's compiled kernels were removed"; exit 1; }
echo "unbounded: $bytes_unbounded bytes kept; bounded: $(bytes) bytes"
echo PASS
