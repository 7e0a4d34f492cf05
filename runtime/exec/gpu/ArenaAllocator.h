//===- ArenaAllocator.h - Carving a fenced arena into allocations -*- C++
//-*-===//
//
// Address fencing (docs/address-fencing.md) confines a session's kernels to
// one arena: a power-of-two range of device addresses aligned to its size.
// This is the bookkeeping of that range, without a device: which parts are
// allocated, in whole mapping granules (the driver maps physical memory in
// granules, 2 MiB on current GPUs). The GPU context asks it where an
// allocation goes, then maps device memory there.
//
// The first granule is never handed out, so no allocation starts at the
// arena base (a fenced null pointer lands there). Not thread-safe: the
// context locks.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_RUNTIME_EXEC_GPU_ARENAALLOCATOR_H
#define WOOLY_RUNTIME_EXEC_GPU_ARENAALLOCATOR_H

#include "runtime/exec/Executor.h"

#include <map>

namespace wooly::exec::gpu {

class ArenaAllocator {
public:
  /// The arena size for a context allowed `limit` bytes: the smallest power
  /// of two holding the limit rounded up to granules plus the unused first
  /// granule (at least 16 MiB).
  static uint64_t sizeFor(uint64_t limit, uint64_t granularity);

  /// `size` is a power of two and a multiple of `granularity` (itself a
  /// power of two).
  ArenaAllocator(uint64_t size, uint64_t granularity);

  /// First fit: the offset of a free range of `bytes` rounded up to
  /// granules, and that rounded size. OutOfMemory when no range is free.
  Status allocate(uint64_t bytes, uint64_t &offset, uint64_t &reserved);
  /// Gives back the allocation at `offset`; `reserved` is its rounded size.
  Status release(uint64_t offset, uint64_t &reserved);

  uint64_t size() const { return length; }
  uint64_t mask() const { return length - 1; }
  uint64_t granularity() const { return granule; }
  /// Bytes handed out, in whole granules.
  uint64_t reservedBytes() const { return inUse; }
  /// Free ranges (offset -> bytes), for tests and for backing them.
  const std::map<uint64_t, uint64_t> &freeRanges() const { return free; }

private:
  uint64_t length;
  uint64_t granule;
  uint64_t inUse = 0;
  std::map<uint64_t, uint64_t> free; // offset -> bytes
  std::map<uint64_t, uint64_t> used; // offset -> bytes
};

} // namespace wooly::exec::gpu

#endif // WOOLY_RUNTIME_EXEC_GPU_ARENAALLOCATOR_H
