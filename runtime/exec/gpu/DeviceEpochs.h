//===- DeviceEpochs.h - Surviving a kernel fault in the shared context -*- C++
//-*-===//
//
// Every session of a GPU executor runs in the device's one context, so a
// fault the address fence cannot prevent (a trap, a device-side assert, a
// stack overflow, an illegal instruction) is "sticky": the driver fails
// every later call in that context, for every session, until the context is
// destroyed. Without recovery one client's bad kernel would leave woolyd
// refusing every session until it restarts.
//
// DeviceEpochs owns the driver table and numbers the context's lifetimes
// (epochs). Sessions reach the driver through an EpochDeviceApi bound to
// the epoch they were created in. When a call fails in a way that may mean
// a lost context, the first to notice asks the driver (contextLost). If it
// is lost, what happens depends on the recovery policy:
//  - Restart (the default): CUDA documents that only a new process clears
//    a sticky error. The executor is lost for good: no call reaches the
//    driver any more, every session is told so, and Executor::lost() says
//    why, so woolyd restarts itself (daemon/Restart.h) on the same
//    endpoint with a new context.
//  - ResetContext (WOOLY_GPU_RECOVERY=reset): once every call in flight has
//    returned, the context is reset in place (resetContext) and a new epoch
//    starts; sessions of an old epoch get DeviceUnavailable from every call
//    without the driver seeing their stale handles, new sessions run in the
//    new context. A reset that fails, or has not finished after
//    kResetPatience, makes the executor lost as above. (Not yet seen to
//    work on an NVIDIA GPU: docs/gpu-backends.md.)
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_RUNTIME_EXEC_GPU_DEVICEEPOCHS_H
#define WOOLY_RUNTIME_EXEC_GPU_DEVICEEPOCHS_H

#include "runtime/exec/gpu/DeviceApi.h"

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <shared_mutex>

namespace wooly::exec::gpu {

class DeviceEpochs {
public:
  enum class Recovery { Restart, ResetContext };
  /// How long an in-place reset may take before the executor gives up on
  /// it (the driver call cannot be interrupted; the process can).
  static constexpr std::chrono::seconds kResetPatience{10};

  /// `recovery` defaults to $WOOLY_GPU_RECOVERY ("reset": ResetContext),
  /// else Restart.
  explicit DeviceEpochs(std::unique_ptr<DeviceApi> device);
  DeviceEpochs(std::unique_ptr<DeviceApi> device, Recovery recovery);

  /// The driver table itself (calls that need no epoch: memory in use).
  DeviceApi &device() { return *driver; }
  /// The epoch new sessions are created in.
  uint64_t current() const { return epoch.load(); }
  /// Why the executor is lost for good (its context cannot be recovered in
  /// this process); empty while it is not. Never blocks.
  std::string down() const;
  /// How many times the context was reset.
  uint64_t resets() const { return current() - 1; }

  /// Runs `call(device)` for a session of `at`, unless that epoch is over.
  /// Calls run concurrently; a reset waits for all of them to return. Only
  /// ResetContext ever resets, so only it pays for the shared lock on every
  /// driver call (launches included).
  template <typename Call> Status run(uint64_t at, Call &&call) {
    if (isLost.load())
      return lost();
    Status status;
    if (recovery == Recovery::Restart) {
      status = call(*driver);
    } else {
      std::shared_lock<std::shared_mutex> lock(mutex);
      if (at != epoch.load())
        return ended();
      status = call(*driver);
    }
    if (!status && mayMeanLost(status.code))
      recover(at, status);
    return status;
  }

  /// Makes the executor lost for good, for `why` (the launch watchdog found
  /// a kernel it cannot stop: only a new process ends it).
  void giveUp(const std::string &why) { markLost(why); }

  /// The error every call of an ended epoch gets.
  static Status ended();
  /// The error every call gets once the executor is lost.
  Status lost() const;

private:
  static bool mayMeanLost(ErrorCode code);
  /// Acts on a context the driver says is lost, if it is still epoch
  /// `at`'s (Recovery).
  void recover(uint64_t at, const Status &cause);
  void markLost(const std::string &why);

  std::unique_ptr<DeviceApi> driver;
  Recovery recovery;
  mutable std::shared_mutex mutex; // shared: calls; exclusive: a reset
  std::atomic<uint64_t> epoch{1};
  std::atomic<bool> isLost{false};
  mutable std::mutex lostMutex;
  std::string lostReason; // under lostMutex
  /// When an in-place reset began (steady clock, ns); 0 when none runs.
  std::atomic<int64_t> resetSince{0};
};

/// A session's (or the telemetry's) driver table: DeviceEpochs::run for
/// every call, bound to one epoch.
class EpochDeviceApi final : public DeviceApi {
public:
  EpochDeviceApi(DeviceEpochs &epochs, uint64_t epoch)
      : epochs(epochs), bound(epoch) {}
  uint64_t epoch() const { return bound; }

  Status memAlloc(uint64_t bytes, DevicePtr &out) override;
  Status memFree(DevicePtr ptr) override;
  Status copyHtoD(DevicePtr dst, const void *src, uint64_t bytes,
                  DriverStream stream) override;
  Status copyDtoH(void *dst, DevicePtr src, uint64_t bytes,
                  DriverStream stream) override;
  Status copyDtoD(DevicePtr dst, DevicePtr src, uint64_t bytes,
                  DriverStream stream) override;
  Status memsetD8(DevicePtr dst, uint8_t value, uint64_t bytes,
                  DriverStream stream) override;
  Status moduleLoad(std::span<const uint8_t> image, DriverModule &out) override;
  Status moduleUnload(DriverModule module) override;
  Status moduleGetFunction(DriverModule module, const std::string &name,
                           DriverFunction &out) override;
  Status moduleGetGlobal(DriverModule module, const std::string &name,
                         DevicePtr &out, uint64_t &bytes) override;
  Status functionInfo(DriverFunction fn, KernelInfo &info) override;
  Status launch(DriverFunction fn, const LaunchConfig &config, void **params,
                DriverStream stream) override;
  void priorityRange(int &least, int &greatest) override;
  Status streamCreate(int priority, DriverStream &out) override;
  Status streamCreateBestEffort(int priority, DriverStream &out) override;
  Status streamDestroy(DriverStream stream) override;
  Status streamSynchronize(DriverStream stream) override;
  Status streamQuery(DriverStream stream) override;
  Status streamWaitEvent(DriverStream stream, DriverEvent event) override;
  Status hostFunction(DriverStream stream, HostCallback fn,
                      void *data) override;
  Status eventCreate(DriverEvent &out) override;
  Status eventDestroy(DriverEvent event) override;
  Status eventRecord(DriverEvent event, DriverStream stream) override;
  Status eventQuery(DriverEvent event) override;
  Status eventSynchronize(DriverEvent event) override;
  Status eventElapsed(DriverEvent start, DriverEvent end, float &ms) override;
  uint64_t mapGranularity() override;
  Status reserveRange(uint64_t bytes, uint64_t alignment,
                      DevicePtr &out) override;
  Status freeRange(DevicePtr base, uint64_t bytes) override;
  Status createMemory(uint64_t bytes, MemoryHandle &out) override;
  Status releaseMemory(MemoryHandle memory) override;
  Status mapMemory(DevicePtr at, uint64_t bytes, MemoryHandle memory) override;
  Status unmapMemory(DevicePtr at, uint64_t bytes) override;
  uint64_t memoryUsed() override;
  Status raiseStackSize(uint64_t bytes, uint64_t &now) override;

private:
  DeviceEpochs &epochs;
  uint64_t bound; // the epoch (a name no parameter here shadows)
};

} // namespace wooly::exec::gpu

#endif // WOOLY_RUNTIME_EXEC_GPU_DEVICEEPOCHS_H
