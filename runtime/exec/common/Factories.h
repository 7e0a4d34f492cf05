//===- Factories.h - One constructor per executor kind ----------*- C++ -*-===//
//
// createExecutor (Executor.cpp here) dispatches to these. A device library
// defines its factory and CMake links it into WoolyExec when the target
// exists: WoolyExecHost -> createHostExecutor, WoolyExecCuda ->
// createCudaExecutor, WoolyExecHip -> createHipExecutor.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_RUNTIME_EXEC_COMMON_FACTORIES_H
#define WOOLY_RUNTIME_EXEC_COMMON_FACTORIES_H

#include "runtime/exec/Executor.h"

namespace wooly::exec {

Status createHostExecutor(const ExecutorOptions &options,
                          std::unique_ptr<Executor> &out);
Status createCudaExecutor(const ExecutorOptions &options,
                          std::unique_ptr<Executor> &out);
Status createHipExecutor(const ExecutorOptions &options,
                         std::unique_ptr<Executor> &out);

} // namespace wooly::exec

#endif // WOOLY_RUNTIME_EXEC_COMMON_FACTORIES_H
