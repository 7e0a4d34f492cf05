//===- CallLoopsRolled.h - No unrolling of loops that make calls -*- C++ -*-===//
//
// A call on a GPU keeps what lives across it in the callee-saved registers
// or spills it to local memory (every frame, every level of a recursion).
// Unrolling a loop whose body makes a real call multiplies the values live
// across calls and saves nothing the call does not cost again. On an H200
// device_recursion ran at 0.80 of nvcc's: LLVM had turned fibonacci's
// second recursive call into a loop (tail-recursion elimination) and the
// runtime unroller made it four calls an iteration, a 40-byte frame of
// spills against nvcc's 24 (bench/RESULTS.md, "gpu", session 10).
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_COMPILER_TARGET_GPU_CALLLOOPSROLLED_H
#define WOOLY_COMPILER_TARGET_GPU_CALLLOOPSROLLED_H

#include "llvm/IR/PassManager.h"

namespace llvm {
class Loop;
} // namespace llvm

namespace wooly::gpu {

/// Marks every loop whose blocks call a function (not an intrinsic, not
/// inline assembly) `llvm.loop.unroll.disable`. Runs where the vectorizer
/// starts, just before the runtime unroller: metadata set earlier does not
/// survive the simplifications in between.
struct CallLoopsRolledPass : llvm::PassInfoMixin<CallLoopsRolledPass> {
  llvm::PreservedAnalyses run(llvm::Function &fn,
                              llvm::FunctionAnalysisManager &analyses);
};

/// Whether `loop`'s blocks make a real call.
bool loopMakesCalls(const llvm::Loop &loop);

} // namespace wooly::gpu

#endif // WOOLY_COMPILER_TARGET_GPU_CALLLOOPSROLLED_H
