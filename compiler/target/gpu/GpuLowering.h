//===- GpuLowering.h - WIS to the LLVM dialect, errors kept -----*- C++ -*-===//
//
// Both GPU backends lower WIS with the common patterns and their
// TargetInfo, and hand the lowering's diagnostics back as one llvm::Error
// (a server replies with it; wooly-cc prints it).
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_COMPILER_TARGET_GPU_GPULOWERING_H
#define WOOLY_COMPILER_TARGET_GPU_GPULOWERING_H

#include "mlir/IR/BuiltinOps.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

namespace wooly {
class TargetInfo;
} // namespace wooly

namespace wooly::gpu {

/// lowerWISToLLVMDialect(module, target), its error diagnostics (with the
/// first line of each note) joined into an error prefixed "`what`: ".
llvm::Error lowerToLLVMDialect(mlir::ModuleOp module, const TargetInfo &target,
                               llvm::StringRef what);

} // namespace wooly::gpu

#endif // WOOLY_COMPILER_TARGET_GPU_GPULOWERING_H
