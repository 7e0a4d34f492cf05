//===- NumericTests.cpp - PTX numeric semantics on the host ---------------===//
//
// Per-family execution tests: directed rounding, ftz, sat, NaN rules,
// saturating float->int, integer edge cases (x/0 and INT_MIN/-1 must not
// crash the server), bit-field ops, 64-bit ops, atomics under contention.
//
//===----------------------------------------------------------------------===//

#include "test/unit/exec/HostTestSupport.h"

#include <cfenv>
#include <cmath>
#include <limits>
#include <random>

using namespace wooly;
using namespace wooly::test;

namespace {

// Thread i reads a[i], b[i] and writes 8 results at out[8i..].
const char *kFloatOps = R"(
wooly.kernel @floats(%a: !wooly.ptr<global>, %b: !wooly.ptr<global>, %out: !wooly.ptr<global>) {
  %tid = wooly.thread_id x : i32
  %t64 = arith.extui %tid : i32 to i64
  %c4 = arith.constant 4 : i64
  %off = arith.muli %t64, %c4 : i64
  %pa = wooly.ptradd %a, %off : !wooly.ptr<global>, i64
  %pb = wooly.ptradd %b, %off : !wooly.ptr<global>, i64
  %x = wooly.load %pa {alignment = 4 : i64} : !wooly.ptr<global> -> f32
  %y = wooly.load %pb {alignment = 4 : i64} : !wooly.ptr<global> -> f32
  %r0 = wooly.fp add %x, %y rounding rz : f32
  %r1 = wooly.fp add %x, %y rounding rm : f32
  %r2 = wooly.fp mul %x, %y rounding rp : f32
  %r3 = wooly.fp mul %x, %y ftz : f32
  %r4 = wooly.fp add %x, %y sat : f32
  %r5 = wooly.fp min %x, %y : f32
  %r6 = wooly.fp min_nan %x, %y : f32
  %i7 = wooly.fptoint %x rz : f32 to i32
  %r7 = arith.bitcast %i7 : i32 to f32
  %c32 = arith.constant 32 : i64
  %o0 = arith.muli %off, %c32 : i64
  %c8 = arith.constant 8 : i64
  %base = arith.divui %o0, %c4 : i64
  %p0 = wooly.ptradd %out, %base : !wooly.ptr<global>, i64
  wooly.store %r0, %p0 {alignment = 4 : i64} : f32, !wooly.ptr<global>
  %p1 = wooly.ptradd %p0, %c4 : !wooly.ptr<global>, i64
  wooly.store %r1, %p1 {alignment = 4 : i64} : f32, !wooly.ptr<global>
  %p2 = wooly.ptradd %p1, %c4 : !wooly.ptr<global>, i64
  wooly.store %r2, %p2 {alignment = 4 : i64} : f32, !wooly.ptr<global>
  %p3 = wooly.ptradd %p2, %c4 : !wooly.ptr<global>, i64
  wooly.store %r3, %p3 {alignment = 4 : i64} : f32, !wooly.ptr<global>
  %p4 = wooly.ptradd %p3, %c4 : !wooly.ptr<global>, i64
  wooly.store %r4, %p4 {alignment = 4 : i64} : f32, !wooly.ptr<global>
  %p5 = wooly.ptradd %p4, %c4 : !wooly.ptr<global>, i64
  wooly.store %r5, %p5 {alignment = 4 : i64} : f32, !wooly.ptr<global>
  %p6 = wooly.ptradd %p5, %c4 : !wooly.ptr<global>, i64
  wooly.store %r6, %p6 {alignment = 4 : i64} : f32, !wooly.ptr<global>
  %p7 = wooly.ptradd %p6, %c4 : !wooly.ptr<global>, i64
  wooly.store %r7, %p7 {alignment = 4 : i64} : f32, !wooly.ptr<global>
  wooly.return
}
)";

// Thread i: x = a[i], y = b[i] (i32); writes 8 results.
const char *kIntOps = R"(
wooly.kernel @ints(%a: !wooly.ptr<global>, %b: !wooly.ptr<global>, %out: !wooly.ptr<global>) {
  %tid = wooly.thread_id x : i32
  %t64 = arith.extui %tid : i32 to i64
  %c4 = arith.constant 4 : i64
  %off = arith.muli %t64, %c4 : i64
  %pa = wooly.ptradd %a, %off : !wooly.ptr<global>, i64
  %pb = wooly.ptradd %b, %off : !wooly.ptr<global>, i64
  %x = wooly.load %pa {alignment = 4 : i64} : !wooly.ptr<global> -> i32
  %y = wooly.load %pb {alignment = 4 : i64} : !wooly.ptr<global> -> i32
  %r0 = arith.divsi %x, %y : i32
  %r1 = arith.remui %x, %y : i32
  %c8 = arith.constant 8 : i32
  %c12 = arith.constant 12 : i32
  %r2 = wooly.bfe %x, %c8, %c12 signed : i32
  %r3 = wooly.bfe %x, %y, %c8 : i32
  %r4 = wooly.bfi %y, %x, %c8, %c12 : i32
  %sel = arith.constant 29456 : i32
  %r5 = wooly.prmt %x, %y, %sel : i32
  %r6 = wooly.funnel_shift %x, %y, %y left clamp : i32
  %x64 = arith.extsi %x : i32 to i64
  %y64 = arith.extsi %y : i32 to i64
  %m64 = arith.muli %x64, %y64 : i64
  %c32 = arith.constant 32 : i64
  %hi = arith.shrsi %m64, %c32 : i64
  %r7 = arith.trunci %hi : i64 to i32
  %c32b = arith.constant 32 : i64
  %o0 = arith.muli %off, %c32b : i64
  %base = arith.divui %o0, %c4 : i64
  %p0 = wooly.ptradd %out, %base : !wooly.ptr<global>, i64
  wooly.store %r0, %p0 {alignment = 4 : i64} : i32, !wooly.ptr<global>
  %p1 = wooly.ptradd %p0, %c4 : !wooly.ptr<global>, i64
  wooly.store %r1, %p1 {alignment = 4 : i64} : i32, !wooly.ptr<global>
  %p2 = wooly.ptradd %p1, %c4 : !wooly.ptr<global>, i64
  wooly.store %r2, %p2 {alignment = 4 : i64} : i32, !wooly.ptr<global>
  %p3 = wooly.ptradd %p2, %c4 : !wooly.ptr<global>, i64
  wooly.store %r3, %p3 {alignment = 4 : i64} : i32, !wooly.ptr<global>
  %p4 = wooly.ptradd %p3, %c4 : !wooly.ptr<global>, i64
  wooly.store %r4, %p4 {alignment = 4 : i64} : i32, !wooly.ptr<global>
  %p5 = wooly.ptradd %p4, %c4 : !wooly.ptr<global>, i64
  wooly.store %r5, %p5 {alignment = 4 : i64} : i32, !wooly.ptr<global>
  %p6 = wooly.ptradd %p5, %c4 : !wooly.ptr<global>, i64
  wooly.store %r6, %p6 {alignment = 4 : i64} : i32, !wooly.ptr<global>
  %p7 = wooly.ptradd %p6, %c4 : !wooly.ptr<global>, i64
  wooly.store %r7, %p7 {alignment = 4 : i64} : i32, !wooly.ptr<global>
  wooly.return
}
)";

// Every thread of every block: add 1 to c[0], inc c[1] with wrap 999,
// fmax into c[2], and a CAS loop adding 2 to c[3].
const char *kAtomics = R"(
wooly.kernel @contend(%c: !wooly.ptr<global>) {
  %tid = wooly.thread_id x : i32
  %bid = wooly.block_id x : i32
  %one = arith.constant 1 : i32
  %r0 = wooly.atomic_rmw add %c, %one : !wooly.ptr<global>, i32
  %c4 = arith.constant 4 : i64
  %p1 = wooly.ptradd %c, %c4 : !wooly.ptr<global>, i64
  %wrap = arith.constant 999 : i32
  %r1 = wooly.atomic_rmw inc %p1, %wrap : !wooly.ptr<global>, i32
  %p2 = wooly.ptradd %p1, %c4 : !wooly.ptr<global>, i64
  %c256 = arith.constant 256 : i32
  %g = arith.muli %bid, %c256 : i32
  %gi = arith.addi %g, %tid : i32
  %f = arith.uitofp %gi : i32 to f32
  %r2 = wooly.atomic_rmw fmax %p2, %f : !wooly.ptr<global>, f32
  %p3 = wooly.ptradd %p2, %c4 : !wooly.ptr<global>, i64
  %first = wooly.load %p3 {alignment = 4 : i64, order = #wooly<order relaxed>} : !wooly.ptr<global> -> i32
  cf.br ^retry(%first : i32)
^retry(%old: i32):
  %two = arith.constant 2 : i32
  %new = arith.addi %old, %two : i32
  %seen = wooly.atomic_cas %p3, %old, %new : !wooly.ptr<global>, i32
  %done = arith.cmpi eq, %seen, %old : i32
  cf.cond_br %done, ^end, ^retry(%seen : i32)
^end:
  wooly.return
}
)";

template <typename F> float underMode(int mode, F f) {
  std::fesetround(mode);
  volatile float r = f();
  std::fesetround(FE_TONEAREST);
  return r;
}

bool sameBits(float a, float b) {
  return std::memcmp(&a, &b, 4) == 0 || (std::isnan(a) && std::isnan(b));
}

} // namespace

TEST_CASE("float ops follow PTX rounding, ftz, sat and NaN rules", "[host][float]") {
  auto ctx = newContext();
  exec::KernelInfo info;
  exec::FunctionId fn = loadKernel(*ctx, kFloatOps, "floats", info);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float denorm = std::numeric_limits<float>::denorm_min() * 1000;
  std::vector<float> a = {1.0f, 1e20f, -1e20f, nan, denorm, -denorm, 0.75f, 3.4e38f};
  std::vector<float> b = {1e-8f, 3.0f, 2.0f, 2.0f, 4.0f, 0.5f, 0.5f, 3.4e38f};
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> d(-100, 100);
  for (int i = 0; i < 56; ++i) {
    a.push_back(d(rng));
    b.push_back(d(rng) * 1e-3f);
  }
  const int n = static_cast<int>(a.size());
  exec::DevicePtr da = upload(*ctx, a), db = upload(*ctx, b),
                  dout = upload(*ctx, std::vector<float>(n * 8, -7.0f));
  Args args(info);
  args.set(0, da).set(1, db).set(2, dout);
  exec::Status s = launch(*ctx, fn, {1, 1, 1}, {uint32_t(n), 1, 1}, args);
  INFO(s.message);
  REQUIRE(s);
  std::vector<float> out = download<float>(*ctx, dout, n * 8);
  for (int i = 0; i < n; ++i) {
    volatile float x = a[i], y = b[i];
    INFO("i=" << i << " x=" << x << " y=" << y);
    CHECK(sameBits(out[8 * i + 0], underMode(FE_TOWARDZERO, [&] { return x + y; })));
    CHECK(sameBits(out[8 * i + 1], underMode(FE_DOWNWARD, [&] { return x + y; })));
    CHECK(sameBits(out[8 * i + 2], underMode(FE_UPWARD, [&] { return x * y; })));
    auto flush = [](float v) {
      return std::fpclassify(v) == FP_SUBNORMAL ? std::copysign(0.0f, v) : v;
    };
    CHECK(sameBits(out[8 * i + 3], flush(flush(x) * flush(y))));
    float sum = x + y;
    float sat = std::isnan(sum) ? 0.0f : std::min(1.0f, std::max(0.0f, sum));
    CHECK(sameBits(out[8 * i + 4], sat));
    CHECK(sameBits(out[8 * i + 5], std::isnan(x) ? float(y) : std::fmin(x, y)));
    CHECK(std::isnan(out[8 * i + 6]) == (std::isnan(x) || std::isnan(y)));
    int32_t conv;
    std::memcpy(&conv, &out[8 * i + 7], 4);
    int32_t want = std::isnan(x) ? 0
                   : x >= 2147483648.0f ? INT32_MAX
                   : x <= -2147483648.0f ? INT32_MIN
                                         : static_cast<int32_t>(std::trunc(x));
    CHECK(conv == want);
  }
}

TEST_CASE("integer edge cases, bit fields and 64-bit products", "[host][int]") {
  auto ctx = newContext();
  exec::KernelInfo info;
  exec::FunctionId fn = loadKernel(*ctx, kIntOps, "ints", info);
  std::vector<int32_t> a = {7, INT32_MIN, -1, 0x12345678, -123456789, 5};
  std::vector<int32_t> b = {0, -1, 3, 40, 8, 33};
  const int n = static_cast<int>(a.size());
  exec::DevicePtr da = upload(*ctx, a), db = upload(*ctx, b),
                  dout = upload(*ctx, std::vector<int32_t>(n * 8, 0x5a5a5a5a));
  Args args(info);
  args.set(0, da).set(1, db).set(2, dout);
  // x/0 and INT_MIN/-1 trap on x86; on a GPU they give a value. No crash.
  exec::Status s = launch(*ctx, fn, {1, 1, 1}, {uint32_t(n), 1, 1}, args);
  INFO(s.message);
  REQUIRE(s);
  std::vector<int32_t> out = download<int32_t>(*ctx, dout, n * 8);
  auto bfe = [](uint32_t v, uint32_t pos, uint32_t len, bool sign) {
    pos &= 255;
    len &= 255;
    uint32_t msb = 31;
    uint32_t sbit = sign && len ? (v >> std::min(pos + len - 1, msb)) & 1 : 0;
    uint32_t r = 0;
    for (uint32_t i = 0; i < 32; ++i) {
      uint32_t bit = (i < len && pos + i <= msb) ? (v >> (pos + i)) & 1 : sbit;
      r |= bit << i;
    }
    return r;
  };
  for (int i = 0; i < n; ++i) {
    uint32_t x = uint32_t(a[i]), y = uint32_t(b[i]);
    INFO("i=" << i);
    if (b[i] != 0 && !(a[i] == INT32_MIN && b[i] == -1))
      CHECK(out[8 * i + 0] == a[i] / b[i]);
    if (y != 0)
      CHECK(uint32_t(out[8 * i + 1]) == x % y);
    CHECK(uint32_t(out[8 * i + 2]) == bfe(x, 8, 12, true));
    CHECK(uint32_t(out[8 * i + 3]) == bfe(x, y, 8, false));
    uint32_t mask = ((1u << 12) - 1) << 8;
    CHECK(uint32_t(out[8 * i + 4]) == ((x & ~mask) | ((y << 8) & mask)));
    uint64_t both = (uint64_t(y) << 32) | x;
    uint32_t prmt = 0;
    for (int k = 0; k < 4; ++k) {
      uint32_t nib = (29456u >> (4 * k)) & 15;
      uint32_t byte = (both >> (8 * (nib & 7))) & 255;
      if (nib & 8)
        byte = (byte & 128) ? 255 : 0;
      prmt |= byte << (8 * k);
    }
    CHECK(uint32_t(out[8 * i + 5]) == prmt);
    uint32_t shift = std::min<uint32_t>(y, 32);
    uint64_t pair = (uint64_t(y) << 32) | x;
    CHECK(uint32_t(out[8 * i + 6]) == uint32_t((pair << shift) >> 32));
    CHECK(out[8 * i + 7] == int32_t((int64_t(a[i]) * int64_t(b[i])) >> 32));
  }
}

TEST_CASE("atomics under contention from every worker", "[host][atomics]") {
  auto ctx = newContext();
  exec::KernelInfo info;
  exec::FunctionId fn = loadKernel(*ctx, kAtomics, "contend", info);
  exec::DevicePtr dc = upload(*ctx, std::vector<int32_t>{0, 0, 0, 0});
  float lowest = -1.0f;
  REQUIRE(ctx->copyToDevice(dc + 8, &lowest, 4, 0));
  Args args(info);
  args.set(0, dc);
  const int blocks = 64, threads = 256, total = blocks * threads;
  exec::Status s = launch(*ctx, fn, {blocks, 1, 1}, {threads, 1, 1}, args);
  INFO(s.message);
  REQUIRE(s);
  std::vector<int32_t> c = download<int32_t>(*ctx, dc, 4);
  CHECK(c[0] == total);
  CHECK(c[1] == total % 1000); // inc wraps to 0 after 999
  float max;
  std::memcpy(&max, &c[2], 4);
  CHECK(max == float(total - 1));
  CHECK(c[3] == 2 * total);
}
