//===- FirstRound.h - Block-loop kernels split at their loop's back edge --===//
//
// A block-loop kernel (no barrier, no collective) with a grid-stride loop
// runs, per thread, a loop that usually goes round once (a grid as large as
// the data). Kept whole, that loop sits inside the block entry's thread loop
// and keeps it from vectorizing. `splitFirstRound` makes two variants of the
// kernel instead: `<kernel>.first_round` runs from the entry to the first
// arrival at the loop's back edge, where a thread that would go round again
// stores the loop's header values in slot-major arrays and returns true;
// `<kernel>.next_round` resumes at the loop header from those values, runs
// one iteration and stops at the back edge the same way (or runs on to the
// kernel's end and returns false). The block entry (BlockEntry.cpp) runs the
// first round for all threads, then rounds over the threads still going, so
// that adjacent threads touch adjacent elements in every round (a grid
// stride apart when each thread ran its whole loop alone). Any interleaving
// that keeps each thread's program order is a legal schedule when threads
// never wait for each other.
//
//===----------------------------------------------------------------------===//

#ifndef WOOLY_COMPILER_TARGET_HOST_FIRSTROUND_H
#define WOOLY_COMPILER_TARGET_HOST_FIRSTROUND_H

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <string>

namespace llvm {
class Function;
class Module;
class Type;
} // namespace llvm

namespace wooly::host {

/// The variants' names for kernel `name`.
inline std::string firstRoundName(llvm::StringRef name) {
  return name.str() + ".first_round";
}
inline std::string nextRoundName(llvm::StringRef name) {
  return name.str() + ".next_round";
}

/// At most this many header values move to the frames; loops with more keep
/// the plain form.
inline constexpr unsigned kMaxFirstRoundSlots = 4;

/// Adds `<kernel>.first_round(params..., slot ptrs...) -> i1` and
/// `<kernel>.next_round(params..., slot ptrs..., i64 round) -> i1` for block-loop
/// kernel `kernel`
/// when it qualifies: one loop, no nested loop, one back edge that also
/// tests whether to leave (a rotated loop), a
/// thread-strided header value (an `add` of a loop-invariant non-constant),
/// at most kMaxFirstRoundSlots header values of at most 8 bytes, and code
/// before the loop that the next round may run again (no side effect, no
/// alloca, loads only from the context). Returns whether it did.
bool splitFirstRound(llvm::Function &kernel);

/// The types of the first round's slots (those after its `params` kernel
/// parameters), in order: what the block entry's slot arrays hold. The
/// next round takes the same slots and then the round number (i64: 1 for
/// the round after the first).
llvm::SmallVector<llvm::Type *> firstRoundSlotTypes(llvm::Function &first,
                                                    unsigned params);

} // namespace wooly::host

#endif // WOOLY_COMPILER_TARGET_HOST_FIRSTROUND_H
