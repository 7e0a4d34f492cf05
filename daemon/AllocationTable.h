//===- AllocationTable.h - One session's device allocations ---------------===//
//
// Every device pointer a client sends is looked up here before the daemon
// passes it on: a range that is not entirely inside one of the session's own
// allocations is refused. The executor checks again; this table is what makes
// the daemon's answer independent of the device.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_DAEMON_ALLOCATIONTABLE_H
#define WOOLY_DAEMON_ALLOCATIONTABLE_H

#include <cstddef>
#include <cstdint>
#include <map>

namespace wooly::daemon {

class AllocationTable {
public:
  void insert(uint64_t base, uint64_t size) { blocks_[base] = size; }

  /// Removes the allocation that starts exactly at `base`; returns its size,
  /// or 0 when `base` is not the start of an allocation.
  uint64_t erase(uint64_t base) {
    auto it = blocks_.find(base);
    if (it == blocks_.end())
      return 0;
    uint64_t size = it->second;
    blocks_.erase(it);
    return size;
  }

  /// True when [ptr, ptr + bytes) lies inside one allocation.
  bool contains(uint64_t ptr, uint64_t bytes) const {
    uint64_t base = 0, size = 0;
    if (!find(ptr, base, size))
      return false;
    return bytes <= size - (ptr - base);
  }

  /// The allocation containing `ptr`.
  bool find(uint64_t ptr, uint64_t &base, uint64_t &size) const {
    auto it = blocks_.upper_bound(ptr);
    if (it == blocks_.begin())
      return false;
    --it;
    if (ptr - it->first >= it->second)
      return false;
    base = it->first;
    size = it->second;
    return true;
  }

  size_t count() const { return blocks_.size(); }
  uint64_t totalBytes() const {
    uint64_t sum = 0;
    for (const auto &[b, s] : blocks_)
      sum += s;
    return sum;
  }
  const std::map<uint64_t, uint64_t> &blocks() const { return blocks_; }

private:
  std::map<uint64_t, uint64_t> blocks_; // base -> size
};

} // namespace wooly::daemon

#endif // WOOLY_DAEMON_ALLOCATIONTABLE_H
