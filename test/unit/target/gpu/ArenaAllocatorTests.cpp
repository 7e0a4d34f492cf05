// The fenced arena's bookkeeping on the GPU executors: where allocations go
// inside the power-of-two range, without a device.

#include "runtime/exec/gpu/ArenaAllocator.h"

#include <catch2/catch.hpp>

using wooly::exec::ErrorCode;
using wooly::exec::gpu::ArenaAllocator;

namespace {
constexpr uint64_t kGranule = 2ull << 20; // 2 MiB, as CUDA and HIP map
} // namespace

TEST_CASE("the arena is a power of two holding the limit and a spare granule",
          "[gpu][arena]") {
  CHECK(ArenaAllocator::sizeFor(0, kGranule) == (16ull << 20));
  CHECK(ArenaAllocator::sizeFor(1, kGranule) == (16ull << 20));
  // 1 GiB of quota + the unused first granule does not fit 1 GiB.
  CHECK(ArenaAllocator::sizeFor(1ull << 30, kGranule) == (2ull << 30));
  CHECK(ArenaAllocator::sizeFor((1ull << 30) - kGranule, kGranule) ==
        (1ull << 30));
  // An 80 GB device: 128 GiB of address space.
  CHECK(ArenaAllocator::sizeFor(80ull << 30, kGranule) == (128ull << 30));
}

TEST_CASE("arena allocations are whole granules inside the mask, never at "
          "the base",
          "[gpu][arena]") {
  ArenaAllocator arena(16ull << 20, kGranule);
  CHECK(arena.mask() == (16ull << 20) - 1);
  uint64_t a = 0, b = 0, reservedA = 0, reservedB = 0;
  REQUIRE(arena.allocate(100, a, reservedA));
  CHECK(a == kGranule);
  CHECK(reservedA == kGranule);
  REQUIRE(arena.allocate(kGranule + 1, b, reservedB));
  CHECK(b == 2 * kGranule);
  CHECK(reservedB == 2 * kGranule);
  CHECK(arena.reservedBytes() == 3 * kGranule);
  CHECK((b & arena.mask()) == b);
  CHECK(b % kGranule == 0);

  // 16 MiB = 8 granules: 1 unused + 3 taken leaves 4.
  uint64_t c = 0, reservedC = 0;
  wooly::exec::Status full = arena.allocate(5 * kGranule, c, reservedC);
  CHECK(full.code == ErrorCode::OutOfMemory);
  CHECK(full.message.find("no free range") != std::string::npos);
  REQUIRE(arena.allocate(4 * kGranule, c, reservedC));
  CHECK(c == 4 * kGranule);
  CHECK(arena.freeRanges().empty());

  CHECK(arena.allocate(0, c, reservedC).code == ErrorCode::InvalidValue);
}

TEST_CASE("freed arena ranges merge and are reused", "[gpu][arena]") {
  ArenaAllocator arena(16ull << 20, kGranule);
  uint64_t a, b, c, r;
  REQUIRE(arena.allocate(kGranule, a, r));
  REQUIRE(arena.allocate(kGranule, b, r));
  REQUIRE(arena.allocate(kGranule, c, r));
  REQUIRE(arena.release(a, r));
  CHECK(r == kGranule);
  REQUIRE(arena.release(b, r));
  // a and b merged: a two-granule allocation fits where they were.
  uint64_t d;
  REQUIRE(arena.allocate(2 * kGranule, d, r));
  CHECK(d == a);
  REQUIRE(arena.release(c, r));
  REQUIRE(arena.release(d, r));
  CHECK(arena.reservedBytes() == 0);
  REQUIRE(arena.freeRanges().size() == 1);
  CHECK(arena.freeRanges().begin()->first == kGranule);
  CHECK(arena.freeRanges().begin()->second == (16ull << 20) - kGranule);

  // Double free and foreign offsets are refused.
  CHECK(arena.release(d, r).code == ErrorCode::InvalidAddress);
  CHECK(arena.release(12345, r).code == ErrorCode::InvalidAddress);
}
