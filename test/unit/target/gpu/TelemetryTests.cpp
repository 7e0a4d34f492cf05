// Kernel timing of the GPU executors (BusyWindow, GpuTelemetry, LaunchTimer)
// over a host-memory driver table whose device clock is the test's
// (TimedHostApi): events complete in stream order, stats add up, the busy
// fraction is the union of every session's kernels, and nothing waits for
// the device while launches are in flight.

#include "test/unit/target/gpu/EmulatedExecutor.h"
#include "test/unit/target/gpu/TimedHostApi.h"

#include "runtime/exec/gpu/BusyWindow.h"
#include "runtime/exec/gpu/GpuContext.h"
#include "runtime/exec/gpu/GpuExecutor.h"
#include "runtime/exec/gpu/GpuTelemetry.h"
#include "runtime/exec/gpu/LaunchTimer.h"

#include <catch2/catch.hpp>

#include <cstdlib>

using namespace wooly::exec;
using namespace wooly::exec::gpu;
using namespace wooly::exec::gpu::testing;

TEST_CASE("a busy window counts the union of kernel intervals once",
          "[gpu][telemetry]") {
  BusyWindow window(0);
  window.add(10, 30);
  window.add(20, 40); // overlaps: another session's kernel at the same time
  window.add(60, 70);
  CHECK(window.sample(100, {}) == Approx(0.4));
  // Harvested after the previous sample: only its part after it counts.
  window.add(90, 120);
  window.add(5, 50); // wholly counted already
  CHECK(window.sample(200, {}) == Approx(0.2));
  // A kernel still running counts up to the sample; its later harvest
  // counts only what came after.
  std::vector<uint64_t> running = {250};
  CHECK(window.sample(300, running) == Approx(0.5));
  window.add(250, 320);
  CHECK(window.sample(400, {}) == Approx(0.2));
  CHECK(window.sample(400, {}) == 0.0); // an empty window
  CHECK(window.sample(500, {}) == 0.0);
}

TEST_CASE("a busy window with very many intervals keeps their busy time",
          "[gpu][telemetry]") {
  BusyWindow window(0);
  // Twice the intervals it holds: 10 ns busy, 10 ns idle, over 327 680 ns.
  uint64_t count = 2 * BusyWindow::kMaxIntervals;
  for (uint64_t i = 0; i < count; ++i)
    window.add(20 * i, 20 * i + 10);
  double fraction = window.sample(20 * count, {});
  CHECK(fraction >= 0.5);
  CHECK(fraction <= 1.0);
  window.add(20 * count, 30 * count);
  CHECK(window.sample(40 * count, {}) == Approx(0.5));
}

namespace {

/// Sessions over one TimedHostApi and one telemetry, each with kernel `k`.
struct Fixture {
  TimedHostApi api;
  DeviceInfo device;
  GpuTelemetry telemetry{api, api.clock()};

  Fixture() {
    device.totalMemory = 1 << 30;
    api.modulesPrint = false;
  }

  std::unique_ptr<Context> session() {
    ContextOptions options;
    options.addressFencing = false; // no arena in host memory
    ModuleCompiler compiler = [](std::span<const uint8_t>, bool,
                                 CompiledModule &out) {
      out.image = {0};
      KernelInfo kernel;
      kernel.name = "k";
      out.kernels = {kernel};
      return Status::ok();
    };
    std::unique_ptr<Context> context;
    REQUIRE(GpuContext::create(api, device, options, compiler, context,
                               &telemetry));
    return context;
  }

  /// Launches `k` (loading it first) on `stream` of `context`, running `ns`.
  void launch(Context &context, uint64_t ns, StreamId stream = 0) {
    ModuleId module = 0;
    uint8_t wis[1] = {1};
    REQUIRE(context.loadModule(wis, module));
    FunctionId fn = 0;
    KernelInfo info;
    REQUIRE(context.getFunction(module, "k", fn, info));
    api.kernelNs.push_back(ns);
    REQUIRE(context.launch(fn, LaunchConfig{}, {}, stream));
  }
};

} // namespace

TEST_CASE("GPU launches are timed by events harvested without waiting",
          "[gpu][telemetry]") {
  Fixture f;
  CHECK(f.api.eventSyncs == 1); // the first clock anchor, at start
  std::unique_ptr<Context> session = f.session();
  uint64_t t0 = f.api.now;
  f.launch(*session, 2000);
  f.launch(*session, 3000);
  f.launch(*session, 5000);
  int queries = f.api.eventQueries;
  ContextStats stats = session->stats();
  CHECK(stats.launches == 3);
  CHECK(stats.pendingLaunches == 3);
  CHECK(stats.kernelNanoseconds == 0);
  // One stream: its first unfinished launch is the only one asked about.
  CHECK(f.api.eventQueries - queries == 1);
  CHECK(f.api.eventSyncs == 1);
  CHECK(f.api.streamSyncs == 0);

  f.api.now = t0 + 5000; // the first two are done
  stats = session->stats();
  CHECK(stats.pendingLaunches == 1);
  CHECK(stats.kernelNanoseconds == 5000);
  f.api.now = t0 + 10000;
  stats = session->stats();
  CHECK(stats.pendingLaunches == 0);
  CHECK(stats.kernelNanoseconds == 10000);
  // Submitted together at t0: each waited for the ones before it.
  CHECK(stats.queueDelayP50Ns == 2000);
  CHECK(stats.queueDelayP99Ns == 5000);
  CHECK(f.api.eventSyncs == 1);
  CHECK(f.api.streamSyncs == 0);
}

TEST_CASE("GPU streams are harvested independently of each other",
          "[gpu][telemetry]") {
  Fixture f;
  std::unique_ptr<Context> session = f.session();
  StreamId other = 0;
  REQUIRE(session->createStream(0, other));
  uint64_t t0 = f.api.now;
  f.launch(*session, 50000, 0);    // long, on stream 0
  f.launch(*session, 1000, other); // short, on the other stream
  f.launch(*session, 1000, other);
  f.api.now = t0 + 2000;
  ContextStats stats = session->stats();
  CHECK(stats.pendingLaunches == 1);
  CHECK(stats.kernelNanoseconds == 2000);
  CHECK(stats.queueDelayP50Ns == 1000); // delays 0 and 1000
}

TEST_CASE("the GPU busy fraction is the union of every session's kernels",
          "[gpu][telemetry]") {
  Fixture f;
  std::unique_ptr<Context> a = f.session(), b = f.session();
  uint64_t t0 = f.api.now;
  CHECK(f.telemetry.busyFraction() == 0.0); // starts the window at t0
  f.launch(*a, 4000);
  f.api.now = t0 + 2000;
  f.launch(*b, 4000); // overlaps a's kernel for 2 µs
  f.api.now = t0 + 10000;
  CHECK(f.telemetry.busyFraction() == Approx(0.6)); // [t0, t0 + 6 µs)

  // A kernel still running counts up to the sample, and not again later.
  f.launch(*a, 20000);
  f.api.now = t0 + 15000;
  CHECK(f.telemetry.busyFraction() == Approx(1.0));
  f.api.now = t0 + 40000;
  CHECK(f.telemetry.busyFraction() == Approx(0.6)); // 15 of 25 µs
  f.api.now = t0 + 50000;
  CHECK(f.telemetry.busyFraction() == 0.0);
  CHECK(f.api.eventSyncs == 1);
  CHECK(f.api.streamSyncs == 0);
}

TEST_CASE("a closed GPU session's last kernels count and its events go",
          "[gpu][telemetry]") {
  Fixture f;
  size_t anchors = f.api.liveEvents();
  uint64_t t0 = f.api.now;
  CHECK(f.telemetry.busyFraction() == 0.0);
  {
    std::unique_ptr<Context> session = f.session();
    f.launch(*session, 3000);
    f.launch(*session, 3000);
    CHECK(f.api.liveEvents() == anchors + 4);
  } // synchronizes its streams, then harvests
  CHECK(f.api.liveEvents() == anchors);
  f.api.now = t0 + 10000;
  CHECK(f.telemetry.busyFraction() == Approx(0.6));
}

TEST_CASE("a GPU session with every event pair in flight launches untimed",
          "[gpu][telemetry]") {
  TimedHostApi api;
  GpuTelemetry telemetry(api, api.clock());
  size_t anchors = api.liveEvents();
  LaunchTimer timer(api, telemetry, /*maxPairs=*/2);
  DriverStream stream = nullptr;
  REQUIRE(api.streamCreate(0, stream));
  auto launch = [&](uint64_t ns) {
    bool timed = timer.begin(stream);
    api.kernelNs.push_back(ns);
    REQUIRE(api.launch(nullptr, LaunchConfig{}, nullptr, stream));
    if (timed)
      timer.end(true);
    return timed;
  };
  uint64_t t0 = api.now;
  CHECK(launch(1000));
  CHECK(launch(1000));
  CHECK_FALSE(launch(1000)); // both pairs in flight
  CHECK(timer.untimed() == 1);
  CHECK(api.liveEvents() == anchors + 4);
  ContextStats stats;
  timer.fill(stats);
  CHECK(stats.pendingLaunches == 2);

  api.now = t0 + 3000;
  CHECK(launch(1000)); // the pairs are free again
  CHECK(api.liveEvents() == anchors + 4);
  api.now = t0 + 4000;
  stats = {};
  timer.fill(stats);
  CHECK(stats.kernelNanoseconds == 3000); // the untimed launch is not in it
  CHECK(stats.pendingLaunches == 0);

  // A launch the driver refused gives its pair back.
  CHECK(timer.begin(stream));
  timer.end(false);
  stats = {};
  timer.fill(stats);
  CHECK(stats.pendingLaunches == 0);
  CHECK(api.liveEvents() == anchors + 4);
}

TEST_CASE("GPU launches without driver events are counted, not timed",
          "[gpu][telemetry]") {
  Fixture f;
  std::unique_ptr<Context> session = f.session();
  f.api.failEvents = true;
  f.launch(*session, 1000);
  f.api.now += 2000;
  ContextStats stats = session->stats();
  CHECK(stats.launches == 1);
  CHECK(stats.kernelNanoseconds == 0);
  CHECK(stats.pendingLaunches == 0);
}

TEST_CASE("a clock anchor renewal that reached the device late is not used",
          "[gpu][telemetry]") {
  Fixture f;
  // The anchor stream is the first stream the telemetry made.
  DriverStream anchorStream = f.api.freeAt.begin()->first;
  std::unique_ptr<Context> session = f.session();
  f.api.now += GpuTelemetry::kRenewAnchorNs;
  f.api.recordDelay[anchorStream] = 100000; // held up behind other work
  CHECK(f.telemetry.anchor() != nullptr);   // records the renewal
  f.api.now += 200000;
  std::shared_ptr<const GpuTelemetry::Anchor> first = f.telemetry.anchor();
  // A launch that waits 10 µs behind the one before it on its stream.
  f.launch(*session, 10000);
  f.launch(*session, 1000);
  f.api.now += 20000;
  ContextStats stats = session->stats();
  // Through the late renewal every host time would be 100 µs early, and
  // the delays 0. The elapsed times are floats of about 1 s: ~0.1 µs.
  CHECK(stats.queueDelayP99Ns == Approx(10000).margin(500));
  CHECK(f.telemetry.anchor() == first);

  // A renewal on time replaces it.
  f.api.recordDelay.clear();
  f.api.now += GpuTelemetry::kRenewAnchorNs;
  f.telemetry.anchor();
  f.api.now += 1000;
  CHECK(f.telemetry.anchor() != first);
}

TEST_CASE("a GPU launch is timed from the clock anchor of its submission",
          "[gpu][telemetry]") {
  Fixture f;
  std::unique_ptr<Context> session = f.session();
  std::shared_ptr<const GpuTelemetry::Anchor> first = f.telemetry.anchor();
  f.api.now += GpuTelemetry::kRenewAnchorNs;
  uint64_t t0 = f.api.now;
  CHECK(f.telemetry.busyFraction() == 0.0); // the window starts at t0
  f.launch(*session, 1'000'000);            // runs while the anchor is renewed
  f.launch(*session, 1000);
  f.api.now += 2000;
  CHECK(f.telemetry.anchor() == first); // records a renewal
  f.api.now += 1000;
  CHECK(f.telemetry.anchor() != first); // takes it
  f.api.now = t0 + 1'001'000;
  ContextStats stats = session->stats();
  CHECK(stats.pendingLaunches == 0);
  CHECK(stats.queueDelayP99Ns == Approx(1'000'000).margin(500));
  // The first launch started before the new anchor: through it, the
  // elapsed time would be negative (an error on a strict driver), and the
  // launch would have no host time.
  CHECK(f.telemetry.busyFraction() == Approx(1.0));
}

TEST_CASE("WOOLY_GPU_LAUNCH_TIMING=0 turns the GPU executor's timing off",
          "[gpu][telemetry]") {
  for (const char *value : {"1", "0"}) {
    INFO("WOOLY_GPU_LAUNCH_TIMING=" << value);
    ::setenv("WOOLY_GPU_LAUNCH_TIMING", value, 1);
    TimedHostApi *api = nullptr;
    std::unique_ptr<GpuExecutor> executor = emulatedExecutor(api);
    FunctionId fn = 0;
    std::unique_ptr<Context> context = sessionWithEmptyKernel(*executor, fn);
    api->kernelNs.push_back(3000);
    REQUIRE(context->launch(fn, LaunchConfig{}, {}, 0));
    api->now += 10000;
    ContextStats stats = context->stats();
    CHECK(stats.launches == 1);
    CHECK(stats.kernelNanoseconds == (value[0] == '1' ? 3000u : 0u));
  }
  ::unsetenv("WOOLY_GPU_LAUNCH_TIMING");
}
