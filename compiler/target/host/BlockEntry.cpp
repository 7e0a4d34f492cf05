//===- BlockEntry.cpp - The entry points of host kernels ------------------===//

#include "compiler/target/host/BlockEntry.h"
#include "compiler/target/host/CancellationPolls.h"
#include "compiler/target/host/FirstRound.h"
#include "compiler/target/host/HostABI.h"
#include "compiler/target/host/HostCompiler.h"

#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Intrinsics.h"
#include "llvm/IR/Module.h"

namespace wooly::host {
namespace {

/// Region kernels with more cuts get one set of thread loops for all resume
/// points instead of one per resume point.
constexpr unsigned kMaxSpecializedRegions = 8;

/// The kernel's arguments, read from the argument buffer and the context.
/// A region kernel's resume point and thread index get 0 (set per call).
llvm::SmallVector<llvm::Value *> kernelArguments(llvm::IRBuilder<> &b,
                                                 llvm::Function *kernel,
                                                 const HostKernel &info,
                                                 llvm::Value *ctx,
                                                 llvm::Value *args) {
  llvm::SmallVector<llvm::Value *> values{ctx};
  unsigned leading = 1;
  if (info.region.frameBytes) {
    // The resume point, the thread's index and the loop round, set per
    // call (the round only in the thread loops after a loop cut).
    values.append(4, b.getInt32(0));
    values.push_back(b.getInt64(0));
    leading = kRegionLeadingParams;
  }
  for (auto [i, param] : llvm::enumerate(info.params)) {
    llvm::Type *type = kernel->getFunctionType()->getParamType(i + leading);
    if (!param.hidden.empty()) {
      unsigned field = param.hidden == "arena_base"   ? offsets::arenaBase
                       : param.hidden == "arena_mask" ? offsets::arenaMask
                                                      : offsets::dataBase;
      values.push_back(b.CreateLoad(type, fieldPtr(b, ctx, field)));
    } else if (param.byValue) {
      values.push_back(fieldPtr(b, args, param.offset));
    } else {
      llvm::Value *slot = fieldPtr(b, args, param.offset);
      llvm::Value *v = b.CreateAlignedLoad(
          type->isIntegerTy(1) ? b.getInt8Ty() : type, slot,
          llvm::Align(param.align));
      if (type->isIntegerTy(1))
        v = b.CreateICmpNE(v, b.getInt8(0));
      values.push_back(v);
    }
  }
  return values;
}

/// for (i = 0; i < n; ++i) body(i), with the loop blocks created in `fn`.
void buildCountedLoop(llvm::IRBuilder<> &b, llvm::Value *n,
                      llvm::function_ref<void(llvm::Value *)> body,
                      const char *name) {
  llvm::LLVMContext &c = b.getContext();
  llvm::Function *fn = b.GetInsertBlock()->getParent();
  llvm::BasicBlock *pre = b.GetInsertBlock();
  llvm::BasicBlock *header = llvm::BasicBlock::Create(c, name, fn);
  llvm::BasicBlock *exit = llvm::BasicBlock::Create(c, std::string(name) + ".end", fn);
  b.CreateCondBr(b.CreateICmpEQ(n, b.getInt32(0)), exit, header);
  b.SetInsertPoint(header);
  llvm::PHINode *i = b.CreatePHI(b.getInt32Ty(), 2, std::string(name) + ".i");
  i->addIncoming(b.getInt32(0), pre);
  body(i);
  llvm::Value *next = b.CreateNUWAdd(i, b.getInt32(1));
  i->addIncoming(next, b.GetInsertBlock());
  b.CreateCondBr(b.CreateICmpULT(next, n), header, exit);
  b.SetInsertPoint(exit);
}

/// The loops over a block's threads every block entry runs: z, y, x (x
/// fastest) calling `body(x, y, z)`; after each row of threads a trap, the
/// watchdog or a yield request is served (emitRowPoll), leaving for `stop`
/// (made here when null). Loop blocks are named x/y/z, `.suffix` appended.
void buildThreadLoops(
    llvm::IRBuilder<> &b, llvm::Value *nx, llvm::Value *ny, llvm::Value *nz,
    llvm::Value *local, llvm::Value *cancel, llvm::BasicBlock *&stop,
    llvm::function_ref<void(llvm::Value *, llvm::Value *, llvm::Value *)> body,
    const std::string &suffix = "") {
  std::string tail = suffix.empty() ? "" : "." + suffix;
  buildCountedLoop(b, nz, [&](llvm::Value *z) {
    buildCountedLoop(b, ny, [&](llvm::Value *y) {
      buildCountedLoop(b, nx, [&](llvm::Value *x) { body(x, y, z); },
                       ("x" + tail).c_str());
      if (!stop)
        stop = llvm::BasicBlock::Create(b.getContext(), "stop",
                                        b.GetInsertBlock()->getParent());
      emitRowPoll(b, local, cancel, stop);
    }, ("y" + tail).c_str());
  }, ("z" + tail).c_str());
}

/// Thread (x, y, z)'s linear index in a block of nx * ny threads per layer.
llvm::Value *linearThread(llvm::IRBuilder<> &b, llvm::Value *x, llvm::Value *y,
                          llvm::Value *z, llvm::Value *nx, llvm::Value *ny) {
  auto wide = [&](llvm::Value *v) { return b.CreateZExt(v, b.getInt64Ty()); };
  return b.CreateAdd(wide(x), b.CreateMul(wide(nx), b.CreateAdd(
                                              wide(y), b.CreateMul(wide(ny), wide(z)))));
}

/// Writes thread (x, y, z)'s index into the private context `local`.
void storeThreadIndex(llvm::IRBuilder<> &b, llvm::Value *local, llvm::Value *x,
                      llvm::Value *y, llvm::Value *z) {
  b.CreateStore(x, fieldPtr(b, local, offsets::tid));
  b.CreateStore(y, fieldPtr(b, local, offsets::tid + 4));
  b.CreateStore(z, fieldPtr(b, local, offsets::tid + 8));
}

/// The threads' parts of the local area (their escaping slots, RegionSplit)
/// come first; code running later takes frames above them. They always fit:
/// the runtime's area holds kMaxBlockThreads parts of the largest size a
/// split kernel may have (HostABI.h).
void reserveLocalParts(llvm::IRBuilder<> &b, llvm::Value *local,
                       llvm::Value *threads, uint64_t bytesPerThread) {
  llvm::Value *low = b.CreateLoad(b.getPtrTy(), fieldPtr(b, local, offsets::localLow));
  llvm::Value *bytes = b.CreateMul(threads, b.getInt64(bytesPerThread));
  b.CreateStore(b.CreateGEP(b.getInt8Ty(), low, bytes),
                fieldPtr(b, local, offsets::localTop));
}

/// The block entry of a region-split kernel: every live thread runs the
/// current region, then the block moves on to the region they all reached.
/// Each resume point gets its own thread loops calling the kernel with that
/// constant, so after inlining each loop holds one region as straight-line
/// code. Kernels with only block barriers keep their bookkeeping inline
/// (which threads ended, which barrier the others reached); kernels with
/// warp cuts keep a RegionLane per thread and let `__wooly_region_settle`
/// answer the warp collectives and pick what runs next, which may be
/// threads resuming at different cuts (then one more set of loops
/// dispatches per thread).
void buildRegionEntry(llvm::Module &m, const HostKernel &info,
                      llvm::Function *kernel, llvm::Function *entry) {
  llvm::LLVMContext &c = m.getContext();
  auto *ptr = llvm::PointerType::get(c, 0);
  const RegionLayout &region = info.region;
  llvm::IRBuilder<> b(&entry->getEntryBlock());
  llvm::Value *ctx = entry->getArg(0);
  llvm::Value *args = entry->getArg(1);
  llvm::Value *local =
      b.CreateAlloca(llvm::ArrayType::get(b.getInt8Ty(), sizeof(HostThreadContext)));
  llvm::cast<llvm::AllocaInst>(local)->setAlignment(llvm::Align(16));
  b.CreateMemCpy(local, llvm::Align(16), ctx, llvm::Align(8),
                 sizeof(HostThreadContext));
  llvm::SmallVector<llvm::Value *> values =
      kernelArguments(b, kernel, info, local, args);
  auto dim = [&](unsigned base, unsigned d) {
    return b.CreateLoad(b.getInt32Ty(), fieldPtr(b, ctx, base + 4 * d));
  };
  llvm::Value *nx = dim(offsets::ntid, 0), *ny = dim(offsets::ntid, 1),
              *nz = dim(offsets::ntid, 2);
  llvm::Value *total = b.CreateZExt(b.CreateMul(b.CreateMul(nx, ny), nz), b.getInt64Ty());
  llvm::AllocaInst *frames = b.CreateAlloca(
      b.getInt8Ty(), b.CreateMul(total, b.getInt64(region.frameBytes)));
  frames->setAlignment(llvm::Align(16));
  b.CreateStore(frames, fieldPtr(b, local, offsets::scratch));
  if (region.localBytes)
    reserveLocalParts(b, local, total, region.localBytes);
  // Per thread: a done byte (barriers only) or a RegionLane.
  llvm::AllocaInst *state;
  if (region.warpCuts) {
    state = b.CreateAlloca(llvm::ArrayType::get(b.getInt8Ty(), sizeof(RegionLane)),
                           total, "lanes");
    state->setAlignment(llvm::Align(8));
    b.CreateMemSet(state, b.getInt8(0),
                   b.CreateMul(total, b.getInt64(sizeof(RegionLane))),
                   llvm::MaybeAlign(8));
    b.CreateStore(state, fieldPtr(b, local, offsets::lanes));
  } else {
    state = b.CreateAlloca(b.getInt8Ty(), total, "done");
    b.CreateMemSet(state, b.getInt8(0), total, llvm::MaybeAlign(1));
  }
  llvm::AllocaInst *resume = b.CreateAlloca(b.getInt32Ty());
  llvm::AllocaInst *agreed = b.CreateAlloca(b.getInt32Ty());
  b.CreateStore(b.getInt32(0), resume);
  llvm::Value *cancel = b.CreateLoad(ptr, fieldPtr(b, ctx, offsets::cancel));
  // The runtime calls below get the caller's context, never the private
  // copy: the copy must not escape, so SROA can replace its fields by their
  // values (the frames' address among them, which alias analysis then
  // knows is a private alloca, not the memory the kernel's pointers reach).
  llvm::FunctionCallee divergent = m.getOrInsertFunction(
      "__wooly_divergent_barrier",
      llvm::FunctionType::get(b.getVoidTy(), {ptr}, false));
  llvm::FunctionCallee settle = m.getOrInsertFunction(
      "__wooly_region_settle",
      llvm::FunctionType::get(b.getInt32Ty(), {ptr, ptr, b.getInt64Ty()}, false));
  const uint32_t none = kRegionMixed;

  llvm::BasicBlock *round = llvm::BasicBlock::Create(c, "round", entry);
  llvm::BasicBlock *settled = llvm::BasicBlock::Create(c, "settle", entry);
  llvm::BasicBlock *stop = llvm::BasicBlock::Create(c, "stop", entry);
  b.CreateBr(round);
  b.SetInsertPoint(round);
  b.CreateStore(b.getInt32(none), agreed);
  llvm::Value *current = b.CreateLoad(b.getInt32Ty(), resume);
  // Threads resuming at different cuts (warp cuts only) dispatch per thread.
  llvm::BasicBlock *mixed = llvm::BasicBlock::Create(c, "mixed", entry);
  llvm::SwitchInst *pick =
      b.CreateSwitch(current, region.warpCuts ? mixed : stop, region.cuts + 1);

  // Loops over the block's threads running `body(t)` for each, t linear,
  // then on to `after` (the settle step by default).
  auto threadLoops = [&](llvm::function_ref<void(llvm::Value *)> body,
                         llvm::BasicBlock *after = nullptr) {
    // The kernel takes the thread's index as arguments (RegionSplit.h).
    buildThreadLoops(b, nx, ny, nz, local, cancel, stop,
                     [&](llvm::Value *x, llvm::Value *y, llvm::Value *z) {
                       values[2] = x;
                       values[3] = y;
                       values[4] = z;
                       body(linearThread(b, x, y, z, nx, ny));
                     });
    b.CreateBr(after ? after : settled);
  };
  // Runs thread `t` from `from` if it should run in this round.
  auto runThread = [&](llvm::Value *t, llvm::Value *from) {
    llvm::BasicBlock *run = llvm::BasicBlock::Create(c, "run", entry);
    llvm::BasicBlock *next = llvm::BasicBlock::Create(c, "next", entry);
    if (region.warpCuts) {
      llvm::Value *lane = b.CreateGEP(
          b.getInt8Ty(), state, b.CreateMul(t, b.getInt64(sizeof(RegionLane))));
      llvm::Value *waiting = b.CreateLoad(
          b.getInt8Ty(), fieldPtr(b, lane, offsets::lane::waiting));
      b.CreateCondBr(b.CreateICmpNE(waiting, b.getInt8(0)), next, run);
      b.SetInsertPoint(run);
      llvm::Value *pc = fieldPtr(b, lane, offsets::lane::pc);
      values[1] = from ? from : b.CreateLoad(b.getInt32Ty(), pc);
      b.CreateStore(b.CreateCall(kernel, values), pc);
      b.CreateBr(next);
      b.SetInsertPoint(next);
      return;
    }
    llvm::Value *doneSlot = b.CreateGEP(b.getInt8Ty(), state, t);
    b.CreateCondBr(b.CreateICmpNE(b.CreateLoad(b.getInt8Ty(), doneSlot), b.getInt8(0)),
                   next, run);
    b.SetInsertPoint(run);
    values[1] = from;
    llvm::Value *reached = b.CreateCall(kernel, values);
    llvm::BasicBlock *ended = llvm::BasicBlock::Create(c, "ended", entry);
    llvm::BasicBlock *waits = llvm::BasicBlock::Create(c, "waits", entry);
    b.CreateCondBr(b.CreateICmpEQ(reached, b.getInt32(kRegionFinished)), ended, waits);
    b.SetInsertPoint(ended);
    b.CreateStore(b.getInt8(1), doneSlot);
    b.CreateBr(next);
    b.SetInsertPoint(waits);
    llvm::Value *seen = b.CreateLoad(b.getInt32Ty(), agreed);
    llvm::Value *first = b.CreateICmpEQ(seen, b.getInt32(none));
    llvm::Value *same = b.CreateICmpEQ(seen, reached);
    llvm::BasicBlock *bad = llvm::BasicBlock::Create(c, "divergent", entry);
    llvm::BasicBlock *good = llvm::BasicBlock::Create(c, "agreed", entry);
    b.CreateCondBr(b.CreateOr(first, same), good, bad);
    b.SetInsertPoint(bad);
    b.CreateCall(divergent, {ctx});
    b.CreateRetVoid();
    b.SetInsertPoint(good);
    b.CreateStore(reached, agreed);
    b.CreateBr(next);
    b.SetInsertPoint(next);
  };
  // Barrier kernels while no thread has ended: every thread runs, and what
  // they reached is summed up by min/max reductions (the least cut, the
  // greatest, the greatest short of the end) instead of a per-thread
  // compare-and-branch, which keeps the thread loop free of control flow.
  llvm::AllocaInst *anyDone = nullptr, *lo = nullptr, *hi = nullptr, *hiCut = nullptr;
  llvm::BasicBlock *fastSettle = nullptr;
  // The counter of the block-counted barrier loop the block is in
  // (RegionLayout::countedCuts): the loop round of every thread.
  llvm::AllocaInst *counter = nullptr;
  if (!region.warpCuts) {
    llvm::IRBuilder<> at(&entry->getEntryBlock(),
                         entry->getEntryBlock().getTerminator()->getIterator());
    if (!region.countedCuts.empty()) {
      counter = at.CreateAlloca(at.getInt64Ty(), nullptr, "barrier.count");
      at.CreateStore(at.getInt64(0), counter);
    }
    anyDone = at.CreateAlloca(at.getInt1Ty(), nullptr, "anydone");
    lo = at.CreateAlloca(at.getInt32Ty(), nullptr, "lo");
    hi = at.CreateAlloca(at.getInt32Ty(), nullptr, "hi");
    hiCut = at.CreateAlloca(at.getInt32Ty(), nullptr, "hicut");
    at.CreateStore(at.getFalse(), anyDone);
    fastSettle = llvm::BasicBlock::Create(c, "settle.fast", entry);
  }
  auto runAll = [&](llvm::Value *t, llvm::Value *from) {
    llvm::Value *doneSlot = b.CreateGEP(b.getInt8Ty(), state, t);
    values[1] = from;
    llvm::Value *reached = b.CreateCall(kernel, values);
    llvm::Value *ended = b.CreateICmpEQ(reached, b.getInt32(kRegionFinished));
    b.CreateStore(b.CreateZExt(ended, b.getInt8Ty()), doneSlot);
    auto fold = [&](llvm::AllocaInst *acc, llvm::Intrinsic::ID id, llvm::Value *v) {
      b.CreateStore(b.CreateBinaryIntrinsic(id, b.CreateLoad(b.getInt32Ty(), acc), v),
                    acc);
    };
    fold(lo, llvm::Intrinsic::umin, reached);
    fold(hi, llvm::Intrinsic::umax, reached);
    fold(hiCut, llvm::Intrinsic::umax, b.CreateSelect(ended, b.getInt32(0), reached));
  };
  // The loop round of the threads resumed in this round.
  auto withCounter = [&](llvm::function_ref<void()> emit) {
    if (counter)
      values[5] = b.CreateLoad(b.getInt64Ty(), counter, "barrier.round");
    emit();
    values[5] = b.getInt64(0);
  };
  // Moves the counter on as the block goes from the resume point it ran to
  // `to`: +step from the cut's `after`, else 0 (the threads entered the
  // loop), and 0 at any other cut.
  auto advanceCounter = [&](llvm::Value *to) {
    if (!counter)
      return;
    llvm::Value *from = b.CreateLoad(b.getInt32Ty(), resume);
    llvm::Value *old = b.CreateLoad(b.getInt64Ty(), counter);
    llvm::Value *next = b.getInt64(0);
    for (const RegionLayout::CountedCut &cut : region.countedCuts) {
      llvm::Value *here = b.CreateICmpEQ(to, b.getInt32(cut.resume));
      llvm::Value *after = b.CreateICmpEQ(from, b.getInt32(cut.after));
      llvm::Value *moved = b.CreateSelect(
          after, b.CreateAdd(old, b.getInt64(cut.step)), b.getInt64(0));
      next = b.CreateSelect(here, moved, next);
    }
    b.CreateStore(next, counter);
  };
  // Barrier kernels once some thread has ended: one set of loops for every
  // resume point (the uncommon case; one more specialized copy per region
  // would double the compile time).
  llvm::BasicBlock *live = nullptr;
  if (!region.warpCuts) {
    live = llvm::BasicBlock::Create(c, "regions.live", entry);
    b.SetInsertPoint(live);
    withCounter([&] {
      threadLoops([&](llvm::Value *t) { runThread(t, current); });
    });
  }
  // The thread loops of one region, resuming at `from`.
  auto emitRegion = [&](llvm::BasicBlock *body, llvm::Value *from,
                        const llvm::Twine &name) {
    b.SetInsertPoint(body);
    if (region.warpCuts) {
      threadLoops([&](llvm::Value *t) { runThread(t, from); });
      return;
    }
    llvm::BasicBlock *fast = llvm::BasicBlock::Create(c, name + ".all", entry);
    b.CreateCondBr(b.CreateLoad(b.getInt1Ty(), anyDone), live, fast);
    b.SetInsertPoint(fast);
    b.CreateStore(b.getInt32(kRegionFinished), lo);
    b.CreateStore(b.getInt32(0), hi);
    b.CreateStore(b.getInt32(0), hiCut);
    withCounter([&] {
      threadLoops([&](llvm::Value *t) { runAll(t, from); }, fastSettle);
    });
  };
  // The thread loops after a loop cut (warp form). The settle step released
  // the threads at this cut, all having taken the loop's back edge once;
  // while any of them is still in the loop the next round starts at once,
  // without the settle step (one call per loop iteration and a pass over
  // every RegionLane otherwise), and the round number goes to the kernel
  // (its induction variables may come from it, RegionSplit.h). Which
  // threads are still in the loop is a byte per thread (`inLoop`, filled
  // from the RegionLanes in the first round): a thread that goes round
  // again writes nothing but its frame slots and the round's count of
  // threads that go on. While that count is the block's size (every thread
  // entered the loop and none has left, the usual case until the last
  // round), the round runs from a second copy of the thread loops that
  // reads no byte: reduction_shuffle's vectorized round then has no masks
  // on its loads and stores (4.06 -> 3.39 ms per launch on one worker) and
  // histogram's scalar one no test per thread (4.10 -> 3.60 ms). A thread
  // that left marks its byte 2 and its cut in `reached` (a branch LLVM
  // predicates into masked stores where the round vectorizes); once no
  // thread goes on, the leavers' RegionLanes get their cut (`pc`) for the
  // settle step, which sees every thread where it stopped.
  llvm::AllocaInst *looping = nullptr, *allInLoop = nullptr, *loopRound = nullptr,
                   *inLoop = nullptr, *reachedAt = nullptr;
  // A flat loop over the block's threads (bookkeeping, no kernel call).
  auto eachThread = [&](llvm::function_ref<void(llvm::Value *)> body,
                        const char *name) {
    llvm::Value *n32 = b.CreateTrunc(total, b.getInt32Ty());
    buildCountedLoop(b, n32, [&](llvm::Value *t) {
      body(b.CreateZExt(t, b.getInt64Ty()));
    }, name);
  };
  auto laneOf = [&](llvm::Value *t) {
    return b.CreateGEP(b.getInt8Ty(), state,
                       b.CreateMul(t, b.getInt64(sizeof(RegionLane))));
  };
  auto emitLoopRegion = [&](llvm::BasicBlock *body, unsigned k,
                            const llvm::Twine &name) {
    if (!looping) {
      llvm::IRBuilder<> at(&entry->getEntryBlock(),
                           entry->getEntryBlock().getTerminator()->getIterator());
      looping = at.CreateAlloca(at.getInt32Ty(), nullptr, "looping");
      allInLoop = at.CreateAlloca(at.getInt1Ty(), nullptr, "allinloop");
      loopRound = at.CreateAlloca(at.getInt64Ty(), nullptr, "loop.round");
      at.CreateStore(at.getInt64(0), loopRound);
      inLoop = at.CreateAlloca(at.getInt8Ty(), total, "inloop");
      inLoop->setAlignment(llvm::Align(16));
      reachedAt = at.CreateAlloca(at.getInt32Ty(), total, "reached");
      reachedAt->setAlignment(llvm::Align(16));
    }
    b.SetInsertPoint(body);
    llvm::Value *total32 = b.CreateTrunc(total, b.getInt32Ty());
    llvm::Value *previous = b.CreateLoad(b.getInt64Ty(), loopRound);
    llvm::Value *number = b.CreateNUWAdd(previous, b.getInt64(1), "round.number");
    b.CreateStore(number, loopRound);
    llvm::BasicBlock *first = llvm::BasicBlock::Create(c, name + ".first", entry);
    llvm::BasicBlock *rounds = llvm::BasicBlock::Create(c, name + ".rounds", entry);
    b.CreateCondBr(b.CreateICmpEQ(previous, b.getInt64(0)), first, rounds);
    b.SetInsertPoint(first);
    b.CreateStore(b.getInt32(0), looping);
    eachThread([&](llvm::Value *t) {
      llvm::Value *waiting = b.CreateLoad(
          b.getInt8Ty(), fieldPtr(b, laneOf(t), offsets::lane::waiting));
      llvm::Value *in = b.CreateICmpEQ(waiting, b.getInt8(0));
      b.CreateStore(b.CreateZExt(in, b.getInt8Ty()), b.CreateGEP(b.getInt8Ty(), inLoop, t));
      b.CreateStore(b.CreateAdd(b.CreateLoad(b.getInt32Ty(), looping),
                                b.CreateZExt(in, b.getInt32Ty())),
                    looping);
    }, "enter");
    b.CreateStore(b.CreateICmpEQ(b.CreateLoad(b.getInt32Ty(), looping), total32),
                  allInLoop);
    b.CreateBr(rounds);
    b.SetInsertPoint(rounds);
    b.CreateStore(b.getInt32(0), looping);
    llvm::BasicBlock *more = llvm::BasicBlock::Create(c, name + ".more", entry);
    llvm::BasicBlock *full = llvm::BasicBlock::Create(c, name + ".full", entry);
    llvm::BasicBlock *some = llvm::BasicBlock::Create(c, name + ".some", entry);
    b.CreateCondBr(b.CreateLoad(b.getInt1Ty(), allInLoop), full, some);
    // The round's thread loop; `everyone`: every thread of the block is in
    // the loop (none left, none ended before it), so no byte is read.
    auto roundLoops = [&](bool everyone) {
      threadLoops(
        [&](llvm::Value *t) {
          llvm::BasicBlock *run = llvm::BasicBlock::Create(c, "run", entry);
          llvm::BasicBlock *next = llvm::BasicBlock::Create(c, "next", entry);
          llvm::Value *mine = b.CreateGEP(b.getInt8Ty(), inLoop, t);
          if (everyone)
            b.CreateBr(run);
          else
            b.CreateCondBr(
                b.CreateICmpEQ(b.CreateLoad(b.getInt8Ty(), mine), b.getInt8(1)), run,
                next);
          b.SetInsertPoint(run);
          values[1] = b.getInt32(k);
          values[5] = number;
          llvm::Value *reached = b.CreateCall(kernel, values);
          values[5] = b.getInt64(0);
          llvm::Value *again = b.CreateICmpEQ(reached, b.getInt32(k));
          llvm::BasicBlock *gone = llvm::BasicBlock::Create(c, "leaves", entry);
          llvm::BasicBlock *stays = llvm::BasicBlock::Create(c, "stays", entry);
          b.CreateCondBr(again, stays, gone);
          b.SetInsertPoint(gone);
          b.CreateStore(reached, b.CreateGEP(b.getInt32Ty(), reachedAt, t));
          b.CreateStore(b.getInt8(2), mine);
          b.CreateBr(stays);
          b.SetInsertPoint(stays);
          b.CreateStore(b.CreateAdd(b.CreateLoad(b.getInt32Ty(), looping),
                                    b.CreateZExt(again, b.getInt32Ty())),
                        looping);
          b.CreateBr(next);
          b.SetInsertPoint(next);
        },
        more);
    };
    b.SetInsertPoint(full);
    roundLoops(/*everyone=*/true);
    b.SetInsertPoint(some);
    roundLoops(/*everyone=*/false);
    // Once no thread goes round again, the threads that left (in any round;
    // their bytes stay 2 and later rounds skip them) get their cut, for the
    // settle step. Nothing reads the RegionLanes between rounds, so one pass
    // at the end does it. Histogram's round (scalar: its shared-memory
    // increments depend on each other) ran 1.7x faster on one worker once
    // the round stopped counting leavers and stayers (LLVM kept a count on
    // the stack: a store-to-load chain per thread) and storing two values
    // per staying thread (bench/RESULTS.md, host, 2026-11-26).
    b.SetInsertPoint(more);
    llvm::BasicBlock *leave = llvm::BasicBlock::Create(c, name + ".leave", entry);
    llvm::Value *stayed = b.CreateLoad(b.getInt32Ty(), looping);
    b.CreateStore(b.CreateICmpEQ(stayed, total32), allInLoop);
    b.CreateCondBr(b.CreateICmpNE(stayed, b.getInt32(0)), round, leave);
    b.SetInsertPoint(leave);
    eachThread([&](llvm::Value *t) {
      llvm::BasicBlock *gone = llvm::BasicBlock::Create(c, "gone", entry);
      llvm::BasicBlock *next = llvm::BasicBlock::Create(c, "gone.next", entry);
      llvm::Value *mine = b.CreateGEP(b.getInt8Ty(), inLoop, t);
      b.CreateCondBr(b.CreateICmpEQ(b.CreateLoad(b.getInt8Ty(), mine), b.getInt8(2)),
                     gone, next);
      b.SetInsertPoint(gone);
      b.CreateStore(b.getInt8(0), mine);
      b.CreateStore(b.CreateLoad(b.getInt32Ty(), b.CreateGEP(b.getInt32Ty(), reachedAt, t)),
                    fieldPtr(b, laneOf(t), offsets::lane::pc));
      b.CreateBr(next);
      b.SetInsertPoint(next);
    }, "left");
    b.CreateBr(settled);
  };
  auto isLoopCut = [&](unsigned k) { return llvm::is_contained(region.loopCuts, k); };
  // One copy of the kernel per resume point, up to a limit: every copy is a
  // loop nest in this one function, and LLVM's loop passes grow worse than
  // linearly with their number (a kernel with 21 cuts took 1 s to compile).
  // Beyond it, one set of loops takes the resume point as a variable.
  if (region.cuts < kMaxSpecializedRegions) {
    for (unsigned k = 0; k <= region.cuts; ++k) {
      llvm::BasicBlock *body =
          llvm::BasicBlock::Create(c, "region" + llvm::Twine(k), entry);
      pick->addCase(b.getInt32(k), body);
      if (isLoopCut(k))
        emitLoopRegion(body, k, "region" + llvm::Twine(k));
      else
        emitRegion(body, b.getInt32(k), "region" + llvm::Twine(k));
    }
  } else if (!region.warpCuts) {
    llvm::BasicBlock *body = llvm::BasicBlock::Create(c, "regions", entry);
    pick->setDefaultDest(body);
    emitRegion(body, current, "regions");
  } else {
    // Loop cuts run once per iteration of the loop: their regions get their
    // own loops even here (the others dispatch per thread).
    for (unsigned k : region.loopCuts) {
      llvm::BasicBlock *body =
          llvm::BasicBlock::Create(c, "loop" + llvm::Twine(k), entry);
      pick->addCase(b.getInt32(k), body);
      emitLoopRegion(body, k, "loop" + llvm::Twine(k));
    }
  }
  if (fastSettle) {
    // All ended: stop. Else the threads that did not end must agree.
    b.SetInsertPoint(fastSettle);
    llvm::Value *least = b.CreateLoad(b.getInt32Ty(), lo);
    llvm::Value *most = b.CreateLoad(b.getInt32Ty(), hi);
    llvm::Value *mostCut = b.CreateLoad(b.getInt32Ty(), hiCut);
    llvm::BasicBlock *some = llvm::BasicBlock::Create(c, "settle.some", entry);
    llvm::BasicBlock *bad = llvm::BasicBlock::Create(c, "divergent.all", entry);
    llvm::BasicBlock *good = llvm::BasicBlock::Create(c, "agreed.all", entry);
    b.CreateCondBr(b.CreateICmpEQ(least, b.getInt32(kRegionFinished)), stop, some);
    b.SetInsertPoint(some);
    b.CreateCondBr(b.CreateICmpEQ(least, mostCut), good, bad);
    b.SetInsertPoint(bad);
    b.CreateCall(divergent, {ctx});
    b.CreateRetVoid();
    b.SetInsertPoint(good);
    b.CreateStore(b.CreateICmpEQ(most, b.getInt32(kRegionFinished)), anyDone);
    advanceCounter(least);
    b.CreateStore(least, resume);
    b.CreateBr(round);
  }
  if (region.warpCuts) {
    b.SetInsertPoint(mixed);
    threadLoops([&](llvm::Value *t) { runThread(t, nullptr); });
  } else {
    mixed->eraseFromParent();
  }

  b.SetInsertPoint(settled);
  llvm::Value *target =
      region.warpCuts ? b.CreateCall(settle, {ctx, state, total})
                      : static_cast<llvm::Value *>(b.CreateLoad(b.getInt32Ty(), agreed));
  advanceCounter(target);
  b.CreateStore(target, resume);
  if (loopRound)
    b.CreateStore(b.getInt64(0), loopRound);
  llvm::Value *over =
      b.CreateICmpEQ(target, b.getInt32(region.warpCuts ? kRegionFinished : none));
  b.CreateCondBr(over, stop, round);
  b.SetInsertPoint(stop);
  b.CreateRetVoid();
}

/// The block loops of a kernel split by splitFirstRound (FirstRound.h): one
/// pass over the threads runs every thread's first round (straight-line
/// code, vectorizable like a kernel without a loop); a thread that would
/// go round again leaves its loop's header values in slot-major arrays and
/// a flag. While some thread is flagged, another pass runs one more round
/// of each flagged thread: round by round, adjacent threads touch adjacent
/// elements (run to its end one after the other, each thread would stride
/// over the data alone, 12x slower than in order on a grid-sized launch).
void buildFirstRoundLoops(llvm::IRBuilder<> &b, llvm::Function *first, llvm::Function *next,
                          llvm::Value *nx, llvm::Value *ny, llvm::Value *nz,
                          llvm::Value *local,
                          llvm::SmallVector<llvm::Value *> values,
                          llvm::Value *cancel) {
  llvm::LLVMContext &c = b.getContext();
  llvm::Function *entry = b.GetInsertBlock()->getParent();
  llvm::Value *total =
      b.CreateZExt(b.CreateMul(b.CreateMul(nx, ny), nz), b.getInt64Ty());
  unsigned params = values.size();
  llvm::SmallVector<llvm::Type *> types = firstRoundSlotTypes(*first, params);
  llvm::SmallVector<llvm::AllocaInst *> slots;
  for (llvm::Type *type : types) {
    slots.push_back(b.CreateAlloca(type, total, "slot"));
    slots.back()->setAlignment(llvm::Align(16));
  }
  llvm::AllocaInst *again = b.CreateAlloca(b.getInt8Ty(), total, "again");
  again->setAlignment(llvm::Align(16));
  llvm::AllocaInst *any = b.CreateAlloca(b.getInt8Ty(), nullptr, "any");
  b.CreateStore(b.getInt8(0), any);
  llvm::BasicBlock *stop = nullptr;
  // Thread loops calling `body(t)`, t linear; tid goes to the copy.
  auto threadLoops = [&](llvm::function_ref<void(llvm::Value *)> body,
                         const std::string &name) {
    buildThreadLoops(b, nx, ny, nz, local, cancel, stop,
                     [&](llvm::Value *x, llvm::Value *y, llvm::Value *z) {
                       storeThreadIndex(b, local, x, y, z);
                       body(linearThread(b, x, y, z, nx, ny));
                     }, name);
  };
  auto withSlots = [&](llvm::Value *t) {
    llvm::SmallVector<llvm::Value *> all(values);
    for (auto [slot, type] : llvm::zip(slots, types))
      all.push_back(b.CreateGEP(type, slot, t));
    return all;
  };
  // One round of the threads' loops: `variant` for each thread (only the
  // flagged ones after the first round), its flag and the any-flag updated.
  auto round = [&](llvm::Function *variant, llvm::Value *number,
                   const std::string &name) {
    bool onlyFlagged = number != nullptr;
    threadLoops([&](llvm::Value *t) {
      llvm::Value *flagPtr = b.CreateGEP(b.getInt8Ty(), again, t);
      llvm::BasicBlock *after = nullptr;
      if (onlyFlagged) {
        llvm::BasicBlock *run = llvm::BasicBlock::Create(c, name + ".run", entry);
        after = llvm::BasicBlock::Create(c, name + ".skip", entry);
        llvm::Value *flag = b.CreateLoad(b.getInt8Ty(), flagPtr);
        b.CreateCondBr(b.CreateICmpNE(flag, b.getInt8(0)), run, after);
        b.SetInsertPoint(run);
      }
      llvm::SmallVector<llvm::Value *> args = withSlots(t);
      if (number)
        args.push_back(number);
      llvm::Value *more = b.CreateZExt(b.CreateCall(variant, args), b.getInt8Ty());
      b.CreateStore(more, flagPtr);
      b.CreateStore(b.CreateOr(b.CreateLoad(b.getInt8Ty(), any), more), any);
      if (after) {
        b.CreateBr(after);
        b.SetInsertPoint(after);
      }
    }, name);
  };
  // How many rounds the flagged threads have run: the next round
  // recomputes thread-strided header values from it (FirstRound.cpp).
  llvm::AllocaInst *count = b.CreateAlloca(b.getInt64Ty(), nullptr, "rounds");
  b.CreateStore(b.getInt64(0), count);
  round(first, nullptr, "first");
  llvm::BasicBlock *rounds = llvm::BasicBlock::Create(c, "next", entry);
  llvm::BasicBlock *done = llvm::BasicBlock::Create(c, "done", entry);
  b.CreateCondBr(b.CreateICmpNE(b.CreateLoad(b.getInt8Ty(), any), b.getInt8(0)),
                 rounds, done);
  b.SetInsertPoint(rounds);
  b.CreateStore(b.getInt8(0), any);
  llvm::Value *number = b.CreateAdd(b.CreateLoad(b.getInt64Ty(), count), b.getInt64(1));
  b.CreateStore(number, count);
  round(next, number, "next");
  b.CreateCondBr(b.CreateICmpNE(b.CreateLoad(b.getInt8Ty(), any), b.getInt8(0)),
                 rounds, done);
  b.SetInsertPoint(done);
  b.CreateRetVoid();
  b.SetInsertPoint(stop);
  b.CreateRetVoid();
}

} // namespace

void buildEntryPoint(llvm::Module &m, const HostKernel &info) {
  llvm::Function *kernel = m.getFunction(info.name);
  if (!kernel)
    return;
  llvm::LLVMContext &c = m.getContext();
  kernel->setLinkage(llvm::GlobalValue::InternalLinkage);
  auto *ptr = llvm::PointerType::get(c, 0);
  auto *type = llvm::FunctionType::get(llvm::Type::getVoidTy(c), {ptr, ptr},
                                       false);
  std::string name =
      (info.perThread ? kThreadEntryPrefix : kBlockEntryPrefix) + info.name;
  llvm::Function *entry = llvm::Function::Create(
      type, llvm::GlobalValue::ExternalLinkage, name, m);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(c, "entry", entry));
  llvm::Value *ctx = entry->getArg(0);
  llvm::Value *args = entry->getArg(1);
  if (info.perThread) {
    b.CreateCall(kernel, kernelArguments(b, kernel, info, ctx, args));
    b.CreateRetVoid();
    return;
  }

  // One block as loops over its threads. A private copy of the context
  // whose tid the loops write lets SROA turn tid reads into loop counters.
  kernel->addFnAttr(llvm::Attribute::AlwaysInline);
  if (info.region.frameBytes) {
    buildRegionEntry(m, info, kernel, entry);
    return;
  }
  llvm::Value *local =
      b.CreateAlloca(llvm::ArrayType::get(b.getInt8Ty(), sizeof(HostThreadContext)));
  llvm::cast<llvm::AllocaInst>(local)->setAlignment(llvm::Align(16));
  b.CreateMemCpy(local, llvm::Align(16), ctx, llvm::Align(8),
                 sizeof(HostThreadContext));
  llvm::SmallVector<llvm::Value *> values =
      kernelArguments(b, kernel, info, local, args);
  auto dim = [&](unsigned base, unsigned d) {
    return b.CreateLoad(b.getInt32Ty(), fieldPtr(b, ctx, base + 4 * d));
  };
  llvm::Value *nx = dim(offsets::ntid, 0), *ny = dim(offsets::ntid, 1),
              *nz = dim(offsets::ntid, 2);
  llvm::Value *cancel =
      b.CreateLoad(ptr, fieldPtr(b, ctx, offsets::cancel), "cancel");
  llvm::BasicBlock *stop = nullptr;
  llvm::Function *first = m.getFunction(firstRoundName(info.name));
  llvm::Function *next = m.getFunction(nextRoundName(info.name));
  if (first && next) {
    buildFirstRoundLoops(b, first, next, nx, ny, nz, local, values, cancel);
    return;
  }
  buildThreadLoops(b, nx, ny, nz, local, cancel, stop,
                   [&](llvm::Value *x, llvm::Value *y, llvm::Value *z) {
                     storeThreadIndex(b, local, x, y, z);
                     b.CreateCall(kernel, values);
                   });
  b.CreateRetVoid();
  if (stop) {
    b.SetInsertPoint(stop);
    b.CreateRetVoid();
  }
}

} // namespace wooly::host
