#include "daemon/AllocationTable.h"

#include <catch2/catch.hpp>

using wooly::daemon::AllocationTable;

TEST_CASE("ranges are accepted only inside one allocation",
          "[allocations]") {
  AllocationTable t;
  t.insert(0x1000, 0x100);
  t.insert(0x1100, 0x100); // adjacent
  CHECK(t.contains(0x1000, 0x100));
  CHECK(t.contains(0x10ff, 1));
  CHECK_FALSE(t.contains(0x10ff, 2)); // spans two allocations
  CHECK_FALSE(t.contains(0xfff, 1));
  CHECK_FALSE(t.contains(0x1200, 1));
  CHECK_FALSE(t.contains(0x1000, ~0ull)); // overflowing length
  CHECK(t.contains(0x1000, 0));
}

TEST_CASE("free must name the start of an allocation", "[allocations]") {
  AllocationTable t;
  t.insert(0x1000, 64);
  CHECK(t.erase(0x1008) == 0);
  CHECK(t.erase(0x1000) == 64);
  CHECK(t.erase(0x1000) == 0); // double free
  CHECK(t.count() == 0);
}

TEST_CASE("find returns the containing allocation", "[allocations]") {
  AllocationTable t;
  t.insert(0x2000, 32);
  uint64_t base = 0, size = 0;
  REQUIRE(t.find(0x2010, base, size));
  CHECK(base == 0x2000);
  CHECK(size == 32);
  CHECK_FALSE(t.find(0x2020, base, size));
  CHECK(t.totalBytes() == 32);
}
