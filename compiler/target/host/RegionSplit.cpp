//===- RegionSplit.cpp - Barriers and warp collectives without fibers -----===//

#include "compiler/target/host/RegionSplit.h"
#include "compiler/target/host/HostABI.h"
#include "compiler/target/host/LocalMemory.h"
#include "compiler/target/host/WideShuffles.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/PostOrderIterator.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Analysis/LoopInfo.h"
#include "llvm/Analysis/ValueTracking.h"
#include "llvm/IR/Dominators.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Verifier.h"
#include "llvm/Transforms/Utils/BasicBlockUtils.h"
#include "llvm/Transforms/Utils/Cloning.h"

#include <optional>

using namespace llvm;

namespace wooly::host {
namespace {

/// Runtime calls only a fiber can serve: barriers that count arrivals or
/// reduce across the block.
bool needsFiber(StringRef callee) {
  return callee == "__wooly_barrier_reduce" || callee == "__wooly_barrier_arrive";
}

/// The warp collective a runtime call is, or LaneOp::None.
LaneOp warpCollective(StringRef callee) {
  return StringSwitch<LaneOp>(callee)
      .Case("__wooly_shuffle", LaneOp::Shuffle)
      .Case(kWideShuffle, LaneOp::Shuffle)
      .Case("__wooly_vote", LaneOp::Vote)
      .Case("__wooly_match", LaneOp::Match)
      .Case("__wooly_redux", LaneOp::Redux)
      .Case("__wooly_warp_sync", LaneOp::Sync)
      .Case("__wooly_active_mask", LaneOp::ActiveMask)
      .Default(LaneOp::None);
}

bool inlineEverything(Function &f) {
  for (int round = 0; round < 64; ++round) {
    SmallVector<CallBase *> calls;
    for (Instruction &i : instructions(f))
      if (auto *call = dyn_cast<CallBase>(&i))
        if (Function *callee = call->getCalledFunction())
          if (!callee->isDeclaration())
            calls.push_back(call);
    if (calls.empty())
      return true;
    for (CallBase *call : calls) {
      InlineFunctionInfo info;
      if (!InlineFunction(*call, info).isSuccess())
        return false;
    }
  }
  return false; // recursion
}

/// Values live on entry to each block (SSA liveness, PHI uses at the end of
/// the incoming block).
/// Values defined in `entry` (the dispatch block, which dominates every
/// region) are not tracked.
DenseMap<BasicBlock *, DenseSet<Value *>> liveIn(Function &f, BasicBlock *entry) {
  DenseMap<BasicBlock *, DenseSet<Value *>> in;
  auto tracked = [entry](Value *v) {
    auto *i = dyn_cast<Instruction>(v);
    return i && !isa<AllocaInst>(i) && i->getParent() != entry;
  };
  bool changed = true;
  while (changed) {
    changed = false;
    for (BasicBlock *bb : post_order(&f)) {
      DenseSet<Value *> live;
      for (BasicBlock *succ : successors(bb)) {
        for (Value *v : in[succ])
          if (!(isa<PHINode>(v) && cast<PHINode>(v)->getParent() == succ))
            live.insert(v);
        for (PHINode &phi : succ->phis()) {
          Value *incoming = phi.getIncomingValueForBlock(bb);
          if (incoming && tracked(incoming))
            live.insert(incoming);
        }
      }
      for (Instruction &i : reverse(*bb)) {
        live.erase(&i);
        if (isa<PHINode>(i))
          continue;
        for (Value *op : i.operands())
          if (tracked(op))
            live.insert(op);
      }
      if (live.size() != in[bb].size()) {
        in[bb] = std::move(live);
        changed = true;
      }
    }
  }
  return in;
}

/// Counts calls to the thread-ending runtime functions: after inlining the
/// count must not grow, else one sits in a device function, where the
/// inlined `ret` would only leave the callee.
unsigned countEnds(Function &fn) {
  unsigned n = 0;
  for (Instruction &i : instructions(fn))
    if (auto *call = dyn_cast<CallInst>(&i))
      if (Function *callee = call->getCalledFunction())
        if (callee->getName() == "__wooly_trap" ||
            callee->getName() == "__wooly_assert_fail" ||
            callee->getName() == "__wooly_exit")
          ++n;
  return n;
}

/// `f` with the resume point and the thread's index (x, y, z) as
/// parameters after the context and an i32 result: its body moves into the
/// new function. The context parameter is `noalias`: during a region only
/// the region reads the block entry's private context copy (so loads of
/// its fields stay loop-invariant in the block entry's thread loops).
Function *withRegionParameters(Function &f) {
  LLVMContext &c = f.getContext();
  Type *i32 = Type::getInt32Ty(c);
  SmallVector<Type *> params{f.getFunctionType()->getParamType(0), i32, i32,
                             i32, i32, Type::getInt64Ty(c)};
  for (unsigned i = 1; i < f.arg_size(); ++i)
    params.push_back(f.getFunctionType()->getParamType(i));
  auto *type = FunctionType::get(i32, params, false);
  Function *g = Function::Create(type, f.getLinkage(), f.getName() + ".regions",
                                 f.getParent());
  AttributeList attrs = f.getAttributes();
  g->setAttributes(AttributeList::get(c, attrs.getFnAttrs(), AttributeSet(), {}));
  for (unsigned i = 0; i < f.arg_size(); ++i) {
    unsigned to = i == 0 ? 0 : i + kRegionLeadingParams - 1;
    g->getArg(to)->setName(f.getArg(i)->getName());
    AttrBuilder param(c, attrs.getParamAttrs(i));
    g->addParamAttrs(to, param);
    f.getArg(i)->replaceAllUsesWith(g->getArg(to));
  }
  g->addParamAttr(0, Attribute::NoAlias);
  g->getArg(1)->setName("resume");
  g->getArg(2)->setName("tid.x");
  g->getArg(3)->setName("tid.y");
  g->getArg(4)->setName("tid.z");
  g->getArg(5)->setName("round");
  g->splice(g->end(), &f);
  for (BasicBlock &bb : *g)
    if (auto *ret = dyn_cast<ReturnInst>(bb.getTerminator())) {
      IRBuilder<> at(ret);
      at.CreateRet(at.getInt32(kRegionFinished));
      ret->eraseFromParent();
    }
  return g;
}

/// The thread's index comes from the parameters, not from the context: the
/// block entry does not write it there per thread (a store the thread loop
/// could not vectorize). Runtime functions that take the context and may
/// read it (trap and assert messages, %warpid) get it stored right before.
void threadIndexFromParameters(Function &g, const DataLayout &layout) {
  Value *ctx = g.getArg(0);
  SmallVector<LoadInst *> loads;
  SmallVector<CallInst *> calls;
  for (Instruction &i : instructions(g)) {
    if (auto *load = dyn_cast<LoadInst>(&i)) {
      APInt offset(64, 0);
      Value *base = load->getPointerOperand()->stripAndAccumulateConstantOffsets(
          layout, offset, /*AllowNonInbounds=*/true);
      if (base == ctx && load->isSimple() && load->getType()->isIntegerTy(32) &&
          offset.getZExtValue() >= offsets::tid &&
          offset.getZExtValue() < offsets::tid + 12 &&
          offset.getZExtValue() % 4 == 0)
        loads.push_back(load);
    } else if (auto *call = dyn_cast<CallInst>(&i)) {
      if (llvm::is_contained(call->args(), ctx))
        calls.push_back(call);
    }
  }
  for (LoadInst *load : loads) {
    APInt offset(64, 0);
    load->getPointerOperand()->stripAndAccumulateConstantOffsets(layout, offset, true);
    unsigned d = (offset.getZExtValue() - offsets::tid) / 4;
    load->replaceAllUsesWith(g.getArg(2 + d));
    load->eraseFromParent();
  }
  for (CallInst *call : calls) {
    IRBuilder<> at(call);
    for (unsigned d = 0; d < 3; ++d)
      at.CreateStore(g.getArg(2 + d),
                     at.CreateConstInBoundsGEP1_32(at.getInt8Ty(), ctx,
                                                   offsets::tid + 4 * d));
  }
}

/// Whether `v` can be recomputed wherever it is used instead of being kept
/// in the frame: a pure, cheap function of constants, the kernel's
/// arguments, the dispatch block's values and loads of the thread's context
/// (which no region writes: tid, ntid, the shared window, ...). Recomputed
/// values keep their form (`tid.x * 4 + base`), so a region's thread loop
/// sees affine addresses instead of frame loads.
bool rematerializable(Value *v, Value *ctx, BasicBlock *dispatch,
                      DenseMap<Value *, bool> &memo, unsigned depth = 0) {
  if (isa<Constant, Argument>(v))
    return true;
  auto *i = dyn_cast<Instruction>(v);
  if (!i)
    return false;
  if (i->getParent() == dispatch)
    return true;
  if (auto it = memo.find(v); it != memo.end())
    return it->second;
  bool ok = false;
  if (depth < 12) {
    if (auto *load = dyn_cast<LoadInst>(i)) {
      Value *p = load->getPointerOperand();
      auto *gep = dyn_cast<GetElementPtrInst>(p);
      ok = load->isSimple() &&
           (p == ctx || (gep && gep->getPointerOperand() == ctx &&
                         gep->hasAllConstantIndices()));
    } else if (isa<BinaryOperator, CastInst, GetElementPtrInst, CmpInst,
                   SelectInst>(i) &&
               isSafeToSpeculativelyExecute(i)) {
      ok = llvm::all_of(i->operands(), [&](Value *op) {
        return rematerializable(op, ctx, dispatch, memo, depth + 1);
      });
    }
  }
  memo[v] = ok;
  return ok;
}

/// A copy of `v`'s computation (rematerializable) placed before `before`.
Value *rematerializeAt(Value *v, Instruction *before, BasicBlock *dispatch) {
  auto *i = dyn_cast<Instruction>(v);
  if (!i || i->getParent() == dispatch)
    return v;
  Instruction *copy = i->clone();
  for (Use &op : copy->operands())
    op.set(rematerializeAt(op.get(), before, dispatch));
  copy->insertBefore(before->getIterator());
  return copy;
}

/// The marker call a loop cut starts as (erased when the cut is made).
constexpr const char *kLoopCutMarker = "__wooly_region_loop_cut";
/// The marker of a loop-exit cut: on every edge that leaves a loop with a
/// loop cut.
constexpr const char *kLoopExitMarker = "__wooly_region_loop_exit";

/// Whether `v` is computed from the thread's index (a load of ctx->tid),
/// looking through a few arithmetic steps.
bool dependsOnThreadIndex(Value *v, Value *ctx, const DataLayout &layout,
                          unsigned depth = 0) {
  auto *i = dyn_cast<Instruction>(v);
  if (!i || depth > 8)
    return false;
  if (auto *load = dyn_cast<LoadInst>(i)) {
    APInt offset(64, 0);
    Value *base = load->getPointerOperand()->stripAndAccumulateConstantOffsets(
        layout, offset, /*AllowNonInbounds=*/true);
    return base == ctx && offset.getZExtValue() >= offsets::tid &&
           offset.getZExtValue() < offsets::tid + 12;
  }
  if (!isa<BinaryOperator, CastInst>(i))
    return false;
  return llvm::any_of(i->operands(), [&](Value *op) {
    return dependsOnThreadIndex(op, ctx, layout, depth + 1);
  });
}

/// Whether running `loop` one iteration at a time for all threads pays: a
/// strided loop over the threads' elements (`for (i = tid + ...; i < n; i
/// += blockDim.x * gridDim.x)`), where one thread's whole loop before the
/// next thread's touches memory a whole stride apart at every access and
/// the GPU's order (all threads' first iteration, then the second, ...)
/// reads it contiguously. That is: an induction variable started from the
/// thread's index and advanced by a step that is not a constant, and no
/// exit that compares it with a constant (a loop bounded by a constant
/// covers a small range: the extra rounds would not pay). Other exits
/// (`if (in[i] == -1) break;`) do not matter.
bool isThreadStridedLoop(Loop &loop, Value *ctx, const DataLayout &layout) {
  BasicBlock *latch = loop.getLoopLatch();
  BasicBlock *header = loop.getHeader();
  if (!latch || !isa<BranchInst>(latch->getTerminator()))
    return false;
  SmallVector<BasicBlock *> exiting;
  loop.getExitingBlocks(exiting);
  for (PHINode &phi : header->phis()) {
    if (!phi.getType()->isIntegerTy())
      continue;
    bool startsAtThread = false;
    for (unsigned k = 0; k < phi.getNumIncomingValues(); ++k)
      if (!loop.contains(phi.getIncomingBlock(k)))
        startsAtThread |=
            dependsOnThreadIndex(phi.getIncomingValue(k), ctx, layout);
    auto *step = dyn_cast<BinaryOperator>(phi.getIncomingValueForBlock(latch));
    if (!startsAtThread || !step || step->getOpcode() != Instruction::Add)
      continue;
    Value *by = step->getOperand(0) == &phi   ? step->getOperand(1)
                : step->getOperand(1) == &phi ? step->getOperand(0)
                                              : nullptr;
    if (!by || isa<Constant>(by) || !loop.isLoopInvariant(by))
      continue;
    // The induction variable (or its next value) compared with a constant
    // at an exit: a small, fixed range.
    auto isInduction = [&](Value *v) {
      v = v->stripPointerCasts();
      while (auto *cast = dyn_cast<CastInst>(v))
        v = cast->getOperand(0);
      return v == &phi || v == step;
    };
    bool constantBound = llvm::any_of(exiting, [&](BasicBlock *bb) {
      auto *br = dyn_cast<BranchInst>(bb->getTerminator());
      auto *cmp = br && br->isConditional() ? dyn_cast<CmpInst>(br->getCondition())
                                            : nullptr;
      return cmp && ((isInduction(cmp->getOperand(0)) &&
                      isa<Constant>(cmp->getOperand(1))) ||
                     (isInduction(cmp->getOperand(1)) &&
                      isa<Constant>(cmp->getOperand(0))));
    });
    if (!constantBound)
      return true;
  }
  return false;
}

/// Whether a thread that leaves `loop` can come back to its header without
/// passing a cut (the loop sits in an outer loop that holds no cut): then
/// threads in one round of the loop may have taken its back edge different
/// numbers of times, and its induction variables cannot come from the
/// round number.
bool reentersWithoutCut(Loop &loop, const DenseSet<CallInst *> &cuts) {
  auto holdsCut = [&](BasicBlock *bb) {
    return llvm::any_of(*bb, [&](Instruction &i) {
      auto *call = dyn_cast<CallInst>(&i);
      return call && cuts.contains(call);
    });
  };
  SmallVector<BasicBlock *> exits;
  loop.getExitBlocks(exits);
  SmallVector<BasicBlock *> work;
  DenseSet<BasicBlock *> seen;
  for (BasicBlock *bb : exits)
    if (seen.insert(bb).second)
      work.push_back(bb);
  while (!work.empty()) {
    BasicBlock *bb = work.pop_back_val();
    if (bb == loop.getHeader())
      return true;
    if (holdsCut(bb))
      continue; // the thread stops there first
    for (BasicBlock *succ : successors(bb))
      if (seen.insert(succ).second)
        work.push_back(succ);
  }
  return false;
}

/// Gives every thread-strided loop (isThreadStridedLoop) that holds no cut a
/// loop cut on its back edge: a cut that never waits (the settle step
/// releases it at once), so the block runs the loop one iteration at a time
/// for all its threads, as the GPU does. CUDA orders nothing between the
/// threads inside such a loop, so this is a legal schedule; warp
/// collectives and barriers after the loop still see every thread (threads
/// that left the loop wait there until no thread is at a loop cut).
/// Every edge leaving such a loop gets a loop-exit cut, which never waits
/// either: the loop's rounds then hold the loop body alone, not the code
/// after the loop (the operands a warp collective after it stores in
/// RegionLanes 40 bytes apart, a shared-memory store), which keeps their
/// thread loop free of scattered stores; the threads that left run on from
/// there together once the loop is done. `exitOf` maps each exit marker to
/// its loop's back-edge marker.
/// `counted` gets the marker call of each loop that no thread can re-enter
/// without a cut (reentersWithoutCut), with the loop's header: there the
/// induction variables may come from the round number.
bool insertLoopCuts(Function &f, const DenseSet<CallInst *> &cuts,
                    const DataLayout &layout,
                    DenseMap<CallInst *, BasicBlock *> &counted,
                    DenseMap<CallInst *, CallInst *> &exitOf) {
  DominatorTree dt(f);
  LoopInfo loops(dt);
  Value *ctx = f.getArg(0);
  auto holdsCut = [&](Loop &loop) {
    return llvm::any_of(loop.blocks(), [&](BasicBlock *bb) {
      return llvm::any_of(*bb, [&](Instruction &i) {
        auto *call = dyn_cast<CallInst>(&i);
        return call && cuts.contains(call);
      });
    });
  };
  SmallVector<Loop *> chosen;
  SmallVector<Loop *> work(loops.begin(), loops.end());
  while (!work.empty()) {
    Loop *loop = work.pop_back_val();
    if (!holdsCut(*loop) && isThreadStridedLoop(*loop, ctx, layout)) {
      chosen.push_back(loop);
      continue; // its inner loops run within one iteration
    }
    work.append(loop->begin(), loop->end());
  }
  if (chosen.empty())
    return false;
  Module &m = *f.getParent();
  FunctionCallee marker = m.getOrInsertFunction(
      kLoopCutMarker, FunctionType::get(Type::getVoidTy(f.getContext()),
                                        {ctx->getType()}, false));
  FunctionCallee exitMarker = m.getOrInsertFunction(
      kLoopExitMarker, FunctionType::get(Type::getVoidTy(f.getContext()),
                                         {ctx->getType()}, false));
  // Asked before any edge changes (LoopInfo is not kept up to date).
  SmallVector<bool> reenters;
  SmallVector<SmallVector<std::pair<BasicBlock *, BasicBlock *>>> exits;
  for (Loop *loop : chosen) {
    reenters.push_back(reentersWithoutCut(*loop, cuts));
    SmallVector<Loop::Edge> edges;
    loop->getExitEdges(edges);
    SmallVector<std::pair<BasicBlock *, BasicBlock *>> unique;
    for (auto [from, to] : edges)
      if (!llvm::is_contained(unique, std::make_pair(
                                          const_cast<BasicBlock *>(from),
                                          const_cast<BasicBlock *>(to))))
        unique.push_back({const_cast<BasicBlock *>(from),
                          const_cast<BasicBlock *>(to)});
    exits.push_back(std::move(unique));
  }
  for (auto [loop, again, leaving] : llvm::zip(chosen, reenters, exits)) {
    BasicBlock *latch = loop->getLoopLatch();
    BasicBlock *header = loop->getHeader();
    BasicBlock *edge =
        BasicBlock::Create(f.getContext(), "loop.cut", &f, header);
    latch->getTerminator()->replaceSuccessorWith(header, edge);
    header->replacePhiUsesWith(latch, edge);
    IRBuilder<> at(edge);
    CallInst *call = at.CreateCall(marker, {ctx});
    at.CreateBr(header);
    if (!again)
      counted[call] = header;
    for (auto [from, to] : leaving) {
      BasicBlock *out = BasicBlock::Create(f.getContext(), "loop.exit.cut", &f, to);
      from->getTerminator()->replaceSuccessorWith(to, out);
      to->replacePhiUsesWith(from, out);
      IRBuilder<> there(out);
      exitOf[there.CreateCall(exitMarker, {ctx})] = call;
      there.CreateBr(to);
    }
  }
  return true;
}

/// After a counted loop cut (insertLoopCuts), the header's induction
/// variables `i = phi [i0, outside], [i + S, back edge]` whose start i0 and
/// step S are cheap functions of the context (rematerializable) become
/// `i0 + round * S` on the back edge, `round` being the region kernel's
/// loop round argument: the number of times the thread took the back edge,
/// the same for every thread in the round. The frame then holds no copy of
/// i and the loop body's addresses stay affine in the thread index.
/// Returns how many it rewrote.
unsigned inductionsFromRound(BasicBlock *header, BasicBlock *backEdge,
                             Value *round, Value *ctx, BasicBlock *dispatch,
                             DenseMap<Value *, bool> &memo) {
  unsigned rewritten = 0;
  for (PHINode &phi : header->phis()) {
    if (!phi.getType()->isIntegerTy() || phi.getNumIncomingValues() != 2)
      continue;
    int back = phi.getBasicBlockIndex(backEdge);
    if (back < 0)
      continue;
    auto *step = dyn_cast<BinaryOperator>(phi.getIncomingValue(back));
    if (!step || step->getOpcode() != Instruction::Add)
      continue;
    Value *by = step->getOperand(0) == &phi   ? step->getOperand(1)
                : step->getOperand(1) == &phi ? step->getOperand(0)
                                              : nullptr;
    Value *start = phi.getIncomingValue(1 - back);
    if (!by || !rematerializable(by, ctx, dispatch, memo) ||
        !rematerializable(start, ctx, dispatch, memo))
      continue;
    // Wrapping arithmetic, like the adds it replaces: the same bits.
    Instruction *at = backEdge->getTerminator();
    IRBuilder<> b(at);
    Value *k = b.CreateTrunc(round, phi.getType());
    Value *i = b.CreateAdd(rematerializeAt(start, at, dispatch),
                           b.CreateMul(k, rematerializeAt(by, at, dispatch)),
                           "iv.round");
    phi.setIncomingValue(back, i);
    ++rewritten;
  }
  return rewritten;
}

/// A loop whose back-edge counter (inductionsFromCount) the block entry
/// can keep for all its threads: `cuts` in the order every iteration
/// passes them.
struct CountedLoop {
  PHINode *count;
  SmallVector<CallInst *> cuts;
};

/// The cuts of `loop` in the order each iteration passes them, when the
/// block entry can keep the loop's back-edge counter itself: every cut of
/// the loop sits in the loop's own blocks (not in an inner loop) and
/// dominates its latch, and no thread that leaves the loop can come back to
/// its header without a cut (reentersWithoutCut). Then a thread stopping at
/// cut j > 1 took no back edge since it resumed after cut j - 1; one
/// stopping at the first cut took the back edge exactly once if it resumed
/// after the last cut, and else entered the loop (count 0): which cut the
/// block resumed from and the counter it passed give every thread's count,
/// however the threads branch in between. None otherwise.
std::optional<SmallVector<CallInst *>>
blockCountedCuts(Loop &loop, DominatorTree &dt,
                 const DenseSet<CallInst *> &cuts) {
  BasicBlock *latch = loop.getLoopLatch();
  SmallVector<CallInst *> order;
  for (BasicBlock *bb : loop.blocks())
    for (Instruction &i : *bb) {
      auto *call = dyn_cast<CallInst>(&i);
      if (!call || !cuts.contains(call))
        continue;
      if (!latch || !dt.dominates(bb, latch) ||
          !llvm::all_of(loop.getSubLoops(),
                        [&](Loop *inner) { return !inner->contains(bb); }))
        return std::nullopt;
      order.push_back(call);
    }
  if (order.empty() || reentersWithoutCut(loop, cuts))
    return std::nullopt;
  // Cuts that all dominate the latch dominate one another: a chain.
  llvm::sort(order, [&](CallInst *a, CallInst *b) {
    return a != b && dt.dominates(a, b);
  });
  return order;
}

/// In a loop that holds a cut (a barrier, a warp collective), each
/// induction variable `i = phi [i0, preheader], [i + S, latch]` is live
/// across the cut and takes a frame slot, which every thread stores and
/// loads again at every cut. When the loop has two or more whose start i0
/// and step S are cheap functions of the context (rematerializable), they
/// become `i0 + count * S` from one new i64 counter of the back edges taken
/// since the loop was entered, computed at each use (wrapping arithmetic,
/// like the adds it replaces: the same bits): the frames then hold the
/// counter alone. matmul_tiled's tile loop has five (the tile number, A's
/// element address, B's element index, the two tile coordinates).
/// Run before the cuts are made, while the loops are still loops. Returns
/// how many it rewrote.
unsigned inductionsFromCount(Function &f, const DenseSet<CallInst *> &cuts,
                             SmallVectorImpl<CountedLoop> &counters) {
  DominatorTree dt(f);
  LoopInfo loops(dt);
  Value *ctx = f.getArg(0);
  DenseMap<Value *, bool> memo;
  auto holdsCut = [&](Loop &loop) {
    return llvm::any_of(loop.blocks(), [&](BasicBlock *bb) {
      return llvm::any_of(*bb, [&](Instruction &i) {
        auto *call = dyn_cast<CallInst>(&i);
        return call && cuts.contains(call);
      });
    });
  };
  struct Induction {
    PHINode *phi;
    Value *start, *by;
  };
  unsigned rewritten = 0;
  for (Loop *loop : loops.getLoopsInPreorder()) {
    BasicBlock *header = loop->getHeader();
    BasicBlock *latch = loop->getLoopLatch();
    BasicBlock *preheader = loop->getLoopPreheader();
    if (!latch || !preheader || !holdsCut(*loop))
      continue;
    SmallVector<Induction> found;
    for (PHINode &phi : header->phis()) {
      auto *type = dyn_cast<IntegerType>(phi.getType());
      if (!type || type->getBitWidth() > 64 || phi.getNumIncomingValues() != 2)
        continue;
      auto *step = dyn_cast<BinaryOperator>(phi.getIncomingValueForBlock(latch));
      if (!step || step->getOpcode() != Instruction::Add)
        continue;
      Value *by = step->getOperand(0) == &phi   ? step->getOperand(1)
                  : step->getOperand(1) == &phi ? step->getOperand(0)
                                                : nullptr;
      Value *start = phi.getIncomingValueForBlock(preheader);
      if (by && rematerializable(by, ctx, nullptr, memo) &&
          rematerializable(start, ctx, nullptr, memo))
        found.push_back({&phi, start, by});
    }
    if (found.size() < 2)
      continue;
    Type *i64 = Type::getInt64Ty(f.getContext());
    PHINode *count = PHINode::Create(i64, 2, "iv.count");
    count->insertBefore(header->begin());
    IRBuilder<> atLatch(latch->getTerminator());
    count->addIncoming(ConstantInt::get(i64, 0), preheader);
    count->addIncoming(atLatch.CreateAdd(count, ConstantInt::get(i64, 1),
                                         "iv.count.next"),
                       latch);
    if (auto order = blockCountedCuts(*loop, dt, cuts))
      counters.push_back({count, std::move(*order)});
    for (auto [phi, start, by] : found) {
      SmallVector<Use *> uses;
      for (Use &u : phi->uses())
        uses.push_back(&u);
      for (Use *u : uses) {
        auto *user = cast<Instruction>(u->getUser());
        Instruction *where = user;
        if (auto *p = dyn_cast<PHINode>(user))
          where = p->getIncomingBlock(*u)->getTerminator();
        IRBuilder<> b(where);
        Value *k = b.CreateTrunc(count, phi->getType());
        u->set(b.CreateAdd(rematerializeAt(start, where, nullptr),
                           b.CreateMul(k, rematerializeAt(by, where, nullptr)),
                           "iv.count.value"));
      }
      phi->eraseFromParent();
      ++rewritten;
    }
  }
  return rewritten;
}

/// Barrier-only kernels (the block entry then resumes every thread that
/// has not ended at one cut, or stops as divergent): in each block-counted
/// loop (blockCountedCuts), a use of the back-edge counter that a resume
/// point in the loop dominates takes the loop round argument instead, which
/// the block entry sets from `countedCuts`. The counter then is not live
/// across the loop's cuts (no frame slot), and the exit test and the
/// induction variables computed from it are the same for every thread of
/// the region's thread loop: uniform, affine addresses, vectorizable.
/// Returns how many loops it rewrote.
unsigned countFromBlock(Function &f, ArrayRef<CountedLoop> counters,
                        const DenseMap<CallInst *, unsigned> &cutIndex,
                        ArrayRef<BasicBlock *> resumes,
                        std::vector<RegionLayout::CountedCut> &table) {
  if (counters.empty())
    return 0;
  DominatorTree dt(f);
  Value *round = f.getArg(5);
  for (const CountedLoop &loop : counters) {
    SmallVector<unsigned> points; // resume point after each cut, in order
    for (CallInst *call : loop.cuts)
      points.push_back(cutIndex.lookup(call) + 1);
    SmallVector<Use *> uses;
    for (Use &u : loop.count->uses())
      uses.push_back(&u);
    for (Use *u : uses) {
      auto *user = cast<Instruction>(u->getUser());
      BasicBlock *where = user->getParent();
      if (auto *phi = dyn_cast<PHINode>(user))
        where = phi->getIncomingBlock(*u);
      if (llvm::any_of(points, [&](unsigned k) {
            return dt.dominates(resumes[k - 1], where);
          }))
        u->set(round);
    }
    for (auto [j, k] : llvm::enumerate(points))
      table.push_back(j == 0 ? RegionLayout::CountedCut{k, points.back(), 1}
                             : RegionLayout::CountedCut{k, points[j - 1], 0});
  }
  return counters.size();
}

struct Cut {
  CallInst *call;
  LaneOp op; // LaneOp::Barrier for a block barrier
  BasicBlock *countedHeader = nullptr; // a counted loop cut's loop header
  CallInst *exitOfLoop = nullptr; // a loop-exit cut: its loop's back-edge marker
};

} // namespace

namespace {

/// splitAtCuts, with loop cuts if `withLoopCuts`; `loopCutsMade` says
/// whether it made any.
bool split(Function &kernel, RegionLayout &result, bool withLoopCuts,
           bool &loopCutsMade) {
  Module &m = *kernel.getParent();
  const DataLayout &layout = m.getDataLayout();
  LLVMContext &c = m.getContext();
  unsigned endsBefore = countEnds(kernel);
  ValueToValueMapTy map;
  Function *clone = CloneFunction(&kernel, map);
  auto dropMarker = [&] {
    for (StringRef name : {StringRef(kLoopCutMarker), StringRef(kLoopExitMarker),
                           StringRef(kWideShuffle)})
      if (Function *marker = m.getFunction(name); marker && marker->use_empty())
        marker->eraseFromParent();
  };
  auto fail = [&] {
    clone->eraseFromParent();
    dropMarker();
    return false;
  };
  if (!inlineEverything(*clone) || countEnds(*clone) != endsBefore)
    return fail();
  fuseWideShuffles(*clone);

  // Loop cuts only in kernels that have real cuts (the others stay block
  // loops).
  DenseMap<CallInst *, BasicBlock *> counted;
  DenseMap<CallInst *, CallInst *> exitOf;
  unsigned countInductions = 0;
  SmallVector<CountedLoop> counters;
  {
    DenseSet<CallInst *> real;
    for (Instruction &i : instructions(*clone))
      if (auto *call = dyn_cast<CallInst>(&i))
        if (Function *callee = call->getCalledFunction())
          if (callee->getName() == "__wooly_barrier" ||
              warpCollective(callee->getName()) != LaneOp::None)
            real.insert(call);
    if (!real.empty())
      countInductions = inductionsFromCount(*clone, real, counters);
    if (withLoopCuts && !real.empty())
      loopCutsMade = insertLoopCuts(*clone, real, layout, counted, exitOf);
  }

  SmallVector<Cut> cuts;
  SmallVector<AllocaInst *> allocas;
  SmallVector<Instruction *> lifetimes;
  bool warpCuts = false;
  for (Instruction &i : instructions(*clone)) {
    if (auto *call = dyn_cast<CallInst>(&i)) {
      if (isa<LifetimeIntrinsic>(call)) {
        lifetimes.push_back(call);
        continue;
      }
      Function *callee = call->getCalledFunction();
      StringRef name = callee ? callee->getName() : "";
      if (!callee || needsFiber(name))
        return fail();
      if (name == "__wooly_barrier") {
        auto *count = dyn_cast<ConstantInt>(call->getArgOperand(2));
        if (!count || !count->isZero())
          return fail();
        cuts.push_back({call, LaneOp::Barrier});
      } else if (LaneOp op = warpCollective(name); op != LaneOp::None) {
        cuts.push_back({call, op});
        warpCuts = true;
      } else if (name == kLoopCutMarker) {
        // Settled like a warp cut (RegionLanes), released at once.
        cuts.push_back({call, LaneOp::LoopCut, counted.lookup(call)});
        warpCuts = true;
      } else if (name == kLoopExitMarker) {
        // Released at once like a loop cut; not a loop of its own.
        cuts.push_back({call, LaneOp::LoopCut, nullptr, exitOf.lookup(call)});
        warpCuts = true;
      }
    }
    if (auto *alloca = dyn_cast<AllocaInst>(&i)) {
      if (!alloca->isStaticAlloca())
        return fail();
      allocas.push_back(alloca);
    }
  }
  if (cuts.empty())
    return fail();

  // The frame: local variables, then values live across cuts (their set is
  // known only after cutting, but the cut itself cannot fail).
  Function *f = withRegionParameters(*clone);
  clone->eraseFromParent();
  auto drop = [&] {
    f->eraseFromParent();
    dropMarker();
    return false;
  };
  for (Instruction *i : lifetimes)
    i->eraseFromParent();

  // A new entry: this thread's index and RegionLane; the frame slots and the
  // jump to where it resumes come last.
  BasicBlock *start = &f->getEntryBlock();
  BasicBlock *dispatch = BasicBlock::Create(c, "dispatch", f, start);
  IRBuilder<> b(dispatch);
  Value *ctx = f->getArg(0);
  auto field = [&](unsigned offset) {
    return b.CreateConstInBoundsGEP1_32(b.getInt8Ty(), ctx, offset);
  };
  auto dim = [&](unsigned base, unsigned d) {
    return b.CreateZExt(b.CreateLoad(b.getInt32Ty(), field(base + 4 * d)),
                        b.getInt64Ty());
  };
  auto index = [&](unsigned d) {
    return b.CreateZExt(f->getArg(2 + d), b.getInt64Ty());
  };
  Value *nx = dim(offsets::ntid, 0), *ny = dim(offsets::ntid, 1),
        *nz = dim(offsets::ntid, 2);
  Value *threads = b.CreateMul(b.CreateMul(nx, ny), nz, "threads");
  Value *linear = b.CreateAdd(
      index(0), b.CreateMul(nx, b.CreateAdd(index(1), b.CreateMul(ny, index(2)))),
      "linear");
  Value *lane = nullptr;
  if (warpCuts) {
    Value *lanes = b.CreateLoad(b.getPtrTy(), field(offsets::lanes));
    lane = b.CreateGEP(b.getInt8Ty(), lanes,
                       b.CreateMul(linear, b.getInt64(sizeof(RegionLane))),
                       "lane");
  }

  // Cut after every cut call: resume block k + 1 starts region k + 1. The
  // call's block now records what the settle step needs and returns.
  SmallVector<BasicBlock *> resumes;
  DenseMap<CallInst *, unsigned> cutIndex;
  for (auto [k, cut] : llvm::enumerate(cuts))
    cutIndex[cut.call] = k;
  for (auto [k, cut] : llvm::enumerate(cuts)) {
    CallInst *call = cut.call;
    BasicBlock *resume =
        call->getParent()->splitBasicBlock(call->getNextNode(), "region");
    resumes.push_back(resume);
    IRBuilder<> at(call);
    auto store = [&](unsigned offset, Value *v) {
      at.CreateStore(v, at.CreateConstInBoundsGEP1_32(at.getInt8Ty(), lane, offset));
    };
    auto i8 = [&](Value *v) { return at.CreateTrunc(v, at.getInt8Ty()); };
    auto i64 = [&](Value *v) { return at.CreateZExt(v, at.getInt64Ty()); };
    switch (cut.op) {
    case LaneOp::Shuffle: // (ctx, mode, value, lane, c, mask)
      store(offsets::lane::mode, i8(call->getArgOperand(1)));
      store(offsets::lane::value, i64(call->getArgOperand(2)));
      store(offsets::lane::arg, call->getArgOperand(3));
      store(offsets::lane::c, call->getArgOperand(4));
      store(offsets::lane::mask, call->getArgOperand(5));
      break;
    case LaneOp::Vote: // (ctx, mode, predicate, mask)
      store(offsets::lane::mode, i8(call->getArgOperand(1)));
      store(offsets::lane::value,
            i64(at.CreateICmpNE(call->getArgOperand(2), at.getInt32(0))));
      store(offsets::lane::mask, call->getArgOperand(3));
      break;
    case LaneOp::Match: // (ctx, mode, value i64, mask)
    case LaneOp::Redux: // (ctx, kind, value i32, mask)
      store(offsets::lane::mode, i8(call->getArgOperand(1)));
      store(offsets::lane::value, at.CreateZExtOrTrunc(call->getArgOperand(2),
                                                       at.getInt64Ty()));
      store(offsets::lane::mask, call->getArgOperand(3));
      break;
    case LaneOp::Sync: // (ctx, mask)
      store(offsets::lane::mask, call->getArgOperand(1));
      break;
    case LaneOp::ActiveMask: // only this lane: answered at once
      store(offsets::lane::mask, at.getInt32(0));
      break;
    default:
      break;
    }
    if (lane && cut.op == LaneOp::LoopCut) {
      // A thread that resumed at its loop's back-edge cut still has this op
      // (it reached no other cut since): in the block entry's rounds of the
      // loop (that resume point, a constant there) the store folds away, so
      // a thread going round again, or leaving the loop, writes nothing to
      // its RegionLane.
      unsigned loopResume =
          1 + (cut.exitOfLoop ? cutIndex.lookup(cut.exitOfLoop) : unsigned(k));
      Instruction *first = SplitBlockAndInsertIfThen(
          at.CreateICmpNE(f->getArg(1), at.getInt32(loopResume)),
          call->getIterator(), /*Unreachable=*/false);
      IRBuilder<> then(first);
      then.CreateStore(then.getInt8(static_cast<uint8_t>(cut.op)),
                       then.CreateConstInBoundsGEP1_32(then.getInt8Ty(), lane,
                                                       offsets::lane::op));
    } else if (lane) {
      store(offsets::lane::op, at.getInt8(static_cast<uint8_t>(cut.op)));
    }
    BasicBlock *bb = call->getParent();
    bb->getTerminator()->eraseFromParent();
    IRBuilder<> end(bb);
    end.CreateRet(end.getInt32(k + 1));
    // After the cut the call's value is the settled answer.
    if (!call->getType()->isVoidTy()) {
      IRBuilder<> in(resume, resume->getFirstInsertionPt());
      Value *answer = in.CreateLoad(
          in.getInt64Ty(),
          in.CreateConstInBoundsGEP1_32(in.getInt8Ty(), lane, offsets::lane::result));
      call->replaceAllUsesWith(in.CreateTrunc(answer, call->getType()));
    }
    call->eraseFromParent();
  }

  // Jump to where the thread resumes (what makes the regions reachable for
  // the liveness below); the frame slots go before the jump.
  SwitchInst *jump = b.CreateSwitch(f->getArg(1), start, resumes.size());
  for (auto [k, block] : llvm::enumerate(resumes))
    jump->addCase(b.getInt32(k + 1), block);
  b.SetInsertPoint(jump);

  threadIndexFromParameters(*f, layout);
  result.countedCuts.clear();
  unsigned blockCounted =
      warpCuts ? 0
               : countFromBlock(*f, counters, cutIndex, resumes,
                                result.countedCuts);
  DenseMap<Value *, bool> memo;
  unsigned roundInductions = 0;
  for (auto [k, cut] : llvm::enumerate(cuts))
    if (cut.countedHeader)
      roundInductions += inductionsFromRound(cut.countedHeader, resumes[k],
                                             f->getArg(5), ctx, dispatch, memo);
  auto live = liveIn(*f, dispatch);
  SetVector<Instruction *> demote;
  SmallVector<Instruction *> recompute;
  for (BasicBlock *r : resumes)
    for (Value *v : live[r]) {
      auto *i = cast<Instruction>(v);
      if (rematerializable(i, ctx, dispatch, memo))
        recompute.push_back(i);
      else
        demote.insert(i);
    }
  // Values live across a cut that are cheap functions of the context: every
  // use gets its own copy (GVN merges the copies within a region).
  for (Instruction *v : recompute) {
    if (v->use_empty())
      continue;
    SmallVector<Use *> uses;
    for (Use &u : v->uses())
      uses.push_back(&u);
    for (Use *u : uses) {
      auto *user = cast<Instruction>(u->getUser());
      Instruction *where = user;
      if (auto *phi = dyn_cast<PHINode>(user))
        where = phi->getIncomingBlock(*u)->getTerminator();
      u->set(rematerializeAt(v, where, dispatch));
    }
  }

  // Slot-major frames: slot s of thread t at scratch + offset_s * threads +
  // t * size_s (sizes rounded up to the alignment, so every element stays
  // aligned).
  uint64_t size = 0;
  struct Slot {
    uint64_t offset, size;
  };
  MapVector<Value *, Slot> slotOf;
  auto place = [&](Value *v, uint64_t bytes, Align align) {
    bytes = alignTo(std::max<uint64_t>(bytes, 1), align);
    size = alignTo(size, align);
    slotOf[v] = {size, bytes};
    size += bytes;
  };
  // Slots whose address escapes may be reached through generic addresses:
  // they go to the thread's part of the local area (thread-major, the area
  // holds nothing else), the others to the frames.
  uint64_t localSize = 0;
  Align localAlign(16);
  MapVector<Value *, uint64_t> localOf;
  for (AllocaInst *a : allocas) {
    uint64_t bytes = a->getAllocationSize(layout)->getFixedValue();
    if (escapes(*a)) {
      localAlign = std::max(localAlign, a->getAlign());
      localSize = alignTo(localSize, a->getAlign());
      localOf[a] = localSize;
      localSize += std::max<uint64_t>(bytes, 1);
      continue;
    }
    place(a, bytes, a->getAlign());
  }
  // Every thread's part starts as aligned as its most aligned slot.
  result.localBytes = alignTo(localSize, localAlign);
  // 1024 threads' parts must fit the worker's local area.
  if (result.localBytes > kRegionLocalBytesLimit)
    return drop();
  for (Instruction *v : demote)
    place(v, layout.getTypeAllocSize(v->getType()),
          layout.getABITypeAlign(v->getType()));
  result.frameBytes = alignTo(std::max<uint64_t>(size, 16), 16);
  // The block entry keeps every thread's frame on the worker's stack.
  if (result.frameBytes > 2048)
    return drop();

  Value *scratch = b.CreateLoad(b.getPtrTy(), field(offsets::scratch), "scratch");
  DenseMap<Value *, Value *> slots;
  for (auto &[v, slot] : slotOf) {
    Value *offset = b.CreateAdd(b.CreateMul(threads, b.getInt64(slot.offset)),
                                b.CreateMul(linear, b.getInt64(slot.size)));
    slots[v] = b.CreateInBoundsGEP(b.getInt8Ty(), scratch, offset);
  }

  if (!localOf.empty()) {
    Value *low = b.CreateLoad(b.getPtrTy(), field(offsets::localLow), "local");
    Value *mine = b.CreateMul(linear, b.getInt64(result.localBytes));
    for (auto &[v, offset] : localOf)
      slots[v] = b.CreateInBoundsGEP(b.getInt8Ty(), low,
                                     b.CreateAdd(mine, b.getInt64(offset)));
  }

  for (AllocaInst *a : allocas) {
    a->replaceAllUsesWith(slots[a]);
    a->eraseFromParent();
  }
  // A use that its definition dominates in the cut function runs in the same
  // region call as the definition (every path to it from the dispatch passes
  // the definition, and a cut returns), so it keeps the value itself: only
  // uses reached from a resume point read the slot. Reading the slot back
  // where the value is at hand cost a store-to-load round trip per use (the
  // slots of different values may alias as far as LLVM knows, so it cannot
  // forward the store): matmul_tiled's tile loads spent most of their time
  // there.
  DominatorTree dom(*f);
  for (Instruction *v : demote) {
    Value *slot = slots[v];
    SmallVector<Use *> uses;
    for (Use &u : v->uses())
      if (!dom.dominates(v, u))
        uses.push_back(&u);
    for (Use *u : uses) {
      auto *user = cast<Instruction>(u->getUser());
      Instruction *where = user;
      if (auto *phi = dyn_cast<PHINode>(user))
        where = phi->getIncomingBlock(*u)->getTerminator();
      IRBuilder<> at(where);
      u->set(at.CreateLoad(v->getType(), slot));
    }
    Instruction *after = isa<PHINode>(v) ? &*v->getParent()->getFirstInsertionPt()
                                         : v->getNextNode();
    IRBuilder<> at(after);
    at.CreateStore(v, slot);
  }

  if (verifyFunction(*f, nullptr))
    return drop();
  result.cuts = cuts.size();
  result.warpCuts = warpCuts;
  result.roundInductions = roundInductions;
  result.countInductions = countInductions;
  result.blockCountedLoops = blockCounted;
  result.loopCuts.clear();
  for (auto [k, cut] : llvm::enumerate(cuts))
    if (cut.op == LaneOp::LoopCut && !cut.exitOfLoop)
      result.loopCuts.push_back(k + 1);
  dropMarker();
  std::string name = kernel.getName().str();
  kernel.eraseFromParent();
  f->setName(name);
  return true;
}

} // namespace

bool splitAtCuts(Function &kernel, RegionLayout &result) {
  bool loopCutsMade = false;
  if (split(kernel, result, /*withLoopCuts=*/true, loopCutsMade))
    return true;
  // A loop's state lives in the frames across a loop cut: without the loop
  // cuts the frames may still fit (the kernel is unchanged after a failure).
  return loopCutsMade && split(kernel, result, /*withLoopCuts=*/false, loopCutsMade);
}

} // namespace wooly::host
