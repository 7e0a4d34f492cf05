//===- SimtTests.cpp - Barriers and warp collectives on the host ----------===//
//
// Kernels with block barriers inside loops (tree reduction) and warp
// collectives with full and partial member masks, checked against what a
// GPU computes (PTX semantics written out by hand, not the runtime's code).
//
//===----------------------------------------------------------------------===//

#include "test/unit/exec/HostTestSupport.h"

#include <numeric>
#include <random>

using namespace wooly;
using namespace wooly::test;

namespace {

const char *kTreeReduction = R"(
wooly.global @s : 256 x i32 in shared align 4
wooly.kernel @reduce(%in: !wooly.ptr<global>, %out: !wooly.ptr<global>) {
  %tid = wooly.thread_id x : i32
  %bid = wooly.block_id x : i32
  %c256 = arith.constant 256 : i32
  %base = arith.muli %bid, %c256 : i32
  %gi = arith.addi %base, %tid : i32
  %gi64 = arith.extui %gi : i32 to i64
  %c4 = arith.constant 4 : i64
  %off = arith.muli %gi64, %c4 : i64
  %pin = wooly.ptradd %in, %off : !wooly.ptr<global>, i64
  %v = wooly.load %pin {alignment = 4 : i64} : !wooly.ptr<global> -> i32
  %sbase = wooly.addressof @s : !wooly.ptr<shared>
  %t64 = arith.extui %tid : i32 to i64
  %toff = arith.muli %t64, %c4 : i64
  %ps = wooly.ptradd %sbase, %toff : !wooly.ptr<shared>, i64
  wooly.store %v, %ps {alignment = 4 : i64} : i32, !wooly.ptr<shared>
  wooly.barrier
  %c128 = arith.constant 128 : i32
  %zero = arith.constant 0 : i32
  cf.br ^loop(%c128 : i32)
^loop(%stride: i32):
  %more = arith.cmpi sgt, %stride, %zero : i32
  cf.cond_br %more, ^body, ^done
^body:
  %active = arith.cmpi ult, %tid, %stride : i32
  cf.cond_br %active, ^add, ^sync
^add:
  %other = arith.addi %tid, %stride : i32
  %o64 = arith.extui %other : i32 to i64
  %ooff = arith.muli %o64, %c4 : i64
  %po = wooly.ptradd %sbase, %ooff : !wooly.ptr<shared>, i64
  %a = wooly.load %ps {alignment = 4 : i64} : !wooly.ptr<shared> -> i32
  %b = wooly.load %po {alignment = 4 : i64} : !wooly.ptr<shared> -> i32
  %sum = arith.addi %a, %b : i32
  wooly.store %sum, %ps {alignment = 4 : i64} : i32, !wooly.ptr<shared>
  cf.br ^sync
^sync:
  wooly.barrier
  %c1 = arith.constant 1 : i32
  %next = arith.shrui %stride, %c1 : i32
  cf.br ^loop(%next : i32)
^done:
  %is0 = arith.cmpi eq, %tid, %zero : i32
  cf.cond_br %is0, ^write, ^exit
^write:
  %r = wooly.load %sbase {alignment = 4 : i64} : !wooly.ptr<shared> -> i32
  %b64 = arith.extui %bid : i32 to i64
  %boff = arith.muli %b64, %c4 : i64
  %pout = wooly.ptradd %out, %boff : !wooly.ptr<global>, i64
  wooly.store %r, %pout {alignment = 4 : i64} : i32, !wooly.ptr<global>
  cf.br ^exit
^exit:
  wooly.return
}
)";

// out[8*t + k]: k=0 shfl.down 1, 1 shfl.up 2, 2 shfl.xor 1, 3 shfl.idx 5 in
// segments of 8, 4 redux.add of lane, 5 match.any of lane%4, 6/7 (lanes < 16
// only, mask 0xffff) shfl.down 1 and ballot(lane odd); other lanes -1.
const char *kWarpOps = R"(
wooly.kernel @warp(%out: !wooly.ptr<global>) {
  %tid = wooly.thread_id x : i32
  %lane = wooly.lane_id : i32
  %c10 = arith.constant 10 : i32
  %v = arith.muli %tid, %c10 : i32
  %full = arith.constant -1 : i32
  %c0 = arith.constant 0 : i32
  %c1 = arith.constant 1 : i32
  %c2 = arith.constant 2 : i32
  %c4 = arith.constant 4 : i32
  %c5 = arith.constant 5 : i32
  %c31 = arith.constant 31 : i32
  %cseg8 = arith.constant 6175 : i32
  %c8 = arith.constant 8 : i32
  %t8 = arith.muli %tid, %c8 : i32
  %t64 = arith.extui %t8 : i32 to i64
  %c4l = arith.constant 4 : i64
  %boff = arith.muli %t64, %c4l : i64
  %p0 = wooly.ptradd %out, %boff : !wooly.ptr<global>, i64
  %s0, %ok0 = wooly.shuffle down %v, %c1, %c31, %full : i32
  %s1, %ok1 = wooly.shuffle up %v, %c2, %c0, %full : i32
  %s2, %ok2 = wooly.shuffle xor %v, %c1, %c31, %full : i32
  %s3, %ok3 = wooly.shuffle idx %v, %c5, %cseg8, %full : i32
  %r4 = wooly.redux add %lane, %full : i32
  %mod = arith.remui %lane, %c4 : i32
  %m5, %eq5 = wooly.match any %mod, %full : i32
  %step = arith.constant 4 : i64
  wooly.store %s0, %p0 {alignment = 4 : i64} : i32, !wooly.ptr<global>
  %p1 = wooly.ptradd %p0, %step : !wooly.ptr<global>, i64
  wooly.store %s1, %p1 {alignment = 4 : i64} : i32, !wooly.ptr<global>
  %p2 = wooly.ptradd %p1, %step : !wooly.ptr<global>, i64
  wooly.store %s2, %p2 {alignment = 4 : i64} : i32, !wooly.ptr<global>
  %p3 = wooly.ptradd %p2, %step : !wooly.ptr<global>, i64
  wooly.store %s3, %p3 {alignment = 4 : i64} : i32, !wooly.ptr<global>
  %p4 = wooly.ptradd %p3, %step : !wooly.ptr<global>, i64
  wooly.store %r4, %p4 {alignment = 4 : i64} : i32, !wooly.ptr<global>
  %p5 = wooly.ptradd %p4, %step : !wooly.ptr<global>, i64
  wooly.store %m5, %p5 {alignment = 4 : i64} : i32, !wooly.ptr<global>
  %p6 = wooly.ptradd %p5, %step : !wooly.ptr<global>, i64
  %p7 = wooly.ptradd %p6, %step : !wooly.ptr<global>, i64
  %c16 = arith.constant 16 : i32
  %low = arith.cmpi ult, %lane, %c16 : i32
  cf.cond_br %low, ^partial, ^rest
^partial:
  %half = arith.constant 65535 : i32
  %s6, %ok6 = wooly.shuffle down %v, %c1, %c31, %half : i32
  %odd = arith.andi %lane, %c1 : i32
  %isodd = arith.cmpi ne, %odd, %c0 : i32
  %b7 = wooly.vote ballot %isodd, %half : i32
  wooly.store %s6, %p6 {alignment = 4 : i64} : i32, !wooly.ptr<global>
  wooly.store %b7, %p7 {alignment = 4 : i64} : i32, !wooly.ptr<global>
  cf.br ^end
^rest:
  wooly.store %full, %p6 {alignment = 4 : i64} : i32, !wooly.ptr<global>
  wooly.store %full, %p7 {alignment = 4 : i64} : i32, !wooly.ptr<global>
  cf.br ^end
^end:
  wooly.return
}
)";

} // namespace

TEST_CASE("a tree reduction with barriers in a loop matches the CPU",
          "[host][barrier]") {
  auto ctx = newContext();
  exec::KernelInfo info;
  exec::FunctionId fn = loadKernel(*ctx, kTreeReduction, "reduce", info);
  const int blocks = 37;
  std::mt19937 rng(7);
  std::vector<int32_t> in(blocks * 256);
  for (auto &v : in)
    v = static_cast<int32_t>(rng() % 2001) - 1000;
  exec::DevicePtr din = upload(*ctx, in);
  exec::DevicePtr dout = upload(*ctx, std::vector<int32_t>(blocks, 0x5a5a5a5a));
  Args args(info);
  args.set(0, din).set(1, dout);
  exec::Status s = launch(*ctx, fn, {blocks, 1, 1}, {256, 1, 1}, args);
  INFO(s.message);
  REQUIRE(s);
  std::vector<int32_t> out = download<int32_t>(*ctx, dout, blocks);
  for (int b = 0; b < blocks; ++b)
    REQUIRE(out[b] == std::accumulate(in.begin() + b * 256,
                                      in.begin() + (b + 1) * 256, 0));
}

/// Runs `kernel` of `wis` (one pointer parameter) as one block of `threads`
/// threads on `threads * perThread` poisoned words and returns them.
template <typename T>
static std::vector<T> runOneBlock(const std::string &wis, const char *kernel,
                                  int threads, int perThread) {
  auto ctx = newContext();
  exec::KernelInfo info;
  exec::FunctionId fn = loadKernel(*ctx, wis, kernel, info);
  size_t words = size_t(threads) * perThread;
  exec::DevicePtr dout = upload(*ctx, std::vector<T>(words, 0x5a5a5a5a));
  Args args(info);
  args.set(0, dout);
  exec::Status s = launch(*ctx, fn, {1, 1, 1}, {uint32_t(threads), 1, 1}, args);
  INFO(s.message);
  REQUIRE(s);
  return download<T>(*ctx, dout, words);
}

/// `wis` with a block reduction right after its `%lane = wooly.lane_id`,
/// which keeps the kernel on fibers, whose warp collectives share
/// WarpCollectives.cpp but arrive one lane at a time.
static std::string onFibers(std::string wis) {
  std::string anchor = "%lane = wooly.lane_id : i32\n";
  size_t at = wis.find(anchor);
  REQUIRE(at != std::string::npos);
  wis.insert(at + anchor.size(),
             "  %always = arith.constant true\n"
             "  %votes = wooly.barrier_reduce popc %always : i32\n");
  return wis;
}

/// Runs a kernel with kWarpOps' body on 64 threads and checks its answers.
static void checkWarpOps(const std::string &wis) {
  const int threads = 64;
  std::vector<int32_t> out = runOneBlock<int32_t>(wis, "warp", threads, 8);
  for (int t = 0; t < threads; ++t) {
    int lane = t % 32, warpBase = t - lane;
    auto v = [&](int l) { return (warpBase + l) * 10; };
    INFO("thread " << t);
    CHECK(out[t * 8 + 0] == (lane < 31 ? v(lane + 1) : v(lane)));
    CHECK(out[t * 8 + 1] == (lane >= 2 ? v(lane - 2) : v(lane)));
    CHECK(out[t * 8 + 2] == v(lane ^ 1));
    CHECK(out[t * 8 + 3] == v((lane & ~7) + 5));
    CHECK(out[t * 8 + 4] == 496);
    CHECK(static_cast<uint32_t>(out[t * 8 + 5]) == (0x11111111u << (lane % 4)));
    if (lane < 16) {
      // Lane 15's source (16) is not in the member mask: own value.
      CHECK(out[t * 8 + 6] == (lane < 15 ? v(lane + 1) : v(lane)));
      CHECK(static_cast<uint32_t>(out[t * 8 + 7]) == 0xAAAAu);
    } else {
      CHECK(out[t * 8 + 6] == -1);
      CHECK(out[t * 8 + 7] == -1);
    }
  }
}

TEST_CASE("warp shuffles, votes, redux and match give PTX's answers",
          "[host][warp]") {
  // The region form (RegionTests.cpp checks that it is the one chosen).
  checkWarpOps(kWarpOps);
}

TEST_CASE("warp collectives on fibers give PTX's answers", "[host][warp]") {
  checkWarpOps(onFibers(kWarpOps));
}

namespace {

// 64-bit shuffles as nvcc writes them: each half shuffled on its own with
// the same operands, which the region split fuses into one wide cut
// (WideShuffles.h). Thread t's value: low half t*10, high half t*7+3.
// out[4*t + k] (64-bit): k=0 shfl.down 1, 1 shfl.xor 1, 2 shfl.idx 5 in
// segments of 8, 3 (lanes < 16 only, mask 0xffff) shfl.down 1, else -1.
const char *kWideShuffles = R"(
wooly.kernel @wide(%out: !wooly.ptr<global>) {
  %tid = wooly.thread_id x : i32
  %lane = wooly.lane_id : i32
  %c10 = arith.constant 10 : i32
  %c7 = arith.constant 7 : i32
  %c3 = arith.constant 3 : i32
  %lo = arith.muli %tid, %c10 : i32
  %hi0 = arith.muli %tid, %c7 : i32
  %hi = arith.addi %hi0, %c3 : i32
  %full = arith.constant -1 : i32
  %c1 = arith.constant 1 : i32
  %c5 = arith.constant 5 : i32
  %c31 = arith.constant 31 : i32
  %cseg8 = arith.constant 6175 : i32
  %c32 = arith.constant 32 : i64
  %c32w = arith.constant 32 : i64
  %t64 = arith.extui %tid : i32 to i64
  %c4 = arith.constant 4 : i64
  %c8 = arith.constant 8 : i64
  %slot = arith.muli %t64, %c4 : i64
  %boff = arith.muli %slot, %c8 : i64
  %p0 = wooly.ptradd %out, %boff : !wooly.ptr<global>, i64
  %a0, %oa0 = wooly.shuffle down %lo, %c1, %c31, %full : i32
  %b0, %ob0 = wooly.shuffle down %hi, %c1, %c31, %full : i32
  %a1, %oa1 = wooly.shuffle xor %lo, %c1, %c31, %full : i32
  %b1, %ob1 = wooly.shuffle xor %hi, %c1, %c31, %full : i32
  %a2, %oa2 = wooly.shuffle idx %lo, %c5, %cseg8, %full : i32
  %b2, %ob2 = wooly.shuffle idx %hi, %c5, %cseg8, %full : i32
  %w0l = arith.extui %a0 : i32 to i64
  %w0h = arith.extui %b0 : i32 to i64
  %w0s = arith.shli %w0h, %c32 : i64
  %w0 = arith.ori %w0l, %w0s : i64
  %w1l = arith.extui %a1 : i32 to i64
  %w1h = arith.extui %b1 : i32 to i64
  %w1s = arith.shli %w1h, %c32 : i64
  %w1 = arith.ori %w1l, %w1s : i64
  %w2l = arith.extui %a2 : i32 to i64
  %w2h = arith.extui %b2 : i32 to i64
  %w2s = arith.shli %w2h, %c32 : i64
  %w2 = arith.ori %w2l, %w2s : i64
  wooly.store %w0, %p0 {alignment = 8 : i64} : i64, !wooly.ptr<global>
  %p1 = wooly.ptradd %p0, %c8 : !wooly.ptr<global>, i64
  wooly.store %w1, %p1 {alignment = 8 : i64} : i64, !wooly.ptr<global>
  %p2 = wooly.ptradd %p1, %c8 : !wooly.ptr<global>, i64
  wooly.store %w2, %p2 {alignment = 8 : i64} : i64, !wooly.ptr<global>
  %p3 = wooly.ptradd %p2, %c8 : !wooly.ptr<global>, i64
  %c16 = arith.constant 16 : i32
  %low = arith.cmpi ult, %lane, %c16 : i32
  cf.cond_br %low, ^partial, ^rest
^partial:
  %half = arith.constant 65535 : i32
  %a3, %oa3 = wooly.shuffle down %lo, %c1, %c31, %half : i32
  %b3, %ob3 = wooly.shuffle down %hi, %c1, %c31, %half : i32
  %w3l = arith.extui %a3 : i32 to i64
  %w3h = arith.extui %b3 : i32 to i64
  %w3s = arith.shli %w3h, %c32w : i64
  %w3 = arith.ori %w3l, %w3s : i64
  wooly.store %w3, %p3 {alignment = 8 : i64} : i64, !wooly.ptr<global>
  cf.br ^end
^rest:
  %none = arith.constant -1 : i64
  wooly.store %none, %p3 {alignment = 8 : i64} : i64, !wooly.ptr<global>
  cf.br ^end
^end:
  wooly.return
}
)";

/// Runs kWideShuffles (or a variant) on 64 threads and checks its answers.
void checkWideShuffles(const std::string &wis) {
  const int threads = 64;
  std::vector<int64_t> out = runOneBlock<int64_t>(wis, "wide", threads, 4);
  for (int t = 0; t < threads; ++t) {
    int lane = t % 32, warpBase = t - lane;
    auto v = [&](int l) {
      int32_t id = warpBase + l;
      return static_cast<int64_t>((uint64_t(uint32_t(id * 7 + 3)) << 32) |
                                  uint32_t(id * 10));
    };
    INFO("thread " << t);
    CHECK(out[t * 4 + 0] == (lane < 31 ? v(lane + 1) : v(lane)));
    CHECK(out[t * 4 + 1] == v(lane ^ 1));
    CHECK(out[t * 4 + 2] == v((lane & ~7) + 5));
    if (lane < 16) // lane 15's source (16) is not a member: its own value
      CHECK(out[t * 4 + 3] == (lane < 15 ? v(lane + 1) : v(lane)));
    else
      CHECK(out[t * 4 + 3] == -1);
  }
}

} // namespace

TEST_CASE("64-bit shuffles, one half at a time, give PTX's answers",
          "[host][warp]") {
  // Regions (each pair one wide cut) and fibers (two plain shuffles per
  // pair) must agree.
  checkWideShuffles(kWideShuffles);
  checkWideShuffles(onFibers(kWideShuffles));
}

namespace {

// Threads >= %n return before the barrier; the rest store their id, wait,
// and read their neighbour's (thread (t+1) % n). Exited threads must not
// hold the barrier up.
const char *kEarlyExit = R"(
wooly.global @ids : 256 x i32 in shared align 4
wooly.kernel @early(%n: i32, %out: !wooly.ptr<global>) {
  %tid = wooly.thread_id x : i32
  %stay = arith.cmpi ult, %tid, %n : i32
  cf.cond_br %stay, ^work, ^leave
^leave:
  wooly.return
^work:
  %s = wooly.addressof @ids : !wooly.ptr<shared>
  %t64 = arith.extui %tid : i32 to i64
  %c4 = arith.constant 4 : i64
  %off = arith.muli %t64, %c4 : i64
  %p = wooly.ptradd %s, %off : !wooly.ptr<shared>, i64
  wooly.store %tid, %p {alignment = 4 : i64} : i32, !wooly.ptr<shared>
  wooly.barrier
  %c1 = arith.constant 1 : i32
  %next = arith.addi %tid, %c1 : i32
  %wrapped = arith.remui %next, %n : i32
  %w64 = arith.extui %wrapped : i32 to i64
  %woff = arith.muli %w64, %c4 : i64
  %q = wooly.ptradd %s, %woff : !wooly.ptr<shared>, i64
  %v = wooly.load %q {alignment = 4 : i64} : !wooly.ptr<shared> -> i32
  %o = wooly.ptradd %out, %off : !wooly.ptr<global>, i64
  wooly.store %v, %o {alignment = 4 : i64} : i32, !wooly.ptr<global>
  wooly.return
}
)";

// Half the block waits at one barrier, half at another: undefined in CUDA,
// a clear error here.
const char *kDivergent = R"(
wooly.kernel @divergent(%out: !wooly.ptr<global>) {
  %tid = wooly.thread_id x : i32
  %c32 = arith.constant 32 : i32
  %low = arith.cmpi ult, %tid, %c32 : i32
  cf.cond_br %low, ^a, ^b
^a:
  wooly.barrier
  cf.br ^end
^b:
  wooly.barrier
  cf.br ^end
^end:
  wooly.return
}
)";

} // namespace

TEST_CASE("threads that exit before a barrier do not hold it up",
          "[host][barrier]") {
  auto ctx = newContext();
  exec::KernelInfo info;
  exec::FunctionId fn = loadKernel(*ctx, kEarlyExit, "early", info);
  const int n = 100, threads = 256;
  exec::DevicePtr dout = upload(*ctx, std::vector<int32_t>(threads, -5));
  Args args(info);
  args.set(0, n).set(1, dout);
  exec::Status s = launch(*ctx, fn, {3, 1, 1}, {threads, 1, 1}, args);
  INFO(s.message);
  REQUIRE(s);
  std::vector<int32_t> out = download<int32_t>(*ctx, dout, threads);
  for (int t = 0; t < threads; ++t)
    REQUIRE(out[t] == (t < n ? (t + 1) % n : -5));
}

TEST_CASE("threads at different barriers are a launch failure",
          "[host][barrier]") {
  auto ctx = newContext();
  exec::KernelInfo info;
  exec::FunctionId fn = loadKernel(*ctx, kDivergent, "divergent", info);
  Args args(info);
  args.set(0, exec::DevicePtr(0));
  exec::Status s = launch(*ctx, fn, {1, 1, 1}, {64, 1, 1}, args);
  CHECK(s.code == exec::ErrorCode::LaunchFailure);
  CHECK(s.message.find("different __syncthreads") != std::string::npos);
  // And the context keeps working.
  exec::FunctionId ok = loadKernel(*ctx, kEarlyExit, "early", info);
  exec::DevicePtr dout = upload(*ctx, std::vector<int32_t>(64, -5));
  Args args2(info);
  args2.set(0, 64).set(1, dout);
  REQUIRE(launch(*ctx, ok, {1, 1, 1}, {64, 1, 1}, args2));
}
