//===- AMDGPUTargetInfo.cpp - WIS lowering hooks for AMD GPUs -------------===//
//
// GPU-specific WIS ops become AMDGPU intrinsic calls (llvm.call_intrinsic).
// Warp ops go through WarpLanes, which hides whether a 32-lane warp is the
// whole wave (wave32) or half of it (wave64).
//
//===----------------------------------------------------------------------===//

#include "compiler/target/amdgpu/AMDGPUTargetInfo.h"

#include "compiler/target/gpu/GpuIRHelpers.h"
#include "compiler/target/gpu/GpuPrintf.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

#include <numbers>

using namespace mlir;

namespace wooly::amdgpu {

using gpu::callIntrinsic;
using gpu::callVoidIntrinsic;
using gpu::dimSuffix;
using gpu::i32Constant;
using gpu::reduxIdentity;
using gpu::reduxStep;

namespace {

Value boolConstant(OpBuilder &b, Location loc, bool value) {
  return LLVM::ConstantOp::create(b, loc, b.getI1Type(), b.getBoolAttr(value));
}

Value f32Constant(OpBuilder &b, Location loc, float value) {
  return LLVM::ConstantOp::create(b, loc, b.getF32Type(),
                                  b.getF32FloatAttr(value));
}

Value icmp(OpBuilder &b, Location loc, LLVM::ICmpPredicate pred, Value lhs,
           Value rhs) {
  return LLVM::ICmpOp::create(b, loc, pred, lhs, rhs);
}

/// Bit `index` (an i32 value) of the i32 `mask`, as an i1.
Value testBit(OpBuilder &b, Location loc, Value mask, Value index) {
  Value bit =
      LLVM::AndOp::create(b, loc, LLVM::LShrOp::create(b, loc, mask, index),
                          i32Constant(b, loc, 1));
  return icmp(b, loc, LLVM::ICmpPredicate::ne, bit, i32Constant(b, loc, 0));
}

/// The lanes of the calling thread's 32-lane warp, on a wave32 or wave64
/// processor. On wave64 the warp is the half of the wave the lane is in.
class WarpLanes {
public:
  WarpLanes(OpBuilder &b, Location loc, unsigned waveSize)
      : b(b), loc(loc), wave64(waveSize == 64) {}

  /// The lane in the hardware wave (0..waveSize-1).
  Value hardwareLane() {
    if (!hwLane) {
      Value all = i32Constant(b, loc, -1);
      Value lo = callIntrinsic(b, loc, b.getI32Type(), "llvm.amdgcn.mbcnt.lo",
                               {all, i32Constant(b, loc, 0)});
      hwLane = wave64 ? callIntrinsic(b, loc, b.getI32Type(),
                                      "llvm.amdgcn.mbcnt.hi", {all, lo})
                      : lo;
    }
    return hwLane;
  }
  /// The WIS lane id (0..31).
  Value lane() {
    if (!wave64)
      return hardwareLane();
    return LLVM::AndOp::create(b, loc, hardwareLane(), i32Constant(b, loc, 31));
  }
  /// 0 or 32: where this warp starts in the wave.
  Value halfBase() {
    return LLVM::AndOp::create(b, loc, hardwareLane(), i32Constant(b, loc, 32));
  }
  /// The 32-bit mask of this warp's active lanes whose `pred` is true.
  Value ballot(Value pred) {
    if (!wave64)
      return callIntrinsic(b, loc, b.getI32Type(), "llvm.amdgcn.ballot.i32",
                           {pred});
    Value wide =
        callIntrinsic(b, loc, b.getI64Type(), "llvm.amdgcn.ballot.i64", {pred});
    Value shift = LLVM::ZExtOp::create(b, loc, b.getI64Type(), halfBase());
    return LLVM::TruncOp::create(b, loc, b.getI32Type(),
                                 LLVM::LShrOp::create(b, loc, wide, shift));
  }
  /// The mask of this warp's active lanes.
  Value activeMask() {
    if (!active)
      active = ballot(boolConstant(b, loc, true));
    return active;
  }
  /// `value` as held by warp lane `lane` (a constant 0..31) of this warp.
  Value readLane(Value value, int lane) {
    Type type = value.getType();
    std::string name = "llvm.amdgcn.readlane." +
                       std::string(type.isInteger(64) ? "i64" : "i32");
    Value low =
        callIntrinsic(b, loc, type, name, {value, i32Constant(b, loc, lane)});
    if (!wave64)
      return low;
    Value high = callIntrinsic(b, loc, type, name,
                               {value, i32Constant(b, loc, lane + 32)});
    Value upper = icmp(b, loc, LLVM::ICmpPredicate::ne, halfBase(),
                       i32Constant(b, loc, 0));
    return LLVM::SelectOp::create(b, loc, upper, high, low);
  }
  /// `value` from warp lane `source` (a value 0..31) of this warp.
  Value permute(Value value, Value source) {
    Value hw = wave64 ? LLVM::OrOp::create(b, loc, source, halfBase()) : source;
    Value address = LLVM::ShlOp::create(b, loc, hw, i32Constant(b, loc, 2));
    return callIntrinsic(b, loc, b.getI32Type(), "llvm.amdgcn.ds.bpermute",
                         {address, value});
  }

private:
  OpBuilder &b;
  Location loc;
  bool wave64;
  Value hwLane;
  Value active;
};

/// A field of the code object v5 implicit kernel arguments.
Value implicitArgument(OpBuilder &b, Location loc, unsigned offset, Type type) {
  auto constPtr = LLVM::LLVMPointerType::get(b.getContext(), 4);
  Value base =
      callIntrinsic(b, loc, constPtr, "llvm.amdgcn.implicitarg.ptr", {});
  Value field =
      LLVM::GEPOp::create(b, loc, constPtr, b.getI8Type(), base,
                          ArrayRef<LLVM::GEPArg>{static_cast<int32_t>(offset)});
  Value value = LLVM::LoadOp::create(b, loc, type, field,
                                     type.getIntOrFloatBitWidth() / 8,
                                     /*isVolatile=*/false,
                                     /*isNonTemporal=*/false,
                                     /*isInvariant=*/true);
  if (!type.isInteger(32))
    value = LLVM::ZExtOp::create(b, loc, b.getI32Type(), value);
  return value;
}

Value blockDim(OpBuilder &b, Location loc, Dim dim) {
  // hidden_group_size_{x,y,z}: u16 at 12, 14, 16.
  return implicitArgument(b, loc, 12 + 2 * static_cast<unsigned>(dim),
                          b.getI16Type());
}

Value gridDim(OpBuilder &b, Location loc, Dim dim) {
  // hidden_block_count_{x,y,z}: u32 at 0, 4, 8.
  return implicitArgument(b, loc, 4 * static_cast<unsigned>(dim),
                          b.getI32Type());
}

Value threadId(OpBuilder &b, Location loc, Dim dim) {
  return callIntrinsic(b, loc, b.getI32Type(),
                       std::string("llvm.amdgcn.workitem.id.") + dimSuffix(dim),
                       {});
}

/// tid.x + ntid.x * (tid.y + ntid.y * tid.z)
Value flatThreadId(OpBuilder &b, Location loc) {
  Value yz =
      LLVM::AddOp::create(b, loc, threadId(b, loc, Dim::Y),
                          LLVM::MulOp::create(b, loc, blockDim(b, loc, Dim::Y),
                                              threadId(b, loc, Dim::Z)));
  return LLVM::AddOp::create(
      b, loc, threadId(b, loc, Dim::X),
      LLVM::MulOp::create(b, loc, blockDim(b, loc, Dim::X), yz));
}

/// __syncthreads: a workgroup barrier that also orders memory.
void blockBarrier(OpBuilder &b, Location loc) {
  LLVM::FenceOp::create(b, loc, LLVM::AtomicOrdering::release, "workgroup");
  callVoidIntrinsic(b, loc, "llvm.amdgcn.s.barrier", {});
  LLVM::FenceOp::create(b, loc, LLVM::AtomicOrdering::acquire, "workgroup");
}

/// A module-scope LDS variable the lowering itself needs.
LLVM::GlobalOp ldsVariable(OpBuilder &b, Operation *from, StringRef name,
                           Type type, uint64_t alignment, bool external) {
  auto module = from->getParentOfType<ModuleOp>();
  if (auto global = module.lookupSymbol<LLVM::GlobalOp>(name))
    return global;
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(module.getBody());
  Attribute init;
  auto linkage = LLVM::Linkage::External;
  if (!external) {
    // LDS cannot be initialized: undef is the only allowed initializer.
    linkage = LLVM::Linkage::Internal;
  }
  auto global = LLVM::GlobalOp::create(b, from->getLoc(), type,
                                       /*isConstant=*/false, linkage, name,
                                       init, alignment, /*addrSpace=*/3);
  if (!external) {
    Block *block = b.createBlock(&global.getInitializerRegion());
    b.setInsertionPointToStart(block);
    Value undef = LLVM::UndefOp::create(b, from->getLoc(), type);
    LLVM::ReturnOp::create(b, from->getLoc(), undef);
  }
  return global;
}

//===----------------------------------------------------------------------===//
// Named and partial barriers (bar.sync id, count / bar.arrive id, count)
//===----------------------------------------------------------------------===//
//
// An AMD work-group has one hardware barrier, for all of its waves. The
// others are emulated in LDS: one 32-bit word per barrier id, its low 16
// bits the warps arrived so far, its high 16 bits the generation. A warp
// arrives once (its first active lane, on the warp's half of a wave64),
// with an atomic add of 1 that also returns the generation it arrived in;
// the arrival that completes the count adds 0x10000 - count, which empties
// the count and moves the generation on in one step, so the barrier is
// reusable at once. A waiting warp spins (s_sleep) until the generation
// differs from its own. Kernels of a module that uses them zero the words
// on entry (initializeNamedBarriers).

constexpr StringLiteral kNamedBarriers = "__wooly_named_barriers";
constexpr int kBarrierIds = 16;

/// The barrier words.
LLVM::GlobalOp namedBarrierWords(OpBuilder &b, Operation *from) {
  return ldsVariable(b, from, kNamedBarriers,
                     LLVM::LLVMArrayType::get(b.getI32Type(), kBarrierIds), 4,
                     /*external=*/false);
}

/// void __wooly_named_barrier(ptr<3> word, i32 warps, i1 wait, i1 leader)
LLVM::LLVMFuncOp namedBarrierHelper(OpBuilder &b, ModuleOp module,
                                    Location loc) {
  MLIRContext *context = module.getContext();
  Type i1 = b.getI1Type(), i32 = b.getI32Type();
  auto lds = LLVM::LLVMPointerType::get(context, 3);
  bool declared = false;
  auto fn = gpu::lookupOrDeclareFunction(
      b, module, loc, "__wooly_named_barrier",
      LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(context),
                                  {lds, i32, i1, i1}),
      LLVM::Linkage::Internal, &declared);
  if (!declared)
    return fn;
  OpBuilder::InsertionGuard guard(b); // the body's blocks move it
  gpu::setPassthrough(fn, {{"alwaysinline", ""}});
  Region &body = fn.getBody();
  Block *entry = b.createBlock(&body, body.end(), {lds, i32, i1, i1},
                               SmallVector<Location>(4, loc));
  Block *arrive = b.createBlock(&body, body.end());
  Block *complete = b.createBlock(&body, body.end());
  Block *check = b.createBlock(&body, body.end());
  Block *spin = b.createBlock(&body, body.end());
  Block *sleep = b.createBlock(&body, body.end());
  Block *done = b.createBlock(&body, body.end());
  Value word = entry->getArgument(0), warps = entry->getArgument(1),
        wait = entry->getArgument(2), leader = entry->getArgument(3);
  using P = LLVM::ICmpPredicate;

  b.setInsertionPointToEnd(entry);
  LLVM::CondBrOp::create(b, loc, leader, arrive, done);

  // One arrival per warp; `old` says in which generation it counted.
  b.setInsertionPointToEnd(arrive);
  Value old = LLVM::AtomicRMWOp::create(
      b, loc, LLVM::AtomicBinOp::add, word, i32Constant(b, loc, 1),
      LLVM::AtomicOrdering::acq_rel, "workgroup");
  Value arrived = LLVM::AddOp::create(
      b, loc, LLVM::AndOp::create(b, loc, old, i32Constant(b, loc, 0xffff)),
      i32Constant(b, loc, 1));
  Value generation = LLVM::LShrOp::create(b, loc, old, i32Constant(b, loc, 16));
  LLVM::CondBrOp::create(b, loc, icmp(b, loc, P::eq, arrived, warps), complete,
                         check);

  // The last arrival: count back to 0, next generation, one atomic step.
  // Before any wait below in program order, so on a wave64 whose other
  // warp waits in the same barrier the completion is never behind it.
  b.setInsertionPointToEnd(complete);
  LLVM::AtomicRMWOp::create(
      b, loc, LLVM::AtomicBinOp::add, word,
      LLVM::SubOp::create(b, loc, i32Constant(b, loc, 0x10000), warps),
      LLVM::AtomicOrdering::acq_rel, "workgroup");
  LLVM::BrOp::create(b, loc, ValueRange{}, check);

  b.setInsertionPointToEnd(check);
  LLVM::CondBrOp::create(b, loc, wait, spin, done);

  b.setInsertionPointToEnd(spin);
  auto load = LLVM::LoadOp::create(b, loc, i32, word, /*alignment=*/4,
                                   /*isVolatile=*/false, false, false, false,
                                   LLVM::AtomicOrdering::monotonic,
                                   StringRef("workgroup"));
  Value now = LLVM::LShrOp::create(b, loc, load, i32Constant(b, loc, 16));
  LLVM::CondBrOp::create(b, loc, icmp(b, loc, P::eq, now, generation), sleep,
                         done);

  b.setInsertionPointToEnd(sleep);
  callVoidIntrinsic(b, loc, "llvm.amdgcn.s.sleep", {i32Constant(b, loc, 1)});
  LLVM::BrOp::create(b, loc, ValueRange{}, spin);

  b.setInsertionPointToEnd(done);
  LLVM::ReturnOp::create(b, loc, ValueRange{});
  return fn;
}

} // namespace

unsigned AMDGPUTargetInfo::addressSpace(AddressSpace space) const {
  switch (space) {
  case AddressSpace::Generic:
    return 0; // flat
  case AddressSpace::Global:
    return 1;
  case AddressSpace::Shared:
    return 3; // LDS
  case AddressSpace::Const:
    return 4;
  case AddressSpace::Local:
    return 5; // private (scratch)
  case AddressSpace::Param:
    return 4; // by-value kernel arguments stay in the kernarg segment
  }
  return 0;
}

std::string AMDGPUTargetInfo::syncScope(MemScope scope) const {
  switch (scope) {
  case MemScope::CTA:
    return "workgroup";
  case MemScope::Cluster: // no clusters: the next wider scope
  case MemScope::GPU:
    return "agent";
  case MemScope::Sys:
    return "";
  }
  return "";
}

void AMDGPUTargetInfo::annotateKernel(KernelOp kernel,
                                      LLVM::LLVMFuncOp lowered) const {
  lowered.setCConv(LLVM::cconv::CConv::AMDGPU_KERNEL);
  uint32_t maxThreads = 1024; // CUDA's limit, which WIS launches obey
  if (auto req = kernel.getReqBlockSize()) {
    maxThreads = 1;
    for (int32_t d : *req)
      maxThreads *= static_cast<uint32_t>(d);
  } else if (auto max = kernel.getMaxThreads()) {
    maxThreads = *max;
  }
  gpu::setPassthrough(
      lowered,
      {{"amdgpu-flat-work-group-size", "1," + std::to_string(maxThreads)},
       // CUDA grids are whole blocks: no partial work-groups.
       {"uniform-work-group-size", "true"}});
  gpu::markByValueParameters(lowered, LLVM::LLVMDialect::getByRefAttrName());
}

LogicalResult
AMDGPUTargetInfo::lowerGeometry(Operation *op, ValueRange operands,
                                ValueRange hidden,
                                ConversionPatternRewriter &rewriter) const {
  Location loc = op->getLoc();
  Type i32 = rewriter.getI32Type();
  if (auto tid = dyn_cast<ThreadIdOp>(op)) {
    rewriter.replaceOp(op, threadId(rewriter, loc, tid.getDim()));
    return success();
  }
  if (auto ctaid = dyn_cast<BlockIdOp>(op)) {
    rewriter.replaceOp(op,
                       callIntrinsic(rewriter, loc, i32,
                                     std::string("llvm.amdgcn.workgroup.id.") +
                                         dimSuffix(ctaid.getDim()),
                                     {}));
    return success();
  }
  if (auto ntid = dyn_cast<BlockDimOp>(op)) {
    rewriter.replaceOp(op, blockDim(rewriter, loc, ntid.getDim()));
    return success();
  }
  if (auto nctaid = dyn_cast<GridDimOp>(op)) {
    rewriter.replaceOp(op, gridDim(rewriter, loc, nctaid.getDim()));
    return success();
  }
  if (isa<LaneIdOp>(op)) {
    rewriter.replaceOp(op, WarpLanes(rewriter, loc, waveSize).lane());
    return success();
  }
  if (auto mask = dyn_cast<LaneMaskOp>(op)) {
    Value lane = WarpLanes(rewriter, loc, waveSize).lane();
    Value one = i32Constant(rewriter, loc, 1);
    Value eq = LLVM::ShlOp::create(rewriter, loc, one, lane);
    Value lt = LLVM::SubOp::create(rewriter, loc, eq, one);
    // (2 << 31) wraps to 0 in i32, and 0 - 1 is all lanes: le for lane 31.
    Value le = LLVM::SubOp::create(
        rewriter, loc,
        LLVM::ShlOp::create(rewriter, loc, i32Constant(rewriter, loc, 2), lane),
        one);
    Value ones = i32Constant(rewriter, loc, -1);
    Value result;
    switch (mask.getKind()) {
    case LaneMask::EQ:
      result = eq;
      break;
    case LaneMask::LT:
      result = lt;
      break;
    case LaneMask::LE:
      result = le;
      break;
    case LaneMask::GT:
      result = LLVM::XOrOp::create(rewriter, loc, le, ones);
      break;
    case LaneMask::GE:
      result = LLVM::XOrOp::create(rewriter, loc, lt, ones);
      break;
    }
    rewriter.replaceOp(op, result);
    return success();
  }
  if (isa<DynamicSharedOp>(op)) {
    // A zero-sized external LDS array is AMDGPU's dynamic LDS.
    auto global = ldsVariable(rewriter, op, "__wooly_dynamic_shared",
                              LLVM::LLVMArrayType::get(rewriter.getI8Type(), 0),
                              16, /*external=*/true);
    rewriter.replaceOp(op, LLVM::AddressOfOp::create(rewriter, loc, global));
    return success();
  }
  if (auto reg = dyn_cast<HardwareRegOp>(op)) {
    // Placement registers are hints (PTX says so too). AMDGPU exposes no
    // stable equivalent: report a single SM and the warp's index in the
    // block, which are valid values for every program that treats them as
    // hints.
    Value value;
    switch (reg.getReg()) {
    case HardwareReg::WarpId:
      value = LLVM::LShrOp::create(rewriter, loc, flatThreadId(rewriter, loc),
                                   i32Constant(rewriter, loc, 5));
      break;
    case HardwareReg::NWarpId:
      value = i32Constant(rewriter, loc, 32);
      break;
    case HardwareReg::NSmId:
      value = i32Constant(rewriter, loc, 1);
      break;
    case HardwareReg::SmId:
    case HardwareReg::GridId:
      value = i32Constant(rewriter, loc, 0);
      break;
    }
    Type type = reg.getType();
    if (type.getIntOrFloatBitWidth() > 32)
      value = LLVM::ZExtOp::create(rewriter, loc, type, value);
    else if (type.getIntOrFloatBitWidth() < 32)
      value = LLVM::TruncOp::create(rewriter, loc, type, value);
    rewriter.replaceOp(op, value);
    return success();
  }
  if (auto clock = dyn_cast<ClockOp>(op)) {
    Value cycles = callIntrinsic(rewriter, loc, rewriter.getI64Type(),
                                 "llvm.readcyclecounter", {});
    if (clock.getType().isInteger(32))
      cycles = LLVM::TruncOp::create(rewriter, loc, i32, cycles);
    rewriter.replaceOp(op, cycles);
    return success();
  }
  if (isa<GlobalTimerOp>(op)) {
    // The constant-rate counter runs at 100 MHz on CDNA2/3 and RDNA3.
    Value ticks = callIntrinsic(rewriter, loc, rewriter.getI64Type(),
                                "llvm.readsteadycounter", {});
    Value ten = LLVM::ConstantOp::create(rewriter, loc, rewriter.getI64Type(),
                                         rewriter.getI64IntegerAttr(10));
    rewriter.replaceOp(op, LLVM::MulOp::create(rewriter, loc, ticks, ten));
    return success();
  }
  if (auto is = dyn_cast<IsSpaceOp>(op)) {
    // Flat addresses: LDS and scratch have apertures; everything else is
    // global memory (constant memory is global memory on AMD GPUs).
    Type i1 = rewriter.getI1Type();
    Value ptr = operands[0];
    Value shared =
        callIntrinsic(rewriter, loc, i1, "llvm.amdgcn.is.shared", {ptr});
    Value priv =
        callIntrinsic(rewriter, loc, i1, "llvm.amdgcn.is.private", {ptr});
    Value result;
    switch (is.getSpace()) {
    case AddressSpace::Shared:
      result = shared;
      break;
    case AddressSpace::Local:
      result = priv;
      break;
    case AddressSpace::Global:
    case AddressSpace::Const:
      result = LLVM::XOrOp::create(
          rewriter, loc, LLVM::OrOp::create(rewriter, loc, shared, priv),
          boolConstant(rewriter, loc, true));
      break;
    case AddressSpace::Param:
    case AddressSpace::Generic:
      return failure();
    }
    rewriter.replaceOp(op, result);
    return success();
  }
  if (isa<DynamicSharedSizeOp>(op)) {
    // hidden_dynamic_lds_size: u32 at 120 of the code object v5 implicit
    // arguments, which the HIP runtime fills from the launch's dynamic
    // shared size. LLVM only declares it in the kernel metadata (and so the
    // runtime only writes it) when the kernel uses dynamic LDS, so take the
    // dynamic LDS array's address too and keep it alive with a
    // side-effect-free use the backend cannot see through.
    auto global = ldsVariable(rewriter, op, "__wooly_dynamic_shared",
                              LLVM::LLVMArrayType::get(rewriter.getI8Type(), 0),
                              16, /*external=*/true);
    Value base = LLVM::AddressOfOp::create(rewriter, loc, global);
    LLVM::InlineAsmOp::create(rewriter, loc, TypeRange{}, ValueRange{base},
                              "; dynamic LDS at $0", "s", /*has_side_effects=*/true,
                              /*is_align_stack=*/false,
                              LLVM::TailCallKind::None, nullptr, nullptr);
    Value size = implicitArgument(rewriter, loc, 120, rewriter.getI32Type());
    Type type = op->getResult(0).getType();
    if (type.getIntOrFloatBitWidth() > 32)
      size = LLVM::ZExtOp::create(rewriter, loc, type, size);
    rewriter.replaceOp(op, size);
    return success();
  }
  return failure();
}

LogicalResult AMDGPUTargetInfo::lowerSynchronization(
    Operation *op, ValueRange operands, ValueRange hidden,
    ConversionPatternRewriter &rewriter) const {
  Location loc = op->getLoc();
  if (auto barrier = dyn_cast<BarrierOp>(op)) {
    if (barrier.getId() == 0 && !barrier.getCount() && !barrier.getArrive()) {
      blockBarrier(rewriter, loc); // __syncthreads: the hardware barrier
      rewriter.eraseOp(op);
      return success();
    }
    // Any other id, a thread count or an arrival: emulated in LDS (see
    // namedBarrierHelper). Counts are in warps, as PTX counts arrivals.
    uint32_t id = barrier.getId();
    if (id >= kBarrierIds)
      return failure();
    Type i32 = rewriter.getI32Type();
    Value warps;
    if (barrier.getCount()) {
      warps = LLVM::LShrOp::create(
          rewriter, loc,
          LLVM::AddOp::create(rewriter, loc, operands[0],
                              i32Constant(rewriter, loc, 31)),
          i32Constant(rewriter, loc, 5));
    } else {
      Value threads = LLVM::MulOp::create(
          rewriter, loc, blockDim(rewriter, loc, Dim::X),
          LLVM::MulOp::create(rewriter, loc, blockDim(rewriter, loc, Dim::Y),
                              blockDim(rewriter, loc, Dim::Z)));
      warps = LLVM::LShrOp::create(
          rewriter, loc,
          LLVM::AddOp::create(rewriter, loc, threads,
                              i32Constant(rewriter, loc, 31)),
          i32Constant(rewriter, loc, 5));
    }
    auto module = op->getParentOfType<ModuleOp>();
    auto words = namedBarrierWords(rewriter, op);
    auto helper = namedBarrierHelper(rewriter, module, loc);
    Value base = LLVM::AddressOfOp::create(rewriter, loc, words);
    Value word = LLVM::GEPOp::create(rewriter, loc, base.getType(), i32, base,
                                     ArrayRef<LLVM::GEPArg>{int32_t(id)});
    // The warp's first active lane arrives for it.
    WarpLanes warp(rewriter, loc, waveSize);
    Value first =
        callIntrinsic(rewriter, loc, i32, "llvm.cttz.i32",
                      {warp.activeMask(), boolConstant(rewriter, loc, false)});
    Value leader =
        icmp(rewriter, loc, LLVM::ICmpPredicate::eq, warp.lane(), first);
    LLVM::FenceOp::create(rewriter, loc, LLVM::AtomicOrdering::release,
                          "workgroup");
    LLVM::CallOp::create(
        rewriter, loc, helper,
        ValueRange{word, warps,
                   boolConstant(rewriter, loc, !barrier.getArrive()), leader});
    LLVM::FenceOp::create(rewriter, loc, LLVM::AtomicOrdering::acquire,
                          "workgroup");
    rewriter.eraseOp(op);
    return success();
  }
  if (auto reduce = dyn_cast<BarrierReduceOp>(op)) {
    if (reduce.getId() != 0 || reduce.getCount())
      return failure();
    // Count the predicate in an LDS word: reset by one thread, add by all.
    // The reset writes either the counter or a scratch word, so no branch.
    Type i32 = rewriter.getI32Type();
    auto slots = ldsVariable(rewriter, op, "__wooly_barrier_reduce",
                             LLVM::LLVMArrayType::get(i32, 2), 4, false);
    Value base = LLVM::AddressOfOp::create(rewriter, loc, slots);
    auto ldsPtr = base.getType();
    Value scratch = LLVM::GEPOp::create(rewriter, loc, ldsPtr, i32, base,
                                        ArrayRef<LLVM::GEPArg>{1});
    Value first =
        icmp(rewriter, loc, LLVM::ICmpPredicate::eq,
             flatThreadId(rewriter, loc), i32Constant(rewriter, loc, 0));
    blockBarrier(rewriter, loc);
    LLVM::StoreOp::create(
        rewriter, loc, i32Constant(rewriter, loc, 0),
        LLVM::SelectOp::create(rewriter, loc, first, base, scratch), 4);
    blockBarrier(rewriter, loc);
    Value one = LLVM::ZExtOp::create(rewriter, loc, i32, operands[0]);
    LLVM::AtomicRMWOp::create(rewriter, loc, LLVM::AtomicBinOp::add, base, one,
                              LLVM::AtomicOrdering::monotonic, "workgroup");
    blockBarrier(rewriter, loc);
    Value count = LLVM::LoadOp::create(rewriter, loc, i32, base, 4);
    // Every thread has read the count before anyone can reset it again.
    blockBarrier(rewriter, loc);
    Value result;
    switch (reduce.getKind()) {
    case BarrierReduction::Popc:
      result = count;
      break;
    case BarrierReduction::Or:
      result = icmp(rewriter, loc, LLVM::ICmpPredicate::ne, count,
                    i32Constant(rewriter, loc, 0));
      break;
    case BarrierReduction::And: {
      Value threads = LLVM::MulOp::create(
          rewriter, loc, blockDim(rewriter, loc, Dim::X),
          LLVM::MulOp::create(rewriter, loc, blockDim(rewriter, loc, Dim::Y),
                              blockDim(rewriter, loc, Dim::Z)));
      result = icmp(rewriter, loc, LLVM::ICmpPredicate::eq, count, threads);
      break;
    }
    }
    Type want = reduce.getType();
    if (want != result.getType())
      result = want.isInteger(1)
                   ? icmp(rewriter, loc, LLVM::ICmpPredicate::ne, result,
                          i32Constant(rewriter, loc, 0))
                   : Value(LLVM::ZExtOp::create(rewriter, loc, want, result));
    rewriter.replaceOp(op, result);
    return success();
  }
  if (isa<WarpSyncOp>(op)) {
    // A wave executes in lock step: a warp is always converged here. Keep
    // the compiler from moving memory accesses across the sync point.
    callVoidIntrinsic(rewriter, loc, "llvm.amdgcn.wave.barrier", {});
    rewriter.eraseOp(op);
    return success();
  }
  return failure();
}

LogicalResult AMDGPUTargetInfo::lowerWarpCollective(
    Operation *op, ValueRange operands, ValueRange hidden,
    ConversionPatternRewriter &rewriter) const {
  Location loc = op->getLoc();
  WarpLanes warp(rewriter, loc, waveSize);
  Type i32 = rewriter.getI32Type();
  using P = LLVM::ICmpPredicate;
  if (auto shuffle = dyn_cast<ShuffleOp>(op)) {
    // PTX's shfl.sync source-lane rule, evaluated on WIS lanes 0..31.
    Value value = operands[0], b = operands[1], c = operands[2],
          mask = operands[3];
    Value lane = warp.lane();
    Value five = i32Constant(rewriter, loc, 0x1f);
    Value bval = LLVM::AndOp::create(rewriter, loc, b, five);
    Value clamp = LLVM::AndOp::create(rewriter, loc, c, five);
    Value segmask = LLVM::AndOp::create(
        rewriter, loc,
        LLVM::LShrOp::create(rewriter, loc, c, i32Constant(rewriter, loc, 8)),
        five);
    Value notSeg = LLVM::XOrOp::create(rewriter, loc, segmask,
                                       i32Constant(rewriter, loc, -1));
    Value minLane = LLVM::AndOp::create(rewriter, loc, lane, segmask);
    Value maxLane =
        LLVM::OrOp::create(rewriter, loc, minLane,
                           LLVM::AndOp::create(rewriter, loc, clamp, notSeg));
    Value j, inRange;
    switch (shuffle.getMode()) {
    case ShuffleMode::Up:
      j = LLVM::SubOp::create(rewriter, loc, lane, bval);
      inRange = icmp(rewriter, loc, P::sge, j, maxLane);
      break;
    case ShuffleMode::Down:
      j = LLVM::AddOp::create(rewriter, loc, lane, bval);
      inRange = icmp(rewriter, loc, P::sle, j, maxLane);
      break;
    case ShuffleMode::Xor:
      j = LLVM::XOrOp::create(rewriter, loc, lane, bval);
      inRange = icmp(rewriter, loc, P::sle, j, maxLane);
      break;
    case ShuffleMode::Idx:
      j = LLVM::OrOp::create(rewriter, loc, minLane,
                             LLVM::AndOp::create(rewriter, loc, bval, notSeg));
      inRange = icmp(rewriter, loc, P::sle, j, maxLane);
      break;
    }
    Value source = LLVM::SelectOp::create(rewriter, loc, inRange, j, lane);
    Value members = LLVM::AndOp::create(rewriter, loc, mask, warp.activeMask());
    Value valid = LLVM::AndOp::create(rewriter, loc, inRange,
                                      testBit(rewriter, loc, members, source));
    Value read = warp.permute(value, source);
    Value result = LLVM::SelectOp::create(rewriter, loc, valid, read, value);
    rewriter.replaceOp(op, ValueRange{result, valid});
    return success();
  }
  if (auto vote = dyn_cast<VoteOp>(op)) {
    Value mask = operands[1];
    Value yes =
        LLVM::AndOp::create(rewriter, loc, warp.ballot(operands[0]), mask);
    Value members = LLVM::AndOp::create(rewriter, loc, warp.activeMask(), mask);
    Value result;
    switch (vote.getMode()) {
    case VoteMode::Ballot:
      result = yes;
      break;
    case VoteMode::Any:
      result = icmp(rewriter, loc, P::ne, yes, i32Constant(rewriter, loc, 0));
      break;
    case VoteMode::All:
      result = icmp(rewriter, loc, P::eq, yes, members);
      break;
    case VoteMode::Uni:
      result = LLVM::OrOp::create(
          rewriter, loc,
          icmp(rewriter, loc, P::eq, yes, i32Constant(rewriter, loc, 0)),
          icmp(rewriter, loc, P::eq, yes, members));
      break;
    }
    rewriter.replaceOp(op, result);
    return success();
  }
  if (auto match = dyn_cast<MatchOp>(op)) {
    Value value = operands[0], mask = operands[1];
    Value members = LLVM::AndOp::create(rewriter, loc, warp.activeMask(), mask);
    Value same = i32Constant(rewriter, loc, 0);
    for (int lane = 0; lane < 32; ++lane) {
      Value equal =
          icmp(rewriter, loc, P::eq, warp.readLane(value, lane), value);
      Value bit = LLVM::ZExtOp::create(rewriter, loc, i32, equal);
      same = LLVM::OrOp::create(
          rewriter, loc, same,
          LLVM::ShlOp::create(rewriter, loc, bit,
                              i32Constant(rewriter, loc, lane)));
    }
    same = LLVM::AndOp::create(rewriter, loc, same, members);
    if (match.getMode() == MatchMode::Any) {
      rewriter.replaceOp(op,
                         ValueRange{same, boolConstant(rewriter, loc, true)});
      return success();
    }
    Value allEqual = icmp(rewriter, loc, P::eq, same, members);
    Value result = LLVM::SelectOp::create(rewriter, loc, allEqual, mask,
                                          i32Constant(rewriter, loc, 0));
    rewriter.replaceOp(op, ValueRange{result, allEqual});
    return success();
  }
  if (auto redux = dyn_cast<ReduxOp>(op)) {
    Value value = operands[0];
    Value members =
        LLVM::AndOp::create(rewriter, loc, warp.activeMask(), operands[1]);
    Value acc = i32Constant(rewriter, loc, reduxIdentity(redux.getKind()));
    for (int lane = 0; lane < 32; ++lane) {
      Value combined = reduxStep(rewriter, loc, redux.getKind(), acc,
                                 warp.readLane(value, lane));
      acc = LLVM::SelectOp::create(
          rewriter, loc,
          testBit(rewriter, loc, members, i32Constant(rewriter, loc, lane)),
          combined, acc);
    }
    rewriter.replaceOp(op, acc);
    return success();
  }
  if (isa<ActiveMaskOp>(op)) {
    rewriter.replaceOp(op, warp.activeMask());
    return success();
  }
  return failure();
}

LogicalResult
AMDGPUTargetInfo::lowerControl(Operation *op, ValueRange operands,
                               ValueRange hidden,
                               ConversionPatternRewriter &rewriter) const {
  Location loc = op->getLoc();
  if (isa<TrapOp>(op)) {
    callVoidIntrinsic(rewriter, loc, "llvm.trap", {});
    rewriter.replaceOpWithNewOp<LLVM::UnreachableOp>(op);
    return success();
  }
  if (isa<BreakpointOp>(op)) {
    callVoidIntrinsic(rewriter, loc, "llvm.debugtrap", {});
    rewriter.eraseOp(op);
    return success();
  }
  if (isa<AssertFailOp>(op)) {
    // No host channel for the message: the launch fails as a trap.
    callVoidIntrinsic(rewriter, loc, "llvm.trap", {});
    rewriter.eraseOp(op);
    return success();
  }
  if (auto print = dyn_cast<PrintfOp>(op)) {
    // A record in the context's printf buffer (GpuPrintf.h). Without a
    // constant format the record cannot be laid out at compile time, and
    // AMD has no driver printf to fall back on.
    if (!gpu::hasConstantFormat(print)) {
      op->emitError("device printf on AMD GPUs needs a constant format "
                    "string (a string literal): run this kernel on the cuda "
                    "or host executor, or print with a literal format");
      return failure();
    }
    gpu::PrintfTarget target;
    target.deviceScope = syncScope(MemScope::GPU);
    target.inSharedOrLocal = [](OpBuilder &b, Location loc, Value ptr) {
      Type i1 = b.getI1Type();
      Value shared = callIntrinsic(b, loc, i1, "llvm.amdgcn.is.shared", {ptr});
      Value priv = callIntrinsic(b, loc, i1, "llvm.amdgcn.is.private", {ptr});
      return LLVM::OrOp::create(b, loc, shared, priv).getResult();
    };
    return gpu::lowerPrintfToBuffer(print, operands, rewriter, target);
  }
  // `exit` from a device function has no per-lane AMDGPU equivalent: it is
  // reported as unsupported (docs/gpu-backends.md).
  if (isa<ExitOp>(op))
    op->emitError("`exit` inside a device function is not supported on AMD "
                  "GPUs: return to the kernel instead");
  return failure();
}

FailureOr<Value> AMDGPUTargetInfo::lowerApprox(OpBuilder &b, Location loc,
                                               ApproxKind kind,
                                               ValueRange operands) const {
  Type type = operands[0].getType();
  Type f32 = b.getF32Type();
  if (type.isF64()) {
    if (kind == ApproxKind::Rcp)
      return callIntrinsic(b, loc, type, "llvm.amdgcn.rcp.f64", operands);
    if (kind == ApproxKind::Rsqrt)
      return callIntrinsic(b, loc, type, "llvm.amdgcn.rsq.f64", operands);
    return failure();
  }
  if (!type.isF32() && !type.isF16() && !type.isBF16())
    return failure();
  SmallVector<Value> args;
  for (Value v : operands)
    args.push_back(type.isF32() ? v : LLVM::FPExtOp::create(b, loc, f32, v));
  Value x = args[0];
  Value result;
  // v_sin/v_cos take the angle in revolutions.
  auto revolutions = [&] {
    return LLVM::FMulOp::create(
        b, loc, x,
        f32Constant(b, loc, static_cast<float>(0.5 / std::numbers::pi)));
  };
  switch (kind) {
  case ApproxKind::Sin:
    result = callIntrinsic(b, loc, f32, "llvm.amdgcn.sin.f32", {revolutions()});
    break;
  case ApproxKind::Cos:
    result = callIntrinsic(b, loc, f32, "llvm.amdgcn.cos.f32", {revolutions()});
    break;
  case ApproxKind::Ex2:
    result = callIntrinsic(b, loc, f32, "llvm.amdgcn.exp2.f32", {x});
    break;
  case ApproxKind::Lg2:
    result = callIntrinsic(b, loc, f32, "llvm.amdgcn.log.f32", {x});
    break;
  case ApproxKind::Rcp:
    result = callIntrinsic(b, loc, f32, "llvm.amdgcn.rcp.f32", {x});
    break;
  case ApproxKind::Rsqrt:
    result = callIntrinsic(b, loc, f32, "llvm.amdgcn.rsq.f32", {x});
    break;
  case ApproxKind::Sqrt:
    result = callIntrinsic(b, loc, f32, "llvm.amdgcn.sqrt.f32", {x});
    break;
  case ApproxKind::Div:
    result = LLVM::FMulOp::create(
        b, loc, x,
        callIntrinsic(b, loc, f32, "llvm.amdgcn.rcp.f32", {args[1]}));
    break;
  case ApproxKind::Tanh: {
    // No tanh instruction. |x| >= 1/8: 1 - 2 / (2^(2|x| log2 e) + 1);
    // below, the odd series x - x^3/3 + 2x^5/15, which avoids the
    // cancellation of the first form near 0. Both within PTX's 2^-11.
    Value ax = LLVM::FAbsOp::create(b, loc, x);
    Value e = callIntrinsic(
        b, loc, f32, "llvm.amdgcn.exp2.f32",
        {LLVM::FMulOp::create(
            b, loc, ax,
            f32Constant(b, loc, 2.0f * std::numbers::log2e_v<float>))});
    Value big = LLVM::FSubOp::create(
        b, loc, f32Constant(b, loc, 1.0f),
        LLVM::FMulOp::create(
            b, loc, f32Constant(b, loc, 2.0f),
            callIntrinsic(
                b, loc, f32, "llvm.amdgcn.rcp.f32",
                {LLVM::FAddOp::create(b, loc, e, f32Constant(b, loc, 1.0f))})));
    Value x2 = LLVM::FMulOp::create(b, loc, ax, ax);
    Value poly =
        LLVM::FMAOp::create(b, loc, x2, f32Constant(b, loc, 2.0f / 15.0f),
                            f32Constant(b, loc, -1.0f / 3.0f));
    poly = LLVM::FMAOp::create(b, loc, x2, poly, f32Constant(b, loc, 1.0f));
    Value small = LLVM::FMulOp::create(b, loc, ax, poly);
    Value isSmall = LLVM::FCmpOp::create(b, loc, LLVM::FCmpPredicate::olt, ax,
                                         f32Constant(b, loc, 0.125f));
    Value magnitude = LLVM::SelectOp::create(b, loc, isSmall, small, big);
    result = LLVM::CopySignOp::create(b, loc, magnitude, x);
    break;
  }
  }
  if (!type.isF32())
    result = LLVM::FPTruncOp::create(b, loc, type, result);
  return result;
}

void initializeNamedBarriers(ModuleOp module) {
  auto words = module.lookupSymbol<LLVM::GlobalOp>(kNamedBarriers);
  if (!words)
    return;
  OpBuilder b(module.getContext());
  Type i32 = b.getI32Type();
  module.walk([&](LLVM::LLVMFuncOp fn) {
    if (fn.getCConv() != LLVM::cconv::CConv::AMDGPU_KERNEL || fn.isExternal())
      return;
    // After the entry block's allocas: thread 0 zeroes every word (one
    // store, so a block of fewer than 16 threads clears them all and no two
    // threads race), then the whole block waits, so no warp arrives at a
    // barrier before every word is 0.
    Block &entry = fn.getBody().front();
    auto at = entry.begin();
    while (at != entry.end() && isa<LLVM::AllocaOp, LLVM::ConstantOp>(*at))
      ++at;
    Block *rest = entry.splitBlock(at);
    Block *zero = b.createBlock(rest);
    Location loc = fn.getLoc();
    b.setInsertionPointToEnd(&entry);
    Value first = icmp(b, loc, LLVM::ICmpPredicate::eq, flatThreadId(b, loc),
                       i32Constant(b, loc, 0));
    LLVM::CondBrOp::create(b, loc, first, zero, rest);
    b.setInsertionPointToEnd(zero);
    Value base = LLVM::AddressOfOp::create(b, loc, words);
    Value zeros =
        LLVM::ZeroOp::create(b, loc, VectorType::get({kBarrierIds}, i32));
    LLVM::StoreOp::create(b, loc, zeros, base, 4);
    LLVM::BrOp::create(b, loc, ValueRange{}, rest);
    b.setInsertionPointToStart(rest);
    blockBarrier(b, loc);
  });
}

void exposeModuleVariables(ModuleOp module) {
  gpu::exposeModuleVariables(module, LLVM::Visibility::Protected);
}

} // namespace wooly::amdgpu
