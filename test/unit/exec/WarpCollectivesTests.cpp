//===- WarpCollectivesTests.cpp - The settle step's shuffle answers -------===//
//
// The settle step (runtime/exec/host/WarpCollectives.cpp) answers warps
// whose lanes wait in shuffles: through its uniform path (all 32 lanes
// live, the same operands, a full mask) or its general one. Both must give
// what PTX's shfl.sync gives, written out here from the PTX ISA, for every
// mode, clamp and segment, 32-bit and wide (two halves in one, HostABI.h).
//
//===----------------------------------------------------------------------===//

#include "runtime/exec/host/WarpCollectives.h"

#include <catch2/catch.hpp>

#include <array>
#include <cstdint>
#include <random>
#include <vector>

using namespace wooly::exec::host;
using wooly::host::kRegionFinished;

namespace {

enum Mode : uint8_t { Idx = 0, Up = 1, Down = 2, Xor = 3 };
constexpr uint8_t kWide = 4;

/// PTX ISA, shfl.sync: lane `self` of a warp reads lane j; `valid` is false
/// (and the lane keeps its own value) when j is outside the clamp/segment
/// or not a member.
uint64_t ptxAnswer(const std::vector<uint64_t> &values, uint32_t members,
                   int self, uint8_t mode, uint32_t b, uint32_t c) {
  uint32_t bval = b & 0x1f, cval = c & 0x1f, segmask = (c >> 8) & 0x1f;
  int maxLane = static_cast<int>((self & segmask) | (cval & ~segmask));
  int minLane = static_cast<int>(self & segmask);
  int j = self;
  bool pval = false;
  switch (mode & 3) {
  case Up:
    j = self - static_cast<int>(bval);
    pval = j >= maxLane;
    break;
  case Down:
    j = self + static_cast<int>(bval);
    pval = j <= maxLane;
    break;
  case Xor:
    j = self ^ static_cast<int>(bval);
    pval = j <= maxLane;
    break;
  case Idx:
    j = minLane | static_cast<int>(bval & ~segmask);
    pval = j <= maxLane;
    break;
  }
  bool valid = pval && j >= 0 && j < 32 && (members >> j & 1);
  uint64_t got = valid ? values[j] : values[self];
  if (mode & kWide)
    return got;
  return uint32_t(got) | (uint64_t(valid) << 32);
}

RegionLane shuffleLane(uint64_t value, uint8_t mode, uint32_t b, uint32_t c,
                       uint32_t mask, uint32_t pc) {
  RegionLane l{};
  l.value = value;
  l.arg = b;
  l.c = c;
  l.mask = mask;
  l.pc = pc;
  l.op = static_cast<uint8_t>(LaneOp::Shuffle);
  l.mode = mode;
  return l;
}

/// Settles two warps whose lanes all shuffle with (mode, b, c) and checks
/// every answer; `ended` lanes of the first warp have ended (the general
/// path); with `mixedOperands` odd lanes bring b + 1 (not uniform either).
void checkShuffles(uint8_t mode, uint32_t b, uint32_t c, uint32_t ended,
                   bool mixedOperands, std::mt19937_64 &rng) {
  const uint32_t count = 64, pc = 3;
  std::vector<RegionLane> lanes(count);
  std::vector<uint64_t> values(count);
  for (uint32_t i = 0; i < count; ++i) {
    values[i] = (mode & kWide) ? rng() : uint32_t(rng());
    uint32_t arg = mixedOperands ? b + i % 2 : b;
    bool gone = i < 32 && (ended >> i & 1);
    lanes[i] = shuffleLane(values[i], mode, arg, c, ~0u, gone ? kRegionFinished : pc);
  }
  Settled s = settleRegionLanes(lanes.data(), count);
  REQUIRE(s.outcome == SettleOutcome::Run);
  CHECK(s.resume == pc);
  for (uint32_t w = 0; w < 2; ++w) {
    std::vector<uint64_t> warp(values.begin() + w * 32, values.begin() + w * 32 + 32);
    uint32_t live = w == 0 ? ~ended : ~0u;
    for (int l = 0; l < 32; ++l) {
      const RegionLane &lane = lanes[w * 32 + l];
      if (lane.pc == kRegionFinished)
        continue;
      INFO("mode " << int(mode) << " b " << b << " c 0x" << std::hex << c
                   << std::dec << " warp " << w << " lane " << l);
      uint32_t arg = mixedOperands ? b + (w * 32 + l) % 2 : b;
      CHECK(lane.waiting == 0);
      CHECK(lane.result == ptxAnswer(warp, live, l, mode, arg, c));
    }
  }
}

} // namespace

TEST_CASE("the settle step answers whole warps' shuffles as PTX does",
          "[host][warp][settle]") {
  // All lanes live with the same operands: the uniform path.
  std::mt19937_64 rng(11);
  for (uint8_t mode : {Idx, Up, Down, Xor})
    for (bool wide : {false, true})
      for (uint32_t b : {0u, 1u, 5u, 16u, 31u, 37u})
        for (uint32_t c : {31u, 0u, 7u, 0x181fu, 0x1c1fu, 0x1007u})
          checkShuffles(mode | (wide ? kWide : 0), b, c, 0, false, rng);
}

TEST_CASE("the settle step answers shuffles with ended lanes or mixed "
          "operands as PTX does",
          "[host][warp][settle]") {
  // The general path: an ended lane is no member (its readers keep their
  // own value), and lanes may bring different operands.
  std::mt19937_64 rng(12);
  for (uint8_t mode : {Idx, Up, Down, Xor})
    for (bool wide : {false, true})
      for (uint32_t b : {1u, 4u, 16u})
        for (uint32_t c : {31u, 0x181fu}) {
          checkShuffles(mode | (wide ? kWide : 0), b, c, (1u << 5) | (1u << 20), false, rng);
          checkShuffles(mode | (wide ? kWide : 0), b, c, 0, true, rng);
        }
}
