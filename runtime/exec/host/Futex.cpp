//===- Futex.cpp - Sleeping on a 32-bit word (Linux futex) -----------------===//
#include "runtime/exec/host/Futex.h"

#include <climits>
#include <ctime>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace wooly::exec::host {

void futexWait(std::atomic<uint32_t> &word, uint32_t expected, long ns) {
  timespec timeout{ns / 1'000'000'000, ns % 1'000'000'000};
  syscall(SYS_futex, reinterpret_cast<uint32_t *>(&word), FUTEX_WAIT_PRIVATE,
          expected, ns < 0 ? nullptr : &timeout, nullptr, 0);
}

void futexWake(std::atomic<uint32_t> &word, int count) {
  syscall(SYS_futex, reinterpret_cast<uint32_t *>(&word), FUTEX_WAKE_PRIVATE,
          count, nullptr, nullptr, 0);
}

} // namespace wooly::exec::host
