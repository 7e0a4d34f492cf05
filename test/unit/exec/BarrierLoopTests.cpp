//===- BarrierLoopTests.cpp - Induction variables of loops with barriers --===//
//
// A loop that holds a barrier keeps its induction variables in the frames
// across the barrier. The host backend recomputes them from one counter of
// the loop's back edges instead (RegionSplit.cpp, inductionsFromCount);
// with address fencing the recomputed address is fenced like any other.
// The form is checked by test/lit/compiler/target/host/barrier-loop-inductions.mlir.
//
//===----------------------------------------------------------------------===//

#include "test/unit/exec/HostTestSupport.h"

#include <cstdint>

using namespace wooly;
using namespace wooly::test;

namespace {

// Four threads walk `n` tiles of four ints at p + shift, one pointer
// induction variable each (a, advanced by 16 bytes per tile) next to the
// tile number t and a wrapping i32 w started at INT32_MAX - 1. Each tile:
// every thread stores its element in shared memory, then (after the
// barrier) replaces it by its right neighbour's (cyclically) plus t + w.
const char *kTiles = R"(
wooly.global @tile : 4 x i32 in shared align 4

wooly.kernel @tiles(%p: i64, %shift: i64, %n: i32) {
  %tid = wooly.thread_id x : i32
  %c0 = arith.constant 0 : i32
  %c1 = arith.constant 1 : i32
  %c3 = arith.constant 3 : i32
  %big = arith.constant 2147483646 : i32
  %c4 = arith.constant 4 : i64
  %c16 = arith.constant 16 : i64
  %t64 = arith.extui %tid : i32 to i64
  %o = arith.muli %t64, %c4 : i64
  %b = arith.addi %p, %shift : i64
  %a0 = arith.addi %b, %o : i64
  %s = wooly.addressof @tile : !wooly.ptr<shared>
  %mine = wooly.ptradd %s, %o : !wooly.ptr<shared>, i64
  %next = arith.addi %tid, %c1 : i32
  %wrap = arith.andi %next, %c3 : i32
  %w64 = arith.extui %wrap : i32 to i64
  %wo = arith.muli %w64, %c4 : i64
  %theirs = wooly.ptradd %s, %wo : !wooly.ptr<shared>, i64
  cf.br ^loop(%c0, %a0, %big : i32, i64, i32)
^loop(%t: i32, %a: i64, %w: i32):
  %q = wooly.inttoptr %a : i64 to !wooly.ptr<global>
  %v = wooly.load %q {alignment = 4 : i64} : !wooly.ptr<global> -> i32
  wooly.store %v, %mine {alignment = 4 : i64} : i32, !wooly.ptr<shared>
  wooly.barrier
  %u = wooly.load %theirs {alignment = 4 : i64} : !wooly.ptr<shared> -> i32
  %tw = arith.addi %t, %w : i32
  %r = arith.addi %u, %tw : i32
  wooly.store %r, %q {alignment = 4 : i64} : i32, !wooly.ptr<global>
  wooly.barrier
  %t1 = arith.addi %t, %c1 : i32
  %a1 = arith.addi %a, %c16 : i64
  %w1 = arith.addi %w, %c1 : i32
  %more = arith.cmpi slt, %t1, %n : i32
  cf.cond_br %more, ^loop(%t1, %a1, %w1 : i32, i64, i32), ^done
^done:
  wooly.return
}
)";

constexpr int kTilesCount = 5;

std::vector<int32_t> tilesInput() {
  std::vector<int32_t> in(4 * kTilesCount);
  for (size_t i = 0; i < in.size(); ++i)
    in[i] = int32_t(1000 * i + 7);
  return in;
}

std::vector<int32_t> tilesExpected() {
  std::vector<int32_t> in = tilesInput(), out(in.size());
  for (int k = 0; k < kTilesCount; ++k)
    for (int j = 0; j < 4; ++j) {
      // The same wrapping i32 arithmetic as the kernel's.
      uint32_t w = uint32_t(2147483646) + uint32_t(k);
      out[4 * k + j] =
          int32_t(uint32_t(in[4 * k + (j + 1) % 4]) + uint32_t(k) + w);
    }
  return out;
}

/// Runs kTiles over a fresh copy of the input at `shift` bytes from it and
/// returns the buffer afterwards.
std::vector<int32_t> runTiles(exec::Context &ctx, int64_t shift) {
  exec::KernelInfo info;
  exec::FunctionId fn = loadKernel(ctx, kTiles, "tiles", info);
  exec::DevicePtr p = upload(ctx, tilesInput());
  Args args(info);
  args.set(0, int64_t(p)).set(1, shift).set(2, int32_t(kTilesCount));
  exec::Status s = launch(ctx, fn, {1, 1, 1}, {4, 1, 1}, args);
  INFO(s.message);
  REQUIRE(s);
  return download<int32_t>(ctx, p, 4 * kTilesCount);
}

} // namespace

TEST_CASE("a barrier loop's induction variables from one counter compute "
          "what the loop's own adds do (fenced and unfenced)",
          "[host][region][fencing]") {
  auto open = newContext(/*fencing=*/false);
  CHECK(runTiles(*open, 0) == tilesExpected());
  auto fenced = newContext();
  CHECK(runTiles(*fenced, 0) == tilesExpected());
}

TEST_CASE("a recomputed barrier-loop address outside the arena still wraps "
          "into it (fenced)",
          "[host][region][fencing]") {
  auto fenced = newContext();
  // 2^40 bytes away (a multiple of the arena's size): every access of the
  // loop, fenced as (p & mask) | base, lands on the buffer itself.
  CHECK(runTiles(*fenced, int64_t(1) << 40) == tilesExpected());
  CHECK(runTiles(*fenced, -(int64_t(1) << 40)) == tilesExpected());
}
