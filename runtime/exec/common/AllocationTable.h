//===- AllocationTable.h - Allocations with bounds lookup -------*- C++ -*-===//
//
// The set of device allocations one context owns. Every pointer a client
// names is looked up here (bounds included) before it is touched. Not
// thread-safe: the owner locks.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_RUNTIME_EXEC_COMMON_ALLOCATIONTABLE_H
#define WOOLY_RUNTIME_EXEC_COMMON_ALLOCATIONTABLE_H

#include "runtime/exec/Executor.h"

#include <map>

namespace wooly::exec {

class RangeTable {
public:
  /// Records [base, base + bytes); InvalidValue if it overlaps another.
  Status insert(DevicePtr base, uint64_t bytes);
  /// Removes the allocation starting exactly at `base`; InvalidAddress else.
  Status erase(DevicePtr base, uint64_t &bytes);
  /// The allocation containing `ptr`.
  Status lookup(DevicePtr ptr, DevicePtr &base, uint64_t &bytes) const;
  /// InvalidAddress unless [ptr, ptr + bytes) lies inside one allocation.
  Status checkRange(DevicePtr ptr, uint64_t bytes, const char *what) const;
  uint64_t totalBytes() const { return total; }
  size_t count() const { return ranges.size(); }
  const std::map<DevicePtr, uint64_t> &all() const { return ranges; }

private:
  std::map<DevicePtr, uint64_t> ranges; // base -> size
  uint64_t total = 0;
};

} // namespace wooly::exec

#endif // WOOLY_RUNTIME_EXEC_COMMON_ALLOCATIONTABLE_H
