//===- ExampleMathTests.cpp - Arithmetic-heavy examples on the host -------===//
//
// half_math, nbody, device_recursion and warp_vote, each kernel from its PTX
// on the host executor against a CPU reference (see ExampleSupport.h).
//
//===----------------------------------------------------------------------===//

#include "test/unit/exec/ExampleSupport.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iterator>

// The references spell out every fused multiply-add; no others.
#pragma STDC FP_CONTRACT OFF

using namespace wooly;
using namespace wooly::test;

namespace {

//===----------------------------------------------------------------------===//
// IEEE binary16, written out so the reference does not depend on how the
// host compiler implements _Float16 (it may round through float).
//===----------------------------------------------------------------------===//

double halfToDouble(uint16_t h) {
  int exponent = (h >> 10) & 31, mantissa = h & 1023;
  double magnitude;
  if (exponent == 0)
    magnitude = std::ldexp(mantissa, -24);
  else if (exponent == 31)
    magnitude = mantissa ? NAN : INFINITY;
  else
    magnitude = std::ldexp(mantissa + 1024, exponent - 25);
  return h & 0x8000 ? -magnitude : magnitude;
}

/// Rounds hi + lo (|lo| at most half an ulp of hi, as TwoSum leaves it) to
/// the nearest binary16, ties to even: one rounding of the exact value.
uint16_t roundToHalf(double hi, double lo = 0) {
  if (std::isnan(hi))
    return 0x7e00;
  uint16_t sign = std::signbit(hi) ? 0x8000 : 0;
  double magnitude = std::fabs(hi), tail = sign ? -lo : lo;
  if (magnitude == 0)
    return sign;
  if (std::isinf(magnitude))
    return sign | 0x7c00;
  int e;
  std::frexp(magnitude, &e);              // magnitude = m * 2^e, m in [0.5, 1)
  int ulpExp = std::max(e - 1, -14) - 10; // subnormals share 2^-24
  double q = std::ldexp(magnitude, -ulpExp), n = std::floor(q), f = q - n;
  if (f > 0.5 ||
      (f == 0.5 && (tail > 0 || (tail == 0 && std::fmod(n, 2) != 0))))
    n += 1;
  // With n in [1024, 2048] the bits are exponent and mantissa in one
  // (n == 2048 carries into the exponent); for subnormals they are n.
  uint32_t bits = ((ulpExp + 25) << 10) + static_cast<uint32_t>(n) - 1024;
  return sign | static_cast<uint16_t>(std::min<uint32_t>(bits, 0x7c00));
}

/// The exact x * y + z of three halves as hi + lo, each a double.
void exactFma(double x, double y, double z, double &hi, double &lo) {
  double p = x * y; // 22 significant bits: exact
  hi = p + z;
  double pv = hi - z, zv = hi - pv; // TwoSum
  lo = (p - pv) + (z - zv);
}

/// halfOps' output, as half_math.cu lays it out.
struct HalfResults {
  uint16_t fma, sum, prod, root, larger;
  int32_t less;
  uint16_t packedLow, packedHigh;
};
static_assert(sizeof(HalfResults) == 20);

std::string hex(uint16_t h) {
  char text[16];
  std::snprintf(text, sizeof(text), "0x%04x", h);
  return text;
}

} // namespace

TEST_CASE("half_math halfOps follows binary16 rounding", "[host][examples]") {
  // sm_90 PTX differs: __hmax is max.f16 there, max.f32 on sm_75.
  for (const char *arch : {"sm_75", "sm_90"}) {
    CAPTURE(arch);
    Example ex;
    if (!loadExample("half_math", ex, true, arch))
      return;
    exec::KernelInfo info;
    exec::FunctionId fn = ex.kernel("halfOps", info);
    const uint32_t seed = 11;
    CAPTURE(seed);
    const int n = 3000; // a partial last block of 256
    std::vector<uint16_t> a(n), b(n), c(n);
    std::vector<float> fa = randomFloats(n, seed, -8, 8),
                       fb = randomFloats(n, seed + 1, -8, 8),
                       fc = randomFloats(n, seed + 2, -8, 8);
    for (int i = 0; i < n; ++i) {
      a[i] = roundToHalf(fa[i]);
      b[i] = roundToHalf(fb[i]);
      c[i] = roundToHalf(fc[i]);
    }
    // Edge cases first: equal operands; overflow to infinity (256 * 256);
    // a product below the smallest subnormal (1e-4 squared); exact
    // cancellation (+0 by the round-to-nearest rule); subnormal inputs; the
    // largest finite value; negative zero. The last two make an fma computed
    // in float and then rounded to half come out one ulp off: (1 + 2^-10) *
    // (2^-11 - 2^-21) + (1 + 2^-10) is just below a half-way point, and float
    // rounds it onto the tie (random inputs rarely hit such cases).
    const uint16_t special[][3] = {
        {0x4500, 0x4500, 0x3c00}, {0x5c00, 0x5c00, 0x0000},
        {0x068e, 0x068e, 0x0000}, {0x4200, 0xc200, 0x0000},
        {0x0001, 0x3c00, 0x0003}, {0x7bff, 0x3c00, 0x7bff},
        {0x8000, 0x0000, 0x8000}, {0x3c00, 0x8000, 0x0000},
        {0x03ff, 0x4000, 0x8001}, {0x3c01, 0x0ffe, 0x3c01},
        {0xbc01, 0x0ffe, 0xbc01}};
    for (size_t i = 0; i < std::size(special); ++i) {
      a[i] = special[i][0];
      b[i] = special[i][1];
      c[i] = special[i][2];
    }
    exec::DevicePtr da = upload(*ex.ctx, a), db = upload(*ex.ctx, b),
                    dc = upload(*ex.ctx, c),
                    dout = poisoned(*ex.ctx, n * sizeof(HalfResults));
    Args args(info);
    args.set(0, da).set(1, db).set(2, dc).set(3, dout).set(4, n);
    launchOk(*ex.ctx, fn, {uint32_t(n + 255) / 256, 1, 1}, {256, 1, 1}, args);
    std::vector<HalfResults> out = download<HalfResults>(*ex.ctx, dout, n);
    for (int i = 0; i < n; ++i) {
      double x = halfToDouble(a[i]), y = halfToDouble(b[i]),
             z = halfToDouble(c[i]);
      const HalfResults &r = out[i];
      INFO("element " << i << ": a=" << hex(a[i]) << " b=" << hex(b[i])
                      << " c=" << hex(c[i]));
      double hi, lo;
      // fma.rn.f16, add.f16, mul.f16, fma.rn.f16x2: one rounding of the exact
      // result, so the bits must match exactly. (x + y and x * y are exact in
      // double; the fma's exact value is hi + lo.)
      exactFma(x, y, z, hi, lo);
      CHECK(hex(r.fma) == hex(roundToHalf(hi, lo)));
      CHECK(hex(r.sum) == hex(roundToHalf(x + y)));
      CHECK(hex(r.prod) == hex(roundToHalf(x * y)));
      exactFma(x, z, y, hi, lo);
      CHECK(hex(r.packedLow) == hex(roundToHalf(hi, lo)));
      exactFma(y, z, x, hi, lo);
      CHECK(hex(r.packedHigh) == hex(roundToHalf(hi, lo)));
      // __hmax (max.f32 and back on sm_75, max.f16 on sm_90): exact.
      CHECK(halfToDouble(r.larger) == std::max(x, y));
      CHECK(r.less == (x < y ? 1 : 0));
      // hsqrt is sqrt.approx.ftz.f32 then cvt.rn.f16: the approximation may
      // move a value next to a rounding boundary across it, so allow the
      // neighbouring half on either side of the correctly rounded one.
      uint16_t root = roundToHalf(std::sqrt(std::fabs(x)));
      CHECK(std::abs(int(r.root) - int(root)) <= 1);
      CHECK(!(r.root & 0x8000));
    }
  }
}

TEST_CASE("half_math halfDot multiplies in half and sums in float",
          "[host][examples]") {
  Example ex;
  if (!loadExample("half_math", ex))
    return;
  exec::KernelInfo info;
  exec::FunctionId fn = ex.kernel("halfDot", info);
  const uint32_t seed = 12;
  CAPTURE(seed);
  for (auto [blocks, pairs] :
       {std::pair{32u, 1u << 15}, std::pair{5u, 3001u}}) {
    CAPTURE(blocks, pairs);
    std::vector<float> fa = randomFloats(2 * pairs, seed + pairs, -8, 8),
                       fb = randomFloats(2 * pairs, seed + 2 * pairs, -8, 8);
    std::vector<uint16_t> a(2 * pairs), b(2 * pairs);
    for (uint32_t i = 0; i < 2 * pairs; ++i) {
      a[i] = roundToHalf(fa[i]);
      b[i] = roundToHalf(fb[i]);
    }
    exec::DevicePtr da = upload(*ex.ctx, a), db = upload(*ex.ctx, b),
                    dout =
                        upload(*ex.ctx, std::vector<float>(blocks, kPoisonF));
    Args args(info);
    args.set(0, da).set(1, db).set(2, dout).set(3, int32_t(pairs));
    launchOk(*ex.ctx, fn, {blocks, 1, 1}, {256, 1, 1}, args);
    std::vector<float> got = download<float>(*ex.ctx, dout, blocks);
    // Every step is fixed: each product rounded to half (mul.f16x2), each
    // thread's float sum in index order (acc += low + high), then the
    // shared-memory tree. Float additions only, so the reference replays
    // them and the totals must match exactly.
    for (uint32_t blk = 0; blk < blocks; ++blk) {
      float sums[256];
      for (uint32_t t = 0; t < 256; ++t) {
        float acc = 0.0f;
        for (uint32_t i = blk * 256 + t; i < pairs; i += 256 * blocks) {
          auto product = [&](uint32_t k) {
            return static_cast<float>(halfToDouble(
                roundToHalf(halfToDouble(a[k]) * halfToDouble(b[k]))));
          };
          float low = product(2 * i), high = product(2 * i + 1);
          acc += low + high;
        }
        sums[t] = acc;
      }
      for (uint32_t stride = 128; stride > 0; stride /= 2)
        for (uint32_t t = 0; t < stride; ++t)
          sums[t] += sums[t + stride];
      INFO("block " << blk);
      CHECK(got[blk] == sums[0]);
    }
  }
}

TEST_CASE("nbody nbodyStep matches a double-precision reference",
          "[host][examples]") {
  Example ex;
  if (!loadExample("nbody", ex))
    return;
  exec::KernelInfo info;
  exec::FunctionId fn = ex.kernel("nbodyStep", info);
  constexpr int kTile = 128; // the kernel's tile: blocks must be this wide
  constexpr float kSoftening2 = 0.01f, dt = 0.01f;
  const uint32_t seed = 8;
  CAPTURE(seed);
  for (int n : {300, 128}) {
    CAPTURE(n);
    std::vector<float> p = randomFloats(4 * n, seed + n, -10, 10),
                       v = randomFloats(4 * n, seed + 2 * n, -1, 1),
                       m = randomFloats(n, seed + 3 * n, 0.5f, 2.0f);
    for (int i = 0; i < n; ++i) {
      p[4 * i + 3] = m[i]; // pos.w is the mass
      v[4 * i + 3] = 0;
    }
    exec::DevicePtr dp = upload(*ex.ctx, p), dv = upload(*ex.ctx, v),
                    dnp = upload(*ex.ctx, std::vector<float>(4 * n, kPoisonF)),
                    dnv = upload(*ex.ctx, std::vector<float>(4 * n, kPoisonF));
    Args args(info);
    args.set(0, dp).set(1, dv).set(2, dnp).set(3, dnv).set(4, n).set(5, dt);
    launchOk(*ex.ctx, fn, {uint32_t(n + kTile - 1) / kTile, 1, 1},
             {kTile, 1, 1}, args);
    std::vector<float> np = download<float>(*ex.ctx, dnp, 4 * n),
                       nv = download<float>(*ex.ctx, dnv, 4 * n);
    for (int i = 0; i < n; ++i) {
      double acc[3] = {0, 0, 0}, magnitude = 0;
      for (int j = 0; j < n; ++j) {
        double d[3];
        for (int c = 0; c < 3; ++c)
          d[c] = double(p[4 * j + c]) - p[4 * i + c];
        double dist2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2] + kSoftening2;
        double s = p[4 * j + 3] / (dist2 * std::sqrt(dist2));
        for (int c = 0; c < 3; ++c) {
          acc[c] += d[c] * s;
          magnitude += std::fabs(d[c] * s);
        }
      }
      // Each float term carries rsqrt.approx's error (~2^-22 relative, cubed:
      // ~1e-6) plus a few roundings, and the float sum of n terms can cancel:
      // bound the error by 1e-4 of the sum of the terms' magnitudes.
      const double tol = 1e-4 * magnitude * dt + 1e-6;
      INFO("body " << i);
      for (int c = 0; c < 3; ++c) {
        double wantV = v[4 * i + c] + acc[c] * dt;
        double wantP = p[4 * i + c] + wantV * dt;
        CHECK(near(nv[4 * i + c], wantV, tol, 1e-6));
        CHECK(near(np[4 * i + c], wantP, tol * dt + 1e-5, 1e-6));
      }
      CHECK(np[4 * i + 3] == p[4 * i + 3]); // mass carried over
      CHECK(nv[4 * i + 3] == 0.0f);
    }
  }
}

namespace {

struct Vec3 {
  float x, y, z;
};

/// device_recursion.cu's output struct.
struct Results {
  uint64_t factorial;
  int32_t fibonacci;
  int32_t parity;
  Vec3 cross;
};
static_assert(sizeof(Results) == 32);

} // namespace

TEST_CASE("device_recursion callEverything (recursion and mutual recursion and "
          "structs by value)",
          "[host][examples]") {
  Example ex;
  if (!loadExample("device_recursion", ex))
    return;
  exec::KernelInfo info;
  exec::FunctionId fn = ex.kernel("callEverything", info);
  const uint32_t seed = 10;
  CAPTURE(seed);
  const int n = 1000; // 8 blocks of 128, the last partial
  std::vector<int32_t> inputs = randomInts(n, seed, 0, 199);
  // The deepest cases first: 20! (20 frames), fibonacci(16) (16 deep, ~3000
  // calls), parity of 39 (40 frames of mutual recursion).
  const int32_t deepest[] = {20, 16, 39, 179, 0, 1};
  std::copy(std::begin(deepest), std::end(deepest), inputs.begin());
  std::vector<float> coords = randomFloats(6 * n, seed + 1, -4, 4);
  exec::DevicePtr din = upload(*ex.ctx, inputs), dvec = upload(*ex.ctx, coords),
                  dout = poisoned(*ex.ctx, n * sizeof(Results));
  Args args(info);
  args.set(0, din).set(1, dvec).set(2, dout).set(3, n);
  launchOk(*ex.ctx, fn, {(n + 127) / 128, 1, 1}, {128, 1, 1}, args);
  std::vector<Results> out = download<Results>(*ex.ctx, dout, n);
  for (int i = 0; i < n; ++i) {
    int v = inputs[i];
    INFO("thread " << i << ", input " << v);
    uint64_t factorial = 1;
    for (int k = 2; k <= v % 21; ++k)
      factorial *= k;
    int32_t fa = 0, fb = 1;
    for (int k = 0; k < v % 17; ++k) {
      int32_t next = fa + fb;
      fa = fb;
      fb = next;
    }
    CHECK(out[i].factorial == factorial);
    CHECK(out[i].fibonacci == fa);
    CHECK(out[i].parity == v % 40 % 2);
    // The PTX computes each component as mul, mul, sub (no fma), each
    // rounded to float: the reference does the same, so exact.
    const float *a = &coords[6 * i], *b = &coords[6 * i + 3];
    float want[3];
    float p1 = a[1] * b[2], p2 = a[2] * b[1];
    want[0] = p1 - p2;
    p1 = a[2] * b[0];
    p2 = a[0] * b[2];
    want[1] = p1 - p2;
    p1 = a[0] * b[1];
    p2 = a[1] * b[0];
    want[2] = p1 - p2;
    CHECK(out[i].cross.x == want[0]);
    CHECK(out[i].cross.y == want[1]);
    CHECK(out[i].cross.z == want[2]);
  }
}

namespace {

/// warp_vote.cu's per-thread output.
struct LaneResults {
  int32_t all, any;
  uint32_t ballot, lowHalf, matchAny, matchAll;
  int32_t matchAllPred, broadcast, scan, butterfly;
  uint32_t reduced;
};
static_assert(sizeof(LaneResults) == 44);

} // namespace

TEST_CASE("warp_vote warpOps vote ballot match and segmented shuffles",
          "[host][examples]") {
  // sm_90 PTX differs: the warp sum is redux.sync there, shuffles on sm_75.
  for (const char *arch : {"sm_75", "sm_90"}) {
    CAPTURE(arch);
    Example ex;
    if (!loadExample("warp_vote", ex, true, arch))
      return;
    exec::KernelInfo info;
    exec::FunctionId fn = ex.kernel("warpOps", info);
    constexpr uint32_t kFull = 0xffffffffu;
    const uint32_t seed = 15;
    CAPTURE(seed);
    // The kernel has no bounds check and uses full-warp masks: whole warps
    // only. The example's 128-thread blocks, and 3-warp blocks.
    for (auto [blocks, threads] : {std::pair{6u, 128u}, std::pair{5u, 96u}}) {
      CAPTURE(blocks, threads);
      const uint32_t n = blocks * threads;
      std::vector<int32_t> values = randomInts(n, seed + n, -5, 94);
      std::vector<int32_t> keys = randomInts(n, seed + 2 * n, 0, 3);
      for (int i = 32; i < 64; ++i)
        keys[i] = 2; // one warp whose keys all match
      // Both outcomes of all/any: one warp all positive and low, another with
      // no value above 90.
      for (int i = 0; i < 32; ++i) {
        values[i] = 1 + i;
        values[64 + i] = 10 + i;
      }
      exec::DevicePtr dv = upload(*ex.ctx, values), dk = upload(*ex.ctx, keys),
                      dout = poisoned(*ex.ctx, n * sizeof(LaneResults));
      Args args(info);
      args.set(0, dv).set(1, dk).set(2, dout);
      launchOk(*ex.ctx, fn, {blocks, 1, 1}, {threads, 1, 1}, args);
      std::vector<LaneResults> out = download<LaneResults>(*ex.ctx, dout, n);
      for (uint32_t warpStart = 0; warpStart < n; warpStart += 32) {
        const int32_t *v = &values[warpStart], *k = &keys[warpStart];
        int32_t all = 1, any = 0, sum = 0, sameKeys = 1;
        uint32_t ballot = 0, lowHalf = 0;
        for (int l = 0; l < 32; ++l) {
          all &= v[l] > 0;
          any |= v[l] > 90;
          sum += v[l];
          sameKeys &= k[l] == k[0];
          ballot |= uint32_t(v[l] % 2 == 0) << l;
          if (l < 16)
            lowHalf |= uint32_t(v[l] > 50) << l;
        }
        for (int l = 0; l < 32; ++l) {
          const LaneResults &r = out[warpStart + l];
          INFO("thread " << warpStart + l);
          uint32_t matchAny = 0;
          for (int m = 0; m < 32; ++m)
            matchAny |= uint32_t(k[m] == k[l]) << m;
          int segment = l / 8 * 8, scan = 0;
          for (int m = segment; m <= l; ++m)
            scan += v[m];
          CHECK(r.all == all);
          CHECK(r.any == any);
          CHECK(r.ballot == ballot);
          CHECK(r.lowHalf == (l < 16 ? lowHalf : 0));
          CHECK(r.matchAny == matchAny);
          CHECK(r.matchAll == (sameKeys ? kFull : 0));
          CHECK(r.matchAllPred == sameKeys);
          CHECK(r.broadcast == v[segment + 5]);
          CHECK(r.scan == scan);
          CHECK(r.butterfly == sum);
          CHECK(r.reduced == static_cast<uint32_t>(sum));
        }
      }
    }
  }
}
