//===- LocalMemory.cpp - Zeroed, bounds-confined per-thread local memory --===//

#include "compiler/target/host/LocalMemory.h"

#include "compiler/target/host/HostABI.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/Analysis/CaptureTracking.h"
#include "llvm/Analysis/Utils/Local.h"
#include "llvm/Analysis/ValueTracking.h"
#include "llvm/IR/DataLayout.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Operator.h"
#include "llvm/Transforms/Utils/BasicBlockUtils.h"

#include <optional>

namespace wooly::host {
namespace {

/// Marks a slot some access reaches through a pointer not traced to it.
constexpr const char *kUntracedSlot = "wooly.local.untraced";

/// One memory access: the operand holding its address and how many bytes
/// from that address it touches.
struct Access {
  llvm::Instruction *inst;
  unsigned operand;
  uint64_t width;
  uint64_t align; // what the instruction promises about its address
};

std::optional<Access> accessOf(llvm::Instruction &i,
                               const llvm::DataLayout &layout) {
  auto bytes = [&](llvm::Type *type) {
    return layout.getTypeStoreSize(type).getFixedValue();
  };
  if (auto *load = llvm::dyn_cast<llvm::LoadInst>(&i))
    return Access{&i, load->getPointerOperandIndex(), bytes(load->getType()),
                  load->getAlign().value()};
  if (auto *store = llvm::dyn_cast<llvm::StoreInst>(&i))
    return Access{&i, store->getPointerOperandIndex(),
                  bytes(store->getValueOperand()->getType()),
                  store->getAlign().value()};
  if (auto *rmw = llvm::dyn_cast<llvm::AtomicRMWInst>(&i))
    return Access{&i, rmw->getPointerOperandIndex(),
                  bytes(rmw->getValOperand()->getType()), rmw->getAlign().value()};
  if (auto *cas = llvm::dyn_cast<llvm::AtomicCmpXchgInst>(&i))
    return Access{&i, cas->getPointerOperandIndex(),
                  bytes(cas->getNewValOperand()->getType()), cas->getAlign().value()};
  // Fixed-length memset/memcpy/memmove: each address operand is an access.
  // (A variable length cannot be confined by moving the address; the WIS
  // lowering emits none on local memory.)
  return std::nullopt;
}

/// The byte offset of `ptr` from `slot`: summed GEP offsets when `ptr` is
/// `slot` reached through GEPs and casts (no address escapes), otherwise
/// (phis, selects) the difference of the two addresses.
llvm::Value *offsetFrom(llvm::IRBuilder<> &b, const llvm::DataLayout &layout,
                        llvm::Value *ptr, llvm::AllocaInst *slot) {
  llvm::Type *i64 = b.getInt64Ty();
  llvm::Value *total = b.getInt64(0);
  llvm::Value *walk = ptr;
  while (walk != slot) {
    if (auto *gep = llvm::dyn_cast<llvm::GEPOperator>(walk)) {
      llvm::Value *step =
          llvm::emitGEPOffset(&b, layout, gep, /*NoAssumptions=*/true);
      total = b.CreateAdd(total, b.CreateSExtOrTrunc(step, i64));
      walk = gep->getPointerOperand();
      continue;
    }
    if (auto *op = llvm::dyn_cast<llvm::Operator>(walk);
        op && (op->getOpcode() == llvm::Instruction::BitCast ||
               op->getOpcode() == llvm::Instruction::AddrSpaceCast)) {
      walk = op->getOperand(0);
      continue;
    }
    return b.CreateSub(b.CreatePtrToInt(ptr, i64), b.CreatePtrToInt(slot, i64));
  }
  return total;
}

uint64_t slotBytes(llvm::AllocaInst *slot, const llvm::DataLayout &layout) {
  return slot->getAllocationSize(layout)->getFixedValue();
}

/// Grows `slot` so that an access `width` bytes wide fits in it at all.
void ensureFits(llvm::AllocaInst *slot, uint64_t width,
                const llvm::DataLayout &layout) {
  if (slotBytes(slot, layout) >= width)
    return;
  llvm::LLVMContext &c = slot->getContext();
  slot->setAllocatedType(llvm::Type::getInt8Ty(c));
  slot->setOperand(0, llvm::ConstantInt::get(llvm::Type::getInt64Ty(c), width));
}

void confineAccess(const Access &access, llvm::AllocaInst *slot,
                   const llvm::DataLayout &layout) {
  llvm::Value *ptr = access.inst->getOperand(access.operand);
  // Provably in bounds: leave it (and the slot promotable).
  llvm::APInt constant(layout.getIndexTypeSizeInBits(ptr->getType()), 0);
  llvm::Value *base = ptr->stripAndAccumulateConstantOffsets(
      layout, constant, /*AllowNonInbounds=*/true);
  uint64_t size = slotBytes(slot, layout);
  if (base == slot && !constant.isNegative() &&
      constant.getZExtValue() + access.width <= size)
    return;
  ensureFits(slot, access.width, layout);
  size = slotBytes(slot, layout);
  // The last offset at which the access still fits, kept aligned so the
  // clamped access keeps the alignment the instruction promises (no more:
  // an in-bounds access at the slot's end must not move).
  uint64_t align = std::max<uint64_t>(
      1, std::min<uint64_t>(access.align, slot->getAlign().value()));
  uint64_t limit = (size - access.width) & ~(align - 1);
  llvm::IRBuilder<> b(access.inst);
  llvm::Value *offset = offsetFrom(b, layout, ptr, slot);
  // Unsigned: a negative offset is huge and clamps to the limit too.
  llvm::Value *clamped = b.CreateBinaryIntrinsic(llvm::Intrinsic::umin, offset,
                                                 b.getInt64(limit));
  llvm::Value *confined =
      b.CreateGEP(b.getInt8Ty(), slot, clamped, "local.confined");
  if (confined->getType() != ptr->getType())
    confined = b.CreateAddrSpaceCast(confined, ptr->getType());
  access.inst->setOperand(access.operand, confined);
}

void confineFunction(llvm::Function &fn) {
  const llvm::DataLayout &layout = fn.getParent()->getDataLayout();
  llvm::SmallVector<llvm::AllocaInst *> slots;
  llvm::SmallVector<std::pair<Access, llvm::AllocaInst *>> accesses;
  for (llvm::Instruction &i : llvm::instructions(fn)) {
    if (auto *slot = llvm::dyn_cast<llvm::AllocaInst>(&i)) {
      if (slot->isStaticAlloca())
        slots.push_back(slot);
      continue;
    }
    std::optional<Access> access = accessOf(i, layout);
    if (!access)
      continue;
    // Through GEPs, casts, phis and selects: a pointer walking a local
    // array in a loop is still that array's.
    llvm::SmallVector<const llvm::Value *> objects;
    llvm::getUnderlyingObjects(i.getOperand(access->operand), objects,
                               /*LI=*/nullptr, /*MaxLookup=*/0);
    if (objects.size() != 1) {
      // Not one slot (a phi or select of several): nothing to clamp into,
      // so these slots go to the local area, like escaping ones.
      for (const llvm::Value *object : objects)
        if (auto *slot = llvm::dyn_cast<llvm::AllocaInst>(object))
          const_cast<llvm::AllocaInst *>(slot)->setMetadata(
              kUntracedSlot, llvm::MDNode::get(fn.getContext(), {}));
      continue;
    }
    auto *slot = llvm::dyn_cast<llvm::AllocaInst>(
        const_cast<llvm::Value *>(objects.front()));
    if (slot && slot->isStaticAlloca())
      accesses.push_back({*access, slot});
  }
  for (auto &[access, slot] : accesses)
    confineAccess(access, slot, layout);
  if (slots.empty())
    return;
  // Zero every slot once the entry block's allocas are done: a read before
  // the first write sees zeros.
  llvm::BasicBlock &entry = fn.getEntryBlock();
  llvm::BasicBlock::iterator at = entry.getFirstInsertionPt();
  while (at != entry.end() && llvm::isa<llvm::AllocaInst>(*at))
    ++at;
  llvm::IRBuilder<> b(&entry, at);
  for (llvm::AllocaInst *slot : slots)
    b.CreateMemSet(slot, b.getInt8(0), slotBytes(slot, layout),
                   slot->getAlign());
}

/// Moves `fn`'s escaping slots into a frame taken from the local area.
void moveFunctionLocals(llvm::Function &fn) {
  const llvm::DataLayout &layout = fn.getParent()->getDataLayout();
  llvm::SmallVector<llvm::AllocaInst *> moved;
  for (llvm::Instruction &i : fn.getEntryBlock())
    if (auto *slot = llvm::dyn_cast<llvm::AllocaInst>(&i))
      if (slot->isStaticAlloca() && escapes(*slot))
        moved.push_back(slot);
  if (moved.empty() || fn.arg_empty())
    return;
  uint64_t size = 0, align = 16;
  llvm::SmallVector<uint64_t> offsets;
  for (llvm::AllocaInst *slot : moved) {
    uint64_t a = slot->getAlign().value();
    align = std::max(align, a);
    size = llvm::alignTo(size, a);
    offsets.push_back(size);
    size += std::max<uint64_t>(1, slotBytes(slot, layout));
  }
  size = llvm::alignTo(size, 16);
  // After the entry block's allocas, before the zeroing memsets (which then
  // zero the frame's slots).
  llvm::BasicBlock &entry = fn.getEntryBlock();
  llvm::BasicBlock::iterator at = entry.getFirstInsertionPt();
  while (at != entry.end() && llvm::isa<llvm::AllocaInst>(*at))
    ++at;
  llvm::IRBuilder<> b(&entry, at);
  llvm::Value *ctx = fn.getArg(0);
  auto field = [&](unsigned offset) {
    return b.CreateConstInBoundsGEP1_32(b.getInt8Ty(), ctx, offset);
  };
  llvm::Value *top = b.CreateLoad(b.getPtrTy(), field(offsets::localTop),
                                  "local.top");
  llvm::Value *high = b.CreateLoad(b.getPtrTy(), field(offsets::localHigh));
  llvm::Value *topInt = b.CreatePtrToInt(top, b.getInt64Ty());
  llvm::Value *pad = b.CreateAnd(b.CreateNeg(topInt), b.getInt64(align - 1));
  llvm::Value *frame = b.CreateGEP(b.getInt8Ty(), top, pad, "local.frame");
  llvm::Value *end = b.CreateGEP(b.getInt8Ty(), frame, b.getInt64(size));
  // Unsigned compare of the addresses: a full area is a trap (the launch
  // fails), never a frame past the guard page.
  llvm::Value *full = b.CreateICmpUGT(
      b.CreateAdd(topInt, b.CreateAdd(pad, b.getInt64(size))),
      b.CreatePtrToInt(high, b.getInt64Ty()));
  llvm::Instruction *rest = &*b.GetInsertPoint();
  llvm::Instruction *trapAt =
      llvm::SplitBlockAndInsertIfThen(full, rest, /*Unreachable=*/true);
  b.SetInsertPoint(rest);
  {
    // __wooly_trap fails the launch; on fibers it does not return, in block
    // loops and regions it does (the block stops at its next poll), so the
    // function returns without a frame rather than fall into `unreachable`.
    llvm::IRBuilder<> t(trapAt);
    llvm::FunctionCallee trap = fn.getParent()->getOrInsertFunction(
        "__wooly_trap",
        llvm::FunctionType::get(t.getVoidTy(), {t.getPtrTy()}, false));
    t.CreateCall(trap, {ctx});
    if (fn.getReturnType()->isVoidTy())
      t.CreateRetVoid();
    else
      t.CreateRet(llvm::PoisonValue::get(fn.getReturnType()));
    trapAt->eraseFromParent();
  }
  b.CreateStore(end, field(offsets::localTop));
  for (auto [slot, offset] : llvm::zip(moved, offsets)) {
    llvm::Value *place =
        b.CreateConstInBoundsGEP1_64(b.getInt8Ty(), frame, offset, "local.slot");
    slot->replaceAllUsesWith(place);
    slot->eraseFromParent();
  }
  // Every return gives the frame back.
  for (llvm::BasicBlock &bb : fn)
    if (auto *ret = llvm::dyn_cast<llvm::ReturnInst>(bb.getTerminator())) {
      llvm::IRBuilder<> r(ret);
      r.CreateStore(top, r.CreateConstInBoundsGEP1_32(r.getInt8Ty(), ctx,
                                                      offsets::localTop));
    }
}

} // namespace

bool escapes(const llvm::AllocaInst &slot) {
  return slot.getMetadata(kUntracedSlot) ||
         llvm::PointerMayBeCaptured(&slot, /*ReturnCaptures=*/true);
}

void moveEscapingLocals(llvm::Module &m) {
  for (llvm::Function &fn : m)
    if (!fn.isDeclaration() && !fn.getName().starts_with("__wooly_"))
      moveFunctionLocals(fn);
}

void confineLocalMemory(llvm::Module &m) {
  for (llvm::Function &fn : m)
    if (!fn.isDeclaration() && !fn.getName().starts_with("__wooly_"))
      confineFunction(fn);
}

} // namespace wooly::host
