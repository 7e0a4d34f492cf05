//===- ArenaTests.cpp - A context's device memory on the host -------------===//
//
// The arena behind every host context: exact accounting, a guard page after
// each allocation, huge-page alignment for large buffers, and free space
// (including what the alignment skipped) that later allocations reuse.
//
//===----------------------------------------------------------------------===//

#include "runtime/exec/host/Arena.h"

#include <catch2/catch.hpp>

#include <cstring>
#include <vector>

using namespace wooly::exec;
using wooly::exec::host::Arena;

namespace {
constexpr uint64_t kPage = 4096, kHuge = 2ull << 20;
}

TEST_CASE("the host arena aligns large buffers to huge pages and reuses the "
          "gaps",
          "[host][memory]") {
  Arena arena;
  REQUIRE(arena.reserve(64ull << 20, 0));
  REQUIRE(arena.base() % arena.size() == 0);

  DevicePtr small = 0, large = 0, gap = 0;
  REQUIRE(arena.allocate(100, small));
  CHECK(small % kPage == 0);
  CHECK(arena.allocatedBytes() == kPage);

  REQUIRE(arena.allocate(3 * kHuge / 2, large));
  CHECK(large % kHuge == 0);
  CHECK(arena.allocatedBytes() == kPage + 3 * kHuge / 2);
  // Every byte of it is committed and writable.
  std::memset(reinterpret_cast<void *>(large), 0x5a, 3 * kHuge / 2);

  // The space the alignment skipped (between the small buffer's guard page
  // and the large buffer) is not lost.
  REQUIRE(arena.allocate(kPage, gap));
  CHECK(gap > small);
  CHECK(gap < large);

  uint64_t bytes = 0;
  REQUIRE(arena.release(large, bytes));
  CHECK(bytes == 3 * kHuge / 2);
  REQUIRE(arena.release(small, bytes));
  REQUIRE(arena.release(gap, bytes));
  CHECK(arena.allocatedBytes() == 0);

  // After everything is freed the free ranges have merged again: the
  // largest buffer that fits after the first huge page (the arena's first
  // page stays unused, and large buffers start on a huge-page boundary)
  // fits, with its guard page at the arena's end.
  DevicePtr all = 0;
  REQUIRE(arena.allocate(arena.size() - kHuge - kPage, all));
  CHECK(all == arena.base() + kHuge);
}

TEST_CASE("the host arena refuses what does not fit and keeps its accounting",
          "[host][memory]") {
  Arena arena;
  REQUIRE(arena.reserve(16ull << 20, 8ull << 20));
  std::vector<DevicePtr> held;
  DevicePtr p = 0;
  // Limit 8 MiB: three 2.5 MiB buffers fit, a fourth does not.
  for (int i = 0; i < 3; ++i) {
    REQUIRE(arena.allocate(5 * kHuge / 4, p));
    CHECK(p % kHuge == 0);
    held.push_back(p);
  }
  Status over = arena.allocate(5 * kHuge / 4, p);
  CHECK(over.code == ErrorCode::OutOfMemory);
  CHECK(arena.allocatedBytes() == 3 * (5 * kHuge / 4));
  uint64_t bytes = 0;
  for (DevicePtr q : held)
    REQUIRE(arena.release(q, bytes));
  CHECK(arena.allocatedBytes() == 0);
  CHECK(arena.release(held[0], bytes).code == ErrorCode::InvalidAddress);
}
