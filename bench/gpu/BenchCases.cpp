//===- BenchCases.cpp - The example kernels wooly-bench-gpu times ---------===//
//
// Sizes fill an H100 (132 SMs): most launches take tens to hundreds of
// microseconds. Arguments follow each kernel's declaration in examples/*.cu
// (and so the .param list of its PTX); struct outputs use the .cu's layout.
//
// Comparison rules. Integer and bit outputs, and float outputs whose every
// operation is exactly rounded in a fixed order (adds, fmax, half ops),
// must match bitwise. Float outputs that go through multiply-adds may
// differ in the last bits (nvcc's PTX leaves contraction to ptxas, Wooly's
// LLVM may fuse differently), so those match within a relative 1e-4.
//
// Example kernels left out, and why:
//  - constant_memory bumpCounters: 32 threads on a 16-byte module global;
//    there is nothing to size up, it would time launch latency only.
//  - managed_variable bump/scaleSlots/addThrough: they work on __managed__
//    module variables with one or two blocks; same, and managed memory is
//    not what this benchmark is about.
//  - device_printf greet: its output is printf records, which the fenced
//    executor drains and formats on the host; that times the printf path,
//    not the kernel.
//
//===----------------------------------------------------------------------===//

#include "bench/gpu/BenchCases.h"

#include <algorithm>
#include <cmath>

namespace wooly::bench {

namespace {

/// Deterministic inputs (a 64-bit LCG): the same on every run and machine.
struct Rng {
  uint64_t state;
  explicit Rng(uint64_t seed) : state(seed * 2654435761u + 1) {}
  uint32_t next() {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return uint32_t(state >> 33);
  }
  uint32_t below(uint32_t n) { return next() % n; }
  float uniform(float lo, float hi) {
    return lo + (hi - lo) * float(next() >> 8) / float(1u << 24);
  }
};

/// A buffer of `count` elements of T, element i made by gen(rng, i).
template <typename T, typename Gen>
Buffer buffer(size_t count, uint64_t seed, Gen gen) {
  return {count * sizeof(T), [count, seed, gen](Bytes &out) {
            Rng rng(seed);
            T *elements = reinterpret_cast<T *>(out.data());
            for (size_t i = 0; i < count; ++i)
              elements[i] = gen(rng, i);
          }};
}

Buffer zeros(size_t bytes) {
  return {bytes, [](Bytes &) {}};
}

Buffer floats(size_t count, uint64_t seed, float lo, float hi) {
  return buffer<float>(count, seed,
                       [lo, hi](Rng &r, size_t) { return r.uniform(lo, hi); });
}

Buffer ints(size_t count, uint64_t seed, int lo, int hi) {
  return buffer<int32_t>(count, seed, [lo, hi](Rng &r, size_t) {
    return int32_t(lo + int64_t(r.below(uint32_t(hi - lo + 1))));
  });
}

Buffer words(size_t count, uint64_t seed) {
  return buffer<uint32_t>(count, seed, [](Rng &r, size_t) { return r.next(); });
}

/// Halves in +-[2^-5, 2^3]: normal numbers, no infinities or NaNs.
Buffer halves(size_t count, uint64_t seed) {
  return buffer<uint16_t>(count, seed, [](Rng &r, size_t) {
    uint16_t sign = uint16_t(r.below(2) << 15);
    uint16_t exponent = uint16_t((10 + r.below(9)) << 10);
    return uint16_t(sign | exponent | r.below(1024));
  });
}

Arg buf(int index) { return {index, {}}; }
template <typename T> Arg val(T value) { return {-1, bytesOf(value)}; }

/// Per 4-byte word of a struct (pattern repeats): 'x' bitwise, 'f' float
/// within a relative 1e-4, '-' not compared (order-dependent).
Compare wordwise(std::string pattern) {
  return [pattern](const Bytes &a, const Bytes &b) {
    size_t differ = 0, count = a.size() / 4;
    for (size_t i = 0; i < count; ++i) {
      char how = pattern[i % pattern.size()];
      if (how == '-')
        continue;
      uint32_t wa, wb;
      std::memcpy(&wa, &a[i * 4], 4);
      std::memcpy(&wb, &b[i * 4], 4);
      if (how == 'x' || wa == wb) {
        differ += wa != wb;
        continue;
      }
      float fa, fb;
      std::memcpy(&fa, &wa, 4);
      std::memcpy(&fb, &wb, 4);
      if (!(std::fabs(fa - fb) <= 1e-4f * std::max(1.0f, std::fabs(fa))))
        ++differ;
    }
    return differ;
  };
}

Compare exact() { return wordwise("x"); }
Compare nearly() { return wordwise("f"); }

Output out(unsigned buffer, Compare compare) { return {buffer, compare}; }

} // namespace

std::vector<Case> benchCases() {
  const int n = 1 << 24, big = 1 << 25;
  const int dim = 1024, width = 4096, height = 4096;
  const unsigned grid = unsigned(n / 256), bigGrid = unsigned(big / 256);
  std::vector<Case> cases;

  cases.push_back({"saxpy", "saxpy", "_Z5saxpyifPKfPf",
                   {grid, 1, 1}, {256, 1, 1}, 0,
                   {floats(n, 1, 0, 1), floats(n, 2, 0, 1)},
                   {val(n), val(2.0f), buf(0), buf(1)},
                   {out(1, nearly())}, {}});
  cases.push_back({"vector_add", "vector_add", "_Z9vectorAddPKfS0_Pfi",
                   {grid, 1, 1}, {256, 1, 1}, 0,
                   {floats(n, 3, 0, 1), floats(n, 4, 0, 1), zeros(n * 4ull)},
                   {buf(0), buf(1), buf(2), val(n)},
                   {out(2, exact())}, {}});
  // A grid-stride loop with an assert that holds: the cost of the trap
  // containment (the fault record's poll at the loop header, 64 trips a
  // thread here) against nvcc's kernel, which has none. No gate (null).
  cases.push_back({"assert_scale", "device_assert",
                   "_Z12checkedScalePKfPffiPVi",
                   {1024, 1, 1}, {256, 1, 1}, 0,
                   {floats(n, 17, 0, 10), zeros(n * 4ull)},
                   {buf(0), buf(1), val(3.0f), val(n), val(uint64_t(0))},
                   {out(1, exact())}, {}});
  cases.push_back({"matmul_tiled", "matmul_tiled", "_Z11matmulTiledPKfS0_Pfiii",
                   {dim / 16, dim / 16, 1}, {16, 16, 1}, 0,
                   {floats(dim * dim, 5, 0, 1), floats(dim * dim, 6, 0, 1),
                    zeros(size_t(dim) * dim * 4)},
                   {buf(0), buf(1), buf(2), val(dim), val(dim), val(dim)},
                   {out(2, nearly())}, {}});
  cases.push_back({"stencil_2d", "stencil_2d", "_Z10jacobiStepPKfPfii",
                   {width / 16, height / 16, 1}, {16, 16, 1}, 0,
                   {floats(size_t(width) * height, 7, 0, 1),
                    zeros(size_t(width) * height * 4)},
                   {buf(0), buf(1), val(width), val(height)},
                   {out(1, nearly())}, {}});

  // reduction_shuffle: integer sums are exact; fmax is exact.
  const unsigned reduceGrid = 2048;
  cases.push_back({"reduce_sum", "reduction_shuffle", "_Z9sumKernelPKiPxi",
                   {reduceGrid, 1, 1}, {256, 1, 1}, 0,
                   {words(big, 8), zeros(reduceGrid * 8)},
                   {buf(0), buf(1), val(big)},
                   {out(1, exact())}, {}});
  // sumPartials is one block by design; 64 Ki partials keep it busy.
  const int partials = 1 << 16;
  cases.push_back({"reduce_partials", "reduction_shuffle",
                   "_Z11sumPartialsPKxPxi",
                   {1, 1, 1}, {256, 1, 1}, 0,
                   {buffer<int64_t>(partials, 9,
                                    [](Rng &r, size_t) {
                                      return int64_t(int32_t(r.next())) * 977;
                                    }),
                    zeros(8)},
                   {buf(0), buf(1), val(partials)},
                   {out(1, exact())}, {}});
  cases.push_back({"reduce_max", "reduction_shuffle", "_Z9maxKernelPKfPfi",
                   {reduceGrid, 1, 1}, {256, 1, 1}, 0,
                   {floats(big, 10, -1000, 1000), zeros(reduceGrid * 4)},
                   {buf(0), buf(1), val(big)},
                   {out(1, exact())}, {}});

  // Shared-memory atomics: the bin counts do not depend on their order.
  const int histBytes = 1 << 26;
  cases.push_back({"histogram", "histogram_shared_atomics",
                   "_Z9histogramPKhiPj",
                   {1024, 1, 1}, {192, 1, 1}, 0,
                   {buffer<uint8_t>(histBytes, 11,
                                    [](Rng &r, size_t) {
                                      uint32_t v = r.below(256);
                                      return uint8_t((v * v) >> 8);
                                    }),
                    zeros(256 * 4)},
                   {buf(0), val(histBytes), buf(1)},
                   {out(1, exact())}, {}});

  // prefix_scan: integer adds, exact.
  const int scanBlocks = 1 << 16, scanN = scanBlocks * 512;
  cases.push_back({"scan_blelloch", "prefix_scan", "_Z12blellochScanPKiPiS1_i",
                   {scanBlocks, 1, 1}, {256, 1, 1}, 0,
                   {ints(scanN, 12, -1000, 1000), zeros(scanN * 4ull),
                    zeros(scanBlocks * 4ull)},
                   {buf(0), buf(1), buf(2), val(scanN)},
                   {out(1, exact()), out(2, exact())}, {}});
  // One block by design (it scans one block's worth): a few microseconds,
  // so launch overhead weighs in its ratios.
  cases.push_back({"scan_hillis", "prefix_scan", "_Z16hillisSteeleScanPii",
                   {1, 1, 1}, {1024, 1, 1}, 2 * 1024 * 4,
                   {ints(1024, 13, -1000, 1000)},
                   {buf(0), val(1000)},
                   {out(0, exact())}, {}});
  cases.push_back({"scan_offsets", "prefix_scan",
                   "_Z15addBlockOffsetsPiPKii",
                   {scanBlocks, 1, 1}, {256, 1, 1}, 0,
                   {ints(scanN, 14, -1000, 1000),
                    ints(scanBlocks, 15, -100000, 100000)},
                   {buf(0), buf(1), val(scanN)},
                   {out(0, exact())}, {}});

  // bitonic_sort: compare-and-swap of unsigned keys, exact. The global step
  // runs with one fixed (j, k) of the sort's outer loops.
  cases.push_back({"bitonic_shared", "bitonic_sort", "_Z13bitonicSharedPjii",
                   {unsigned(big / 512), 1, 1}, {512, 1, 1}, 0,
                   {words(big, 16)},
                   {buf(0), val(2), val(512)},
                   {out(0, exact())}, {}});
  cases.push_back({"bitonic_step", "bitonic_sort", "_Z17bitonicGlobalStepPjii",
                   {unsigned(big / 512), 1, 1}, {512, 1, 1}, 0,
                   {words(big, 17)},
                   {buf(0), val(1 << 20), val(1 << 21)},
                   {out(0, exact())}, {}});

  // nbody: float4 bodies; sums of multiply-adds and rsqrt, so within 1e-4.
  const int bodies = 16384;
  auto body = [](uint64_t seed, float lo, float hi, float wlo, float whi) {
    return buffer<float>(size_t(bodies) * 4, seed,
                         [=](Rng &r, size_t i) {
                           return i % 4 == 3 ? r.uniform(wlo, whi)
                                             : r.uniform(lo, hi);
                         });
  };
  cases.push_back({"nbody", "nbody", "_Z9nbodyStepPK6float4S1_PS_S2_if",
                   {bodies / 128, 1, 1}, {128, 1, 1}, 0,
                   {body(18, -10, 10, 0.5f, 2.0f), body(19, -1, 1, 0, 0),
                    zeros(bodies * 16ull), zeros(bodies * 16ull)},
                   {buf(0), buf(1), buf(2), buf(3), val(bodies), val(0.01f)},
                   {out(2, nearly()), out(3, nearly())}, {}});

  // warp_vote: votes, matches and shuffles of ints, exact. LaneResults is
  // 11 words.
  const int voteBlocks = 1 << 15, voteThreads = 128;
  const size_t voters = size_t(voteBlocks) * voteThreads;
  cases.push_back({"warp_vote", "warp_vote", "_Z7warpOpsPKiS0_P11LaneResults",
                   {voteBlocks, 1, 1}, {voteThreads, 1, 1}, 0,
                   {ints(voters, 20, -5, 94), ints(voters, 21, 0, 3),
                    zeros(voters * 44)},
                   {buf(0), buf(1), buf(2)},
                   {out(2, exact())}, {}});

  // atomics: every thread hits one Totals struct (16 words). All fields but
  // exchangeSlot are order-independent: the float and double sums add
  // multiples of 1/16 below 4, exact at any order; max, min, or, and, xor,
  // the wrapping counters and the ticket count are exact. The per-thread
  // tickets and exchanged values depend on the order and are not compared.
  const int contenders = 1 << 12; // CAS loops: quadratic in contenders
  struct Totals {
    float floatSum;
    int intSum;
    unsigned long long wideSum;
    double casSum;
    float casMax;
    int maxValue, minValue;
    unsigned incCounter, decCounter;
    int exchangeSlot;
    unsigned orBits, andBits, xorBits, ticket;
  };
  static_assert(sizeof(Totals) == 64, "the layout of atomics.cu's Totals");
  cases.push_back(
      {"atomics", "atomics", "_Z7contendPKfPKiP6TotalsPjPii",
       {contenders / 256, 1, 1}, {256, 1, 1}, 0,
       {buffer<float>(contenders, 22,
                      [](Rng &r, size_t) { return float(r.below(64)) / 16; }),
        ints(contenders, 23, -10000, 10000),
        {sizeof(Totals),
         [](Bytes &out) {
           Totals init{};
           init.casMax = -INFINITY;
           init.maxValue = INT32_MIN;
           init.minValue = INT32_MAX;
           init.andBits = 0xffffffffu;
           init.exchangeSlot = -1;
           std::memcpy(out.data(), &init, sizeof init);
         }},
        zeros(contenders * 4ull), zeros(contenders * 4ull)},
       {buf(0), buf(1), buf(2), buf(3), buf(4), val(contenders)},
       {out(2, wordwise("xxxxxxxxxxx-xxxx"))},
       {},
       4});

  // half_math: halfOps' results are single IEEE half operations, exact;
  // HalfResults is 5 halves, padding, an int and a half2 (5 words). halfDot
  // sums floats in a fixed order, but from converted products: within 1e-4.
  cases.push_back({"half_ops", "half_math",
                   "_Z7halfOpsPK6__halfS1_S1_P11HalfResultsi",
                   {grid, 1, 1}, {256, 1, 1}, 0,
                   {halves(n, 24), halves(n, 25), halves(n, 26),
                    zeros(n * 20ull)},
                   {buf(0), buf(1), buf(2), buf(3), val(n)},
                   {out(3, exact())}, {}});
  cases.push_back({"half_dot", "half_math", "_Z7halfDotPK7__half2S1_Pfi",
                   {1024, 1, 1}, {256, 1, 1}, 0,
                   {halves(n, 27), halves(n, 28), zeros(1024 * 4)},
                   {buf(0), buf(1), buf(2), val(n / 2)},
                   {out(2, nearly())}, {}});

  // dynamic_shared: the shared bytes come with the launch.
  cases.push_back({"dyn_reverse", "dynamic_shared", "_Z13reverseChunksPi",
                   {unsigned(big / 512), 1, 1}, {512, 1, 1}, 512 * 4,
                   {words(big, 29)},
                   {buf(0)},
                   {out(0, exact())}, {}});
  cases.push_back({"dyn_weighted", "dynamic_shared",
                   "_Z12weightedSumsPKiPKfPf",
                   {grid, 1, 1}, {256, 1, 1}, 256 * 8,
                   {ints(n, 30, 0, 99), floats(n, 31, 0, 1), zeros(grid * 4ull)},
                   {buf(0), buf(1), buf(2)},
                   {out(2, nearly())}, {}});

  // constant_memory: fir reads the 16 taps set in each module (and the
  // module's own initialized lookup table); multiply-adds, within 1e-4.
  Bytes taps(16 * 4);
  floats(16, 32, -0.5f, 0.5f).fill(taps);
  cases.push_back({"const_fir", "constant_memory", "_Z3firPKfPfi",
                   {grid, 1, 1}, {256, 1, 1}, 0,
                   {floats(n + 15, 33, -1, 1), zeros(n * 4ull)},
                   {buf(0), buf(1), val(n)},
                   {out(1, nearly())},
                   {{"taps", taps}}});

  // streams_events and the driver-API and error-case examples' kernels:
  // integer or single float adds, exact.
  cases.push_back({"polish", "streams_events", "_Z6polishPKjPjij",
                   {grid, 1, 1}, {256, 1, 1}, 0,
                   {words(n, 36), zeros(n * 4ull)},
                   {buf(0), buf(1), val(n), val(0x9e3779b9u)},
                   {out(1, exact())}, {}});
  cases.push_back({"combine", "streams_events", "_Z7combinePKjS0_Pji",
                   {grid, 1, 1}, {256, 1, 1}, 0,
                   {words(n, 37), words(n, 38), zeros(n * 4ull)},
                   {buf(0), buf(1), buf(2), val(n)},
                   {out(2, exact())}, {}});
  cases.push_back({"vecAdd", "driver_api_vecadd_kernel", "vecAdd",
                   {grid, 1, 1}, {256, 1, 1}, 0,
                   {floats(n, 39, 0, 1), floats(n, 40, 0, 1), zeros(n * 4ull)},
                   {buf(0), buf(1), buf(2), val(n)},
                   {out(2, exact())}, {}});
  cases.push_back({"fill", "error_cases", "_Z4fillPii",
                   {bigGrid, 1, 1}, {256, 1, 1}, 0,
                   {zeros(big * 4ull)},
                   {buf(0), val(77)},
                   {out(0, exact())}, {}});

  // not_for_wooly: a textbook matrix-vector product, one thread per row;
  // multiply-adds, within 1e-4.
  const int rows = 8192, cols = 4096;
  cases.push_back({"matvec", "not_for_wooly", "_Z9MatVecMulPKfS0_Pfii",
                   {rows / 128, 1, 1}, {128, 1, 1}, 0,
                   {floats(size_t(rows) * cols, 41, -1, 1),
                    floats(cols, 42, -1, 1), zeros(rows * 4ull)},
                   {buf(0), buf(1), buf(2), val(rows), val(cols)},
                   {out(2, nearly())},
                   {},
                   4});

  // Last: in case it faults (a fault ends the shared device context).
  // device_recursion: Results is {u64 factorial, int fibonacci, int parity,
  // Vec3 cross, 4 bytes of padding}; the cross product may contract. The
  // recursion needs the 4 KiB stack the example sets.
  const int calls = 1 << 16;
  cases.push_back({"recursion", "device_recursion",
                   "_Z14callEverythingPKiPK4Vec3P7Resultsi",
                   {calls / 128, 1, 1}, {128, 1, 1}, 0,
                   {ints(calls, 34, 0, 999), floats(calls * 6ull, 35, -1, 1),
                    zeros(calls * 32ull)},
                   {buf(0), buf(1), buf(2), val(calls)},
                   {out(2, wordwise("xxxxfffx"))},
                   {},
                   4,
                   4096}); // as device_recursion.cu sets it
  return cases;
}

} // namespace wooly::bench
