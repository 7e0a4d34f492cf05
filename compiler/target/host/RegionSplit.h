//===- RegionSplit.h - Barriers and warp collectives without fibers -*- C++ -*-===//
//
// The pocl / COX technique on LLVM IR: a kernel is cut at its block
// barriers and warp collectives ("cuts") into regions. The rewritten kernel
// takes the resume point as its second argument (0 = the start, k = after
// cut k) and the thread's index as the next three, and runs one thread from
// there to the next cut, returning k, or to its end, returning
// kRegionFinished. Values live across a cut that are cheap functions of the
// context and the arguments (addresses like `shared + tid.x * 4`) are
// recomputed after it; the others and the thread's local variables move to
// the block's frames at ctx->scratch, slot-major (slot s of thread t at
// scratch + offset_s * threads + t * size_s, so a region's loads and stores
// of one slot are unit-stride across threads), and the block entry runs every thread of the block through one
// region before starting the next: a loop over threads per region instead
// of a fiber switch per thread per barrier. Because the resume point is an
// argument, a block entry that calls the kernel with a constant gets that
// region alone, as straight-line code.
//
// At a warp collective the thread stores its operands in its RegionLane
// (ctx->lanes, HostABI.h) and returns; once the warp's members have all
// stopped, `__wooly_region_settle` computes every member's answer and the
// region after the cut starts by loading the thread's `result`.
//
// Loops that walk memory with a thread-dependent stride (grid-stride
// loops) and hold no cut get a loop cut on their back edge: a cut that
// never waits, so the block runs such a loop one iteration at a time for
// all its threads (thread t and t + 1 then touch adjacent elements)
// instead of one thread's whole loop before the next thread's. Every edge
// leaving such a loop gets a loop-exit cut (never waits either), so those
// rounds hold the loop body alone. Where no
// path leads from the loop's exits back to its header without a cut, every
// thread in such a round has taken the back edge as often as the others,
// so an induction variable `i = i0 + k * S` (i0 and S cheap functions of
// the context) is recomputed from the round number k the block entry
// passes instead of being kept in the frame: addresses stay affine in the
// thread index and the round's thread loop can vectorize (it does for
// reduction_shuffle in the executor's fenced build, docs/host-backend.md).
//
// A loop that holds barriers keeps one counter of its back edges for its
// induction variables. In a barrier-only kernel, where every barrier of the
// loop dominates its latch and no thread re-enters the loop without a cut,
// the block entry keeps that counter for the whole block and passes it as
// the loop round (RegionLayout::countedCuts): the threads' exit test and
// addresses are then the same function of it in every thread, not a value
// each loads from its frame.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_COMPILER_TARGET_HOST_REGIONSPLIT_H
#define WOOLY_COMPILER_TARGET_HOST_REGIONSPLIT_H

#include <cstdint>
#include <vector>

namespace llvm {
class Function;
}

namespace wooly::host {

/// What the block entry needs to know about a split kernel.
struct RegionLayout {
  uint64_t frameBytes = 0; // per thread, all slots
  uint64_t localBytes = 0; // per thread: slots whose address escapes, which
                           // live in the local area (LocalMemory.h)
  unsigned cuts = 0;       // resume points are 0..cuts
  bool warpCuts = false;   // some cut is a warp collective or a loop cut:
                           // RegionLanes needed
  /// The resume points after loop cuts (cuts that never wait, on the back
  /// edge of a thread-strided loop: the block runs it one iteration at a
  /// time for all threads, in the GPU's order).
  std::vector<unsigned> loopCuts;
  /// How many induction variables of loop cuts are recomputed from the
  /// round number instead of living in the frames.
  unsigned roundInductions = 0;
  /// How many induction variables of loops that hold a cut are recomputed
  /// from one counter of the loop's back edges (named `iv.count.value`)
  /// instead of each living in the frames.
  unsigned countInductions = 0;
  /// Barrier-only kernels: the loops whose back-edge counter the block
  /// entry keeps (one i64, passed as the loop round) instead of each thread
  /// in its frame. When the block stops at `resume`, the counter becomes
  /// `counter + step` if the block ran resume point `after` just before,
  /// else 0 (the threads entered the loop). See blockCountedLoops in
  /// RegionSplit.cpp for when a loop qualifies.
  struct CountedCut {
    unsigned resume, after, step;
  };
  std::vector<CountedCut> countedCuts;
  unsigned blockCountedLoops = 0;
};

/// The region kernel's parameters before the kernel's own: the context,
/// the resume point, tid.x, tid.y, tid.z (i32 each) and the loop round (i64:
/// in the thread loops after a loop cut, how many times every thread there
/// has taken the loop's back edge; in a barrier-only kernel, the counter of
/// the block-counted barrier loop the block stopped in (countedCuts); 0
/// elsewhere).
inline constexpr unsigned kRegionLeadingParams = 6;

/// Rewrites `kernel` (hidden context first) into resumable regions: the
/// result replaces it under its name,
/// `i32 (noalias ctx, i32 resume, i32 x, i32 y, i32 z, i64 round, params...)`.
/// Returns false, leaving the kernel unchanged, when it cannot: calls that
/// remain after inlining (recursion, indirect calls), barriers with a
/// thread count, `bar.arrive` or `bar.red`, thread-ending calls inside
/// device functions, dynamic allocas, or a frame too large for the block's
/// stack. Kernels without any cut are left alone too (block loops). A
/// kernel whose frames fit only without its loop cuts is split without them.
bool splitAtCuts(llvm::Function &kernel, RegionLayout &layout);

} // namespace wooly::host

#endif // WOOLY_COMPILER_TARGET_HOST_REGIONSPLIT_H
