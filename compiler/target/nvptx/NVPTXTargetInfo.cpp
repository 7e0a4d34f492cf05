//===- NVPTXTargetInfo.cpp - WIS lowering hooks for NVIDIA GPUs -----------===//
//
// Every GPU-specific WIS op becomes a call of the NVVM intrinsic that
// implements it (llvm.call_intrinsic), so the LLVM IR that reaches the NVPTX
// backend is exactly what clang or nvcc's front end would have produced.
//
//===----------------------------------------------------------------------===//

#include "compiler/target/nvptx/NVPTXTargetInfo.h"

#include "compiler/target/gpu/GpuFault.h"
#include "compiler/target/gpu/GpuIRHelpers.h"
#include "compiler/target/gpu/GpuPrintf.h"

#include "mlir/Conversion/ArithCommon/AttrToLLVMConverter.h"
#include "mlir/Conversion/GPUToNVVM/GPUToNVVMPass.h"
#include "mlir/Conversion/LLVMCommon/VectorPattern.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;

namespace wooly::nvptx {

using gpu::callIntrinsic;
using gpu::callVoidIntrinsic;
using gpu::dimSuffix;
using gpu::extract;
using gpu::i32Constant;
using gpu::reduxIdentity;
using gpu::reduxStep;

namespace {

Value specialRegister(OpBuilder &b, Location loc, Type type, StringRef reg) {
  return callIntrinsic(b, loc, type, ("llvm.nvvm.read.ptx.sreg." + reg).str(),
                       {});
}

/// A pointer in the generic space, as vprintf and __assertfail take them.
Value toGeneric(OpBuilder &b, Location loc, Value ptr) {
  auto type = cast<LLVM::LLVMPointerType>(ptr.getType());
  if (type.getAddressSpace() == 0)
    return ptr;
  return LLVM::AddrSpaceCastOp::create(
      b, loc, LLVM::LLVMPointerType::get(b.getContext()), ptr);
}

/// Whether a generic pointer points into the thread's shared or local
/// window (fencing leaves those accesses as they are).
Value inSharedOrLocal(OpBuilder &b, Location loc, Value ptr) {
  Type i1 = b.getI1Type();
  Value shared = callIntrinsic(b, loc, i1, "llvm.nvvm.isspacep.shared", {ptr});
  Value local = callIntrinsic(b, loc, i1, "llvm.nvvm.isspacep.local", {ptr});
  return LLVM::OrOp::create(b, loc, shared, local).getResult();
}

/// What the fault record needs of NVIDIA GPUs: %ctaid and %tid, PTX `exit`
/// (which releases the block's all-thread barriers), device-scope atomics.
gpu::FaultTarget faultTarget(std::string deviceScope) {
  gpu::FaultTarget target;
  target.deviceScope = std::move(deviceScope);
  target.threadPlace = [](OpBuilder &b, Location loc) {
    SmallVector<Value, 6> place;
    for (StringRef reg : {"ctaid", "tid"})
      for (const char *d : {"x", "y", "z"})
        place.push_back(
            specialRegister(b, loc, b.getI32Type(), (reg + "." + d).str()));
    return place;
  };
  target.endThread = [](OpBuilder &b, Location loc) {
    callVoidIntrinsic(b, loc, "llvm.nvvm.exit", {});
  };
  target.inSharedOrLocal = inSharedOrLocal;
  return target;
}

/// The declaration of an external device function the driver provides.
LLVM::LLVMFuncOp declareRuntimeFunction(OpBuilder &b, Operation *from,
                                        StringRef name,
                                        LLVM::LLVMFunctionType type) {
  return gpu::lookupOrDeclareFunction(b, from->getParentOfType<ModuleOp>(),
                                      from->getLoc(), name, type,
                                      LLVM::Linkage::External);
}

/// The zero-sized `.extern .shared` array every kernel's dynamic shared
/// memory starts at.
Value dynamicSharedBase(OpBuilder &b, Operation *from) {
  constexpr StringLiteral kName = "__wooly_dynamic_shared";
  auto module = from->getParentOfType<ModuleOp>();
  auto global = module.lookupSymbol<LLVM::GlobalOp>(kName);
  if (!global) {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(module.getBody());
    global = LLVM::GlobalOp::create(
        b, from->getLoc(), LLVM::LLVMArrayType::get(b.getI8Type(), 0),
        /*isConstant=*/false, LLVM::Linkage::External, kName, Attribute(),
        /*alignment=*/16, /*addrSpace=*/3);
  }
  return LLVM::AddressOfOp::create(b, from->getLoc(), global);
}

} // namespace

unsigned NVPTXTargetInfo::addressSpace(AddressSpace space) const {
  switch (space) {
  case AddressSpace::Generic:
    return 0;
  case AddressSpace::Global:
    return 1;
  case AddressSpace::Shared:
    return 3;
  case AddressSpace::Const:
    return 4;
  case AddressSpace::Local:
    return 5;
  case AddressSpace::Param:
    // By-value kernel parameters are generic pointers carrying `byval`, the
    // form clang emits; NVPTXLowerArgs turns their loads into ld.param.
    return 0;
  }
  return 0;
}

std::string NVPTXTargetInfo::syncScope(MemScope scope) const {
  switch (scope) {
  case MemScope::CTA:
    return "block";
  case MemScope::Cluster:
    return "cluster";
  case MemScope::GPU:
    return "device";
  case MemScope::Sys:
    return "";
  }
  return "";
}

void NVPTXTargetInfo::annotateKernel(KernelOp kernel,
                                     LLVM::LLVMFuncOp lowered) const {
  lowered.setCConv(LLVM::cconv::CConv::PTX_Kernel);
  lowered.setVisibility_(LLVM::Visibility::Default);
  SmallVector<gpu::StringAttribute> attributes;
  if (auto req = kernel.getReqBlockSize()) {
    std::string dims;
    for (int32_t d : *req)
      dims += (dims.empty() ? "" : ",") + std::to_string(d);
    attributes.emplace_back("nvvm.reqntid", dims);
  } else if (auto max = kernel.getMaxThreads()) {
    attributes.emplace_back("nvvm.maxntid", std::to_string(*max));
  }
  if (auto min = kernel.getMinBlocksPerSm())
    attributes.emplace_back("nvvm.minctasm", std::to_string(*min));
  gpu::setPassthrough(lowered, attributes);
  // Aggregates passed by value: PTX .param byte arrays.
  gpu::markByValueParameters(lowered, LLVM::LLVMDialect::getByValAttrName());
}

LogicalResult
NVPTXTargetInfo::lowerGeometry(Operation *op, ValueRange operands,
                               ValueRange hidden,
                               ConversionPatternRewriter &rewriter) const {
  Location loc = op->getLoc();
  Type i32 = rewriter.getI32Type();
  auto geometry = [&](StringRef reg, Dim dim) {
    rewriter.replaceOp(op, specialRegister(rewriter, loc, i32,
                                           (reg + "." + dimSuffix(dim)).str()));
    return success();
  };
  if (auto tid = dyn_cast<ThreadIdOp>(op))
    return geometry("tid", tid.getDim());
  if (auto ntid = dyn_cast<BlockDimOp>(op))
    return geometry("ntid", ntid.getDim());
  if (auto ctaid = dyn_cast<BlockIdOp>(op))
    return geometry("ctaid", ctaid.getDim());
  if (auto nctaid = dyn_cast<GridDimOp>(op))
    return geometry("nctaid", nctaid.getDim());
  if (isa<LaneIdOp>(op)) {
    rewriter.replaceOp(op, specialRegister(rewriter, loc, i32, "laneid"));
    return success();
  }
  if (auto mask = dyn_cast<LaneMaskOp>(op)) {
    rewriter.replaceOp(
        op, specialRegister(
                rewriter, loc, i32,
                ("lanemask." + stringifyLaneMask(mask.getKind())).str()));
    return success();
  }
  if (isa<DynamicSharedOp>(op)) {
    rewriter.replaceOp(op, dynamicSharedBase(rewriter, op));
    return success();
  }
  if (isa<DynamicSharedSizeOp>(op)) {
    rewriter.replaceOp(
        op, specialRegister(rewriter, loc, i32, "dynamic_smem_size"));
    return success();
  }
  if (auto reg = dyn_cast<HardwareRegOp>(op)) {
    Type type = reg.getType();
    StringRef name;
    bool wide = false;
    switch (reg.getReg()) {
    case HardwareReg::WarpId:
      name = "warpid";
      break;
    case HardwareReg::NWarpId:
      name = "nwarpid";
      break;
    case HardwareReg::SmId:
      name = "smid";
      break;
    case HardwareReg::NSmId:
      name = "nsmid";
      break;
    case HardwareReg::GridId:
      name = "gridid";
      wide = true;
      break;
    }
    Value value = specialRegister(rewriter, loc,
                                  wide ? rewriter.getI64Type() : i32, name);
    unsigned have = wide ? 64 : 32;
    unsigned want = type.getIntOrFloatBitWidth();
    if (want < have)
      value = LLVM::TruncOp::create(rewriter, loc, type, value);
    else if (want > have)
      value = LLVM::ZExtOp::create(rewriter, loc, type, value);
    rewriter.replaceOp(op, value);
    return success();
  }
  if (auto clock = dyn_cast<ClockOp>(op)) {
    bool wide = clock.getType().isInteger(64);
    rewriter.replaceOp(op, specialRegister(rewriter, loc, clock.getType(),
                                           wide ? "clock64" : "clock"));
    return success();
  }
  if (isa<GlobalTimerOp>(op)) {
    rewriter.replaceOp(op, specialRegister(rewriter, loc, rewriter.getI64Type(),
                                           "globaltimer"));
    return success();
  }
  if (auto is = dyn_cast<IsSpaceOp>(op)) {
    StringRef space;
    switch (is.getSpace()) {
    case AddressSpace::Global:
      space = "global";
      break;
    case AddressSpace::Shared:
      space = "shared";
      break;
    case AddressSpace::Local:
      space = "local";
      break;
    case AddressSpace::Const:
      space = "const";
      break;
    case AddressSpace::Param:
    case AddressSpace::Generic:
      return failure();
    }
    rewriter.replaceOp(op, callIntrinsic(rewriter, loc, rewriter.getI1Type(),
                                         ("llvm.nvvm.isspacep." + space).str(),
                                         {operands[0]}));
    return success();
  }
  return failure();
}

LogicalResult NVPTXTargetInfo::lowerSynchronization(
    Operation *op, ValueRange operands, ValueRange hidden,
    ConversionPatternRewriter &rewriter) const {
  Location loc = op->getLoc();
  if (auto barrier = dyn_cast<BarrierOp>(op)) {
    Value id = i32Constant(rewriter, loc, barrier.getId());
    // bar.sync / bar.arrive are barrier.sync.aligned / barrier.arrive.aligned.
    if (barrier.getArrive())
      callVoidIntrinsic(rewriter, loc,
                        "llvm.nvvm.barrier.cta.arrive.aligned.count",
                        {id, operands[0]});
    else if (barrier.getCount())
      callVoidIntrinsic(rewriter, loc,
                        "llvm.nvvm.barrier.cta.sync.aligned.count",
                        {id, operands[0]});
    else
      callVoidIntrinsic(rewriter, loc, "llvm.nvvm.barrier.cta.sync.aligned.all",
                        {id});
    rewriter.eraseOp(op);
    return success();
  }
  if (auto reduce = dyn_cast<BarrierReduceOp>(op)) {
    Value id = i32Constant(rewriter, loc, reduce.getId());
    StringRef kind = stringifyBarrierReduction(reduce.getKind());
    bool popc = reduce.getKind() == BarrierReduction::Popc;
    Type natural = popc ? rewriter.getI32Type() : rewriter.getI1Type();
    SmallVector<Value> args = {id};
    if (reduce.getCount())
      args.push_back(operands[1]);
    args.push_back(operands[0]);
    std::string name = ("llvm.nvvm.barrier.cta.red." + kind + ".aligned." +
                        (reduce.getCount() ? "count" : "all"))
                           .str();
    Value value = callIntrinsic(rewriter, loc, natural, name, args);
    Type want = reduce.getType();
    if (want != natural)
      value = popc ? Value(LLVM::ICmpOp::create(rewriter, loc,
                                                LLVM::ICmpPredicate::ne, value,
                                                i32Constant(rewriter, loc, 0)))
                   : Value(LLVM::ZExtOp::create(rewriter, loc, want, value));
    rewriter.replaceOp(op, value);
    return success();
  }
  if (isa<WarpSyncOp>(op)) {
    callVoidIntrinsic(rewriter, loc, "llvm.nvvm.bar.warp.sync", {operands[0]});
    rewriter.eraseOp(op);
    return success();
  }
  return failure();
}

LogicalResult NVPTXTargetInfo::lowerWarpCollective(
    Operation *op, ValueRange operands, ValueRange hidden,
    ConversionPatternRewriter &rewriter) const {
  Location loc = op->getLoc();
  MLIRContext *context = op->getContext();
  Type i32 = rewriter.getI32Type();
  Type i1 = rewriter.getI1Type();
  if (auto shuffle = dyn_cast<ShuffleOp>(op)) {
    static const char *names[] = {"idx", "up", "down", "bfly"};
    std::string name = std::string("llvm.nvvm.shfl.sync.") +
                       names[static_cast<int>(shuffle.getMode())] + ".i32p";
    auto pair = LLVM::LLVMStructType::getLiteral(context, {i32, i1});
    // WIS operands: value, lane, c, mask; the intrinsic: mask, value, lane, c.
    Value result =
        callIntrinsic(rewriter, loc, pair, name,
                      {operands[3], operands[0], operands[1], operands[2]});
    rewriter.replaceOp(op, ValueRange{extract(rewriter, loc, result, 0),
                                      extract(rewriter, loc, result, 1)});
    return success();
  }
  if (auto vote = dyn_cast<VoteOp>(op)) {
    std::string name =
        ("llvm.nvvm.vote." + stringifyVoteMode(vote.getMode()) + ".sync").str();
    Type type = vote.getMode() == VoteMode::Ballot ? i32 : i1;
    Value result =
        callIntrinsic(rewriter, loc, type, name, {operands[1], operands[0]});
    rewriter.replaceOp(op, result);
    return success();
  }
  if (auto match = dyn_cast<MatchOp>(op)) {
    bool wide = match.getValue().getType().isInteger(64);
    StringRef suffix = wide ? "i64" : "i32";
    if (match.getMode() == MatchMode::Any) {
      Value mask = callIntrinsic(rewriter, loc, i32,
                                 ("llvm.nvvm.match.any.sync." + suffix).str(),
                                 {operands[1], operands[0]});
      Value yes = LLVM::ConstantOp::create(rewriter, loc, i1,
                                           rewriter.getBoolAttr(true));
      rewriter.replaceOp(op, ValueRange{mask, yes});
      return success();
    }
    auto pair = LLVM::LLVMStructType::getLiteral(context, {i32, i1});
    Value result = callIntrinsic(
        rewriter, loc, pair, ("llvm.nvvm.match.all.sync." + suffix + "p").str(),
        {operands[1], operands[0]});
    rewriter.replaceOp(op, ValueRange{extract(rewriter, loc, result, 0),
                                      extract(rewriter, loc, result, 1)});
    return success();
  }
  if (auto redux = dyn_cast<ReduxOp>(op)) {
    Value value = operands[0], mask = operands[1];
    if (computeCapability >= 80) {
      std::string name =
          ("llvm.nvvm.redux.sync." + stringifyReduxKind(redux.getKind())).str();
      rewriter.replaceOp(
          op, callIntrinsic(rewriter, loc, i32, name, {value, mask}));
      return success();
    }
    // Before sm_80: read every lane of the mask with shfl.sync.idx (all
    // lanes in `mask` run the same 32 shuffles) and fold in lane order.
    // Lanes outside the mask contribute the identity.
    Value acc = i32Constant(rewriter, loc, reduxIdentity(redux.getKind()));
    Value clamp = i32Constant(rewriter, loc, 0x1f);
    Value one = i32Constant(rewriter, loc, 1);
    Value zero = i32Constant(rewriter, loc, 0);
    auto pair = LLVM::LLVMStructType::getLiteral(context, {i32, i1});
    for (int lane = 0; lane < 32; ++lane) {
      Value laneValue = i32Constant(rewriter, loc, lane);
      Value read = extract(rewriter, loc,
                           callIntrinsic(rewriter, loc, pair,
                                         "llvm.nvvm.shfl.sync.idx.i32p",
                                         {mask, value, laneValue, clamp}),
                           0);
      Value bit = LLVM::AndOp::create(
          rewriter, loc, LLVM::LShrOp::create(rewriter, loc, mask, laneValue),
          one);
      Value inMask = LLVM::ICmpOp::create(rewriter, loc,
                                          LLVM::ICmpPredicate::ne, bit, zero);
      Value combined = reduxStep(rewriter, loc, redux.getKind(), acc, read);
      acc = LLVM::SelectOp::create(rewriter, loc, inMask, combined, acc);
    }
    rewriter.replaceOp(op, acc);
    return success();
  }
  if (isa<ActiveMaskOp>(op)) {
    rewriter.replaceOp(
        op, callIntrinsic(rewriter, loc, i32, "llvm.nvvm.activemask", {}));
    return success();
  }
  return failure();
}

LogicalResult
NVPTXTargetInfo::lowerControl(Operation *op, ValueRange operands,
                              ValueRange hidden,
                              ConversionPatternRewriter &rewriter) const {
  Location loc = op->getLoc();
  MLIRContext *context = op->getContext();
  auto ptr = LLVM::LLVMPointerType::get(context);
  Type i32 = rewriter.getI32Type();
  if (isa<TrapOp>(op))
    return gpu::lowerFaultToRecord(
        op, operands, rewriter, faultTarget(syncScope(MemScope::GPU)),
        [](OpBuilder &b, Location loc) {
          callVoidIntrinsic(b, loc, "llvm.trap", {});
        });
  if (isa<ExitOp>(op)) {
    // PTX `exit` ends the thread from any call depth.
    callVoidIntrinsic(rewriter, loc, "llvm.nvvm.exit", {});
    rewriter.replaceOpWithNewOp<LLVM::UnreachableOp>(op);
    return success();
  }
  if (isa<BreakpointOp>(op)) {
    callVoidIntrinsic(rewriter, loc, "llvm.debugtrap", {});
    rewriter.eraseOp(op);
    return success();
  }
  if (auto print = dyn_cast<PrintfOp>(op)) {
    // A constant format: a record in the context's printf buffer, which the
    // executor drains and returns to the client.
    if (gpu::hasConstantFormat(print)) {
      gpu::PrintfTarget target;
      target.deviceScope = syncScope(MemScope::GPU);
      target.inSharedOrLocal = inSharedOrLocal;
      return gpu::lowerPrintfToBuffer(print, operands, rewriter, target);
    }
    // Otherwise CUDA's device printf, int vprintf(const char *format, void
    // *args): the driver prints to the daemon's stdout, not to the client.
    auto type = LLVM::LLVMFunctionType::get(i32, {ptr, ptr});
    LLVM::LLVMFuncOp vprintf =
        declareRuntimeFunction(rewriter, op, "vprintf", type);
    Value format = toGeneric(rewriter, loc, operands[0]);
    Value args = toGeneric(rewriter, loc, operands[1]);
    auto call =
        LLVM::CallOp::create(rewriter, loc, vprintf, ValueRange{format, args});
    rewriter.replaceOp(op, call.getResult());
    return success();
  }
  if (isa<AssertFailOp>(op)) {
    // The fault record takes generic pointers, as __assertfail does.
    SmallVector<Value, 4> generic = {
        toGeneric(rewriter, loc, operands[0]),
        toGeneric(rewriter, loc, operands[1]), operands[2],
        toGeneric(rewriter, loc, operands[3])};
    return gpu::lowerFaultToRecord(
        op, generic, rewriter, faultTarget(syncScope(MemScope::GPU)),
        [&](OpBuilder &b, Location loc) {
          // The driver's __assertfail(message, file, line, function,
          // charSize) reports the failure and ends the launch with
          // CUDA_ERROR_ASSERT.
          Type i64 = b.getI64Type();
          auto type = LLVM::LLVMFunctionType::get(
              LLVM::LLVMVoidType::get(context), {ptr, ptr, i32, ptr, i64});
          LLVM::LLVMFuncOp assertFail =
              declareRuntimeFunction(b, op, "__assertfail", type);
          Value charSize = LLVM::ConstantOp::create(b, loc, i64,
                                                    b.getI64IntegerAttr(1));
          LLVM::CallOp::create(b, loc, assertFail,
                               ValueRange{generic[0], generic[1], generic[2],
                                          generic[3], charSize});
        });
  }
  return failure();
}

FailureOr<Value> NVPTXTargetInfo::lowerApprox(OpBuilder &b, Location loc,
                                              ApproxKind kind,
                                              ValueRange operands) const {
  Type type = operands[0].getType();
  Type f32 = b.getF32Type();
  if (type.isF64()) {
    // PTX has only rcp.approx.ftz.f64 and rsqrt.approx.f64 in double.
    if (kind == ApproxKind::Rcp)
      return callIntrinsic(b, loc, type, "llvm.nvvm.rcp.approx.ftz.d",
                           operands);
    if (kind == ApproxKind::Rsqrt)
      return callIntrinsic(b, loc, type, "llvm.nvvm.rsqrt.approx.d", operands);
    return failure();
  }
  if (!type.isF32() && !type.isF16() && !type.isBF16())
    return failure();
  // Half types compute in f32: at least as accurate as the f16 instruction.
  SmallVector<Value> args;
  for (Value v : operands)
    args.push_back(type.isF32() ? v : LLVM::FPExtOp::create(b, loc, f32, v));
  Value result;
  switch (kind) {
  case ApproxKind::Sin:
    result = callIntrinsic(b, loc, f32, "llvm.nvvm.sin.approx.f", args);
    break;
  case ApproxKind::Cos:
    result = callIntrinsic(b, loc, f32, "llvm.nvvm.cos.approx.f", args);
    break;
  case ApproxKind::Ex2:
    result = callIntrinsic(b, loc, f32, "llvm.nvvm.ex2.approx.f32", args);
    break;
  case ApproxKind::Lg2:
    result = callIntrinsic(b, loc, f32, "llvm.nvvm.lg2.approx.f", args);
    break;
  case ApproxKind::Rcp: {
    // rcp.approx.f32 has no intrinsic without ftz: a fast division is the
    // same instruction family (div.approx), same accuracy class.
    Value one = LLVM::ConstantOp::create(b, loc, f32, b.getF32FloatAttr(1.0f));
    result =
        callIntrinsic(b, loc, f32, "llvm.nvvm.div.approx.f", {one, args[0]});
    break;
  }
  case ApproxKind::Rsqrt:
    result = callIntrinsic(b, loc, f32, "llvm.nvvm.rsqrt.approx.f", args);
    break;
  case ApproxKind::Sqrt:
    result = callIntrinsic(b, loc, f32, "llvm.nvvm.sqrt.approx.f", args);
    break;
  case ApproxKind::Div:
    result = callIntrinsic(b, loc, f32, "llvm.nvvm.div.approx.f", args);
    break;
  case ApproxKind::Tanh: {
    if (computeCapability < 75)
      return failure();
    // tanh.approx.f32 (sm_75+) has no NVVM intrinsic in LLVM 22.
    result = LLVM::InlineAsmOp::create(
                 b, loc, f32, args, "tanh.approx.f32 $0, $1;", "=f,f",
                 /*has_side_effects=*/false, /*is_align_stack=*/false,
                 LLVM::TailCallKind::None, LLVM::AsmDialectAttr(), ArrayAttr())
                 .getResult(0);
    break;
  }
  }
  if (!type.isF32())
    result = LLVM::FPTruncOp::create(b, loc, type, result);
  return result;
}

FailureOr<Value> NVPTXTargetInfo::lowerApproxFtz(OpBuilder &b, Location loc,
                                                 ApproxKind kind,
                                                 ValueRange operands) const {
  // PTX's .ftz forms flush subnormal inputs and results in the instruction
  // itself (what WIS's ftz means), so `sqrt.approx.ftz.f32` is one MUFU.SQRT
  // where explicit flushes around the non-ftz form cost compares, selects
  // and the non-ftz form's own subnormal scaling. Only f32 has them.
  if (!operands[0].getType().isF32())
    return failure();
  const char *intrinsic = nullptr;
  switch (kind) {
  case ApproxKind::Sin:
    intrinsic = "llvm.nvvm.sin.approx.ftz.f";
    break;
  case ApproxKind::Cos:
    intrinsic = "llvm.nvvm.cos.approx.ftz.f";
    break;
  case ApproxKind::Ex2:
    intrinsic = "llvm.nvvm.ex2.approx.ftz.f32";
    break;
  case ApproxKind::Lg2:
    intrinsic = "llvm.nvvm.lg2.approx.ftz.f";
    break;
  case ApproxKind::Rcp:
    intrinsic = "llvm.nvvm.rcp.approx.ftz.f";
    break;
  case ApproxKind::Rsqrt:
    intrinsic = "llvm.nvvm.rsqrt.approx.ftz.f";
    break;
  case ApproxKind::Sqrt:
    intrinsic = "llvm.nvvm.sqrt.approx.ftz.f";
    break;
  case ApproxKind::Div:
    intrinsic = "llvm.nvvm.div.approx.ftz.f";
    break;
  case ApproxKind::Tanh:
    // tanh.approx.f32 has no .ftz form.
    return failure();
  }
  if (!intrinsic)
    return failure();
  return callIntrinsic(b, loc, b.getF32Type(), intrinsic, operands);
}

FailureOr<Value> NVPTXTargetInfo::lowerDirectedRounding(
    OpBuilder &b, Location loc, StringRef what, Rounding rounding,
    ValueRange operands, Type resultType, ValueRange hidden) const {
  StringRef mode;
  switch (rounding) {
  case Rounding::RN:
    mode = "rn";
    break;
  case Rounding::RZ:
    mode = "rz";
    break;
  case Rounding::RM:
    mode = "rm";
    break;
  case Rounding::RP:
    mode = "rp";
    break;
  case Rounding::RNA:
    return failure(); // only PTX's cvt to tf32 rounds to nearest-away
  }
  Type in = operands[0].getType();
  auto floatSuffix = [&](Type t) -> StringRef {
    return t.isF32() ? "f" : t.isF64() ? "d" : "";
  };
  if (what == "add" || what == "mul" || what == "div" || what == "fma" ||
      what == "sqrt" || what == "rcp" || what == "sub") {
    StringRef suffix = floatSuffix(in);
    if (suffix.empty())
      return failure();
    SmallVector<Value> args(operands.begin(), operands.end());
    StringRef op = what;
    if (what == "sub") {
      // a - b == a + (-b) exactly in every rounding mode.
      args[1] = LLVM::FNegOp::create(b, loc, args[1]);
      op = "add";
    }
    return callIntrinsic(b, loc, resultType,
                         ("llvm.nvvm." + op + "." + mode + "." + suffix).str(),
                         args);
  }
  if (what == "sitofp" || what == "uitofp") {
    bool isUnsigned = what == "uitofp";
    unsigned bits = in.getIntOrFloatBitWidth();
    if (resultType.isF32() && (bits == 32 || bits == 64)) {
      std::string name = std::string("llvm.nvvm.") + (isUnsigned ? "u" : "") +
                         (bits == 32 ? "i2f." : "ll2f.") + mode.str();
      return callIntrinsic(b, loc, resultType, name, operands);
    }
    if (resultType.isF64() && bits == 64) {
      std::string name = std::string("llvm.nvvm.") +
                         (isUnsigned ? "ull2d." : "ll2d.") + mode.str();
      return callIntrinsic(b, loc, resultType, name, operands);
    }
    if (resultType.isF64() && bits <= 32) {
      // Exact in double whatever the rounding mode.
      Value wide = operands[0];
      return isUnsigned
                 ? Value(LLVM::UIToFPOp::create(b, loc, resultType, wide))
                 : Value(LLVM::SIToFPOp::create(b, loc, resultType, wide));
    }
    return failure();
  }
  if (what == "fptrunc") {
    if (in.isF64() && resultType.isF32())
      return callIntrinsic(b, loc, resultType, ("llvm.nvvm.d2f." + mode).str(),
                           operands);
    if (in.isF32() && (resultType.isF16() || resultType.isBF16()) &&
        rounding == Rounding::RZ && computeCapability >= 80) {
      // cvt.rz.{f16,bf16}x2.f32 packs two conversions; take one lane.
      auto vector = VectorType::get({2}, resultType);
      Value pair = callIntrinsic(b, loc, vector,
                                 resultType.isF16() ? "llvm.nvvm.ff2f16x2.rz"
                                                    : "llvm.nvvm.ff2bf16x2.rz",
                                 {operands[0], operands[0]});
      Value zero = LLVM::ConstantOp::create(b, loc, b.getI32Type(),
                                            b.getI32IntegerAttr(0));
      return Value(LLVM::ExtractElementOp::create(b, loc, pair, zero));
    }
    return failure();
  }
  return failure();
}

template <typename SourceOp, typename TargetOp>
using DirectMathLowering =
    VectorConvertToLLVMPattern<SourceOp, TargetOp,
                               arith::AttrConvertFastMathToLLVM>;

void NVPTXTargetInfo::populateMathPatterns(LLVMTypeConverter &converter,
                                           RewritePatternSet &patterns) const {
  // Transcendental functions call CUDA's libdevice (__nv_sinf, ...), linked
  // in before code generation; what the NVPTX backend selects exactly
  // (sqrt.rn, abs, fma.rn, cvt.rXi) stays an LLVM intrinsic; the rest
  // (integer bit counts, ...) is upstream MathToLLVM.
  TargetInfo::populateMathPatterns(converter, patterns);
  populateLibDeviceConversionPatterns(converter, patterns, /*benefit=*/10);
  patterns.add<DirectMathLowering<math::SqrtOp, LLVM::SqrtOp>,
               DirectMathLowering<math::AbsFOp, LLVM::FAbsOp>,
               DirectMathLowering<math::FmaOp, LLVM::FMAOp>,
               DirectMathLowering<math::FloorOp, LLVM::FFloorOp>,
               DirectMathLowering<math::CeilOp, LLVM::FCeilOp>,
               DirectMathLowering<math::TruncOp, LLVM::FTruncOp>,
               DirectMathLowering<math::RoundEvenOp, LLVM::RoundEvenOp>,
               DirectMathLowering<math::CopySignOp, LLVM::CopySignOp>>(
      converter, /*benefit=*/20);
}

void fenceOrderedAtomicRMW(ModuleOp module) {
  module.walk([](LLVM::AtomicRMWOp op) {
    LLVM::AtomicOrdering ordering = op.getOrdering();
    using O = LLVM::AtomicOrdering;
    if (ordering != O::acquire && ordering != O::release &&
        ordering != O::acq_rel && ordering != O::seq_cst)
      return;
    OpBuilder b(op);
    StringRef scope = op.getSyncscope().value_or("");
    if (ordering == O::seq_cst)
      LLVM::FenceOp::create(b, op.getLoc(), O::seq_cst, scope);
    else if (ordering == O::release || ordering == O::acq_rel)
      LLVM::FenceOp::create(b, op.getLoc(), O::release, scope);
    b.setInsertionPointAfter(op);
    if (ordering != O::release)
      LLVM::FenceOp::create(b, op.getLoc(), O::acquire, scope);
    op.setOrdering(O::monotonic);
  });
}

void exposeModuleVariables(ModuleOp module) {
  gpu::exposeModuleVariables(module);
}

} // namespace wooly::nvptx
