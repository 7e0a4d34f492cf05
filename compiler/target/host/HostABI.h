//===- HostABI.h - The contract between host-compiled kernels and runtime -*- C++ -*-===//
//
// Host kernels take a pointer to a HostThreadContext as their hidden first
// parameter. The compiler reads fields at the offsets below; the runtime
// (runtime/exec/host) fills them. Changing the layout, or what compiled code
// guarantees (v3: zeroed, confined local memory), changes kAbiVersion, which
// is part of the compiled-object cache key.
//
// Every kernel K is compiled to one of two entry points:
//  * `__wooly_block_K(ctx, args)` runs a whole block as loops over its
//    threads (kernels without barriers or warp collectives); `ctx` holds the
//    block's fields, the wrapper fills `tid`.
//    Kernels whose only barriers are plain block barriers in the kernel body
//    (after inlining) are split at the barriers into regions, and this
//    entry runs the block region by region (RegionSplit.h).
//  * `__wooly_thread_K(ctx, args)` runs one thread; the runtime runs a block
//    as one fiber per thread (kernels with barriers or warp collectives) and
//    the runtime functions `__wooly_barrier` & co switch between fibers.
// `args` is the packed CUDA-style parameter buffer.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_COMPILER_TARGET_HOST_HOSTABI_H
#define WOOLY_COMPILER_TARGET_HOST_HOSTABI_H

#include <cstddef>
#include <cstdint>

namespace wooly::host {

inline constexpr uint32_t kAbiVersion = 3;

struct HostThreadContext {
  uint32_t tid[3];
  uint32_t ntid[3];
  uint32_t ctaid[3];
  uint32_t nctaid[3];
  uint8_t *shared;             // the block's shared window: static, then dynamic
  uint8_t *globals;            // module variables when not address-fenced
  uint64_t sharedBytes;        // size of the shared window
  uint32_t dynamicSharedBytes;
  uint32_t reserved;
  const uint32_t *cancel;      // nonzero: stop (watchdog, trap, fault elsewhere)
  uint64_t arenaBase;          // hidden fencing parameters
  uint64_t arenaMask;
  uint64_t dataBase;
  uint8_t *localLow;           // this thread's stack window (is_space local)
  uint8_t *localHigh;
  void *runtime;               // the runtime's per-thread state
  // Region-split kernels (see RegionSplit.h): the thread's frame of values
  // live across barriers, where to resume, and where it stopped.
  uint8_t *scratch;
  uint32_t resume;
  uint32_t next;
};

namespace offsets {
inline constexpr unsigned tid = offsetof(HostThreadContext, tid);
inline constexpr unsigned ntid = offsetof(HostThreadContext, ntid);
inline constexpr unsigned ctaid = offsetof(HostThreadContext, ctaid);
inline constexpr unsigned nctaid = offsetof(HostThreadContext, nctaid);
inline constexpr unsigned shared = offsetof(HostThreadContext, shared);
inline constexpr unsigned globals = offsetof(HostThreadContext, globals);
inline constexpr unsigned sharedBytes = offsetof(HostThreadContext, sharedBytes);
inline constexpr unsigned dynamicSharedBytes =
    offsetof(HostThreadContext, dynamicSharedBytes);
inline constexpr unsigned cancel = offsetof(HostThreadContext, cancel);
inline constexpr unsigned arenaBase = offsetof(HostThreadContext, arenaBase);
inline constexpr unsigned arenaMask = offsetof(HostThreadContext, arenaMask);
inline constexpr unsigned dataBase = offsetof(HostThreadContext, dataBase);
inline constexpr unsigned localLow = offsetof(HostThreadContext, localLow);
inline constexpr unsigned localHigh = offsetof(HostThreadContext, localHigh);
inline constexpr unsigned scratch = offsetof(HostThreadContext, scratch);
inline constexpr unsigned resume = offsetof(HostThreadContext, resume);
inline constexpr unsigned next = offsetof(HostThreadContext, next);
} // namespace offsets

inline constexpr const char *kBlockEntryPrefix = "__wooly_block_";
inline constexpr const char *kThreadEntryPrefix = "__wooly_thread_";

} // namespace wooly::host

#endif // WOOLY_COMPILER_TARGET_HOST_HOSTABI_H
