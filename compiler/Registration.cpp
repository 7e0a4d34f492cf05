//===- Registration.cpp - Everything the Wooly tools register -------------===//
//
// Backends and transforms add their dialects and passes here.
//
//===----------------------------------------------------------------------===//

#include "compiler/Registration.h"

#include "compiler/target/amdgpu/Passes.h"
#include "compiler/target/host/HostCompiler.h"
#include "compiler/target/nvptx/Passes.h"
#include "compiler/transforms/Passes.h"

#include "dialects/wooly/WoolyDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Transforms/Passes.h"

void wooly::registerWISDialects(mlir::DialectRegistry &registry) {
  registry.insert<wooly::WoolyDialect, mlir::arith::ArithDialect,
                  mlir::math::MathDialect, mlir::cf::ControlFlowDialect,
                  mlir::scf::SCFDialect>();
}

void wooly::registerAllWoolyDialects(mlir::DialectRegistry &registry) {
  registerWISDialects(registry);
  registry.insert<mlir::LLVM::LLVMDialect, mlir::func::FuncDialect>();
}

void wooly::registerAllWoolyPasses() {
  // Upstream: canonicalize, cse, mem2reg, sroa, inline, symbol-dce, ...
  mlir::registerTransformsPasses();
  wooly::registerWoolyTransformsPasses();
  wooly::host::registerHostPasses();
  wooly::nvptx::registerWoolyNVPTXPasses();
  wooly::amdgpu::registerWoolyAMDGPUPasses();
}
