//===- HostTargetInfo.h - The host CPU as a WIS target ----------*- C++ -*-===//
//
// One flat address space; a hidden HostThreadContext pointer in every
// function; geometry read from it; barriers, warp collectives, trap, printf
// and directed rounding as calls into the host runtime (HostABI.h).
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_COMPILER_TARGET_HOST_HOSTTARGETINFO_H
#define WOOLY_COMPILER_TARGET_HOST_HOSTTARGETINFO_H

#include "compiler/target/common/TargetInfo.h"

namespace wooly::host {

class HostTargetInfo : public TargetInfo {
public:
  explicit HostTargetInfo(const VariableLayout &layout) : layout(layout) {}

  llvm::StringRef name() const override { return "host"; }
  unsigned addressSpace(AddressSpace) const override { return 0; }
  llvm::SmallVector<mlir::Type>
  hiddenParamTypes(mlir::MLIRContext *context) const override;
  std::string syncScope(MemScope) const override { return ""; }
  bool variablesAsGlobals(AddressSpace) const override { return false; }
  mlir::FailureOr<mlir::Value>
  variableAddress(mlir::OpBuilder &builder, mlir::Location loc,
                  llvm::StringRef name, AddressSpace space, uint64_t offset,
                  mlir::ValueRange hidden) const override;
  mlir::Value pointerToInt(mlir::OpBuilder &builder, mlir::Location loc,
                           mlir::Value ptr, AddressSpace space,
                           mlir::Type intType,
                           mlir::ValueRange hidden) const override;
  mlir::Value intToPointer(mlir::OpBuilder &builder, mlir::Location loc,
                           mlir::Value value, AddressSpace space,
                           mlir::Type ptrType,
                           mlir::ValueRange hidden) const override;
  mlir::LogicalResult
  lowerGeometry(mlir::Operation *op, mlir::ValueRange operands,
                mlir::ValueRange hidden,
                mlir::ConversionPatternRewriter &rewriter) const override;
  mlir::LogicalResult
  lowerSynchronization(mlir::Operation *op, mlir::ValueRange operands,
                       mlir::ValueRange hidden,
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
  lowerDirectedRounding(mlir::OpBuilder &builder, mlir::Location loc,
                        llvm::StringRef what, Rounding rounding,
                        mlir::ValueRange operands, mlir::Type resultType,
                        mlir::ValueRange hidden) const override;
  void populateMathPatterns(mlir::LLVMTypeConverter &converter,
                            mlir::RewritePatternSet &patterns) const override;

private:
  const VariableLayout &layout;
};

} // namespace wooly::host

#endif // WOOLY_COMPILER_TARGET_HOST_HOSTTARGETINFO_H
