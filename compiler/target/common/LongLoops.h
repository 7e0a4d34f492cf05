//===- LongLoops.h - Loops that may run long, for polls ---------*- C++ -*-===//
//
// Compiled kernels cannot be stopped from outside, so both the host's
// cancellation polls and the NVIDIA fault polls put a check at the header
// of every loop that may run long. A loop that provably runs at most
// kUnpolledTrips times ends by itself: a poll there would only cost (an
// atomic load keeps a loop from vectorizing on the host).
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_COMPILER_TARGET_COMMON_LONGLOOPS_H
#define WOOLY_COMPILER_TARGET_COMMON_LONGLOOPS_H

#include "llvm/ADT/SmallVector.h"

namespace llvm {
class BasicBlock;
class Function;
} // namespace llvm

namespace wooly {

inline constexpr unsigned kUnpolledTrips = 4096;

/// One loop that may run long: its header and the blocks that branch back
/// to it.
struct LongLoop {
  llvm::BasicBlock *header = nullptr;
  llvm::SmallVector<llvm::BasicBlock *, 2> latches;
};

/// `fn`'s loops (nested ones included, outer first) whose trip count LLVM
/// cannot bound by kUnpolledTrips.
llvm::SmallVector<LongLoop> longLoops(llvm::Function &fn);

} // namespace wooly

#endif // WOOLY_COMPILER_TARGET_COMMON_LONGLOOPS_H
