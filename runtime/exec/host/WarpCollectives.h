//===- WarpCollectives.h - PTX warp collectives over lane arrays -*- C++ -*-===//
//
// The PTX-exact answers of shfl.sync, vote.sync, match.sync, redux.sync and
// activemask for a warp whose member lanes have all arrived, as a pure
// function of the lanes' operands: the fibers (DeviceRuntime.cpp) and the
// region form's settle step both use it. The settle step itself
// (`settleRegionLanes`) decides, after a round of a region kernel (see
// compiler/target/host/RegionSplit.h), which warp collectives are complete,
// whether the block barrier is, and which threads run next from where.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_RUNTIME_EXEC_HOST_WARPCOLLECTIVES_H
#define WOOLY_RUNTIME_EXEC_HOST_WARPCOLLECTIVES_H

#include "compiler/target/host/HostABI.h"

#include <cstdint>

namespace wooly::exec::host {

using ::wooly::host::LaneOp;
using ::wooly::host::RegionLane;

/// The answer lane `lane` gets from the collective it waits in (its `op`,
/// `mode`, ...). `warp[i]` holds lane i's operands, for every i in
/// `members`: the lanes taking part (the member mask, the lane itself
/// included, restricted to `live`); `live` is the warp's lanes that have
/// not exited (what activemask returns). Shuffles return the value in bits
/// 0-31 and `valid` in bit 32, match returns the mask and the predicate in
/// bit 32, as the runtime functions do.
uint64_t warpCollectiveResult(const RegionLane *warp, uint32_t lane,
                              uint32_t members, uint32_t live);

enum class SettleOutcome : uint8_t {
  Run,              // run the threads with waiting == 0 from `resume`
  Finished,         // every thread ended
  Deadlock,         // threads wait for lanes that never arrive
  DivergentBarrier, // threads wait at different block barriers
};

struct Settled {
  SettleOutcome outcome;
  /// For Run: the cut every released thread resumes at, or
  /// ::wooly::host::kRegionMixed when they resume at different ones.
  uint32_t resume;
};

/// After a round in which every runnable thread ran to a cut or its end
/// (`pc` is where it stopped, kRegionFinished when it ended): releases the
/// threads at loop cuts (LaneOp::LoopCut) if there are any, else completes
/// every warp collective whose live members have all stopped at one
/// (writing each member's `result`), as the fibers do, else releases the
/// block barrier when every live thread waits at the same one. Sets
/// `waiting` to 0 for the threads to run next and 1 for all others.
Settled settleRegionLanes(RegionLane *lanes, uint32_t count);

} // namespace wooly::exec::host

#endif // WOOLY_RUNTIME_EXEC_HOST_WARPCOLLECTIVES_H
