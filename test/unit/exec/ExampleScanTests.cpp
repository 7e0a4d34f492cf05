//===- ExampleScanTests.cpp - Scans, sorts and reductions from examples ---===//
//
// prefix_scan, bitonic_sort and the reduction_shuffle kernels not covered in
// ExampleTests.cpp, each from its PTX on the host executor against a CPU
// reference (see ExampleSupport.h). All integer results are exact.
//
//===----------------------------------------------------------------------===//

#include "test/unit/exec/ExampleSupport.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <functional>

using namespace wooly;
using namespace wooly::test;

TEST_CASE("prefix_scan Blelloch blocks then Hillis-Steele totals then offsets",
          "[host][examples]") {
  Example ex;
  if (!loadExample("prefix_scan", ex))
    return;
  constexpr int kThreads = 256, kChunk = 2 * kThreads;
  exec::KernelInfo blellochInfo, hillisInfo, offsetsInfo;
  exec::FunctionId blelloch = ex.kernel("blellochScan", blellochInfo);
  exec::FunctionId hillis = ex.kernel("hillisSteeleScan", hillisInfo);
  exec::FunctionId offsets = ex.kernel("addBlockOffsets", offsetsInfo);
  const uint32_t seed = 6;
  CAPTURE(seed);
  // The example's shape (n = blocks * 512 - 37), and one whose last block
  // holds a single element.
  for (auto [blocks, n] :
       {std::pair{7, 7 * kChunk - 37}, std::pair{3, 2 * kChunk + 1}}) {
    CAPTURE(blocks, n);
    std::vector<int32_t> in = randomInts(n, seed + n, -1000, 1000);
    exec::Context &ctx = *ex.ctx;
    exec::DevicePtr din = upload(ctx, in);
    // One poisoned element past n catches a store the bounds check missed.
    exec::DevicePtr dout = poisoned(ctx, (n + 1) * sizeof(int32_t));
    exec::DevicePtr dtotals = poisoned(ctx, blocks * sizeof(int32_t));

    // Step 1: each block's exclusive scan and its total.
    Args a1(blellochInfo);
    a1.set(0, din).set(1, dout).set(2, dtotals).set(3, n);
    launchOk(ctx, blelloch, {uint32_t(blocks), 1, 1}, {kThreads, 1, 1}, a1);
    std::vector<int32_t> out = download<int32_t>(ctx, dout, n + 1);
    std::vector<int32_t> totals = download<int32_t>(ctx, dtotals, blocks);
    std::vector<int32_t> wantTotals(blocks, 0);
    for (int i = 0; i < n; ++i) {
      int32_t &running = wantTotals[i / kChunk];
      INFO("after step 1, out[" << i << "]");
      REQUIRE(out[i] == running);
      running += in[i];
    }
    REQUIRE(out[n] == int32_t(0xCDCDCDCD));
    REQUIRE(totals == wantTotals);

    // Step 2: exclusive scan of the totals in one block of 512 threads, two
    // buffers of dynamic shared memory.
    const uint32_t scanThreads = 512;
    Args a2(hillisInfo);
    a2.set(0, dtotals).set(1, blocks);
    launchOk(ctx, hillis, {1, 1, 1}, {scanThreads, 1, 1}, a2,
             2 * scanThreads * sizeof(int32_t));
    std::vector<int32_t> scanned = download<int32_t>(ctx, dtotals, blocks);
    std::vector<int32_t> wantScanned(blocks, 0);
    for (int b = 1; b < blocks; ++b)
      wantScanned[b] = wantScanned[b - 1] + wantTotals[b - 1];
    REQUIRE(scanned == wantScanned);

    // Step 3: add the block offsets; the result is the scan of everything.
    Args a3(offsetsInfo);
    a3.set(0, dout).set(1, dtotals).set(2, n);
    launchOk(ctx, offsets, {uint32_t(blocks), 1, 1}, {kThreads, 1, 1}, a3);
    out = download<int32_t>(ctx, dout, n + 1);
    int32_t running = 0;
    for (int i = 0; i < n; ++i) {
      INFO("out[" << i << "]");
      REQUIRE(out[i] == running);
      running += in[i];
    }
    REQUIRE(out[n] == int32_t(0xCDCDCDCD));
  }
}

TEST_CASE("prefix_scan hillisSteeleScan alone up to a full block",
          "[host][examples]") {
  Example ex;
  if (!loadExample("prefix_scan", ex))
    return;
  exec::KernelInfo info;
  exec::FunctionId fn = ex.kernel("hillisSteeleScan", info);
  const uint32_t seed = 7;
  CAPTURE(seed);
  for (auto [threads, count] :
       {std::pair{512u, 512}, std::pair{128u, 100}, std::pair{64u, 1}}) {
    CAPTURE(threads, count);
    // Values past `count` must stay as they were.
    std::vector<int32_t> values =
        randomInts(count + 3, seed + count, -100000, 100000);
    exec::DevicePtr d = upload(*ex.ctx, values);
    Args args(info);
    args.set(0, d).set(1, count);
    launchOk(*ex.ctx, fn, {1, 1, 1}, {threads, 1, 1}, args,
             2 * threads * sizeof(int32_t));
    std::vector<int32_t> got = download<int32_t>(*ex.ctx, d, count + 3);
    std::vector<int32_t> want = values;
    int32_t running = 0;
    for (int i = 0; i < count; ++i) {
      want[i] = running;
      running += values[i];
    }
    REQUIRE(got == want);
  }
}

TEST_CASE("bitonic_sort: shared-memory stages and global steps sort 2^12 keys",
          "[host][examples]") {
  Example ex;
  if (!loadExample("bitonic_sort", ex))
    return;
  constexpr int kChunk = 512; // the kernel's elements and threads per block
  exec::KernelInfo sharedInfo, globalInfo;
  exec::FunctionId shared = ex.kernel("bitonicShared", sharedInfo);
  exec::FunctionId step = ex.kernel("bitonicGlobalStep", globalInfo);
  const int n = 1 << 12;
  const uint32_t blocks = n / kChunk, seed = 7;
  CAPTURE(seed);
  std::vector<uint32_t> keys = randomU32(n, seed);
  for (int i = 0; i < n; i += 97)
    keys[i] = keys[i / 2]; // some duplicates
  exec::Context &ctx = *ex.ctx;
  exec::DevicePtr d = upload(ctx, keys);

  auto runShared = [&](int kFirst, int kLast) {
    Args args(sharedInfo);
    args.set(0, d).set(1, kFirst).set(2, kLast);
    launchOk(ctx, shared, {blocks, 1, 1}, {kChunk, 1, 1}, args);
  };
  // The first launch leaves chunks sorted alternately up and down.
  runShared(2, kChunk);
  std::vector<uint32_t> got = download<uint32_t>(ctx, d, n);
  for (int c = 0; c < n / kChunk; ++c) {
    std::vector<uint32_t> want(keys.begin() + c * kChunk,
                               keys.begin() + (c + 1) * kChunk);
    if (c % 2 == 0)
      std::sort(want.begin(), want.end());
    else
      std::sort(want.begin(), want.end(), std::greater<>());
    INFO("chunk " << c);
    REQUIRE(std::equal(want.begin(), want.end(), got.begin() + c * kChunk));
  }
  for (int k = 2 * kChunk; k <= n; k *= 2) {
    for (int j = k / 2; j >= kChunk; j /= 2) {
      Args args(globalInfo);
      args.set(0, d).set(1, j).set(2, k);
      launchOk(ctx, step, {blocks, 1, 1}, {kChunk, 1, 1}, args);
    }
    runShared(k, k);
  }
  got = download<uint32_t>(ctx, d, n);
  std::sort(keys.begin(), keys.end());
  REQUIRE(got == keys);
}

TEST_CASE("reduction_shuffle sumPartials finishes 64-bit partial sums",
          "[host][examples]") {
  Example ex;
  if (!loadExample("reduction_shuffle", ex))
    return;
  exec::KernelInfo info;
  exec::FunctionId fn = ex.kernel("sumPartials", info);
  const uint32_t seed = 9;
  CAPTURE(seed);
  // Fewer partials than threads (the example's 128), more (a strided loop),
  // and a single one.
  for (int n : {128, 1000, 1}) {
    CAPTURE(n);
    std::mt19937_64 rng(seed + n);
    std::vector<int64_t> partials(n);
    int64_t want = 0;
    for (int64_t &p : partials) {
      p = static_cast<int64_t>(rng() % (1ull << 41)) -
          (1ll << 40); // needs 64 bits
      want += p;
    }
    exec::DevicePtr din = upload(*ex.ctx, partials),
                    dout = poisoned(*ex.ctx, sizeof(int64_t));
    Args args(info);
    args.set(0, din).set(1, dout).set(2, n);
    launchOk(*ex.ctx, fn, {1, 1, 1}, {256, 1, 1}, args);
    REQUIRE(download<int64_t>(*ex.ctx, dout, 1)[0] == want);
  }
}

TEST_CASE(
    "reduction_shuffle maxKernel (xor butterflies) gives each block's maximum",
    "[host][examples]") {
  Example ex;
  if (!loadExample("reduction_shuffle", ex))
    return;
  exec::KernelInfo info;
  exec::FunctionId fn = ex.kernel("maxKernel", info);
  constexpr int kBlock = 256;
  const uint32_t seed = 4;
  CAPTURE(seed);
  // Many elements per thread; and fewer elements than threads, so the last
  // blocks see none and must report -infinity.
  for (auto [grid, n] : {std::pair{13, 100003}, std::pair{8, 1000}}) {
    CAPTURE(grid, n);
    std::vector<float> in = randomFloats(n, seed + n, -1000.0f, 1000.0f);
    exec::DevicePtr din = upload(*ex.ctx, in),
                    dout = upload(*ex.ctx, std::vector<float>(grid, kPoisonF));
    Args args(info);
    args.set(0, din).set(1, dout).set(2, n);
    launchOk(*ex.ctx, fn, {uint32_t(grid), 1, 1}, {kBlock, 1, 1}, args);
    std::vector<float> got = download<float>(*ex.ctx, dout, grid);
    // Block b saw exactly the elements i with (i / kBlock) % grid == b.
    std::vector<float> want(grid, -INFINITY);
    for (int i = 0; i < n; ++i) {
      int b = (i / kBlock) % grid;
      want[b] = std::max(want[b], in[i]);
    }
    REQUIRE(got == want);
  }
}
