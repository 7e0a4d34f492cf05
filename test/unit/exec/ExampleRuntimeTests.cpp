//===- ExampleRuntimeTests.cpp - device_printf and error_cases on the host ===//
//
// The examples whose kernels are about what reaches the caller besides
// memory: device printf text, and launch errors and faults (the executor
// must report them and keep working).
//
//===----------------------------------------------------------------------===//

#include "test/unit/exec/ExampleSupport.h"

#include <algorithm>
#include <sstream>
#include <tuple>

using namespace wooly;
using namespace wooly::test;

namespace {

std::vector<std::string> sortedLines(const std::string &text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  std::sort(lines.begin(), lines.end());
  return lines;
}

} // namespace

TEST_CASE("device_printf greet prints every line and format once",
          "[host][examples][printf]") {
  Example ex;
  if (!loadExample("device_printf", ex))
    return;
  exec::KernelInfo info;
  exec::FunctionId fn = ex.kernel("greet", info);
  // The example's 4 x 8 with base 7, and an odd shape with negative values.
  for (auto [blocks, threads, base] :
       {std::tuple{4, 8, 7}, std::tuple{3, 5, -250}}) {
    CAPTURE(blocks, threads, base);
    Args args(info);
    args.set(0, base);
    launchOk(*ex.ctx, fn, {uint32_t(blocks), 1, 1}, {uint32_t(threads), 1, 1},
             args);
    std::string text = ex.ctx->takePrintfOutput();
    INFO("printed:\n" << text);
    REQUIRE(!text.empty());
    CHECK(text.back() == '\n');
    std::vector<std::string> want;
    for (int b = 0; b < blocks; ++b)
      for (int t = 0; t < threads; ++t)
        want.push_back("block " + std::to_string(b) + " thread " +
                       std::to_string(t) + " value " +
                       std::to_string(base + b * 100 + t * t));
    want.push_back(
        "formats: 4000000000 -1234567890123 3.142 beef text Z    42|");
    want.push_back("no arguments");
    std::sort(want.begin(), want.end());
    // Threads may print in any order: compare as sorted multisets.
    CHECK(sortedLines(text) == want);
    // Drained: the next call has nothing.
    CHECK(ex.ctx->takePrintfOutput().empty());
  }
}

TEST_CASE("error_cases fill bad shapes refused and faults reported then the "
          "context keeps working",
          "[host][examples][errors]") {
  for (bool fencing : {true, false}) {
    CAPTURE(fencing);
    Example ex;
    if (!loadExample("error_cases", ex, fencing))
      return;
    exec::KernelInfo info;
    exec::FunctionId fn = ex.kernel("fill", info);
    exec::Context &ctx = *ex.ctx;
    const int count =
        1024; // one 4 KiB page: the allocation's guard page follows
    exec::DevicePtr out = poisoned(ctx, count * sizeof(int32_t));
    Args args(info);
    args.set(0, out).set(1, 1);

    // The example's five shapes that cudaLaunchKernel refuses.
    const std::pair<exec::Dim3, exec::Dim3> bad[] = {
        {{1, 1, 1}, {2048, 1, 1}},  // too many threads
        {{1, 1, 1}, {32, 32, 2}},   // 2048 threads in three dimensions
        {{1, 1, 1}, {1, 1, 128}},   // block z above 64
        {{0, 1, 1}, {32, 1, 1}},    // empty grid
        {{1, 65536, 1}, {1, 1, 1}}, // grid y above 65535
    };
    for (const auto &[grid, block] : bad) {
      CAPTURE(grid.x, grid.y, grid.z, block.x, block.y, block.z);
      exec::LaunchConfig config{grid, block, 0};
      exec::Status s = ctx.launch(fn, config, args.bytes(), 0);
      CHECK(s.code == exec::ErrorCode::InvalidValue);
      // Refused at once, nothing queued: not sticky.
      CHECK(ctx.synchronize(0));
    }
    // Nothing ran.
    CHECK(download<int32_t>(ctx, out, count) ==
          std::vector<int32_t>(count, int32_t(0xCDCDCDCD)));

    // Twice the allocation's threads: half the stores land on the guard page.
    exec::Status s = launch(ctx, fn, {8, 1, 1}, {256, 1, 1}, args);
    CHECK(s.code == exec::ErrorCode::LaunchFailure);
    CHECK(s.message.find("invalid memory access") != std::string::npos);
    // Reported once; then the context works as before.
    CHECK(ctx.synchronize(0));
    Args good(info);
    good.set(0, out).set(1, 77);
    launchOk(ctx, fn, {4, 1, 1}, {256, 1, 1}, good);
    CHECK(download<int32_t>(ctx, out, count) ==
          std::vector<int32_t>(count, 77));
  }
}

TEST_CASE("kernel_trap fills when not asked, traps once when asked, and the "
          "context keeps working",
          "[host][examples][errors]") {
  Example ex;
  if (!loadExample("kernel_trap", ex))
    return;
  exec::KernelInfo info;
  exec::FunctionId fn = ex.kernel("fillOrTrap", info);
  exec::Context &ctx = *ex.ctx;
  const int n = 256;
  exec::DevicePtr out = poisoned(ctx, n * sizeof(int32_t));
  Args fill(info);
  fill.set(0, out).set(1, -1);
  launchOk(ctx, fn, {2, 1, 1}, {128, 1, 1}, fill);
  std::vector<int32_t> expected(n);
  for (int i = 0; i < n; ++i)
    expected[i] = i;
  CHECK(download<int32_t>(ctx, out, n) == expected);

  Args trap(info);
  trap.set(0, out).set(1, 77);
  exec::Status s = launch(ctx, fn, {2, 1, 1}, {128, 1, 1}, trap);
  CHECK(s.code == exec::ErrorCode::Trap);
  CHECK(s.message.find("trap") != std::string::npos);
  CHECK(ctx.synchronize(0)); // reported once
  launchOk(ctx, fn, {2, 1, 1}, {128, 1, 1}, fill);
}

TEST_CASE("device_assert scales while its assert holds; a failed one is an "
          "Assert error with CUDA's text, and threads waiting for the failed "
          "thread stop",
          "[host][examples][errors]") {
  Example ex;
  if (!loadExample("device_assert", ex))
    return;
  exec::KernelInfo info;
  exec::FunctionId fn = ex.kernel("checkedScale", info);
  exec::Context &ctx = *ex.ctx;
  const int n = 4096;
  std::vector<float> in(n);
  for (int i = 0; i < n; ++i)
    in[i] = float(i % 97) * 0.5f;
  exec::DevicePtr dIn = upload(ctx, in);
  exec::DevicePtr out = poisoned(ctx, n * sizeof(float));
  exec::DevicePtr gate = upload(ctx, std::vector<int32_t>(1, 0));
  Args args(info);
  args.set(0, dIn).set(1, out).set(2, 3.0f).set(3, int32_t(n)).set(4, gate);
  launchOk(ctx, fn, {8, 1, 1}, {128, 1, 1}, args);
  std::vector<float> expected(n);
  for (int i = 0; i < n; ++i)
    expected[i] = in[i] * 3.0f;
  CHECK(download<float>(ctx, out, n) == expected);

  // in[0] < 0: thread 0 of block 0 fails its assert and never opens the
  // gate the others wait at.
  in[0] = -1.0f;
  exec::DevicePtr bad = upload(ctx, in);
  exec::DevicePtr closed = upload(ctx, std::vector<int32_t>(1, 0));
  Args failing(info);
  failing.set(0, bad).set(1, out).set(2, 3.0f).set(3, int32_t(n)).set(4,
                                                                      closed);
  exec::Status s = launch(ctx, fn, {8, 1, 1}, {128, 1, 1}, failing);
  CHECK(s.code == exec::ErrorCode::Assert);
  CHECK(s.message.find("device-side assert triggered: ") == 0);
  CHECK(s.message.find("block (0,0,0) thread (0,0,0) Assertion `x >= 0.0f` "
                       "failed.") != std::string::npos);
  CHECK(ctx.synchronize(0)); // reported once
  launchOk(ctx, fn, {8, 1, 1}, {128, 1, 1}, args);
}
