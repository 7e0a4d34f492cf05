//===- Passes.h - amdgpu backend passes -------------------------*- C++ -*-===//
#ifndef WOOLY_COMPILER_TARGET_AMDGPU_PASSES_H
#define WOOLY_COMPILER_TARGET_AMDGPU_PASSES_H

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace wooly::amdgpu {

#define GEN_PASS_DECL
#define GEN_PASS_REGISTRATION
#include "compiler/target/amdgpu/Passes.h.inc"

/// Adds `--target=amdgpu:gfxNNN --emit=hsaco|obj|asm|llvm` to wooly-cc.
void registerAMDGPUBackend();

} // namespace wooly::amdgpu

#endif // WOOLY_COMPILER_TARGET_AMDGPU_PASSES_H
