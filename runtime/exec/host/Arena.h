//===- Arena.h - One context's device memory on the host --------*- C++ -*-===//
//
// A context's memory is one reserved virtual range whose size is a power of
// two and whose base is aligned to that size, so address fencing can confine
// a kernel's accesses with `(p & mask) | base`. Pages are committed when
// allocated and decommitted (PROT_NONE) when freed; each allocation is
// followed by an uncommitted guard page, so running off its end faults.
// Optionally the arena is surrounded by reserved, never-accessible address
// space on both sides (the offset guard of wooly-fence-addresses: a fenced
// base plus a bounded offset may land there, and faults).
// Not thread-safe: the context locks.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_RUNTIME_EXEC_HOST_ARENA_H
#define WOOLY_RUNTIME_EXEC_HOST_ARENA_H

#include "runtime/exec/Executor.h"

#include <map>

namespace wooly::exec::host {

class Arena {
public:
  Arena() = default;
  Arena(const Arena &) = delete;
  Arena &operator=(const Arena &) = delete;
  ~Arena();

  /// Reserves at least `bytes` of address space (rounded up to a power of
  /// two); `limit` caps what may be allocated at once; `guard` bytes below
  /// and above it stay reserved and inaccessible.
  Status reserve(uint64_t bytes, uint64_t limit, uint64_t guard = 0);

  Status allocate(uint64_t bytes, DevicePtr &out);
  /// Frees an allocation made here; returns its size.
  Status release(DevicePtr ptr, uint64_t &bytes);

  uint64_t base() const { return reinterpret_cast<uint64_t>(start); }
  uint64_t size() const { return length; }
  uint64_t mask() const { return length - 1; }
  uint64_t guardBytes() const { return guard; }
  uint64_t allocatedBytes() const { return allocated; }
  uint64_t limitBytes() const { return limit; }

private:
  uint8_t *start = nullptr;
  uint64_t length = 0;
  uint64_t guard = 0;
  uint64_t limit = 0;
  uint64_t allocated = 0;
  std::map<uint64_t, uint64_t> freeRanges; // offset -> bytes
  std::map<uint64_t, uint64_t> used;       // offset -> reserved bytes
};

} // namespace wooly::exec::host

#endif // WOOLY_RUNTIME_EXEC_HOST_ARENA_H
