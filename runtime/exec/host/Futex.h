//===- Futex.h - Sleeping on a 32-bit word (Linux futex) -------------------===//
//
// The host executor's threads sleep on futexes where a sleeper must not
// depend on anyone else being scheduled to be woken (see WakeSignal.h and
// Preemption.h).
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_RUNTIME_EXEC_HOST_FUTEX_H
#define WOOLY_RUNTIME_EXEC_HOST_FUTEX_H

#include <atomic>
#include <cstdint>

namespace wooly::exec::host {

static_assert(sizeof(std::atomic<uint32_t>) == sizeof(uint32_t),
              "a futex word is a plain 32-bit integer");

/// Sleeps while `word == expected`, at most `ns` nanoseconds (< 0: no
/// limit). May return early for no reason; callers check their condition.
void futexWait(std::atomic<uint32_t> &word, uint32_t expected, long ns = -1);
/// Wakes up to `count` threads sleeping on `word`.
void futexWake(std::atomic<uint32_t> &word, int count);

} // namespace wooly::exec::host

#endif // WOOLY_RUNTIME_EXEC_HOST_FUTEX_H
