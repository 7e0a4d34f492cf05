//===- HipExecutor.h - AMD GPUs through the HIP module API ------*- C++ -*-===//
//
// One executor per device; each client context owns its memory, modules,
// streams and events (GpuContext, shared with the cuda executor). Modules
// compile WIS -> HSA code object for the device's gfx processor and load
// with hipModuleLoadData.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_RUNTIME_EXEC_HIP_HIPEXECUTOR_H
#define WOOLY_RUNTIME_EXEC_HIP_HIPEXECUTOR_H

#include "runtime/exec/Executor.h"

namespace wooly::exec::hip {

/// The hip executor for device `ordinal`; DeviceUnavailable with the reason
/// when there is no runtime, no such device, or a processor the amdgpu
/// backend does not support.
Status createHipExecutorFor(int ordinal, const ExecutorOptions &options,
                            std::unique_ptr<Executor> &out);

} // namespace wooly::exec::hip

#endif // WOOLY_RUNTIME_EXEC_HIP_HIPEXECUTOR_H
