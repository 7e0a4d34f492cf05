//===- DeviceEpochs.cpp - Surviving a kernel fault in the shared context --===//

#include "runtime/exec/gpu/DeviceEpochs.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

namespace wooly::exec::gpu {

namespace {
DeviceEpochs::Recovery recoveryFromEnvironment() {
  const char *policy = std::getenv("WOOLY_GPU_RECOVERY");
  return policy && std::strcmp(policy, "reset") == 0
             ? DeviceEpochs::Recovery::ResetContext
             : DeviceEpochs::Recovery::Restart;
}
int64_t steadyNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
} // namespace

DeviceEpochs::DeviceEpochs(std::unique_ptr<DeviceApi> device)
    : DeviceEpochs(std::move(device), recoveryFromEnvironment()) {}

DeviceEpochs::DeviceEpochs(std::unique_ptr<DeviceApi> device, Recovery recovery)
    : driver(std::move(device)), recovery(recovery) {}

std::string DeviceEpochs::down() const {
  {
    std::lock_guard<std::mutex> lock(lostMutex);
    if (!lostReason.empty())
      return lostReason;
  }
  int64_t since = resetSince.load();
  if (since &&
      steadyNs() - since >
          std::chrono::duration_cast<std::chrono::nanoseconds>(kResetPatience)
              .count())
    return "the GPU context was lost to a fatal fault in a kernel and its "
           "reset has not finished after " +
           std::to_string(kResetPatience.count()) + " s";
  return {};
}

Status DeviceEpochs::ended() {
  return Status::error(
      ErrorCode::DeviceUnavailable,
      "the GPU context was reset after a fatal fault in a kernel; this "
      "session's device memory, modules and streams are gone (start a new "
      "session)");
}

Status DeviceEpochs::lost() const {
  return Status::error(ErrorCode::DeviceUnavailable, down());
}

bool DeviceEpochs::mayMeanLost(ErrorCode code) {
  // What the drivers report for sticky faults (CudaDriver/HipDriver's
  // error mapping), and for errors they do not name.
  switch (code) {
  case ErrorCode::LaunchFailure:
  case ErrorCode::LaunchTimeout:
  case ErrorCode::Trap:
  case ErrorCode::Assert:
  case ErrorCode::DeviceUnavailable:
  case ErrorCode::Internal:
    return true;
  default:
    return false;
  }
}

void DeviceEpochs::markLost(const std::string &why) {
  {
    std::lock_guard<std::mutex> lock(lostMutex);
    if (!lostReason.empty())
      return;
    lostReason = why;
  }
  isLost.store(true);
  std::fprintf(stderr, "wooly: %s\n", why.c_str());
}

void DeviceEpochs::recover(uint64_t at, const Status &cause) {
  if (isLost.load() || at != epoch.load())
    return; // already acted on
  if (recovery == Recovery::Restart) {
    // No lock: a call in flight may never return from a broken driver,
    // and nothing here needs it to.
    if (driver->contextLost())
      markLost("the GPU context was lost to a fatal fault in a kernel (" +
               cause.message +
               "); only a new process gets a working one: restart woolyd");
    return;
  }
  // Exclusive: every call in flight (a session waiting on its stream, say)
  // has returned, and none starts, until the context is replaced.
  resetSince.store(steadyNs());
  std::unique_lock<std::shared_mutex> lock(mutex);
  if (isLost.load() || at != epoch.load() || !driver->contextLost()) {
    resetSince.store(0);
    return; // another call already recovered, or an error of that call alone
  }
  std::fprintf(stderr,
               "wooly: the GPU context was lost to a fatal fault in a kernel "
               "(%s); resetting it: the sessions in it lose their device "
               "state\n",
               cause.message.c_str());
  Status reset = driver->resetContext();
  resetSince.store(0);
  if (!reset) {
    markLost("the GPU context was lost to a fatal fault in a kernel and "
             "could not be reset (" +
             reset.message + "); restart woolyd");
    return;
  }
  epoch.fetch_add(1);
}

// Every call of EpochDeviceApi: the same call on the driver, in its epoch.
#define WOOLY_IN_EPOCH(call)                                                   \
  return epochs.run(bound, [&](DeviceApi &d) { return d.call; })

Status EpochDeviceApi::memAlloc(uint64_t bytes, DevicePtr &out) {
  WOOLY_IN_EPOCH(memAlloc(bytes, out));
}
Status EpochDeviceApi::memFree(DevicePtr ptr) { WOOLY_IN_EPOCH(memFree(ptr)); }
Status EpochDeviceApi::copyHtoD(DevicePtr dst, const void *src, uint64_t bytes,
                                DriverStream stream) {
  WOOLY_IN_EPOCH(copyHtoD(dst, src, bytes, stream));
}
Status EpochDeviceApi::copyDtoH(void *dst, DevicePtr src, uint64_t bytes,
                                DriverStream stream) {
  WOOLY_IN_EPOCH(copyDtoH(dst, src, bytes, stream));
}
Status EpochDeviceApi::copyDtoD(DevicePtr dst, DevicePtr src, uint64_t bytes,
                                DriverStream stream) {
  WOOLY_IN_EPOCH(copyDtoD(dst, src, bytes, stream));
}
Status EpochDeviceApi::memsetD8(DevicePtr dst, uint8_t value, uint64_t bytes,
                                DriverStream stream) {
  WOOLY_IN_EPOCH(memsetD8(dst, value, bytes, stream));
}
Status EpochDeviceApi::moduleLoad(std::span<const uint8_t> image,
                                  DriverModule &out) {
  WOOLY_IN_EPOCH(moduleLoad(image, out));
}
Status EpochDeviceApi::moduleUnload(DriverModule module) {
  WOOLY_IN_EPOCH(moduleUnload(module));
}
Status EpochDeviceApi::moduleGetFunction(DriverModule module,
                                         const std::string &name,
                                         DriverFunction &out) {
  WOOLY_IN_EPOCH(moduleGetFunction(module, name, out));
}
Status EpochDeviceApi::moduleGetGlobal(DriverModule module,
                                       const std::string &name, DevicePtr &out,
                                       uint64_t &bytes) {
  WOOLY_IN_EPOCH(moduleGetGlobal(module, name, out, bytes));
}
Status EpochDeviceApi::functionInfo(DriverFunction fn, KernelInfo &info) {
  WOOLY_IN_EPOCH(functionInfo(fn, info));
}
Status EpochDeviceApi::launch(DriverFunction fn, const LaunchConfig &config,
                              void **params, DriverStream stream) {
  WOOLY_IN_EPOCH(launch(fn, config, params, stream));
}
void EpochDeviceApi::priorityRange(int &least, int &greatest) {
  epochs.device().priorityRange(least, greatest);
}
Status EpochDeviceApi::streamCreate(int priority, DriverStream &out) {
  WOOLY_IN_EPOCH(streamCreate(priority, out));
}
Status EpochDeviceApi::streamCreateBestEffort(int priority, DriverStream &out) {
  WOOLY_IN_EPOCH(streamCreateBestEffort(priority, out));
}
Status EpochDeviceApi::streamDestroy(DriverStream stream) {
  WOOLY_IN_EPOCH(streamDestroy(stream));
}
Status EpochDeviceApi::streamSynchronize(DriverStream stream) {
  WOOLY_IN_EPOCH(streamSynchronize(stream));
}
Status EpochDeviceApi::streamQuery(DriverStream stream) {
  WOOLY_IN_EPOCH(streamQuery(stream));
}
Status EpochDeviceApi::streamWaitEvent(DriverStream stream, DriverEvent event) {
  WOOLY_IN_EPOCH(streamWaitEvent(stream, event));
}
Status EpochDeviceApi::hostFunction(DriverStream stream, HostCallback fn,
                                    void *data) {
  WOOLY_IN_EPOCH(hostFunction(stream, fn, data));
}
Status EpochDeviceApi::eventCreate(DriverEvent &out) {
  WOOLY_IN_EPOCH(eventCreate(out));
}
Status EpochDeviceApi::eventDestroy(DriverEvent event) {
  WOOLY_IN_EPOCH(eventDestroy(event));
}
Status EpochDeviceApi::eventRecord(DriverEvent event, DriverStream stream) {
  WOOLY_IN_EPOCH(eventRecord(event, stream));
}
Status EpochDeviceApi::eventQuery(DriverEvent event) {
  WOOLY_IN_EPOCH(eventQuery(event));
}
Status EpochDeviceApi::eventSynchronize(DriverEvent event) {
  WOOLY_IN_EPOCH(eventSynchronize(event));
}
Status EpochDeviceApi::eventElapsed(DriverEvent start, DriverEvent end,
                                    float &ms) {
  WOOLY_IN_EPOCH(eventElapsed(start, end, ms));
}
uint64_t EpochDeviceApi::mapGranularity() {
  return epochs.device().mapGranularity();
}
Status EpochDeviceApi::reserveRange(uint64_t bytes, uint64_t alignment,
                                    DevicePtr &out) {
  WOOLY_IN_EPOCH(reserveRange(bytes, alignment, out));
}
Status EpochDeviceApi::freeRange(DevicePtr base, uint64_t bytes) {
  WOOLY_IN_EPOCH(freeRange(base, bytes));
}
Status EpochDeviceApi::createMemory(uint64_t bytes, MemoryHandle &out) {
  WOOLY_IN_EPOCH(createMemory(bytes, out));
}
Status EpochDeviceApi::releaseMemory(MemoryHandle memory) {
  WOOLY_IN_EPOCH(releaseMemory(memory));
}
Status EpochDeviceApi::mapMemory(DevicePtr at, uint64_t bytes,
                                 MemoryHandle memory) {
  WOOLY_IN_EPOCH(mapMemory(at, bytes, memory));
}
Status EpochDeviceApi::unmapMemory(DevicePtr at, uint64_t bytes) {
  WOOLY_IN_EPOCH(unmapMemory(at, bytes));
}
uint64_t EpochDeviceApi::memoryUsed() { return epochs.device().memoryUsed(); }
Status EpochDeviceApi::raiseStackSize(uint64_t bytes, uint64_t &now) {
  WOOLY_IN_EPOCH(raiseStackSize(bytes, now));
}

#undef WOOLY_IN_EPOCH

} // namespace wooly::exec::gpu
