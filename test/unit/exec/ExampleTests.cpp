//===- ExampleTests.cpp - The CUDA examples' kernels run on the host ------===//
//
// Each example's PTX (nvcc -arch=sm_75, built into the build tree) goes
// through the PTX front end to WIS, then through the host executor, and
// must match a CPU reference on random inputs. Outputs are poisoned first so
// unwritten elements are caught. Skipped where nvcc did not run.
//
//===----------------------------------------------------------------------===//

#include "test/unit/exec/ExampleSupport.h"

#include <cctype>
#include <cmath>
#include <filesystem>
#include <map>
#include <random>
#include <set>

using namespace wooly;
using namespace wooly::test;

namespace {

/// The kernels each example defines, all of which some test in
/// Example*Tests.cpp runs against a CPU reference. A kernel added to an
/// example fails the test below until it gets a test and a line here.
const std::map<std::string, std::set<std::string>> kTestedKernels = {
    {"atomics", {"contend"}},
    {"bitonic_sort", {"bitonicShared", "bitonicGlobalStep"}},
    {"constant_memory", {"fir", "bumpCounters"}},
    {"device_assert", {"checkedScale"}},
    {"device_printf", {"greet"}},
    {"device_recursion", {"callEverything"}},
    {"driver_api_vecadd_kernel", {"vecAdd"}},
    {"dynamic_shared", {"reverseChunks", "weightedSums"}},
    {"error_cases", {"fill"}},
    {"half_math", {"halfOps", "halfDot"}},
    {"histogram_shared_atomics", {"histogram"}},
    {"kernel_trap", {"fillOrTrap"}},
    {"managed_variable", {"bump", "scaleSlots", "addThrough"}},
    {"matmul_tiled", {"matmulTiled"}},
    {"nbody", {"nbodyStep"}},
    {"not_for_wooly", {"MatVecMul"}},
    {"prefix_scan", {"blellochScan", "hillisSteeleScan", "addBlockOffsets"}},
    {"reduction_shuffle", {"sumKernel", "sumPartials", "maxKernel"}},
    {"saxpy", {"saxpy"}},
    {"stencil_2d", {"jacobiStep"}},
    {"streams_events", {"polish", "combine"}},
    {"vector_add", {"vectorAdd"}},
    {"warp_vote", {"warpOps"}},
};

/// The source-level name of a kernel: `name` itself (extern "C") or the
/// identifier in an Itanium-mangled `_Z<len><name>...`.
std::string sourceName(const std::string &symbol) {
  if (symbol.rfind("_Z", 0) != 0)
    return symbol;
  size_t pos = 2, len = 0;
  while (pos < symbol.size() &&
         std::isdigit(static_cast<unsigned char>(symbol[pos])))
    len = len * 10 + (symbol[pos++] - '0');
  return symbol.substr(pos, len);
}

} // namespace

TEST_CASE("every example's PTX compiles and loads on the host",
          "[host][examples]") {
  if (!std::filesystem::exists(examplePtx("vector_add"))) {
    WARN("skipped: example PTX not built");
    return;
  }
  for (const auto &entry : std::filesystem::directory_iterator(
           std::string(WOOLY_EXAMPLE_DIR) + "/ptx")) {
    std::string file = entry.path().filename().string();
    if (file.find(".sm_75.ptx") == std::string::npos)
      continue;
    std::string name = file.substr(0, file.find(".sm_75.ptx"));
    INFO(name);
    Example example;
    REQUIRE(loadExample(name, example));
    CHECK(!example.kernels.empty());
    // Every kernel it defines is one the example tests run.
    INFO("a kernel without a test: add one to an Example*Tests.cpp and list it "
         "in kTestedKernels");
    auto tested = kTestedKernels.find(name);
    std::set<std::string> kernels;
    for (const std::string &k : example.kernels)
      kernels.insert(sourceName(k));
    CHECK(tested != kTestedKernels.end());
    if (tested != kTestedKernels.end())
      CHECK(kernels == tested->second);
  }
}

TEST_CASE("vector_add and saxpy match the CPU", "[host][examples]") {
  const int n = 10007;
  std::vector<float> a = randomFloats(n, 1), b = randomFloats(n, 2);
  {
    Example ex;
    if (!loadExample("vector_add", ex))
      return;
    exec::KernelInfo info;
    exec::FunctionId fn = ex.kernel("vectorAdd", info);
    exec::DevicePtr da = upload(*ex.ctx, a), db = upload(*ex.ctx, b),
                    dc = upload(*ex.ctx, std::vector<float>(n, kPoisonF));
    Args args(info);
    args.set(0, da).set(1, db).set(2, dc).set(3, n);
    exec::Status s =
        launch(*ex.ctx, fn, {(n + 255) / 256, 1, 1}, {256, 1, 1}, args);
    INFO(s.message);
    REQUIRE(s);
    std::vector<float> c = download<float>(*ex.ctx, dc, n);
    for (int i = 0; i < n; ++i)
      REQUIRE(c[i] == a[i] + b[i]);
  }
  {
    Example ex;
    if (!loadExample("saxpy", ex))
      return;
    exec::KernelInfo info;
    exec::FunctionId fn = ex.kernel("saxpy", info);
    exec::DevicePtr dx = upload(*ex.ctx, a), dy = upload(*ex.ctx, b);
    Args args(info);
    args.set(0, n).set(1, 1.5f).set(2, dx).set(3, dy);
    exec::Status s =
        launch(*ex.ctx, fn, {(n + 255) / 256, 1, 1}, {256, 1, 1}, args);
    INFO(s.message);
    REQUIRE(s);
    std::vector<float> y = download<float>(*ex.ctx, dy, n);
    for (int i = 0; i < n; ++i)
      REQUIRE(
          (y[i] == std::fma(1.5f, a[i], b[i]) || y[i] == 1.5f * a[i] + b[i]));
  }
}

TEST_CASE("matmul_tiled (shared memory, barriers in a loop) matches the CPU",
          "[host][examples]") {
  Example ex;
  if (!loadExample("matmul_tiled", ex))
    return;
  const int m = 70, n = 45, k = 33;
  std::vector<float> A = randomFloats(m * k, 3), B = randomFloats(k * n, 4);
  exec::KernelInfo info;
  exec::FunctionId fn = ex.kernel("matmulTiled", info);
  exec::DevicePtr dA = upload(*ex.ctx, A), dB = upload(*ex.ctx, B),
                  dC = upload(*ex.ctx, std::vector<float>(m * n, kPoisonF));
  Args args(info);
  args.set(0, dA).set(1, dB).set(2, dC).set(3, m).set(4, n).set(5, k);
  exec::Status s =
      launch(*ex.ctx, fn, {(n + 15) / 16, (m + 15) / 16, 1}, {16, 16, 1}, args);
  INFO(s.message);
  REQUIRE(s);
  std::vector<float> C = download<float>(*ex.ctx, dC, m * n);
  for (int r = 0; r < m; ++r)
    for (int c = 0; c < n; ++c) {
      double ref = 0;
      for (int i = 0; i < k; ++i)
        ref += double(A[r * k + i]) * B[i * n + c];
      REQUIRE(std::abs(C[r * n + c] - ref) < 1e-4);
    }
}

TEST_CASE("reduction_shuffle (warp shuffles + barrier) matches the CPU",
          "[host][examples]") {
  Example ex;
  if (!loadExample("reduction_shuffle", ex))
    return;
  const int n = 100003, blocks = 13, threads = 256;
  std::mt19937 rng(5);
  std::vector<int32_t> in(n);
  for (auto &v : in)
    v = static_cast<int32_t>(rng() % 100000) - 50000;
  exec::KernelInfo info;
  exec::FunctionId fn = ex.kernel("sumKernel", info);
  exec::DevicePtr din = upload(*ex.ctx, in),
                  dout = upload(*ex.ctx,
                                std::vector<int64_t>(blocks, 0x5a5a5a5a5a5aLL));
  Args args(info);
  args.set(0, din).set(1, dout).set(2, n);
  exec::Status s = launch(*ex.ctx, fn, {blocks, 1, 1}, {threads, 1, 1}, args);
  INFO(s.message);
  REQUIRE(s);
  std::vector<int64_t> out = download<int64_t>(*ex.ctx, dout, blocks);
  for (int b = 0; b < blocks; ++b) {
    int64_t ref = 0;
    for (int t = 0; t < threads; ++t)
      for (int i = b * threads + t; i < n; i += threads * blocks)
        ref += in[i];
    REQUIRE(out[b] == ref);
  }
}

TEST_CASE("histogram_shared_atomics (shared + global atomics) matches the CPU",
          "[host][examples]") {
  Example ex;
  if (!loadExample("histogram_shared_atomics", ex))
    return;
  const int n = 200000;
  std::mt19937 rng(6);
  std::vector<uint8_t> data(n);
  std::vector<uint32_t> ref(256, 0);
  for (auto &v : data) {
    uint32_t r = rng() % 256;
    v = static_cast<uint8_t>(r * r / 256); // skewed: collisions
    ref[v]++;
  }
  exec::KernelInfo info;
  exec::FunctionId fn = ex.kernel("histogram", info);
  exec::DevicePtr dd = upload(*ex.ctx, data),
                  db = upload(*ex.ctx, std::vector<uint32_t>(256, 0));
  Args args(info);
  args.set(0, dd).set(1, n).set(2, db);
  exec::Status s = launch(*ex.ctx, fn, {24, 1, 1}, {256, 1, 1}, args);
  INFO(s.message);
  REQUIRE(s);
  REQUIRE(download<uint32_t>(*ex.ctx, db, 256) == ref);
}

TEST_CASE(
    "stencil_2d (halo tiles, early returns after a barrier) matches the CPU",
    "[host][examples]") {
  Example ex;
  if (!loadExample("stencil_2d", ex))
    return;
  const int w = 70, h = 37;
  std::vector<float> in = randomFloats(w * h, 8);
  exec::KernelInfo info;
  exec::FunctionId fn = ex.kernel("jacobiStep", info);
  exec::DevicePtr din = upload(*ex.ctx, in),
                  dout = upload(*ex.ctx, std::vector<float>(w * h, kPoisonF));
  Args args(info);
  args.set(0, din).set(1, dout).set(2, w).set(3, h);
  exec::Status s =
      launch(*ex.ctx, fn, {(w + 15) / 16, (h + 15) / 16, 1}, {16, 16, 1}, args);
  INFO(s.message);
  REQUIRE(s);
  std::vector<float> out = download<float>(*ex.ctx, dout, w * h);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      float ref = in[y * w + x];
      if (x > 0 && y > 0 && x < w - 1 && y < h - 1)
        ref =
            0.2f * (in[y * w + x] + in[(y - 1) * w + x] + in[(y + 1) * w + x] +
                    in[y * w + x - 1] + in[y * w + x + 1]);
      REQUIRE(std::abs(out[y * w + x] - ref) < 1e-5);
    }
}
