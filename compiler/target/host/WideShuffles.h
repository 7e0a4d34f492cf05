//===- WideShuffles.h - One warp cut for a 64-bit shuffle -------*- C++ -*-===//
//
// PTX has no 64-bit shuffle: `__shfl_down_sync(mask, long long v, d)` is two
// `shfl.sync.b32`, one per half, with the same mode, source, clamp and mask.
// In a region-split kernel every shuffle is a cut (RegionSplit.h): the block
// stops, the settle step answers every lane, the block goes on. Two cuts per
// 64-bit step doubled the settle steps and the passes over the block of a
// 64-bit warp reduction (reduction_shuffle's warpSum: 10 cuts instead of 5).
// Such pairs become one "wide" shuffle: the two 32-bit values packed in one
// 64-bit operand, bit 2 of the mode set (LaneOp::Shuffle, HostABI.h), and
// the 64-bit answer unpacked. Both halves come from the same source lane, so
// the answer is exact; only pairs whose "source was valid" bits are unused
// are fused (the wide answer has no room for that bit).
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_COMPILER_TARGET_HOST_WIDESHUFFLES_H
#define WOOLY_COMPILER_TARGET_HOST_WIDESHUFFLES_H

#include "llvm/ADT/StringRef.h"

namespace llvm {
class Function;
} // namespace llvm

namespace wooly::host {

/// The runtime call a fused pair becomes: (ctx, mode | 4, i64 value, lane,
/// clamp/segment, mask) -> i64. Only region-split kernels have it (the
/// split answers it in the settle step); nothing links against it.
inline constexpr llvm::StringLiteral kWideShuffle = "__wooly_shuffle_wide";

/// Fuses pairs of `__wooly_shuffle` calls in one basic block that have the
/// same mode, source lane, clamp and mask, nothing between them that reads
/// or writes memory, a second value that does not depend on the first
/// shuffle, and only their low 32 bits used. Returns the number of pairs
/// fused.
unsigned fuseWideShuffles(llvm::Function &f);

} // namespace wooly::host

#endif // WOOLY_COMPILER_TARGET_HOST_WIDESHUFFLES_H
