//===- CudaExecutor.h - NVIDIA GPUs through the CUDA driver API -*- C++ -*-===//
//
// One executor per device: the device's primary context is shared by every
// client context (CUDA's own model for many streams in one process); each
// client context owns its memory, modules, streams and events (GpuContext).
// Modules compile WIS -> PTX for the device's sm_XX and load with
// cuModuleLoadDataEx.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_RUNTIME_EXEC_CUDA_CUDAEXECUTOR_H
#define WOOLY_RUNTIME_EXEC_CUDA_CUDAEXECUTOR_H

#include "runtime/exec/Executor.h"

namespace wooly::exec::cuda {

/// The cuda executor for device `ordinal`; DeviceUnavailable with the reason
/// when there is no driver or no such device.
Status createCudaExecutorFor(int ordinal, const ExecutorOptions &options,
                             std::unique_ptr<Executor> &out);

/// The `sm_XX` name Wooly compiles for on a device of this compute
/// capability (the closest architecture the nvptx backend supports).
std::string smArchFor(unsigned major, unsigned minor);

} // namespace wooly::exec::cuda

#endif // WOOLY_RUNTIME_EXEC_CUDA_CUDAEXECUTOR_H
