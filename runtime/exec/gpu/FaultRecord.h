//===- FaultRecord.h - A context's record of a trap or assert ---*- C++ -*-===//
//
// On NVIDIA GPUs a kernel that traps or fails an assert writes its
// context's fault record and exits instead of ending the launch through the
// driver (compiler/target/gpu/GpuFault.h): the device context all sessions
// share stays usable, and only the session whose kernel faulted is told.
// GpuContext owns one FaultRecord; the record lives in device memory outside
// the session's arena and quota, made when the first module that can fault
// is loaded, and is read back on a stream of its own at the session's
// synchronization points.
//
// With WOOLY_GPU_TRAPS=driver on the server, modules keep a zero slot and
// trap through the driver as before (a lost context and a woolyd restart:
// DeviceEpochs.h).
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_RUNTIME_EXEC_GPU_FAULTRECORD_H
#define WOOLY_RUNTIME_EXEC_GPU_FAULTRECORD_H

#include "compiler/target/gpu/GpuFaultABI.h"
#include "runtime/exec/gpu/DeviceApi.h"

#include <functional>
#include <span>

namespace wooly::exec::gpu {

/// What the record's bytes say: ok for no fault or one not completely
/// written yet, else the error for the session (ErrorCode::Trap or Assert,
/// as the host executor reports them), in the words CUDA uses for an
/// assert. `bytes` may be shorter than the record: missing bytes read as 0.
Status decodeFaultRecord(std::span<const uint8_t> bytes);

/// Whether the server leaves traps to the driver ($WOOLY_GPU_TRAPS=driver).
bool trapsGoToDriver();

class FaultRecord {
public:
  explicit FaultRecord(DeviceApi &api) : api(api) {}
  ~FaultRecord();
  FaultRecord(const FaultRecord &) = delete;
  FaultRecord &operator=(const FaultRecord &) = delete;

  /// Points the `__wooly_fault` slot of a just-loaded module that can fault
  /// at the record, making the record on first use (`stream` orders the
  /// writes). `attached` says whether kernels of the module now report
  /// here; it stays false, with an ok status, when the module has no slot
  /// (a backend without fault records) or traps go to the driver.
  Status attach(DriverModule module, DriverStream stream, bool &attached);

  /// A kernel that reports here was launched: the next check reads back.
  void launched() { pending = true; }

  /// The fault recorded, once it is completely written; ok while there is
  /// none. A fault stays: every later check returns it. `allIdle` says
  /// whether no stream of the context has work left (then a record still
  /// empty needs no further read until the next launch).
  Status check(const std::function<bool()> &allIdle);

  /// The fault already read back (ok for none); no device access.
  const Status &recorded() const { return fault; }

  /// Ends the context's kernels at their next loop poll (kStop in the
  /// record, written without waiting) and makes `why` the context's
  /// error, unless it already has one. False where there is no record
  /// (no kernel of the context could be stopped).
  bool stop(Status why);

private:
  DeviceApi &api;
  DevicePtr record = 0;
  DriverStream reads = nullptr; // the read-backs' own stream
  bool pending = false;
  Status fault;
  uint32_t stopWord = wooly::gpu::fault_abi::kStop; // the copy's source
};

} // namespace wooly::exec::gpu

#endif // WOOLY_RUNTIME_EXEC_GPU_FAULTRECORD_H
