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

// The block entry keeps the back-edge counter of a barrier-only kernel's
// barrier loop for all the block's threads (RegionSplit.cpp,
// countFromBlock): the threads compute their exit test and induction
// variables from the loop round it passes, not from a counter of their own.
namespace {

// Four threads per block; block b walks b + 1 tiles (a trip count that
// differs between blocks), its own part of the buffer (kMaxTiles tiles).
// Each tile as in kTiles: the right neighbour's element plus t + w.
const char *kPerBlock = R"(
wooly.global @tile : 4 x i32 in shared align 4

wooly.kernel @perblock(%p: i64) {
  %tid = wooly.thread_id x : i32
  %bid = wooly.block_id x : i32
  %c0 = arith.constant 0 : i32
  %c1 = arith.constant 1 : i32
  %c3 = arith.constant 3 : i32
  %big = arith.constant 2147483646 : i32
  %c4 = arith.constant 4 : i64
  %c16 = arith.constant 16 : i64
  %part = arith.constant 64 : i64
  %n = arith.addi %bid, %c1 : i32
  %b64 = arith.extui %bid : i32 to i64
  %bo = arith.muli %b64, %part : i64
  %t64 = arith.extui %tid : i32 to i64
  %o = arith.muli %t64, %c4 : i64
  %b = arith.addi %p, %bo : i64
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

constexpr int kBlocks = 3, kMaxTiles = 4;

// Thread j runs n + j rounds (it leaves the loop, and ends, before the
// threads after it): with a counter of its own it would leave after its
// own count of rounds, and so it must with the block's. Each round it
// writes t + w at its element of tile t.
const char *kEarlyLeave = R"(
wooly.kernel @early(%p: i64, %n: i32) {
  %tid = wooly.thread_id x : i32
  %c0 = arith.constant 0 : i32
  %c1 = arith.constant 1 : i32
  %big = arith.constant 2147483646 : i32
  %c4 = arith.constant 4 : i64
  %c16 = arith.constant 16 : i64
  %t64 = arith.extui %tid : i32 to i64
  %o = arith.muli %t64, %c4 : i64
  %a0 = arith.addi %p, %o : i64
  %mine = arith.addi %n, %tid : i32
  cf.br ^loop(%c0, %a0, %big : i32, i64, i32)
^loop(%t: i32, %a: i64, %w: i32):
  wooly.barrier
  %q = wooly.inttoptr %a : i64 to !wooly.ptr<global>
  %tw = arith.addi %t, %w : i32
  wooly.store %tw, %q {alignment = 4 : i64} : i32, !wooly.ptr<global>
  wooly.barrier
  %t1 = arith.addi %t, %c1 : i32
  %a1 = arith.addi %a, %c16 : i64
  %w1 = arith.addi %w, %c1 : i32
  %more = arith.cmpi slt, %t1, %mine : i32
  cf.cond_br %more, ^loop(%t1, %a1, %w1 : i32, i64, i32), ^done
^done:
  wooly.return
}
)";

// An outer loop (a barrier of its own) runs the barrier loop twice: the
// block's counter starts again at 0 when the threads enter the inner loop
// the second time. Each inner round writes o * 100 + t + w at its element
// of row o, tile t.
const char *kReentered = R"(
wooly.kernel @again(%p: i64, %n: i32) {
  %tid = wooly.thread_id x : i32
  %c0 = arith.constant 0 : i32
  %c1 = arith.constant 1 : i32
  %c2 = arith.constant 2 : i32
  %c4 = arith.constant 4 : i32
  %c100 = arith.constant 100 : i32
  %big = arith.constant 2147483646 : i32
  %c4w = arith.constant 4 : i64
  cf.br ^outer(%c0 : i32)
^outer(%o: i32):
  wooly.barrier
  %ob = arith.muli %o, %c100 : i32
  cf.br ^loop(%c0, %big : i32, i32)
^loop(%t: i32, %w: i32):
  wooly.barrier
  %row = arith.muli %o, %n : i32
  %tile = arith.addi %row, %t : i32
  %at = arith.muli %tile, %c4 : i32
  %el = arith.addi %at, %tid : i32
  %el64 = arith.extui %el : i32 to i64
  %off = arith.muli %el64, %c4w : i64
  %a = arith.addi %p, %off : i64
  %q = wooly.inttoptr %a : i64 to !wooly.ptr<global>
  %tw = arith.addi %t, %w : i32
  %v = arith.addi %tw, %ob : i32
  wooly.store %v, %q {alignment = 4 : i64} : i32, !wooly.ptr<global>
  wooly.barrier
  %t1 = arith.addi %t, %c1 : i32
  %w1 = arith.addi %w, %c1 : i32
  %more = arith.cmpi slt, %t1, %n : i32
  cf.cond_br %more, ^loop(%t1, %w1 : i32, i32), ^inner.done
^inner.done:
  %o1 = arith.addi %o, %c1 : i32
  %outer.more = arith.cmpi slt, %o1, %c2 : i32
  cf.cond_br %outer.more, ^outer(%o1 : i32), ^done
^done:
  wooly.return
}
)";

// Two barrier loops one after the other: the block stops at the second
// loop's first barrier straight from the first loop's last one, with the
// first loop's count in the counter, and the second loop starts at 0.
// Loop o (0, 1) writes o * 100 + t + w at its element of row o, tile t.
const char *kTwoLoops = R"(
wooly.kernel @two(%p: i64, %n: i32) {
  %tid = wooly.thread_id x : i32
  %c0 = arith.constant 0 : i32
  %c1 = arith.constant 1 : i32
  %c100 = arith.constant 100 : i32
  %big = arith.constant 2147483646 : i32
  %c4 = arith.constant 4 : i64
  %c16 = arith.constant 16 : i64
  %t64 = arith.extui %tid : i32 to i64
  %o = arith.muli %t64, %c4 : i64
  %a0 = arith.addi %p, %o : i64
  %n64 = arith.extui %n : i32 to i64
  %row = arith.muli %n64, %c16 : i64
  %b0 = arith.addi %a0, %row : i64
  cf.br ^first(%c0, %a0, %big : i32, i64, i32)
^first(%t: i32, %a: i64, %w: i32):
  wooly.barrier
  %q = wooly.inttoptr %a : i64 to !wooly.ptr<global>
  %tw = arith.addi %t, %w : i32
  wooly.store %tw, %q {alignment = 4 : i64} : i32, !wooly.ptr<global>
  wooly.barrier
  %t1 = arith.addi %t, %c1 : i32
  %a1 = arith.addi %a, %c16 : i64
  %w1 = arith.addi %w, %c1 : i32
  %more = arith.cmpi slt, %t1, %n : i32
  cf.cond_br %more, ^first(%t1, %a1, %w1 : i32, i64, i32), ^between
^between:
  cf.br ^second(%c0, %b0, %big : i32, i64, i32)
^second(%s: i32, %b: i64, %x: i32):
  wooly.barrier
  %r = wooly.inttoptr %b : i64 to !wooly.ptr<global>
  %sx = arith.addi %s, %x : i32
  %v = arith.addi %sx, %c100 : i32
  wooly.store %v, %r {alignment = 4 : i64} : i32, !wooly.ptr<global>
  wooly.barrier
  %s1 = arith.addi %s, %c1 : i32
  %b1 = arith.addi %b, %c16 : i64
  %x1 = arith.addi %x, %c1 : i32
  %again = arith.cmpi slt, %s1, %n : i32
  cf.cond_br %again, ^second(%s1, %b1, %x1 : i32, i64, i32), ^done
^done:
  wooly.return
}
)";

uint32_t wrapped(int k) { return uint32_t(2147483646) + uint32_t(k); }

} // namespace

TEST_CASE("a block-counted barrier loop runs each block's own trip count "
          "(fenced and unfenced)",
          "[host][region][fencing]") {
  std::vector<int32_t> in(kBlocks * kMaxTiles * 4);
  for (size_t i = 0; i < in.size(); ++i)
    in[i] = int32_t(1000 * i + 7);
  std::vector<int32_t> want = in;
  for (int b = 0; b < kBlocks; ++b)
    for (int k = 0; k <= b; ++k)
      for (int j = 0; j < 4; ++j) {
        size_t tile = size_t(b) * kMaxTiles * 4 + 4 * k;
        want[tile + j] = int32_t(uint32_t(in[tile + (j + 1) % 4]) +
                                 uint32_t(k) + wrapped(k));
      }
  for (bool fencing : {false, true}) {
    INFO("fencing " << fencing);
    auto ctx = newContext(fencing);
    exec::KernelInfo info;
    exec::FunctionId fn = loadKernel(*ctx, kPerBlock, "perblock", info);
    exec::DevicePtr p = upload(*ctx, in);
    Args args(info);
    args.set(0, int64_t(p));
    exec::Status s = launch(*ctx, fn, {kBlocks, 1, 1}, {4, 1, 1}, args);
    INFO(s.message);
    REQUIRE(s);
    CHECK(download<int32_t>(*ctx, p, in.size()) == want);
  }
}

TEST_CASE("threads that leave a block-counted barrier loop early run their "
          "own number of rounds",
          "[host][region]") {
  constexpr int n = 3;
  std::vector<int32_t> in((n + 3) * 4, -1), want = in;
  for (int j = 0; j < 4; ++j)
    for (int k = 0; k < n + j; ++k)
      want[4 * k + j] = int32_t(uint32_t(k) + wrapped(k));
  auto ctx = newContext(/*fencing=*/false);
  exec::KernelInfo info;
  exec::FunctionId fn = loadKernel(*ctx, kEarlyLeave, "early", info);
  exec::DevicePtr p = upload(*ctx, in);
  Args args(info);
  args.set(0, int64_t(p)).set(1, int32_t(n));
  exec::Status s = launch(*ctx, fn, {1, 1, 1}, {4, 1, 1}, args);
  INFO(s.message);
  REQUIRE(s);
  CHECK(download<int32_t>(*ctx, p, in.size()) == want);
}

TEST_CASE("a block-counted barrier loop entered again starts counting at 0",
          "[host][region]") {
  constexpr int n = 3;
  std::vector<int32_t> in(2 * n * 4, -1), want = in;
  for (int o = 0; o < 2; ++o)
    for (int k = 0; k < n; ++k)
      for (int j = 0; j < 4; ++j)
        want[(o * n + k) * 4 + j] = int32_t(uint32_t(o * 100 + k) + wrapped(k));
  auto ctx = newContext(/*fencing=*/false);
  exec::KernelInfo info;
  exec::FunctionId fn = loadKernel(*ctx, kReentered, "again", info);
  exec::DevicePtr p = upload(*ctx, in);
  Args args(info);
  args.set(0, int64_t(p)).set(1, int32_t(n));
  exec::Status s = launch(*ctx, fn, {1, 1, 1}, {4, 1, 1}, args);
  INFO(s.message);
  REQUIRE(s);
  CHECK(download<int32_t>(*ctx, p, in.size()) == want);
}

TEST_CASE("a block-counted barrier loop right after another starts counting "
          "at 0",
          "[host][region]") {
  constexpr int n = 3;
  std::vector<int32_t> in(2 * n * 4, -1), want = in;
  for (int o = 0; o < 2; ++o)
    for (int k = 0; k < n; ++k)
      for (int j = 0; j < 4; ++j)
        want[(o * n + k) * 4 + j] = int32_t(uint32_t(o * 100 + k) + wrapped(k));
  auto ctx = newContext(/*fencing=*/false);
  exec::KernelInfo info;
  exec::FunctionId fn = loadKernel(*ctx, kTwoLoops, "two", info);
  exec::DevicePtr p = upload(*ctx, in);
  Args args(info);
  args.set(0, int64_t(p)).set(1, int32_t(n));
  exec::Status s = launch(*ctx, fn, {1, 1, 1}, {4, 1, 1}, args);
  INFO(s.message);
  REQUIRE(s);
  CHECK(download<int32_t>(*ctx, p, in.size()) == want);
}
