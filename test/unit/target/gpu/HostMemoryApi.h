//===- HostMemoryApi.h - A driver table over host memory, for tests -*- C++
//-*-===//
//
// A DeviceApi whose device memory is host memory (DevicePtr = host address)
// and whose modules are a 16-byte __wooly_printf and a 16-byte
// __wooly_fault slot each, so GpuContext's
// bookkeeping runs without a GPU. Tests override the module and launch
// calls where they need more.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_TEST_UNIT_TARGET_GPU_HOSTMEMORYAPI_H
#define WOOLY_TEST_UNIT_TARGET_GPU_HOSTMEMORYAPI_H

#include "compiler/target/gpu/GpuFaultABI.h"
#include "compiler/target/gpu/GpuPrintfABI.h"
#include "runtime/exec/gpu/DeviceApi.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <vector>

namespace wooly::exec::gpu::testing {

/// Device memory is host memory; modules are a 16-byte __wooly_printf each.
class HostMemoryApi : public DeviceApi {
public:
  std::map<DevicePtr, std::unique_ptr<uint64_t[]>> allocations;
  std::map<DriverModule, std::unique_ptr<uint64_t[]>> modules;
  std::vector<uint64_t *> loaded; // each module's slot, in load order
  bool busy = false;              // streamQuery says NotReady
  bool modulesPrint = true;
  bool modulesFault = true; // have a __wooly_fault slot
  int launches = 0, readBacks = 0;
  uint64_t largestReadBack = 0; // bytes of the largest copyDtoH

  static Status unsupported() {
    return Status::error(ErrorCode::NotSupported, "not in this test");
  }

  Status memAlloc(uint64_t bytes, DevicePtr &out) override {
    auto memory = std::make_unique<uint64_t[]>((bytes + 7) / 8);
    std::memset(memory.get(), 0xab, bytes); // not zeroed, as cuMemAlloc
    out = reinterpret_cast<DevicePtr>(memory.get());
    allocations.emplace(out, std::move(memory));
    return Status::ok();
  }
  Status memFree(DevicePtr ptr) override {
    return allocations.erase(ptr) ? Status::ok() : unsupported();
  }
  Status copyHtoD(DevicePtr dst, const void *src, uint64_t bytes,
                  DriverStream) override {
    std::memcpy(reinterpret_cast<void *>(dst), src, bytes);
    return Status::ok();
  }
  Status copyDtoH(void *dst, DevicePtr src, uint64_t bytes,
                  DriverStream) override {
    ++readBacks;
    largestReadBack = std::max(largestReadBack, bytes);
    std::memcpy(dst, reinterpret_cast<const void *>(src), bytes);
    return Status::ok();
  }
  Status copyDtoD(DevicePtr, DevicePtr, uint64_t, DriverStream) override {
    return unsupported();
  }
  Status memsetD8(DevicePtr dst, uint8_t value, uint64_t bytes,
                  DriverStream) override {
    std::memset(reinterpret_cast<void *>(dst), value, bytes);
    return Status::ok();
  }
  Status moduleLoad(std::span<const uint8_t>, DriverModule &out) override {
    // __wooly_printf, then __wooly_fault.
    auto slot = std::make_unique<uint64_t[]>(4);
    out = slot.get();
    loaded.push_back(slot.get());
    modules.emplace(out, std::move(slot));
    return Status::ok();
  }
  Status moduleUnload(DriverModule module) override {
    return modules.erase(module) ? Status::ok() : unsupported();
  }
  Status moduleGetFunction(DriverModule module, const std::string &,
                           DriverFunction &out) override {
    out = module;
    return Status::ok();
  }
  Status moduleGetGlobal(DriverModule module, const std::string &name,
                         DevicePtr &out, uint64_t &bytes) override {
    if (name == wooly::gpu::fault_abi::kGlobalName && modulesFault) {
      out = reinterpret_cast<DevicePtr>(module) + 16;
      bytes = 16;
      return Status::ok();
    }
    if (name != wooly::gpu::printf_abi::kGlobalName || !modulesPrint)
      return Status::error(ErrorCode::NotFound, "no such global");
    out = reinterpret_cast<DevicePtr>(module);
    bytes = 16;
    return Status::ok();
  }
  Status functionInfo(DriverFunction, KernelInfo &) override {
    return Status::ok();
  }
  Status launch(DriverFunction, const LaunchConfig &, void **,
                DriverStream) override {
    ++launches; // the test writes the kernel's records itself
    return Status::ok();
  }
  void priorityRange(int &least, int &greatest) override {
    least = 0;
    greatest = -5;
  }
  Status streamCreate(int, DriverStream &out) override {
    out = reinterpret_cast<DriverStream>(++streams);
    return Status::ok();
  }
  Status streamDestroy(DriverStream) override { return Status::ok(); }
  Status streamSynchronize(DriverStream) override { return Status::ok(); }
  Status streamQuery(DriverStream) override {
    return busy ? Status::error(ErrorCode::NotReady, "busy") : Status::ok();
  }
  Status streamWaitEvent(DriverStream, DriverEvent) override {
    return unsupported();
  }
  Status hostFunction(DriverStream, HostCallback, void *) override {
    return unsupported();
  }
  Status eventCreate(DriverEvent &) override { return unsupported(); }
  Status eventDestroy(DriverEvent) override { return unsupported(); }
  Status eventRecord(DriverEvent, DriverStream) override {
    return unsupported();
  }
  Status eventQuery(DriverEvent) override { return unsupported(); }
  Status eventSynchronize(DriverEvent) override { return unsupported(); }
  Status eventElapsed(DriverEvent, DriverEvent, float &) override {
    return unsupported();
  }
  uint64_t mapGranularity() override { return 0; }
  Status reserveRange(uint64_t, uint64_t, DevicePtr &) override {
    return unsupported();
  }
  Status freeRange(DevicePtr, uint64_t) override { return unsupported(); }
  Status createMemory(uint64_t, MemoryHandle &) override {
    return unsupported();
  }
  Status releaseMemory(MemoryHandle) override { return unsupported(); }
  Status mapMemory(DevicePtr, uint64_t, MemoryHandle) override {
    return unsupported();
  }
  Status unmapMemory(DevicePtr, uint64_t) override { return unsupported(); }
  uint64_t memoryUsed() override { return 0; }

  uint64_t stackBytes = 1024; // the driver's default
  int stackChanges = 0;
  Status raiseStackSize(uint64_t bytes, uint64_t &now) override {
    if (stackBytes < bytes) {
      stackBytes = bytes;
      ++stackChanges;
    }
    now = stackBytes;
    return Status::ok();
  }

private:
  uintptr_t streams = 0;
};

} // namespace wooly::exec::gpu::testing

#endif // WOOLY_TEST_UNIT_TARGET_GPU_HOSTMEMORYAPI_H
