//===- CancellationPolls.h - Where compiled kernels look at the launch -*- C++ -*-===//
//
// Host kernels cannot be stopped from outside: the watchdog, a trap in
// another thread of the launch, or a fault elsewhere set the launch's cancel
// word (HostThreadContext::cancel), and compiled code polls it. The executor
// also sets a yield bit in the word to take a best-effort worker off its core
// for a latency-sensitive launch. Every poll is one relaxed load and a branch
// while the word is 0; otherwise it calls `__wooly_poll(word)`
// (runtime/exec/host/Preemption.h), which may pause the worker and then
// returns nonzero only when the launch is cancelled: then the code stops as
// before, else it continues. This file owns every such poll: the ones at
// loop headers inside kernels and the ones the block entries make between
// rows of threads.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_COMPILER_TARGET_HOST_CANCELLATIONPOLLS_H
#define WOOLY_COMPILER_TARGET_HOST_CANCELLATIONPOLLS_H

#include "llvm/IR/IRBuilder.h"

namespace llvm {
class Module;
} // namespace llvm

namespace wooly::host {

/// The address of the context field at `offset` (HostABI.h's offsets).
inline llvm::Value *fieldPtr(llvm::IRBuilder<> &b, llvm::Value *ctx,
                             unsigned offset) {
  return b.CreateConstInBoundsGEP1_32(b.getInt8Ty(), ctx, offset);
}

/// Adds a poll of the cancel word to the header of every loop that may run
/// long, in every function that takes the context first.
void insertCancellationPolls(llvm::Module &m);

/// A block entry's poll between rows of threads: reads the word `cancel`
/// points to and continues at a new block of the builder's function when
/// the launch may go on (perhaps after a pause), or branches to `stop`
/// (which returns) when it is cancelled.
void emitRowPoll(llvm::IRBuilder<> &b, llvm::Value *ctx, llvm::Value *cancel,
                 llvm::BasicBlock *stop);

} // namespace wooly::host

#endif // WOOLY_COMPILER_TARGET_HOST_CANCELLATIONPOLLS_H
