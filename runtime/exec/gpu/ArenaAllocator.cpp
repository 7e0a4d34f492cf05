//===- ArenaAllocator.cpp - Carving a fenced arena into allocations -------===//

#include "runtime/exec/gpu/ArenaAllocator.h"

#include <bit>

namespace wooly::exec::gpu {

static uint64_t roundUp(uint64_t value, uint64_t to) {
  return (value + to - 1) / to * to;
}

uint64_t ArenaAllocator::sizeFor(uint64_t limit, uint64_t granularity) {
  uint64_t want = roundUp(limit, granularity) + granularity;
  return std::bit_ceil(std::max<uint64_t>(want, 1ull << 24));
}

ArenaAllocator::ArenaAllocator(uint64_t size, uint64_t granularity)
    : length(size), granule(granularity) {
  if (length > granule)
    free.emplace(granule, length - granule);
}

Status ArenaAllocator::allocate(uint64_t bytes, uint64_t &offset,
                                uint64_t &reserved) {
  if (bytes == 0)
    return Status::error(ErrorCode::InvalidValue, "cannot allocate 0 bytes");
  uint64_t need = roundUp(bytes, granule);
  if (need < bytes)
    return Status::error(ErrorCode::OutOfMemory,
                         std::to_string(bytes) + " bytes do not fit an arena");
  for (auto it = free.begin(); it != free.end(); ++it) {
    if (it->second < need)
      continue;
    offset = it->first;
    uint64_t rest = it->second - need;
    free.erase(it);
    if (rest)
      free.emplace(offset + need, rest);
    used.emplace(offset, need);
    inUse += need;
    reserved = need;
    return Status::ok();
  }
  return Status::error(
      ErrorCode::OutOfMemory,
      "this session's device memory arena (" + std::to_string(length) +
          " bytes) has no free range of " + std::to_string(need) + " bytes");
}

Status ArenaAllocator::release(uint64_t offset, uint64_t &reserved) {
  auto it = used.find(offset);
  if (it == used.end())
    return Status::error(ErrorCode::InvalidAddress,
                         "not an allocation of this arena");
  reserved = it->second;
  used.erase(it);
  inUse -= reserved;
  // Merge with the free neighbours so large allocations stay possible.
  uint64_t start = offset, bytes = reserved;
  auto next = free.lower_bound(offset);
  if (next != free.end() && next->first == offset + reserved) {
    bytes += next->second;
    next = free.erase(next);
  }
  if (next != free.begin()) {
    auto prev = std::prev(next);
    if (prev->first + prev->second == offset) {
      start = prev->first;
      bytes += prev->second;
      free.erase(prev);
    }
  }
  free.emplace(start, bytes);
  return Status::ok();
}

} // namespace wooly::exec::gpu
