//===- LocalMemory.h - Zeroed, bounds-confined per-thread local memory -*- C++ -*-===//
//
// A kernel's `.local` memory becomes stack slots (allocas) of the worker or
// fiber that runs the thread. Two things must not leak through them:
//  * stale bytes: a slot is zeroed where it is allocated, so a kernel that
//    reads a local variable before writing it sees zeros, never what an
//    earlier kernel (possibly another session's) left on the same stack;
//  * stray addresses: every access whose address is a slot plus an offset
//    the compiler cannot prove in bounds has its offset clamped into the
//    slot, so indexing a local array out of bounds stays inside that array
//    instead of reaching the worker's own stack frames.
// Accesses with constant in-bounds offsets are left alone (SROA still turns
// such slots into registers, so the common case costs nothing).
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_COMPILER_TARGET_HOST_LOCALMEMORY_H
#define WOOLY_COMPILER_TARGET_HOST_LOCALMEMORY_H

namespace llvm {
class Module;
} // namespace llvm

namespace wooly::host {

/// Zeroes and confines the local memory of every function of `m` that came
/// from the WIS module (runtime helpers, `__wooly_*`, are skipped). Run it on
/// freshly translated IR, before entry points are built.
void confineLocalMemory(llvm::Module &m);

} // namespace wooly::host

#endif // WOOLY_COMPILER_TARGET_HOST_LOCALMEMORY_H
