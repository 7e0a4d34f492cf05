//===- Fiber.h - Minimal stackful coroutines for per-thread kernels -*- C++ -*-===//
//
// Kernels with block barriers or warp collectives run one fiber per GPU
// thread; the runtime switches fibers at those points. A switch saves only
// the callee-saved registers and the FP control words (a few ns), unlike
// swapcontext, which makes a signal-mask system call per switch.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_RUNTIME_EXEC_HOST_FIBER_H
#define WOOLY_RUNTIME_EXEC_HOST_FIBER_H

#include <cstddef>

namespace wooly::exec::host {

/// Saves the running context's stack pointer in `*save` and resumes the one
/// whose stack pointer is `next`.
extern "C" void wooly_fiber_switch(void **save, void *next);

/// Prepares a fresh stack ending at `top` so that switching to the returned
/// stack pointer calls `entry(arg)`. `entry` must never return.
void *prepareFiber(void *top, void (*entry)(void *), void *arg);

} // namespace wooly::exec::host

#endif // WOOLY_RUNTIME_EXEC_HOST_FIBER_H
