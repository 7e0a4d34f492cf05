#!/usr/bin/env bash
# After a trap that goes to the driver: does woolyd come back (restart or reset
# policy), does the next client run, and does SIGTERM end it?
set -u
libs=/tmp/wooly-libs
export LD_LIBRARY_PATH=$libs
out=${OUT:-/tmp}
for policy in restart reset; do
  sock=/tmp/probe-$policy.sock
  WOOLY_GPU_TRAPS=driver WOOLY_GPU_RECOVERY=$policy build/bin/woolyd --listen "ipc://$sock" \
    --executor cuda --insecure 2>"$out/woolyd-$policy.log" &
  pid=$!
  sleep 2
  for name in kernel_trap vector_add; do
    timeout 30 build/bin/wooly-run --server "ipc://$sock" build/examples/$name >/tmp/o 2>&1
    echo "$policy $name rc=$?: $(tail -2 /tmp/o | tr '\n' ' ')"
  done
  sleep 3
  timeout 30 build/bin/wooly-run --server "ipc://$sock" build/examples/vector_add >/tmp/o 2>&1
  echo "$policy vector_add after 3 s rc=$?: $(tail -1 /tmp/o)"
  kill -TERM $pid
  for i in 1 2 3 4 5 6; do kill -0 $pid 2>/dev/null || break; sleep 1; done
  if kill -0 $pid 2>/dev/null; then
    echo "$policy: woolyd $pid still alive 6 s after SIGTERM"
    for t in /proc/$pid/task/*; do echo "  $(cat $t/comm) $(cat $t/wchan) $(cat $t/stat | cut -d' ' -f3)"; done
    command -v gdb >/dev/null && timeout 40 gdb -batch -p $pid -ex "thread apply all bt 12" 2>&1 | grep -E '^#|^Thread' | head -80
    kill -9 $pid
  fi
  wait $pid 2>/dev/null; echo "$policy woolyd exit $?"
  cat "$out/woolyd-$policy.log"
done
