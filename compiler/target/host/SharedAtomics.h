//===- SharedAtomics.h - Shared-memory atomics without a bus lock -*- C++ -*-===//
//
// On the host a block's shared window belongs to one worker thread: every
// thread of the block runs on it (block loops, regions or fibers), one at a
// time, and switches only at calls (barriers, collectives, the runtime),
// never inside an atomic. An atomic read-modify-write on shared memory
// therefore needs no `lock` prefix: a plain load, operation and store give
// the same result, at a fraction of the cost (shared-memory histograms).
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_COMPILER_TARGET_HOST_SHAREDATOMICS_H
#define WOOLY_COMPILER_TARGET_HOST_SHAREDATOMICS_H

namespace llvm {
class Module;
} // namespace llvm

namespace wooly::host {

/// Rewrites every non-volatile `atomicrmw` and `cmpxchg` whose address is
/// derived from the block's shared window (the context's `shared` field,
/// read through the function's context parameter) into non-atomic code.
/// Returns the number rewritten.
unsigned lowerSharedAtomics(llvm::Module &m);

} // namespace wooly::host

#endif // WOOLY_COMPILER_TARGET_HOST_SHAREDATOMICS_H
