//===- AllocationTable.cpp - Allocations with bounds lookup ---------------===//

#include "runtime/exec/common/AllocationTable.h"

#include <cstdio>

namespace wooly::exec {

namespace {
std::string hex(uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}
} // namespace

Status RangeTable::insert(DevicePtr base, uint64_t bytes) {
  if (bytes == 0 || base + bytes < base)
    return Status::error(ErrorCode::InvalidValue, "empty or wrapping range");
  auto next = ranges.lower_bound(base);
  if (next != ranges.end() && next->first < base + bytes)
    return Status::error(ErrorCode::InvalidValue, "overlapping allocation");
  if (next != ranges.begin()) {
    auto prev = std::prev(next);
    if (prev->first + prev->second > base)
      return Status::error(ErrorCode::InvalidValue, "overlapping allocation");
  }
  ranges.emplace(base, bytes);
  total += bytes;
  return Status::ok();
}

Status RangeTable::erase(DevicePtr base, uint64_t &bytes) {
  auto it = ranges.find(base);
  if (it == ranges.end())
    return Status::error(ErrorCode::InvalidAddress,
                         "free of " + hex(base) +
                             ", which is not the start of an allocation of "
                             "this context");
  bytes = it->second;
  total -= bytes;
  ranges.erase(it);
  return Status::ok();
}

Status RangeTable::lookup(DevicePtr ptr, DevicePtr &base,
                          uint64_t &bytes) const {
  auto it = ranges.upper_bound(ptr);
  if (it != ranges.begin()) {
    --it;
    if (ptr - it->first < it->second) {
      base = it->first;
      bytes = it->second;
      return Status::ok();
    }
  }
  return Status::error(ErrorCode::InvalidAddress,
                       hex(ptr) + " is not inside an allocation of this context");
}

Status RangeTable::checkRange(DevicePtr ptr, uint64_t bytes,
                              const char *what) const {
  DevicePtr base = 0;
  uint64_t size = 0;
  Status s = lookup(ptr, base, size);
  if (!s)
    return Status::error(ErrorCode::InvalidAddress,
                         std::string(what) + ": " + s.message);
  if (bytes > size - (ptr - base))
    return Status::error(ErrorCode::InvalidAddress,
                         std::string(what) + ": " + std::to_string(bytes) +
                             " bytes at " + hex(ptr) + " run past the end of "
                             "its allocation (" + std::to_string(size) +
                             " bytes at " + hex(base) + ")");
  return Status::ok();
}

} // namespace wooly::exec
