//===- ExampleMemoryTests.cpp - Examples about memory spaces and streams --===//
//
// constant_memory, dynamic_shared, atomics, streams_events,
// driver_api_vecadd_kernel and not_for_wooly, each kernel from its PTX on the
// host executor against a CPU reference (see ExampleSupport.h).
//
// Where a float result is compared exactly, the kernel's PTX (nvcc -O3,
// sm_75) was read: it is a chain of fma.rn.f32 in source order, which the
// reference replays with std::fma, so any other rounding is a backend bug.
//
//===----------------------------------------------------------------------===//

#include "test/unit/exec/ExampleSupport.h"

#include <algorithm>
#include <climits>
#include <cmath>

// The references spell out every fused multiply-add; no others.
#pragma STDC FP_CONTRACT OFF

using namespace wooly;
using namespace wooly::test;

namespace {

/// A module variable's address and size (REQUIREs it exists).
exec::DevicePtr global(Example &ex, const std::string &name, uint64_t &size) {
  exec::DevicePtr p = 0;
  exec::Status s = ex.ctx->getGlobal(ex.module, name, p, size);
  INFO(name << ": " << s.message);
  REQUIRE(s);
  return p;
}

} // namespace

TEST_CASE("constant_memory fir reads taps written through getGlobal",
          "[host][examples]") {
  Example ex;
  if (!loadExample("constant_memory", ex))
    return;
  constexpr int kTaps = 16;
  const uint32_t seed = 13;
  CAPTURE(seed);
  std::vector<float> hostTaps = randomFloats(kTaps, seed, -0.5f, 0.5f);
  uint64_t size = 0;
  exec::DevicePtr taps = global(ex, "taps", size);
  REQUIRE(size == kTaps * sizeof(float));
  REQUIRE(ex.ctx->copyToDevice(taps, hostTaps.data(), size, 0));
  REQUIRE(ex.ctx->synchronize(0));
  // The initialised __constant__ table reads back as written in the source.
  exec::DevicePtr lookupPtr = global(ex, "lookup", size);
  REQUIRE(size == 8 * sizeof(int32_t));
  const std::vector<int32_t> lookup = {3, 1, 4, 1, 5, 9, 2, 6};
  REQUIRE(download<int32_t>(*ex.ctx, lookupPtr, 8) == lookup);

  exec::KernelInfo info;
  exec::FunctionId fn = ex.kernel("fir", info);
  // 256 threads as in the example; n leaves a partial last block.
  for (int n : {5000, 37}) {
    CAPTURE(n);
    std::vector<float> in = randomFloats(n + kTaps - 1, seed + n);
    exec::DevicePtr din = upload(*ex.ctx, in);
    exec::DevicePtr dout = upload(*ex.ctx, std::vector<float>(n, kPoisonF));
    Args args(info);
    args.set(0, din).set(1, dout).set(2, n);
    launchOk(*ex.ctx, fn, {uint32_t(n + 255) / 256, 1, 1}, {256, 1, 1}, args);
    std::vector<float> out = download<float>(*ex.ctx, dout, n);
    for (int i = 0; i < n; ++i) {
      float acc = 0.0f;
      for (int t = 0; t < kTaps; ++t)
        acc = std::fma(hostTaps[t], in[i + t], acc);
      float want = acc + static_cast<float>(lookup[i % 8]);
      INFO("out[" << i << "]");
      REQUIRE(out[i] == want);
    }
  }
}

TEST_CASE("constant_memory bumpCounters updates a __device__ array",
          "[host][examples]") {
  Example ex;
  if (!loadExample("constant_memory", ex))
    return;
  uint64_t size = 0;
  exec::DevicePtr counters = global(ex, "counters", size);
  REQUIRE(size == 4 * sizeof(int32_t));
  REQUIRE(download<int32_t>(*ex.ctx, counters, 4) ==
          std::vector<int32_t>{10, 20, 30, 40});
  // cudaMemcpyToSymbol with an offset: only counters[2..3] change.
  const int32_t replacement[2] = {300, 400};
  REQUIRE(ex.ctx->copyToDevice(counters + 2 * sizeof(int32_t), replacement,
                               sizeof(replacement), 0));
  REQUIRE(ex.ctx->synchronize(0));
  exec::KernelInfo info;
  exec::FunctionId fn = ex.kernel("bumpCounters", info);
  Args args(info);
  launchOk(*ex.ctx, fn, {1, 1, 1}, {32, 1, 1}, args);
  REQUIRE(download<int32_t>(*ex.ctx, counters, 4) ==
          std::vector<int32_t>{13, 21, 304, 401});
  // The variable keeps its value between launches.
  launchOk(*ex.ctx, fn, {1, 1, 1}, {32, 1, 1}, args);
  REQUIRE(download<int32_t>(*ex.ctx, counters, 4) ==
          std::vector<int32_t>{16, 22, 308, 402});
}

TEST_CASE("dynamic_shared reverseChunks reverses per block at several sizes",
          "[host][examples]") {
  Example ex;
  if (!loadExample("dynamic_shared", ex))
    return;
  exec::KernelInfo info;
  exec::FunctionId fn = ex.kernel("reverseChunks", info);
  REQUIRE(info.staticSharedBytes == 0);
  const uint32_t seed = 14;
  CAPTURE(seed);
  // The example's 512 and 128, and an odd block size (3 warps) where the
  // dynamic size is not a power of two.
  for (uint32_t block : {512u, 128u, 96u}) {
    CAPTURE(block);
    const uint32_t blocks = 7, n = blocks * block;
    std::vector<int32_t> data = randomInts(n, seed + block, INT_MIN, INT_MAX);
    exec::DevicePtr d = upload(*ex.ctx, data);
    Args args(info);
    args.set(0, d);
    launchOk(*ex.ctx, fn, {blocks, 1, 1}, {block, 1, 1}, args,
             block * sizeof(int32_t));
    std::vector<int32_t> got = download<int32_t>(*ex.ctx, d, n);
    for (uint32_t i = 0; i < n; ++i) {
      uint32_t source = block * (i / block) + (block - 1 - i % block);
      INFO("data[" << i << "]");
      REQUIRE(got[i] == data[source]);
    }
  }
}

TEST_CASE("dynamic_shared weightedSums carves two arrays from one buffer",
          "[host][examples]") {
  Example ex;
  if (!loadExample("dynamic_shared", ex))
    return;
  exec::KernelInfo info;
  exec::FunctionId fn = ex.kernel("weightedSums", info);
  const uint32_t seed = 15;
  CAPTURE(seed);
  for (uint32_t block : {64u, 48u}) {
    CAPTURE(block);
    const uint32_t blocks = 9, n = blocks * block;
    std::vector<int32_t> keys = randomInts(n, seed + block, 0, 99);
    std::vector<float> weights = randomFloats(n, seed + 2 * block, 0.0f, 1.0f);
    exec::DevicePtr dk = upload(*ex.ctx, keys), dw = upload(*ex.ctx, weights);
    exec::DevicePtr dout =
        upload(*ex.ctx, std::vector<float>(blocks, kPoisonF));
    Args args(info);
    args.set(0, dk).set(1, dw).set(2, dout);
    launchOk(*ex.ctx, fn, {blocks, 1, 1}, {block, 1, 1}, args,
             block * (sizeof(int32_t) + sizeof(float)));
    std::vector<float> got = download<float>(*ex.ctx, dout, blocks);
    for (uint32_t b = 0; b < blocks; ++b) {
      // Thread 0 sums in order: sum = fma(w, float(key), sum).
      float want = 0.0f;
      for (uint32_t k = 0; k < block; ++k)
        want = std::fma(weights[b * block + k],
                        static_cast<float>(keys[b * block + k]), want);
      INFO("block " << b);
      REQUIRE(got[b] == want);
    }
  }
}

namespace {

/// atomics.cu's struct, field for field.
struct Totals {
  float floatSum;
  int32_t intSum;
  uint64_t wideSum;
  double casSum;
  float casMax;
  int32_t maxValue;
  int32_t minValue;
  uint32_t incCounter;
  uint32_t decCounter;
  int32_t exchangeSlot;
  uint32_t orBits;
  uint32_t andBits;
  uint32_t xorBits;
  uint32_t ticket;
};
static_assert(sizeof(Totals) == 64);

} // namespace

TEST_CASE("atomics contend gives exact totals, tickets and exchanges",
          "[host][examples]") {
  Example ex;
  if (!loadExample("atomics", ex))
    return;
  exec::KernelInfo info;
  exec::FunctionId fn = ex.kernel("contend", info);
  constexpr uint32_t kWrap = 999;
  const uint32_t seed = 16;
  CAPTURE(seed);
  // The example's grid is n / 256 blocks; 5000 also leaves a partial block,
  // and the counters wrap (atomicInc/Dec) several times.
  for (int n : {4096, 5000}) {
    CAPTURE(n);
    std::vector<int32_t> small = randomInts(n, seed + n, 0, 63);
    std::vector<int32_t> ints = randomInts(n, seed + 2 * n, -10000, 10000);
    std::vector<float> floats(n);
    for (int i = 0; i < n; ++i)
      // Multiples of 1/16 below 4: every partial sum is exact in float and
      // double, so the order the atomics happen in cannot change the totals.
      floats[i] = static_cast<float>(small[i]) / 16.0f;
    Totals init{};
    init.casMax = -INFINITY;
    init.maxValue = INT_MIN;
    init.minValue = INT_MAX;
    init.andBits = 0xffffffffu;
    init.exchangeSlot = -1;
    exec::DevicePtr df = upload(*ex.ctx, floats), di = upload(*ex.ctx, ints),
                    dt = upload(*ex.ctx, std::vector<Totals>{init}),
                    dtickets = poisoned(*ex.ctx, n * sizeof(uint32_t)),
                    dexch = poisoned(*ex.ctx, n * sizeof(int32_t));
    Args args(info);
    args.set(0, df)
        .set(1, di)
        .set(2, dt)
        .set(3, dtickets)
        .set(4, dexch)
        .set(5, n);
    launchOk(*ex.ctx, fn, {uint32_t(n + 255) / 256, 1, 1}, {256, 1, 1}, args);
    Totals got = download<Totals>(*ex.ctx, dt, 1)[0];
    std::vector<uint32_t> tickets = download<uint32_t>(*ex.ctx, dtickets, n);
    std::vector<int32_t> exchanged = download<int32_t>(*ex.ctx, dexch, n);

    Totals want = init;
    for (int i = 0; i < n; ++i) {
      want.floatSum += floats[i];
      want.intSum += ints[i];
      want.wideSum += static_cast<uint64_t>(ints[i] + 1000) << 20;
      want.casSum += floats[i];
      want.casMax =
          std::max(want.casMax, floats[i] * (ints[i] % 2 ? 1.0f : -1.0f));
      want.maxValue = std::max(want.maxValue, ints[i]);
      want.minValue = std::min(want.minValue, ints[i]);
      // PTX atom.inc: old >= bound ? 0 : old + 1; atom.dec: old == 0 ||
      // old > bound ? bound : old - 1.
      want.incCounter = want.incCounter >= kWrap ? 0 : want.incCounter + 1;
      want.decCounter = want.decCounter == 0 || want.decCounter > kWrap
                            ? kWrap
                            : want.decCounter - 1;
      want.orBits |= 1u << (i % 32);
      want.andBits &= ~(1u << (i % 31));
      want.xorBits ^= static_cast<uint32_t>(i) * 2654435761u;
    }
    CHECK(got.floatSum == want.floatSum);
    CHECK(got.intSum == want.intSum);
    CHECK(got.wideSum == want.wideSum);
    CHECK(got.casSum == want.casSum);
    CHECK(got.casMax == want.casMax);
    CHECK(got.maxValue == want.maxValue);
    CHECK(got.minValue == want.minValue);
    CHECK(got.incCounter == want.incCounter);
    CHECK(got.decCounter == want.decCounter);
    CHECK(got.orBits == want.orBits);
    CHECK(got.andBits == want.andBits);
    CHECK(got.xorBits == want.xorBits);
    CHECK(got.ticket == static_cast<uint32_t>(n));
    // Every thread got a distinct ticket: the old values are 0..n-1.
    std::sort(tickets.begin(), tickets.end());
    for (int i = 0; i < n; ++i) {
      INFO("sorted ticket " << i);
      REQUIRE(tickets[i] == static_cast<uint32_t>(i));
    }
    // atomicExch hands each value on exactly once: the old values plus the
    // final slot are the initial -1 and every thread index.
    exchanged.push_back(got.exchangeSlot);
    std::sort(exchanged.begin(), exchanged.end());
    for (int i = 0; i <= n; ++i) {
      INFO("sorted exchanged value " << i);
      REQUIRE(exchanged[i] == i - 1);
    }
  }
}

namespace {

uint32_t hostPolish(uint32_t v, uint32_t salt) {
  for (int round = 0; round < 16; ++round)
    v = v * 1664525u + 1013904223u + salt;
  return v;
}

} // namespace

TEST_CASE(
    "streams_events polish and combine on four streams with an event wait",
    "[host][examples]") {
  Example ex;
  if (!loadExample("streams_events", ex))
    return;
  exec::KernelInfo polishInfo, combineInfo;
  exec::FunctionId polish = ex.kernel("polish", polishInfo);
  exec::FunctionId combine = ex.kernel("combine", combineInfo);
  constexpr int kStreams = 4;
  const int chunk = 1000; // not a multiple of the 256-thread block
  const int n = kStreams * chunk;
  const uint32_t seed = 12;
  CAPTURE(seed);
  std::vector<uint32_t> hostIn = randomU32(n, seed);
  std::vector<uint32_t> hostOut(n, 0xCDCDCDCDu),
      hostCombined(chunk, 0xCDCDCDCDu);
  exec::Context &ctx = *ex.ctx;
  exec::DevicePtr dIn = poisoned(ctx, n * 4), dOut = poisoned(ctx, n * 4),
                  dCombined = poisoned(ctx, chunk * 4);

  exec::StreamId streams[kStreams];
  for (exec::StreamId &s : streams)
    REQUIRE(ctx.createStream(0, s));
  exec::EventId start, stop, firstChunkDone;
  REQUIRE(ctx.createEvent(start));
  REQUIRE(ctx.createEvent(stop));
  REQUIRE(ctx.createEvent(firstChunkDone));
  REQUIRE(ctx.recordEvent(start, streams[0]));
  const uint32_t grid = (chunk + 255) / 256;
  for (int s = 0; s < kStreams; ++s) {
    uint64_t offset = uint64_t(s) * chunk * 4;
    REQUIRE(ctx.copyToDevice(dIn + offset, hostIn.data() + s * chunk, chunk * 4,
                             streams[s]));
    Args args(polishInfo);
    args.set(0, dIn + offset)
        .set(1, dOut + offset)
        .set(2, chunk)
        .set(3, uint32_t(s));
    exec::LaunchConfig config{{grid, 1, 1}, {256, 1, 1}, 0};
    REQUIRE(ctx.launch(polish, config, args.bytes(), streams[s]));
    REQUIRE(ctx.copyToHost(hostOut.data() + s * chunk, dOut + offset, chunk * 4,
                           streams[s]));
    if (s == 0)
      REQUIRE(ctx.recordEvent(firstChunkDone, streams[0]));
  }
  // The last stream combines its chunk with chunk 0: it must wait for
  // stream 0's kernel.
  const int last = kStreams - 1;
  REQUIRE(ctx.waitEvent(streams[last], firstChunkDone));
  Args args(combineInfo);
  args.set(0, dOut)
      .set(1, dOut + uint64_t(last) * chunk * 4)
      .set(2, dCombined)
      .set(3, chunk);
  exec::LaunchConfig config{{grid, 1, 1}, {256, 1, 1}, 0};
  REQUIRE(ctx.launch(combine, config, args.bytes(), streams[last]));
  REQUIRE(
      ctx.copyToHost(hostCombined.data(), dCombined, chunk * 4, streams[last]));
  for (int s = 1; s < kStreams; ++s) {
    exec::EventId done;
    REQUIRE(ctx.createEvent(done));
    REQUIRE(ctx.recordEvent(done, streams[s]));
    REQUIRE(ctx.waitEvent(streams[0], done));
    REQUIRE(ctx.destroyEvent(done));
  }
  REQUIRE(ctx.recordEvent(stop, streams[0]));
  exec::Status s = ctx.synchronizeEvent(stop);
  INFO(s.message);
  REQUIRE(s);
  // Everything was before stop: every stream and event is idle.
  for (exec::StreamId stream : streams)
    CHECK(ctx.queryStream(stream));
  CHECK(ctx.queryEvent(firstChunkDone));
  float ms = -1;
  REQUIRE(ctx.elapsedTime(start, stop, ms));
  CHECK(ms >= 0.0f);

  for (int i = 0; i < n; ++i) {
    INFO("out[" << i << "]");
    REQUIRE(hostOut[i] ==
            hostPolish(hostIn[i], static_cast<uint32_t>(i / chunk)));
  }
  for (int i = 0; i < chunk; ++i) {
    INFO("combined[" << i << "]");
    REQUIRE(hostCombined[i] == (hostOut[i] ^ hostOut[last * chunk + i]));
  }
  for (exec::StreamId stream : streams)
    REQUIRE(ctx.destroyStream(stream));
}

TEST_CASE("driver_api_vecadd_kernel vecAdd (unmangled entry) matches the CPU",
          "[host][examples]") {
  Example ex;
  if (!loadExample("driver_api_vecadd_kernel", ex))
    return;
  exec::KernelInfo info;
  exec::FunctionId fn;
  // The entry is unmangled: look it up by its exact name, as
  // cuModuleGetFunction does.
  exec::Status st = ex.ctx->getFunction(ex.module, "vecAdd", fn, info);
  INFO(st.message);
  REQUIRE(st);
  const uint32_t seed = 21;
  CAPTURE(seed);
  for (int n : {4099, 1}) {
    CAPTURE(n);
    std::vector<float> a = randomFloats(n, seed + n),
                       b = randomFloats(n, seed + 2 * n);
    exec::DevicePtr da = upload(*ex.ctx, a), db = upload(*ex.ctx, b),
                    dc = upload(*ex.ctx, std::vector<float>(n, kPoisonF));
    Args args(info);
    args.set(0, da).set(1, db).set(2, dc).set(3, n);
    launchOk(*ex.ctx, fn, {uint32_t(n + 127) / 128, 1, 1}, {128, 1, 1}, args);
    std::vector<float> c = download<float>(*ex.ctx, dc, n);
    for (int i = 0; i < n; ++i) {
      INFO("c[" << i << "]");
      REQUIRE(c[i] == a[i] + b[i]);
    }
  }
}

TEST_CASE("not_for_wooly MatVecMul matches the CPU", "[host][examples]") {
  Example ex;
  if (!loadExample("not_for_wooly", ex))
    return;
  exec::KernelInfo info;
  exec::FunctionId fn = ex.kernel("MatVecMul", info);
  const uint32_t seed = 2024;
  CAPTURE(seed);
  // Rows not a multiple of the 128-thread block; cols not a multiple of the
  // unroll factor.
  for (auto [rows, cols] : {std::pair{300, 77}, std::pair{5, 3}}) {
    CAPTURE(rows, cols);
    std::vector<float> A = randomFloats(rows * cols, seed + rows, 0.0f, 1.0f);
    std::vector<float> x = randomFloats(cols, seed + cols, 0.0f, 1.0f);
    exec::DevicePtr dA = upload(*ex.ctx, A), dx = upload(*ex.ctx, x),
                    dy = upload(*ex.ctx, std::vector<float>(rows, kPoisonF));
    Args args(info);
    args.set(0, dA).set(1, dx).set(2, dy).set(3, rows).set(4, cols);
    launchOk(*ex.ctx, fn, {uint32_t(rows + 127) / 128, 1, 1}, {128, 1, 1},
             args);
    std::vector<float> y = download<float>(*ex.ctx, dy, rows);
    for (int r = 0; r < rows; ++r) {
      float want = 0.0f;
      for (int c = 0; c < cols; ++c)
        want = std::fma(A[r * cols + c], x[c], want);
      INFO("y[" << r << "]");
      REQUIRE(y[r] == want);
    }
  }
}

TEST_CASE(
    "managed_variable kernels use __managed__ variables by name and by pointer",
    "[host][examples]") {
  Example ex;
  if (!loadExample("managed_variable", ex))
    return;
  constexpr int kSlots = 64;
  exec::Context &ctx = *ex.ctx;
  uint64_t size = 0;
  exec::DevicePtr counter = global(ex, "counter", size);
  REQUIRE(size == sizeof(int32_t));
  exec::DevicePtr scale = global(ex, "scale", size);
  REQUIRE(size == sizeof(float));
  exec::DevicePtr slots = global(ex, "slots", size);
  REQUIRE(size == kSlots * sizeof(int32_t));
  exec::KernelInfo bumpInfo, scaleInfo, addInfo;
  exec::FunctionId bump = ex.kernel("bump", bumpInfo);
  exec::FunctionId scaleSlots = ex.kernel("scaleSlots", scaleInfo);
  exec::FunctionId addThrough = ex.kernel("addThrough", addInfo);

  // A kernel before any host access sees the initializers.
  launchOk(ctx, bump, {1, 1, 1}, {1, 1, 1}, Args(bumpInfo));
  REQUIRE(download<int32_t>(ctx, counter, 1)[0] == 42);
  std::vector<int32_t> initial(kSlots, 0);
  initial[0] = 7, initial[1] = 8, initial[2] = 9;
  REQUIRE(download<int32_t>(ctx, slots, kSlots) == initial);

  // Host writes reach the next launch: slots[i] = int(slots[i] * scale) +
  // counter.
  const uint32_t seed = 17;
  CAPTURE(seed);
  for (int round = 1; round <= 3; ++round) {
    CAPTURE(round);
    std::vector<int32_t> values = randomInts(kSlots, seed + round, -1000, 1000);
    float s = 0.5f * round + 0.25f;
    int32_t c = 100 * round;
    REQUIRE(ctx.copyToDevice(scale, &s, sizeof(s), 0));
    REQUIRE(ctx.copyToDevice(counter, &c, sizeof(c), 0));
    REQUIRE(
        ctx.copyToDevice(slots, values.data(), kSlots * sizeof(int32_t), 0));
    REQUIRE(ctx.synchronize(0));
    launchOk(ctx, scaleSlots, {2, 1, 1}, {32, 1, 1}, Args(scaleInfo));
    std::vector<int32_t> got = download<int32_t>(ctx, slots, kSlots);
    for (int i = 0; i < kSlots; ++i) {
      INFO("slots[" << i << "]");
      // cvt.rzi: the product truncates toward zero.
      REQUIRE(got[i] == static_cast<int32_t>(values[i] * s) + c);
    }
  }

  // The variable's address passed as an ordinary pointer.
  const int32_t five = 5;
  REQUIRE(ctx.copyToDevice(counter, &five, sizeof(five), 0));
  Args args(addInfo);
  args.set(0, counter).set(1, 37);
  launchOk(ctx, addThrough, {1, 1, 1}, {32, 1, 1}, args);
  REQUIRE(download<int32_t>(ctx, counter, 1)[0] == 42);
}
