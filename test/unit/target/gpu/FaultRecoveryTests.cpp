//===- FaultRecoveryTests.cpp - A kernel fault does not end the executor --===//
//
// A GpuExecutor over an emulated driver whose context can be lost the way
// CUDA's is after an illegal address or a trap: from then on every call
// fails, until the context is reset (DeviceEpochs.h).
//
//===----------------------------------------------------------------------===//
#include "runtime/exec/gpu/DeviceEpochs.h"
#include "test/unit/target/gpu/EmulatedExecutor.h"

#include <cstdlib>
#include <set>

using namespace wooly::exec;
using namespace wooly::exec::gpu;
using namespace wooly::exec::gpu::testing;

namespace {

/// Sets WOOLY_GPU_RECOVERY for one test (executors read it when made).
struct RecoveryPolicy {
  explicit RecoveryPolicy(const char *policy) {
    setenv("WOOLY_GPU_RECOVERY", policy, 1);
  }
  ~RecoveryPolicy() { unsetenv("WOOLY_GPU_RECOVERY"); }
};

/// TimedHostApi with a context that a launch can lose.
class FaultingApi : public TimedHostApi {
public:
  bool faultNextLaunch = false; // the next launch loses the context
  bool failNextLaunch = false;  // the next launch fails, context intact
  bool canReset = true;
  bool lost = false;
  int resets = 0;
  /// Driver calls made with a stream of a context that was reset.
  int staleCalls = 0;

  Status launch(DriverFunction fn, const LaunchConfig &config, void **params,
                DriverStream stream) override {
    if (lost)
      return sticky();
    if (failNextLaunch) {
      failNextLaunch = false;
      return Status::error(ErrorCode::LaunchFailure,
                           "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES (emulated)");
    }
    if (faultNextLaunch) {
      faultNextLaunch = false;
      lost = true; // surfaces at the next call, as a fault does
    }
    return TimedHostApi::launch(fn, config, params, stream);
  }
  Status streamSynchronize(DriverStream stream) override {
    noteStale(stream);
    return lost ? sticky() : TimedHostApi::streamSynchronize(stream);
  }
  Status streamDestroy(DriverStream stream) override {
    noteStale(stream);
    return lost ? sticky() : TimedHostApi::streamDestroy(stream);
  }
  Status streamCreate(int priority, DriverStream &out) override {
    if (lost)
      return sticky();
    Status s = TimedHostApi::streamCreate(priority, out);
    created.insert(out);
    return s;
  }
  Status memAlloc(uint64_t bytes, DevicePtr &out) override {
    return lost ? sticky() : TimedHostApi::memAlloc(bytes, out);
  }
  bool contextLost() override { return lost; }
  Status resetContext() override {
    if (!canReset)
      return Status::error(ErrorCode::Internal, "emulated reset failure");
    lost = false;
    ++resets;
    stale.insert(created.begin(), created.end());
    return Status::ok();
  }

  int callsWhileLost = 0;

private:
  Status sticky() {
    ++callsWhileLost;
    return Status::error(ErrorCode::LaunchFailure,
                         "CUDA_ERROR_ILLEGAL_ADDRESS (emulated)");
  }
  void noteStale(DriverStream stream) {
    if (stale.count(stream))
      ++staleCalls;
  }
  std::set<DriverStream> created, stale;
};

} // namespace

TEST_CASE("with WOOLY_GPU_RECOVERY=reset a fatal kernel fault resets the GPU "
          "context and later sessions run",
          "[gpu][faults]") {
  RecoveryPolicy policy("reset");
  FaultingApi *api = nullptr;
  auto executor = emulatedExecutor(api);
  FunctionId fnA = 0, fnB = 0;
  auto a = sessionWithEmptyKernel(*executor, fnA);
  auto b = sessionWithEmptyKernel(*executor, fnB);
  DevicePtr kept = 0;
  REQUIRE(b->allocate(256, kept));

  api->faultNextLaunch = true;
  REQUIRE(a->launch(fnA, {}, {}, 0));
  Status fault = a->synchronize(0);
  CHECK(fault.code == ErrorCode::LaunchFailure);
  CHECK(api->resets == 1);
  CHECK(executor->contextResets() == 1);

  // The other session's memory died with the context: it is told so, and
  // its stale handles never reach the driver.
  DevicePtr more = 0;
  Status after = b->allocate(256, more);
  CHECK(after.code == ErrorCode::DeviceUnavailable);
  CHECK(after.message.find("reset after a fatal fault") != std::string::npos);
  CHECK(b->launch(fnB, {}, {}, 0).code == ErrorCode::DeviceUnavailable);

  // A new session gets the new context and works.
  FunctionId fnC = 0;
  auto c = sessionWithEmptyKernel(*executor, fnC);
  REQUIRE(c->launch(fnC, {}, {}, 0));
  CHECK(c->synchronize(0));
  DevicePtr fresh = 0;
  CHECK(c->allocate(256, fresh));

  a.reset();
  b.reset();
  CHECK(api->staleCalls == 0);
  CHECK(api->resets == 1); // one fault, one reset
}

TEST_CASE("a launch error that leaves the context usable resets nothing",
          "[gpu][faults]") {
  FaultingApi *api = nullptr;
  auto executor = emulatedExecutor(api);
  FunctionId fnA = 0, fnB = 0;
  auto a = sessionWithEmptyKernel(*executor, fnA);
  auto b = sessionWithEmptyKernel(*executor, fnB);
  api->failNextLaunch = true;
  CHECK(a->launch(fnA, {}, {}, 0).code == ErrorCode::LaunchFailure);
  CHECK(api->resets == 0);
  CHECK(executor->contextResets() == 0);
  REQUIRE(a->launch(fnA, {}, {}, 0));
  CHECK(a->synchronize(0));
  DevicePtr ptr = 0;
  CHECK(b->allocate(64, ptr));
}

TEST_CASE("a lost context that cannot be reset leaves the executor lost, "
          "saying why",
          "[gpu][faults]") {
  RecoveryPolicy policy("reset");
  FaultingApi *api = nullptr;
  auto executor = emulatedExecutor(api);
  FunctionId fn = 0;
  auto a = sessionWithEmptyKernel(*executor, fn);
  api->canReset = false;
  api->faultNextLaunch = true;
  REQUIRE(a->launch(fn, {}, {}, 0));
  CHECK_FALSE(a->synchronize(0));
  std::unique_ptr<Context> next;
  Status refused = executor->createContext({}, next);
  CHECK(refused.code == ErrorCode::DeviceUnavailable);
  CHECK(refused.message.find("could not be reset") != std::string::npos);
  CHECK(refused.message.find("emulated reset failure") != std::string::npos);
  CHECK(executor->lost() == refused.message);
}

TEST_CASE("by default a fatal kernel fault makes the executor lost, without "
          "another driver call, so that woolyd restarts",
          "[gpu][faults]") {
  FaultingApi *api = nullptr;
  auto executor = emulatedExecutor(api);
  FunctionId fnA = 0, fnB = 0;
  auto a = sessionWithEmptyKernel(*executor, fnA);
  auto b = sessionWithEmptyKernel(*executor, fnB);
  CHECK(executor->lost().empty());
  api->faultNextLaunch = true;
  REQUIRE(a->launch(fnA, {}, {}, 0));
  CHECK(a->synchronize(0).code == ErrorCode::LaunchFailure);
  CHECK(api->resets == 0);
  std::string why = executor->lost();
  CHECK(why.find("fatal fault in a kernel") != std::string::npos);
  CHECK(why.find("restart woolyd") != std::string::npos);
  // Every session is told, and the broken driver is not called again.
  int before = api->callsWhileLost;
  DevicePtr ptr = 0;
  Status after = b->allocate(64, ptr);
  CHECK(after.code == ErrorCode::DeviceUnavailable);
  CHECK(after.message == why);
  CHECK(b->synchronize(0).code == ErrorCode::DeviceUnavailable);
  std::unique_ptr<Context> next;
  CHECK(executor->createContext({}, next).code == ErrorCode::DeviceUnavailable);
  a.reset();
  b.reset();
  CHECK(api->callsWhileLost == before);
  CHECK(executor->memoryUsed() == 0);
}

TEST_CASE("a session's driver table reaches the driver while its epoch lasts, "
          "whatever the arguments",
          "[gpu][faults]") {
  // The arena's calls take device addresses: none may be mistaken for the
  // epoch (a parameter named like the epoch once shadowed it).
  struct MappingApi : HostMemoryApi {
    int maps = 0, unmaps = 0, reserves = 0;
    Status reserveRange(uint64_t, uint64_t, DevicePtr &out) override {
      ++reserves;
      out = 1ull << 40;
      return Status::ok();
    }
    Status mapMemory(DevicePtr, uint64_t, MemoryHandle) override {
      ++maps;
      return Status::ok();
    }
    Status unmapMemory(DevicePtr, uint64_t) override {
      ++unmaps;
      return Status::ok();
    }
  };
  auto owned = std::make_unique<MappingApi>();
  MappingApi *api = owned.get();
  DeviceEpochs epochs(std::move(owned), DeviceEpochs::Recovery::ResetContext);
  EpochDeviceApi session(epochs, epochs.current());
  DevicePtr base = 0;
  REQUIRE(session.reserveRange(1 << 21, 1 << 21, base));
  for (DevicePtr at : {base, base + (1 << 20), DevicePtr(1), DevicePtr(2)}) {
    CHECK(session.mapMemory(at, 1 << 16, 7));
    CHECK(session.unmapMemory(at, 1 << 16));
  }
  CHECK(api->reserves == 1);
  CHECK(api->maps == 4);
  CHECK(api->unmaps == 4);
}
