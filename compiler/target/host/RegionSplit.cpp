//===- RegionSplit.cpp - Block barriers without fibers --------------------===//

#include "compiler/target/host/RegionSplit.h"
#include "compiler/target/host/HostABI.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/PostOrderIterator.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Verifier.h"
#include "llvm/Transforms/Utils/Cloning.h"

using namespace llvm;

namespace wooly::host {
namespace {

/// Runtime calls only a fiber can serve.
bool needsFiber(StringRef callee) {
  return callee == "__wooly_shuffle" || callee == "__wooly_vote" ||
         callee == "__wooly_match" || callee == "__wooly_redux" ||
         callee == "__wooly_warp_sync" || callee == "__wooly_active_mask" ||
         callee == "__wooly_barrier_reduce" ||
         callee == "__wooly_barrier_arrive" || callee == "__wooly_exit";
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
DenseMap<BasicBlock *, DenseSet<Value *>> liveIn(Function &f) {
  DenseMap<BasicBlock *, DenseSet<Value *>> in;
  auto tracked = [](Value *v) { return isa<Instruction>(v) && !isa<AllocaInst>(v); };
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

} // namespace

bool splitAtBarriers(Function &kernel, uint64_t &frameBytes) {
  Module &m = *kernel.getParent();
  const DataLayout &layout = m.getDataLayout();
  LLVMContext &c = m.getContext();
  // Thread-ending calls that come from inlined device functions would only
  // leave the inlined body; those kernels stay on fibers.
  auto countEnds = [](Function &fn) {
    unsigned n = 0;
    for (Instruction &i : instructions(fn))
      if (auto *call = dyn_cast<CallInst>(&i))
        if (Function *callee = call->getCalledFunction())
          if (callee->getName() == "__wooly_trap" ||
              callee->getName() == "__wooly_assert_fail")
            ++n;
    return n;
  };
  unsigned endsBefore = countEnds(kernel);
  ValueToValueMapTy map;
  Function *f = CloneFunction(&kernel, map);
  auto fail = [&] {
    f->eraseFromParent();
    return false;
  };
  if (!inlineEverything(*f) || countEnds(*f) != endsBefore)
    return fail();

  SmallVector<CallInst *> barriers;
  SmallVector<AllocaInst *> allocas;
  SmallVector<Instruction *> lifetimes;
  for (Instruction &i : instructions(*f)) {
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
        barriers.push_back(call);
      }
    }
    if (auto *alloca = dyn_cast<AllocaInst>(&i)) {
      if (!alloca->isStaticAlloca())
        return fail();
      allocas.push_back(alloca);
    }
  }
  if (barriers.empty())
    return fail();
  for (Instruction *i : lifetimes)
    i->eraseFromParent();

  // Cut after every barrier: resume block k starts region k.
  SmallVector<BasicBlock *> resumes;
  for (CallInst *call : barriers)
    resumes.push_back(call->getParent()->splitBasicBlock(call->getNextNode(), "region"));

  auto live = liveIn(*f);
  SetVector<Instruction *> demote;
  for (BasicBlock *r : resumes)
    for (Value *v : live[r])
      demote.insert(cast<Instruction>(v));

  // The per-thread frame: local variables, then values live across barriers.
  uint64_t size = 0;
  DenseMap<Value *, uint64_t> offsets;
  auto place = [&](Value *v, uint64_t bytes, Align align) {
    size = alignTo(size, align);
    offsets[v] = size;
    size += std::max<uint64_t>(bytes, 1);
  };
  for (AllocaInst *a : allocas)
    place(a, a->getAllocationSize(layout)->getFixedValue(), a->getAlign());
  for (Instruction *v : demote)
    place(v, layout.getTypeAllocSize(v->getType()),
          layout.getABITypeAlign(v->getType()));
  frameBytes = alignTo(std::max<uint64_t>(size, 16), 16);
  // The block entry keeps every thread's frame on the worker's stack.
  if (frameBytes > 2048)
    return fail();

  // A new entry: this thread's frame, then a jump to where it resumes.
  BasicBlock *start = &f->getEntryBlock();
  BasicBlock *dispatch = BasicBlock::Create(c, "dispatch", f, start);
  IRBuilder<> b(dispatch);
  Value *ctx = f->getArg(0);
  auto field = [&](unsigned offset) {
    return b.CreateConstInBoundsGEP1_32(b.getInt8Ty(), ctx, offset);
  };
  Value *scratch = b.CreateLoad(b.getPtrTy(), field(offsets::scratch));
  auto dim = [&](unsigned base, unsigned d) {
    return b.CreateZExt(b.CreateLoad(b.getInt32Ty(), field(base + 4 * d)),
                        b.getInt64Ty());
  };
  Value *linear = b.CreateAdd(
      dim(offsets::tid, 0),
      b.CreateMul(dim(offsets::ntid, 0),
                  b.CreateAdd(dim(offsets::tid, 1),
                              b.CreateMul(dim(offsets::ntid, 1), dim(offsets::tid, 2)))));
  Value *frame = b.CreateGEP(b.getInt8Ty(), scratch,
                             b.CreateMul(linear, b.getInt64(frameBytes)), "frame");
  DenseMap<Value *, Value *> slots;
  for (auto &[v, offset] : offsets)
    slots[v] = b.CreateConstInBoundsGEP1_64(b.getInt8Ty(), frame, offset);

  for (AllocaInst *a : allocas) {
    a->replaceAllUsesWith(slots[a]);
    a->eraseFromParent();
  }
  for (Instruction *v : demote) {
    Value *slot = slots[v];
    SmallVector<Use *> uses;
    for (Use &u : v->uses())
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

  Value *resume = b.CreateLoad(b.getInt32Ty(), field(offsets::resume));
  SwitchInst *jump = b.CreateSwitch(resume, start, resumes.size());
  for (auto [k, block] : llvm::enumerate(resumes))
    jump->addCase(b.getInt32(k + 1), block);

  // A barrier ends the region: say where to resume and return.
  for (auto [k, call] : llvm::enumerate(barriers)) {
    BasicBlock *bb = call->getParent();
    bb->getTerminator()->eraseFromParent();
    call->eraseFromParent();
    IRBuilder<> at(bb);
    at.CreateStore(at.getInt32(k + 1),
                   at.CreateConstInBoundsGEP1_32(at.getInt8Ty(), ctx, offsets::next));
    at.CreateRetVoid();
  }
  if (verifyFunction(*f, nullptr))
    return fail();
  std::string name = kernel.getName().str();
  kernel.eraseFromParent();
  f->setName(name);
  return true;
}

} // namespace wooly::host
