//===- HostABI.h - The contract between host-compiled kernels and runtime -*- C++ -*-===//
//
// Host kernels take a pointer to a HostThreadContext as their hidden first
// parameter. The compiler reads fields at the offsets below; the runtime
// (runtime/exec/host) fills them. Changing the layout, or what compiled code
// guarantees (v3: zeroed, confined local memory; v4: region kernels take
// their resume point as an argument, frames slot-major, warp cuts; v5: the
// thread index as region arguments, shared atomics without a bus lock; v6:
// one set of region loops for kernels with many cuts; v7: also for barrier
// regions once a thread ended; v8: loop cuts, LaneOp::LoopCut; v9: local slots whose address escapes
// live in a per-thread local area, not on a stack, `localTop`; v10: region
// kernels take the loop round as an argument, `__wooly_cancelled` takes
// the context's `runtime` pointer, not the context; v11: block-loop
// kernels with a grid-stride loop run a first round for every thread, then
// the rest for those going round again, FirstRound.h; v12: the rest runs
// round by round, one iteration of each thread going round again per pass,
// `K.next_round`; v13: `K.next_round` takes the round number and
// recomputes thread-strided header values from it; v14: wide shuffles,
// mode bit 2 of a shuffle RegionLane, WideShuffles.h),
// changes kAbiVersion, which is part of the compiled-object cache key (it is
// also how a compiler change reaches objects already in a cache).
//
// Every kernel K is compiled to one of two entry points:
//  * `__wooly_block_K(ctx, args)` runs a whole block as loops over its
//    threads (kernels without barriers or warp collectives); `ctx` holds the
//    block's fields, the wrapper fills `tid`.
//    Kernels whose only synchronization is plain block barriers and warp
//    collectives in the kernel body (after inlining) are split there into
//    regions, and this entry runs the block region by region
//    (RegionSplit.h); warp collectives are then settled for whole warps by
//    `__wooly_region_settle` over the block's RegionLane records.
//  * `__wooly_thread_K(ctx, args)` runs one thread; the runtime runs a block
//    as one fiber per thread (everything else) and the runtime functions
//    `__wooly_barrier` & co switch between fibers.
// `args` is the packed CUDA-style parameter buffer.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_COMPILER_TARGET_HOST_HOSTABI_H
#define WOOLY_COMPILER_TARGET_HOST_HOSTABI_H

#include <cstddef>
#include <cstdint>

namespace wooly::host {

inline constexpr uint32_t kAbiVersion = 14;

/// The most threads a block has (launches with more are refused).
inline constexpr uint32_t kMaxBlockThreads = 1024;
/// The most local-area bytes per thread a region-split kernel may have (its
/// escaping slots, RegionSplit.h): a block's threads share the worker's
/// local area, which holds at least kMaxBlockThreads such parts.
inline constexpr uint64_t kRegionLocalBytesLimit = 4096;

struct RegionLane;

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
  const uint32_t *cancel;      // bit 0: stop (watchdog, trap, fault elsewhere); bit 1: yield (CancellationPolls.h)
  uint64_t arenaBase;          // hidden fencing parameters
  uint64_t arenaMask;
  uint64_t dataBase;
  uint8_t *localLow;           // this thread's local area (is_space local):
  uint8_t *localHigh;          // only local slots, never a stack (LocalMemory.h)
  void *runtime;               // the runtime's per-thread state
  // Region-split kernels (see RegionSplit.h): the block's frames of values
  // live across cuts (slot-major), and, for kernels with warp cuts, the
  // block's RegionLane records (one per thread, linear thread order).
  uint8_t *scratch;
  uint32_t resume;             // unused since v4 (resume is an argument)
  uint32_t next;               // unused since v4 (the region returns it)
  RegionLane *lanes;
  // The free end of the local area: a function whose local slots escape
  // takes its frame from here and gives it back when it returns.
  uint8_t *localTop;
};

/// What a warp collective computes (RegionLane::op; the fibers use the same
/// codes). `Barrier` marks a thread of a region kernel stopped at a block
/// barrier, `LoopCut` one stopped at a loop cut (RegionSplit.h).
enum class LaneOp : uint8_t {
  None = 0,
  Shuffle,
  Vote,
  Match,
  Redux,
  Sync,
  ActiveMask,
  Barrier,
  LoopCut, // at a loop's back edge or exit (loop cuts): released at once
};

/// One thread's state in a region kernel with warp cuts: where it stopped,
/// the operands it brought to a warp collective, and the collective's
/// answer once the warp settled it. The compiled kernel writes the operands
/// and reads `result`; the block entry writes `pc` and reads `waiting`
/// (in the rounds after a loop cut it keeps its own array of the threads
/// still in the loop and writes `pc` only for a thread that left it).
struct RegionLane {
  uint64_t value;   // the lane's operand (shuffle/match/redux value, vote predicate)
  uint64_t result;  // what the collective returned to this lane
  uint32_t arg;     // shuffle: source lane / delta
  uint32_t c;       // shuffle: clamp (bits 0-4) and segment mask (bits 8-12)
  uint32_t mask;    // member mask
  uint32_t pc;      // the cut it stopped at (kRegionFinished: it ended)
  uint8_t op;       // LaneOp
  uint8_t mode;     // shuffle/vote/match mode, redux kind; shuffle bit 2: wide (WideShuffles.h)
  uint8_t waiting;  // 0: runs in the next round
  uint8_t reserved[5];
};
static_assert(sizeof(RegionLane) == 40);

/// A region's return value when the thread ran to its end.
inline constexpr uint32_t kRegionFinished = 0xFFFFFFFFu;
/// `__wooly_region_settle`'s answer when the threads to run next resume at
/// different cuts (the block entry then dispatches per thread).
inline constexpr uint32_t kRegionMixed = 0xFFFFFFFEu;

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
inline constexpr unsigned runtime = offsetof(HostThreadContext, runtime);
inline constexpr unsigned scratch = offsetof(HostThreadContext, scratch);
inline constexpr unsigned resume = offsetof(HostThreadContext, resume);
inline constexpr unsigned next = offsetof(HostThreadContext, next);
inline constexpr unsigned lanes = offsetof(HostThreadContext, lanes);
inline constexpr unsigned localTop = offsetof(HostThreadContext, localTop);
namespace lane {
inline constexpr unsigned value = offsetof(RegionLane, value);
inline constexpr unsigned result = offsetof(RegionLane, result);
inline constexpr unsigned arg = offsetof(RegionLane, arg);
inline constexpr unsigned c = offsetof(RegionLane, c);
inline constexpr unsigned mask = offsetof(RegionLane, mask);
inline constexpr unsigned pc = offsetof(RegionLane, pc);
inline constexpr unsigned op = offsetof(RegionLane, op);
inline constexpr unsigned mode = offsetof(RegionLane, mode);
inline constexpr unsigned waiting = offsetof(RegionLane, waiting);
} // namespace lane
} // namespace offsets

inline constexpr const char *kBlockEntryPrefix = "__wooly_block_";
inline constexpr const char *kThreadEntryPrefix = "__wooly_thread_";

} // namespace wooly::host

#endif // WOOLY_COMPILER_TARGET_HOST_HOSTABI_H
