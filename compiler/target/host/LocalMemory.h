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
// Slots whose address escapes (PTX `cvta.local`, a local address as an
// integer, a pointer passed to a device function) are reachable through
// generic addresses, which are not clamped; they leave the stack for a
// per-thread local area that holds nothing else (see moveEscapingLocals).
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_COMPILER_TARGET_HOST_LOCALMEMORY_H
#define WOOLY_COMPILER_TARGET_HOST_LOCALMEMORY_H

namespace llvm {
class AllocaInst;
class Module;
} // namespace llvm

namespace wooly::host {

/// Zeroes and confines the local memory of every function of `m` that came
/// from the WIS module (runtime helpers, `__wooly_*`, are skipped). Run it on
/// freshly translated IR, before entry points are built.
void confineLocalMemory(llvm::Module &m);

/// Whether `slot` belongs in the local area: its address escapes (is
/// stored, converted to an integer or a generic pointer, passed to a call),
/// so generic addresses may reach it, or an access reaches it through a
/// pointer `confineLocalMemory` could not trace to it (not clamped). The
/// other slots stay allocas SROA can promote.
bool escapes(const llvm::AllocaInst &slot);

/// Moves the escaping local slots of every function of `m` that came from
/// the WIS module out of the stack into the thread's local area: the
/// function takes a frame at `ctx->localTop` on entry (the launch fails
/// with a trap when the area is full) and gives it back when it returns.
/// The area is all that `is_space local` accepts, so a generic address
/// that leaves a local array reaches other local slots or a guard page,
/// never a stack with return addresses and saved registers. Run it after
/// `confineLocalMemory` and after region splitting (which places a split
/// kernel's escaping slots itself).
void moveEscapingLocals(llvm::Module &m);

} // namespace wooly::host

#endif // WOOLY_COMPILER_TARGET_HOST_LOCALMEMORY_H
