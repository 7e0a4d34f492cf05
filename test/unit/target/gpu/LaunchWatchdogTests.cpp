// The GPU executors' launch watchdog (LaunchWatchdog.h) over the emulated
// device of TimedHostApi, whose clock is the test's: a kernel running past
// the limit gets "stop" written into its session's fault record (its polls
// would then end it), and that session alone gets LaunchTimeout; one pass
// stops one session, and the kernels running then get a new limit (they
// may only have waited for the runaway's SMs); a session that goes away
// stops its kernels; a kernel that cannot be stopped (no polls, or it did
// not stop) ends the executor a grace period later.

#include "test/unit/target/gpu/EmulatedExecutor.h"

#include "compiler/target/gpu/GpuFaultABI.h"

#include <cstring>

using namespace wooly::exec;
using namespace wooly::exec::gpu;
using namespace wooly::exec::gpu::testing;
namespace abi = wooly::gpu::fault_abi;

namespace {

constexpr uint64_t kMs = 1'000'000;

/// TimedHostApi that counts the executor's stop writes.
class StopSpy : public TimedHostApi {
public:
  int stops = 0;
  Status copyHtoD(DevicePtr dst, const void *src, uint64_t bytes,
                  DriverStream stream) override {
    uint32_t word = 0;
    if (bytes == 4)
      std::memcpy(&word, src, 4);
    if (word == abi::kStop)
      ++stops;
    return TimedHostApi::copyHtoD(dst, src, bytes, stream);
  }
  std::vector<DriverStream> launchStreams; // of each launch, in order
  Status launch(DriverFunction fn, const LaunchConfig &config, void **params,
                DriverStream stream) override {
    launchStreams.push_back(stream);
    return TimedHostApi::launch(fn, config, params, stream);
  }
  /// The kernels of `stream` end now (as at their polls after a stop).
  void endNow(DriverStream stream) {
    uint64_t until = freeAt[stream];
    for (auto &[event, at] : events)
      if (at && *at == until)
        at = now;
    freeAt[stream] = now;
  }
  /// Every kernel in flight ends now (as at their polls after a stop).
  void endAllNow() {
    for (auto &[stream, at] : freeAt)
      at = std::min(at, now);
    for (auto &[event, at] : events)
      if (at && *at > now)
        at = now;
  }
};

/// The kind word of the fault record the index-th loaded module points at.
uint32_t recordKind(StopSpy &api, size_t index) {
  uint64_t *slot = api.loaded.at(index) + 2;
  REQUIRE(slot[0] != 0);
  uint32_t kind = 0;
  std::memcpy(&kind, reinterpret_cast<const void *>(slot[0]), 4);
  return kind;
}

Status launch(Context &context, FunctionId fn) {
  LaunchConfig config;
  return context.launch(fn, config, {}, 0);
}

constexpr uint64_t kHour = 3600'000 * kMs;

/// An emulated executor with the launch watchdog and two sessions, A and B,
/// each with the empty kernel; A's module without the fault slot (so
/// without polls) unless `aPolls`.
struct Watched {
  StopSpy *api = nullptr;
  std::unique_ptr<GpuExecutor> executor;
  FunctionId fnA = 0, fnB = 0;
  std::unique_ptr<Context> a, b;

  explicit Watched(uint64_t limitMs, bool aPolls = true) {
    executor = emulatedExecutor(api, limitMs);
    api->modulesFault = aPolls;
    a = sessionWithEmptyKernel(*executor, fnA);
    api->modulesFault = true;
    b = sessionWithEmptyKernel(*executor, fnB);
  }
};

} // namespace

TEST_CASE("the GPU launch watchdog stops a kernel past its limit, in its "
          "session only",
          "[gpu][watchdog]") {
  Watched w(/*limitMs=*/1000);
  auto &[api, executor, fnA, fnB, a, b] = w;
  api->kernelNs = {kHour}; // A's kernel would run for an hour
  REQUIRE(launch(*a, fnA));
  api->now += 1; // it started
  executor->checkLaunchTimes();
  api->now += 900 * kMs;
  executor->checkLaunchTimes();
  CHECK(api->stops == 0);
  CHECK(recordKind(*api, 0) == abi::kNone);
  api->now += 200 * kMs; // 1.1 s
  executor->checkLaunchTimes();
  CHECK(api->stops == 1);
  CHECK(recordKind(*api, 0) == abi::kStop);
  CHECK(recordKind(*api, 1) == abi::kNone);
  api->endAllNow();
  Status synced = a->synchronize(0);
  CHECK(synced.code == ErrorCode::LaunchTimeout);
  CHECK(synced.message.find("longer than the 1000 ms launch watchdog limit") !=
        std::string::npos);
  CHECK(launch(*a, fnA).code == ErrorCode::LaunchTimeout); // sticky
  // B goes on.
  REQUIRE(launch(*b, fnB));
  CHECK(b->synchronize(0));
  api->now += 5000 * kMs;
  executor->checkLaunchTimes();
  CHECK(api->stops == 1);
  CHECK(executor->lost().empty()); // A's kernel ended when stopped
}

TEST_CASE("the GPU launch watchdog stops one session a pass and gives the "
          "kernels running then a new limit",
          "[gpu][watchdog]") {
  Watched w(/*limitMs=*/1000);
  auto &[api, executor, fnA, fnB, a, b] = w;
  // A runs away; B's kernel, started a little later, cannot get SMs while
  // A holds them (on the emulated device: it simply takes as long).
  api->kernelNs = {kHour, kHour};
  REQUIRE(launch(*a, fnA));
  api->now += 200 * kMs;
  REQUIRE(launch(*b, fnB));
  api->now += 1500 * kMs; // both look overdue
  executor->checkLaunchTimes();
  CHECK(api->stops == 1);
  CHECK(recordKind(*api, 0) == abi::kStop); // the older one
  CHECK(recordKind(*api, 1) == abi::kNone);
  api->endNow(api->launchStreams.at(0)); // A's threads left at their polls
  api->now += 500 * kMs;
  executor->checkLaunchTimes();
  CHECK(recordKind(*api, 1) == abi::kNone); // B's limit starts again
  api->now += 600 * kMs;
  executor->checkLaunchTimes();
  CHECK(recordKind(*api, 1) == abi::kStop); // now B itself ran too long
}

TEST_CASE("a GPU session that goes away stops its running kernels",
          "[gpu][watchdog]") {
  Watched w(/*limitMs=*/60'000);
  w.api->kernelNs = {kHour};
  REQUIRE(launch(*w.a, w.fnA));
  w.a.reset();
  CHECK(w.api->stops == 1);
}

TEST_CASE("a GPU kernel compiled without polls is reported, not stopped, and "
          "the watchdog goes on with the others",
          "[gpu][watchdog]") {
  Watched w(/*limitMs=*/1000, /*aPolls=*/false);
  auto &[api, executor, fnA, fnB, a, b] = w;
  api->kernelNs = {kHour, kHour};
  REQUIRE(launch(*a, fnA));
  api->now += 100 * kMs;
  REQUIRE(launch(*b, fnB));
  api->now += 1500 * kMs;
  executor->checkLaunchTimes(); // A is the oldest: it cannot be stopped
  CHECK(api->stops == 0);
  executor->checkLaunchTimes(); // B is seen
  CHECK(api->stops == 1);
  CHECK(recordKind(*api, 1) == abi::kStop);
  CHECK(executor->lost().empty());
  // A's kernel still runs a grace period (the limit, at least 1 s) later:
  // nothing but a new process ends it.
  api->now += 1100 * kMs;
  executor->checkLaunchTimes();
  CHECK(executor->lost().find("could not be stopped") != std::string::npos);
}

TEST_CASE("a GPU kernel still running a grace period after its session was "
          "stopped ends the executor; one that stopped does not",
          "[gpu][watchdog]") {
  Watched w(/*limitMs=*/1000);
  auto &[api, executor, fnA, fnB, a, b] = w;
  api->kernelNs = {kHour};
  REQUIRE(launch(*a, fnA));
  api->now += 1500 * kMs;
  executor->checkLaunchTimes();
  REQUIRE(api->stops == 1);
  api->now += 900 * kMs; // within the grace period
  executor->checkLaunchTimes();
  CHECK(executor->lost().empty());
  api->now += 200 * kMs; // past it, and the kernel did not stop
  executor->checkLaunchTimes();
  CHECK(executor->lost().find("1000 ms launch limit and could not be stopped") !=
        std::string::npos);
  DevicePtr ptr = 0; // no session gets anything from the device now
  CHECK(b->allocate(16, ptr).code == ErrorCode::DeviceUnavailable);
}
