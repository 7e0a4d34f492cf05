//===- Arena.cpp - One context's device memory on the host ----------------===//

#include "runtime/exec/host/Arena.h"

#include <sys/mman.h>
#include <unistd.h>

#include <bit>
#include <cerrno>
#include <cstring>

namespace wooly::exec::host {

namespace {
constexpr uint64_t kPage = 4096;
constexpr uint64_t kHugePage = 2ull << 20;
uint64_t roundUp(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }
} // namespace

Arena::~Arena() {
  if (start)
    munmap(start - guard, length + 2 * guard);
}

Status Arena::reserve(uint64_t bytes, uint64_t limitBytes, uint64_t guardBytes) {
  uint64_t want = std::bit_ceil(std::max<uint64_t>(bytes, 1ull << 24));
  uint64_t fence = roundUp(guardBytes, kPage);
  // Over-reserve, then trim, to get a base aligned to the size with `fence`
  // bytes of the same mapping on either side (PROT_NONE, never committed:
  // address space only).
  uint64_t total = want * 2 + 2 * fence;
  void *raw = mmap(nullptr, total, PROT_NONE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (raw == MAP_FAILED)
    return Status::error(ErrorCode::OutOfMemory,
                         "cannot reserve " + std::to_string(total) +
                             " bytes of address space for device memory: " +
                             std::strerror(errno));
  uint64_t address = reinterpret_cast<uint64_t>(raw);
  uint64_t aligned = roundUp(address + fence, want);
  uint64_t low = aligned - fence, high = aligned + want + fence;
  if (low > address)
    munmap(raw, low - address);
  if (address + total > high)
    munmap(reinterpret_cast<void *>(high), address + total - high);
  start = reinterpret_cast<uint8_t *>(aligned);
  length = want;
  guard = fence;
  limit = limitBytes ? limitBytes : want;
  // Offset 0 stays unused so that no allocation is ever at the arena base
  // (a fenced null pointer lands there and faults).
  freeRanges.emplace(kPage, length - kPage);
  return Status::ok();
}

Status Arena::allocate(uint64_t bytes, DevicePtr &out) {
  if (bytes == 0)
    return Status::error(ErrorCode::InvalidValue, "allocation of 0 bytes");
  uint64_t committed = roundUp(bytes, kPage);
  if (committed < bytes || allocated + committed > limit)
    return Status::error(ErrorCode::OutOfMemory,
                         "allocating " + std::to_string(bytes) +
                             " bytes would exceed this context's memory limit of " +
                             std::to_string(limit) + " bytes (" +
                             std::to_string(allocated) + " in use)");
  uint64_t reserved = committed + kPage; // + guard page
  // Large buffers start on a huge-page boundary and ask for transparent huge
  // pages: kernels walk them with GPU-style strides (a grid-stride loop run
  // one thread after another touches a new 4 KiB page at every access),
  // which costs a TLB miss per access with small pages.
  uint64_t alignment = committed >= kHugePage ? kHugePage : kPage;
  for (auto it = freeRanges.begin(); it != freeRanges.end(); ++it) {
    uint64_t offset = roundUp(it->first, alignment);
    uint64_t skipped = offset - it->first;
    if (it->second < reserved + skipped)
      continue;
    uint64_t rangeStart = it->first, rangeSize = it->second;
    uint64_t rest = rangeSize - skipped - reserved;
    freeRanges.erase(it);
    if (skipped)
      freeRanges.emplace(rangeStart, skipped);
    if (rest)
      freeRanges.emplace(offset + reserved, rest);
    if (mprotect(start + offset, committed, PROT_READ | PROT_WRITE) != 0) {
      if (skipped)
        freeRanges.erase(rangeStart);
      if (rest)
        freeRanges.erase(offset + reserved);
      freeRanges.emplace(rangeStart, rangeSize);
      return Status::error(ErrorCode::OutOfMemory,
                           std::string("cannot commit device memory: ") +
                               std::strerror(errno));
    }
    if (alignment == kHugePage)
      madvise(start + offset, committed, MADV_HUGEPAGE); // a hint: may fail
    used.emplace(offset, reserved);
    allocated += committed;
    out = base() + offset;
    return Status::ok();
  }
  return Status::error(ErrorCode::OutOfMemory,
                       "device memory arena is full or too fragmented for " +
                           std::to_string(bytes) + " bytes");
}

Status Arena::release(DevicePtr ptr, uint64_t &bytes) {
  uint64_t offset = ptr - base();
  auto it = used.find(offset);
  if (ptr < base() || it == used.end())
    return Status::error(ErrorCode::InvalidAddress,
                         "not an allocation of this context");
  uint64_t reserved = it->second;
  used.erase(it);
  bytes = reserved - kPage;
  allocated -= bytes;
  // Give the pages back and make stale pointers fault.
  madvise(start + offset, bytes, MADV_DONTNEED);
  mprotect(start + offset, bytes, PROT_NONE);
  auto next = freeRanges.lower_bound(offset);
  uint64_t newOffset = offset, newSize = reserved;
  if (next != freeRanges.end() && next->first == offset + reserved) {
    newSize += next->second;
    next = freeRanges.erase(next);
  }
  if (next != freeRanges.begin()) {
    auto prev = std::prev(next);
    if (prev->first + prev->second == offset) {
      newOffset = prev->first;
      newSize += prev->second;
      freeRanges.erase(prev);
    }
  }
  freeRanges.emplace(newOffset, newSize);
  return Status::ok();
}

} // namespace wooly::exec::host
