//===- RegionSplit.h - Block barriers without fibers ------------*- C++ -*-===//
//
// The pocl / COX technique on LLVM IR: a kernel is cut at its block barriers
// into regions. The rewritten kernel runs one thread from a resume point
// (ctx->resume: 0 = the start, k = after barrier k) up to the next barrier,
// where it records k in ctx->next and returns; at the end it leaves
// ctx->next untouched. Values live across a barrier and the thread's local
// variables move to a per-thread frame at ctx->scratch, so the block entry
// can run every thread of the block through one region before starting the
// next: a loop over threads per region instead of a fiber switch per thread
// per barrier.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_COMPILER_TARGET_HOST_REGIONSPLIT_H
#define WOOLY_COMPILER_TARGET_HOST_REGIONSPLIT_H

#include <cstdint>

namespace llvm {
class Function;
}

namespace wooly::host {

/// Rewrites `kernel` (hidden context first) into resumable regions. Returns
/// false, leaving the kernel unchanged, when it cannot: calls that remain
/// after inlining, barriers with a thread count or `arrive`, warp
/// collectives, dynamic allocas, or a frame too large for the block's stack.
bool splitAtBarriers(llvm::Function &kernel, uint64_t &frameBytes);

} // namespace wooly::host

#endif // WOOLY_COMPILER_TARGET_HOST_REGIONSPLIT_H
