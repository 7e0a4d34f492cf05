//===- GpuFault.h - trap and assert into the fault record -------*- C++ -*-===//
//
// On a GPU whose context every session shares, a kernel that ends its
// launch with `trap` (or the driver's __assertfail) loses the context for
// every session on the device. Lowered here instead, the faulting thread
// claims its context's fault record (GpuFaultABI.h), writes where and why,
// and exits; the other threads stop at their next loop header
// (insertFaultPolls in the vendor pipeline), and the executor reports the
// fault to the session that launched the kernel only.
//
// Where the module's slot is 0 (the executor keeps the driver's behaviour)
// the op does what it did before: `driverFault`.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_COMPILER_TARGET_GPU_GPUFAULT_H
#define WOOLY_COMPILER_TARGET_GPU_GPUFAULT_H

#include "compiler/target/gpu/GpuDeviceStrings.h"

#include "mlir/Transforms/DialectConversion.h"

#include <functional>
#include <string>

namespace wooly::gpu {

/// The vendor pieces of the lowering.
struct FaultTarget {
  /// The syncscope of device-wide atomics.
  std::string deviceScope;
  /// Six i32s: the thread's block index x, y, z, then its thread index.
  std::function<llvm::SmallVector<mlir::Value, 6>(mlir::OpBuilder &,
                                                   mlir::Location)>
      threadPlace;
  /// Ends the calling thread (the block's barriers stop waiting for it).
  std::function<void(mlir::OpBuilder &, mlir::Location)> endThread;
  InSharedOrLocal inSharedOrLocal;
};

/// Replaces `op` (wooly.trap, or wooly.assert_fail with its converted
/// operands) by the record-writing code. `driverFault` builds the fallback
/// at the builder's point; for trap it must end its block (unreachable is
/// added after it), for assert execution continues after the op.
mlir::LogicalResult
lowerFaultToRecord(mlir::Operation *op, mlir::ValueRange operands,
                   mlir::ConversionPatternRewriter &rewriter,
                   const FaultTarget &target,
                   const std::function<void(mlir::OpBuilder &, mlir::Location)>
                       &driverFault);

} // namespace wooly::gpu

#endif // WOOLY_COMPILER_TARGET_GPU_GPUFAULT_H
