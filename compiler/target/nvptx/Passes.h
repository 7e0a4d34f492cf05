//===- Passes.h - nvptx backend passes --------------------------*- C++ -*-===//
#ifndef WOOLY_COMPILER_TARGET_NVPTX_PASSES_H
#define WOOLY_COMPILER_TARGET_NVPTX_PASSES_H

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace wooly::nvptx {

#define GEN_PASS_DECL
#define GEN_PASS_REGISTRATION
#include "compiler/target/nvptx/Passes.h.inc"

/// Adds `--target=nvptx:sm_XX --emit=ptx|asm|llvm` to wooly-cc.
void registerNVPTXBackend();

} // namespace wooly::nvptx

#endif // WOOLY_COMPILER_TARGET_NVPTX_PASSES_H
