//===- AMDGPUTargetInfo.h - WIS lowering hooks for AMD GPUs -----*- C++ -*-===//
//
// The amdgpu half of the WIS -> LLVM lowering: AMDGPU address spaces and
// sync scopes, and the GPU-specific ops mapped onto AMDGPU intrinsics.
//
// WIS warps are 32 lanes. On wave32 processors (RDNA) a warp is the
// hardware wave. On wave64 processors (CDNA) each wave holds two warps, its
// lower and upper 32 lanes, and every warp op is emulated on its half:
// lane ids, lane masks, ballots and vote results are shifted to the half,
// shuffles address lanes inside the half through ds_bpermute, and match /
// redux read the half's lanes with readlane (docs/gpu-backends.md).
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_COMPILER_TARGET_AMDGPU_AMDGPUTARGETINFO_H
#define WOOLY_COMPILER_TARGET_AMDGPU_AMDGPUTARGETINFO_H

#include "compiler/target/common/TargetInfo.h"

namespace wooly::amdgpu {

class AMDGPUTargetInfo final : public TargetInfo {
public:
  /// `waveSize` is the processor's wavefront size: 32 or 64.
  explicit AMDGPUTargetInfo(unsigned waveSize) : waveSize(waveSize) {}

  llvm::StringRef name() const override { return "amdgpu"; }
  unsigned addressSpace(AddressSpace space) const override;
  std::string syncScope(MemScope scope) const override;
  void annotateKernel(KernelOp kernel,
                      mlir::LLVM::LLVMFuncOp lowered) const override;

  mlir::LogicalResult
  lowerGeometry(mlir::Operation *op, mlir::ValueRange operands,
                mlir::ValueRange hidden,
                mlir::ConversionPatternRewriter &rewriter) const override;
  mlir::LogicalResult lowerSynchronization(
      mlir::Operation *op, mlir::ValueRange operands, mlir::ValueRange hidden,
      mlir::ConversionPatternRewriter &rewriter) const override;
  mlir::LogicalResult
  lowerWarpCollective(mlir::Operation *op, mlir::ValueRange operands,
                      mlir::ValueRange hidden,
                      mlir::ConversionPatternRewriter &rewriter) const override;
  mlir::LogicalResult
  lowerControl(mlir::Operation *op, mlir::ValueRange operands,
               mlir::ValueRange hidden,
               mlir::ConversionPatternRewriter &rewriter) const override;
  mlir::FailureOr<mlir::Value>
  lowerApprox(mlir::OpBuilder &builder, mlir::Location loc, ApproxKind kind,
              mlir::ValueRange operands) const override;
  mlir::FailureOr<mlir::Value>
  lowerDirectedRounding(mlir::OpBuilder &builder, mlir::Location loc,
                        llvm::StringRef what, Rounding rounding,
                        mlir::ValueRange operands, mlir::Type resultType,
                        mlir::ValueRange hidden) const override;

private:
  unsigned waveSize;
};

/// After the lowering: every kernel of a module that uses named or partial
/// barriers (emulated in LDS) zeroes their words on entry.
void initializeNamedBarriers(mlir::ModuleOp module);

/// Module variables in global and const memory are the host's too
/// (hipMemcpyToSymbol, hipModuleGetGlobal): they become visible, writable
/// definitions, so the runtime finds them by name and LLVM never folds their
/// initial values into the code.
void exposeModuleVariables(mlir::ModuleOp module);

} // namespace wooly::amdgpu

#endif // WOOLY_COMPILER_TARGET_AMDGPU_AMDGPUTARGETINFO_H
