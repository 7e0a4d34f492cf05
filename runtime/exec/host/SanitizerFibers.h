//===- SanitizerFibers.h - Fiber switches told to AddressSanitizer -*- C++ -*-===//
//
// AddressSanitizer assumes one stack per thread. The host executor's fibers
// (Fiber.h) run GPU threads on stacks of their own and switch between them;
// unannounced, ASan takes a fiber's stack for a corrupted thread stack and
// declines to unpoison at a kernel fault's siglongjmp ("ASan is ignoring
// requested __asan_handle_no_return ... False positive error reports may
// follow"). Every switch is announced here with the new stack's bounds.
// Compiles to nothing in other builds.
//
// ThreadSanitizer is not told: its fiber API (one TSan fiber per stack)
// crashed the warp-collective tests under TSan here, so TSan keeps seeing a
// worker's fibers as one thread, which is right for races (they never run
// at once) but leaves a fault's siglongjmp from a fiber unsupported (the one
// test doing that is tagged [fiber-signal] and not run under TSan).
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_RUNTIME_EXEC_HOST_SANITIZERFIBERS_H
#define WOOLY_RUNTIME_EXEC_HOST_SANITIZERFIBERS_H

#include <cstddef>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WOOLY_SANITIZER_FIBERS 1
#include <sanitizer/common_interface_defs.h>
#endif
#endif

namespace wooly::exec::host {

/// One stack as AddressSanitizer knows it: a fiber's, or the worker
/// thread's own (where the block scheduler runs).
struct SanitizerFiber {
  const void *bottom = nullptr; // lowest address
  size_t size = 0;
#ifdef WOOLY_SANITIZER_FIBERS
  void *fakeStack = nullptr; // ASan's, for use-after-return detection
#endif
};

/// The calling thread's own stack (empty without ASan).
SanitizerFiber threadStackFiber();

/// Right before a switch from `from` (null: it ends and is never resumed)
/// to `to`.
inline void beforeFiberSwitch(SanitizerFiber *from, SanitizerFiber &to) {
#ifdef WOOLY_SANITIZER_FIBERS
  __sanitizer_start_switch_fiber(from ? &from->fakeStack : nullptr, to.bottom,
                                 to.size);
#endif
  (void)from;
  (void)to;
}

/// First thing where a switch lands: in `self`, the context switched to.
inline void afterFiberSwitch(SanitizerFiber &self) {
#ifdef WOOLY_SANITIZER_FIBERS
  __sanitizer_finish_switch_fiber(self.fakeStack, nullptr, nullptr);
#endif
  (void)self;
}

} // namespace wooly::exec::host

#endif // WOOLY_RUNTIME_EXEC_HOST_SANITIZERFIBERS_H
