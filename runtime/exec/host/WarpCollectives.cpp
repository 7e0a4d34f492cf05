//===- WarpCollectives.cpp - PTX warp collectives over lane arrays --------===//

#include "runtime/exec/host/WarpCollectives.h"

#include <algorithm>
#include <bit>

namespace wooly::exec::host {

using ::wooly::host::kRegionFinished;
using ::wooly::host::kRegionMixed;

namespace {

/// PTX shfl.sync's source lane `j` for lane `self` with `t`'s operands (c
/// packs the clamp, bits 0-4, and the segment mask, bits 8-12), and whether
/// it is within the clamp and the warp. The member mask is the caller's.
inline bool shuffleSource(const RegionLane &t, int self, int &j) {
  int segMask = (t.c >> 8) & 31;
  int minLane = self & segMask;
  int maxLane = minLane | ((t.c & 31) & ~segMask);
  int b = static_cast<int>(t.arg);
  bool inRange = false;
  j = self;
  switch (t.mode & 3) {
  case 0: // idx
    j = minLane | (b & 31 & ~segMask);
    inRange = j <= maxLane;
    break;
  case 1: // up
    j = self - (b & 31);
    inRange = j >= maxLane;
    break;
  case 2: // down
    j = self + (b & 31);
    inRange = j <= maxLane;
    break;
  case 3: // xor
    j = self ^ (b & 31);
    inRange = j <= maxLane;
    break;
  }
  return inRange && j >= 0 && j < 32;
}

/// A shuffle's answer once its source is known: the source's value, or the
/// lane's own when `valid` is false. Wide shuffles (mode bit 2,
/// compiler/target/host/WideShuffles.h) are two 32-bit shuffles with the
/// same source in one, their values packed in 64 bits: the answer is all
/// 64 bits, without the valid bit.
inline uint64_t shuffleAnswer(const RegionLane *warp, const RegionLane &t, int j,
                              bool valid) {
  if (t.mode & 4)
    return valid ? warp[j].value : t.value;
  uint32_t value = valid ? static_cast<uint32_t>(warp[j].value)
                         : static_cast<uint32_t>(t.value);
  return value | (uint64_t(valid) << 32);
}

/// Whether all 32 lanes of `warp` are live and wait in a shuffle with the
/// same mode, source, clamp and a full member mask: the common case (a
/// whole warp's reduction step), which settles without the general path's
/// member bookkeeping.
bool uniformFullShuffle(const RegionLane *warp) {
  const RegionLane &f = warp[0];
  if (f.op != static_cast<uint8_t>(LaneOp::Shuffle) || f.mask != ~0u)
    return false;
  bool same = true;
  for (uint32_t l = 0; l < 32; ++l) {
    const RegionLane &w = warp[l];
    same &= w.pc != kRegionFinished && w.op == f.op && w.mode == f.mode &&
            w.arg == f.arg && w.c == f.c && w.mask == f.mask;
  }
  return same;
}

} // namespace

uint64_t warpCollectiveResult(const RegionLane *warp, uint32_t lane,
                              uint32_t members, uint32_t live) {
  const RegionLane &t = warp[lane];
  switch (static_cast<LaneOp>(t.op)) {
  case LaneOp::Shuffle: {
    int j;
    bool valid = shuffleSource(t, static_cast<int>(lane), j) && (members >> j & 1);
    return shuffleAnswer(warp, t, j, valid);
  }
  case LaneOp::Vote: {
    uint32_t ballot = 0;
    for (uint32_t m = members; m; m &= m - 1) {
      int l = std::countr_zero(m);
      if (warp[l].value)
        ballot |= 1u << l;
    }
    switch (t.mode) {
    case 0: // any
      return ballot != 0;
    case 1: // all
      return ballot == members;
    case 2: // uni
      return ballot == 0 || ballot == members;
    default: // ballot
      return ballot;
    }
  }
  case LaneOp::Match: {
    uint32_t same = 0;
    bool allEqual = true;
    for (uint32_t m = members; m; m &= m - 1) {
      int l = std::countr_zero(m);
      if (warp[l].value == t.value)
        same |= 1u << l;
      else
        allEqual = false;
    }
    if (t.mode == 0) // any
      return same | (uint64_t(1) << 32);
    return allEqual ? (members | (uint64_t(1) << 32)) : 0;
  }
  case LaneOp::Redux: {
    bool first = true;
    uint32_t acc = 0;
    for (uint32_t m = members; m; m &= m - 1) {
      uint32_t v = static_cast<uint32_t>(warp[std::countr_zero(m)].value);
      if (first) {
        acc = v;
        first = false;
        continue;
      }
      switch (t.mode) {
      case 0:
        acc += v;
        break;
      case 1:
        acc = static_cast<uint32_t>(
            std::min(static_cast<int32_t>(acc), static_cast<int32_t>(v)));
        break;
      case 2:
        acc = static_cast<uint32_t>(
            std::max(static_cast<int32_t>(acc), static_cast<int32_t>(v)));
        break;
      case 3:
        acc = std::min(acc, v);
        break;
      case 4:
        acc = std::max(acc, v);
        break;
      case 5:
        acc &= v;
        break;
      case 6:
        acc |= v;
        break;
      case 7:
        acc ^= v;
        break;
      }
    }
    return acc;
  }
  case LaneOp::ActiveMask:
    return live;
  default: // Sync: no value
    return 0;
  }
}

Settled settleRegionLanes(RegionLane *lanes, uint32_t count) {
  bool released = false, mixed = false;
  uint32_t resume = 0;
  auto release = [&](RegionLane &l) {
    l.waiting = 0;
    if (!released)
      resume = l.pc;
    else if (resume != l.pc)
      mixed = true;
    released = true;
  };
  // Loop cuts first: a thread at the back edge of a loop cut never waits.
  // Threads that left the loop wait at their next cut (or have ended) until
  // no thread of the block is at a loop cut any more, so collectives and
  // barriers after the loop still see every thread. Only the threads at one
  // loop cut go at a time (those at another one wait for the next settle
  // step): the block entry then runs that loop's rounds alone, and every
  // thread in them has taken the back edge as often as the others, which
  // is what lets the compiled loop take its induction variables from the
  // round number (RegionSplit.h).
  uint32_t loopCut = kRegionFinished;
  for (uint32_t i = 0; i < count; ++i) {
    RegionLane &l = lanes[i];
    l.waiting = 1;
    if (l.op == static_cast<uint8_t>(LaneOp::LoopCut) && l.pc != kRegionFinished &&
        (loopCut == kRegionFinished || l.pc == loopCut)) {
      loopCut = l.pc;
      release(l);
    }
  }
  if (released)
    return {SettleOutcome::Run, mixed ? kRegionMixed : resume};

  // Warp collectives next: a group completes when every live lane of its
  // member mask waits in a collective (not necessarily the same one; the
  // fibers do not ask either). A lane waiting at the block barrier holds up
  // the groups that name it.
  bool anyLive = false, anyCollective = false;
  for (uint32_t base = 0; base < count; base += 32) {
    RegionLane *warp = lanes + base;
    uint32_t n = std::min<uint32_t>(32, count - base);
    if (n == 32 && uniformFullShuffle(warp)) {
      anyLive = true;
      for (uint32_t l = 0; l < 32; ++l) {
        int j;
        bool valid = shuffleSource(warp[l], static_cast<int>(l), j);
        warp[l].result = shuffleAnswer(warp, warp[l], j, valid);
      }
      for (uint32_t l = 0; l < 32; ++l)
        release(warp[l]);
      continue;
    }
    uint32_t live = 0, arrived = 0;
    for (uint32_t l = 0; l < n; ++l) {
      if (warp[l].pc == kRegionFinished)
        continue;
      live |= 1u << l;
      if (warp[l].op != static_cast<uint8_t>(LaneOp::Barrier))
        arrived |= 1u << l;
    }
    anyLive |= live != 0;
    for (uint32_t pending = arrived; pending; pending &= pending - 1) {
      uint32_t l = std::countr_zero(pending);
      if (!(arrived >> l & 1))
        continue; // completed with an earlier group
      uint32_t members = (warp[l].mask | (1u << l)) & live;
      if ((arrived & members) != members)
        continue;
      uint64_t results[32];
      for (uint32_t m = members; m; m &= m - 1) {
        uint32_t i = std::countr_zero(m);
        results[i] = warpCollectiveResult(warp, i, members, live);
      }
      for (uint32_t m = members; m; m &= m - 1) {
        uint32_t i = std::countr_zero(m);
        warp[i].result = results[i];
        release(warp[i]);
      }
      arrived &= ~members;
    }
    anyCollective |= arrived != 0;
  }
  if (released)
    return {SettleOutcome::Run, mixed ? kRegionMixed : resume};
  if (!anyLive)
    return {SettleOutcome::Finished, kRegionFinished};
  if (anyCollective)
    return {SettleOutcome::Deadlock, kRegionFinished};

  // Every live thread waits at a block barrier: the same one, or the block
  // diverged.
  for (uint32_t i = 0; i < count; ++i) {
    if (lanes[i].pc == kRegionFinished)
      continue;
    if (released && lanes[i].pc != resume)
      return {SettleOutcome::DivergentBarrier, kRegionFinished};
    release(lanes[i]);
  }
  return {SettleOutcome::Run, resume};
}

} // namespace wooly::exec::host
