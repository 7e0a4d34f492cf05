//===- WoolyOps.td - WIS operations ------------------------*- tablegen -*-===//
#ifndef WOOLY_OPS_TD
#define WOOLY_OPS_TD

include "dialects/wooly/WoolyTypes.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/IR/OpAsmInterface.td"
include "mlir/Interfaces/CallInterfaces.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"
include "mlir/Interfaces/FunctionInterfaces.td"
include "mlir/Interfaces/MemorySlotInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"

//===----------------------------------------------------------------------===//
// Kernels, device functions, calls
//===----------------------------------------------------------------------===//

class Wooly_FunctionLikeOp<string mnemonic, list<Trait> traits = []>
    : Wooly_Op<mnemonic, traits # [AutomaticAllocationScope, IsolatedFromAbove,
                                    FunctionOpInterface]> {
  let regions = (region AnyRegion:$body);
  let hasCustomAssemblyFormat = 1;
  let hasVerifier = 1;
  code functionExtraDecls = [{
    ::llvm::ArrayRef<::mlir::Type> getArgumentTypes() {
      return getFunctionType().getInputs();
    }
    ::llvm::ArrayRef<::mlir::Type> getResultTypes() {
      return getFunctionType().getResults();
    }
    ::mlir::Region *getCallableRegion() { return &getBody(); }
  }];
}

def Wooly_KernelOp : Wooly_FunctionLikeOp<"kernel"> {
  let summary = "a kernel: the entry point of a grid launch";
  let description = [{
    Runs once per thread of a launch. Arguments are the kernel parameters in
    order; an aggregate parameter passed by value is a `!wooly.ptr<param>`
    whose byte size and alignment are given by the argument attributes
    `wooly.byval_size` and `wooly.byval_align`. Kernels return nothing.

    Optional launch bounds: `max_threads` (PTX `.maxntid`, product of the
    dimensions), `req_block_size` (`.reqntid`), `min_blocks_per_sm`.

    ```mlir
    wooly.kernel @saxpy(%n: i32, %a: f32, %x: !wooly.ptr<global>, %y: !wooly.ptr<global>)
        attributes {max_threads = 256 : i32} {
      wooly.return
    }
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name,
                       TypeAttrOf<FunctionType>:$function_type,
                       OptionalAttr<DictArrayAttr>:$arg_attrs,
                       OptionalAttr<DictArrayAttr>:$res_attrs,
                       OptionalAttr<I32Attr>:$max_threads,
                       OptionalAttr<DenseI32ArrayAttr>:$req_block_size,
                       OptionalAttr<I32Attr>:$min_blocks_per_sm);
  let extraClassDeclaration = functionExtraDecls;
}

def Wooly_FuncOp : Wooly_FunctionLikeOp<"func", [CallableOpInterface]> {
  let summary = "a device function";
  let description = [{
    A function called from kernels or other device functions with
    `wooly.call`. Recursion is allowed; the server bounds its depth.
    A function without a body is an external declaration: the verifier of a
    finished module rejects it, since WIS code may not call out of its module.
  }];
  let arguments = (ins SymbolNameAttr:$sym_name,
                       TypeAttrOf<FunctionType>:$function_type,
                       OptionalAttr<StrAttr>:$sym_visibility,
                       OptionalAttr<DictArrayAttr>:$arg_attrs,
                       OptionalAttr<DictArrayAttr>:$res_attrs);
  let extraClassDeclaration = functionExtraDecls # [{
    bool isDeclaration() { return getBody().empty(); }
  }];
}

def Wooly_CallOp : Wooly_Op<"call",
    [CallOpInterface, DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "call a device function in the same module";
  let arguments = (ins FlatSymbolRefAttr:$callee, Variadic<AnyType>:$operands,
                       OptionalAttr<DictArrayAttr>:$arg_attrs,
                       OptionalAttr<DictArrayAttr>:$res_attrs);
  let results = (outs Variadic<AnyType>);
  let assemblyFormat = [{
    $callee `(` $operands `)` attr-dict `:` functional-type($operands, results)
  }];
  let extraClassDeclaration = [{
    ::mlir::FunctionType getCalleeType();
    ::mlir::CallInterfaceCallable getCallableForCallee() {
      return (*this)->getAttrOfType<::mlir::SymbolRefAttr>("callee");
    }
    void setCalleeFromCallable(::mlir::CallInterfaceCallable callee) {
      (*this)->setAttr("callee", ::llvm::cast<::mlir::SymbolRefAttr>(callee));
    }
    ::mlir::Operation::operand_range getArgOperands() { return getOperands(); }
    ::mlir::MutableOperandRange getArgOperandsMutable() {
      return getOperandsMutable();
    }
  }];
}

def Wooly_ReturnOp : Wooly_Op<"return",
    [Pure, ReturnLike, Terminator, ParentOneOf<["KernelOp", "FuncOp"]>]> {
  let summary = "return from a kernel or device function";
  let arguments = (ins Variadic<AnyType>:$operands);
  let assemblyFormat = "attr-dict ($operands^ `:` type($operands))?";
  let hasVerifier = 1;
}

def Wooly_ExitOp : Wooly_Op<"exit", [Terminator]> {
  let summary = "end this thread (PTX `exit`), from any function depth";
  let description = [{
    In a kernel it behaves as `wooly.return`; in a device function it ends the
    calling thread too. A thread that has exited no longer takes part in
    block barriers.
  }];
  let assemblyFormat = "attr-dict";
}

def Wooly_TrapOp : Wooly_Op<"trap", [Terminator]> {
  let summary = "abort the launch with an error (PTX `trap`)";
  let description = [{
    The launch ends with a trap error reported to the host at the next
    synchronizing call; other launches and sessions are unaffected.
  }];
  let assemblyFormat = "attr-dict";
}

def Wooly_BreakpointOp : Wooly_Op<"breakpoint"> {
  let summary = "a debugger breakpoint (PTX `brkpt`); a no-op without a debugger";
  let assemblyFormat = "attr-dict";
}

//===----------------------------------------------------------------------===//
// Module-scope variables and addresses
//===----------------------------------------------------------------------===//

def Wooly_GlobalOp : Wooly_Op<"global", [Symbol]> {
  let summary = "a module-scope variable in global, const or shared memory";
  let description = [{
    `count` elements of `element_type` (a scalar type), aligned to `alignment`
    bytes. An optional `initializer` (dense elements or a byte string) fills
    global and const variables; shared variables cannot be initialized (each
    block gets its own uninitialized copy). `extern` marks a variable whose
    storage the host registers (`__cudaRegisterVar`) or, in shared memory,
    the block's dynamic shared memory (size 0).

    ```mlir
    wooly.global @table : 256 x f32 in const align 16 = dense<0.0> : tensor<256xf32>
    wooly.global @tile : 1024 x f32 in shared align 4
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name,
                       TypeAttr:$element_type,
                       I64Attr:$count,
                       Wooly_AddressSpaceAttr:$space,
                       DefaultValuedAttr<I64Attr, "1">:$alignment,
                       OptionalAttr<AnyAttr>:$initializer,
                       UnitAttr:$is_extern);
  let assemblyFormat = [{
    $sym_name `:` $count `x` $element_type `in` `` $space (`align` $alignment^)?
    (`extern` $is_extern^)? (`=` $initializer^)? attr-dict
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// Size in bytes (element size times count).
    uint64_t getSizeInBytes();
  }];
}

def Wooly_AddressOfOp : Wooly_Op<"addressof",
    [Pure, DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "address of a module-scope variable";
  let arguments = (ins FlatSymbolRefAttr:$global_name);
  let results = (outs Wooly_AnyPtr:$result);
  let assemblyFormat = "$global_name attr-dict `:` qualified(type($result))";
}

def Wooly_DynamicSharedOp : Wooly_Op<"dynamic_shared", [Pure]> {
  let summary = "base of the block's dynamic shared memory";
  let results = (outs Wooly_PtrIn<"Shared">:$result);
  let assemblyFormat = "attr-dict `:` qualified(type($result))";
}

def Wooly_LocalAllocaOp : Wooly_Op<"local_alloca"> {
  let summary = "per-thread local memory (PTX `.local` arrays)";
  let description = [{
    `size` bytes of memory private to the thread for the duration of the
    enclosing function call.
  }];
  let arguments = (ins I64Attr:$size, DefaultValuedAttr<I64Attr, "1">:$alignment);
  let results = (outs Wooly_PtrIn<"Local">:$result);
  let assemblyFormat = "$size (`align` $alignment^)? attr-dict `:` qualified(type($result))";
  let hasVerifier = 1;
}

def Wooly_PtrAddOp : Wooly_Op<"ptradd", [Pure, AllTypesMatch<["base", "result"]>]> {
  let summary = "byte offset from a pointer (wrapping, like PTX address arithmetic)";
  let arguments = (ins Wooly_AnyPtr:$base, AnySignlessInteger:$offset);
  let results = (outs Wooly_AnyPtr:$result);
  let assemblyFormat = "$base `,` $offset attr-dict `:` qualified(type($base)) `,` type($offset)";
  let hasFolder = 1;
}

def Wooly_IntToPtrOp : Wooly_Op<"inttoptr", [Pure]> {
  let summary = "integer to pointer (PTX addresses live in integer registers)";
  let arguments = (ins AnySignlessInteger:$value);
  let results = (outs Wooly_AnyPtr:$result);
  let assemblyFormat = "$value attr-dict `:` type($value) `to` qualified(type($result))";
  let hasFolder = 1;
}

def Wooly_PtrToIntOp : Wooly_Op<"ptrtoint", [Pure]> {
  let summary = "pointer to integer";
  let arguments = (ins Wooly_AnyPtr:$ptr);
  let results = (outs AnySignlessInteger:$result);
  let assemblyFormat = "$ptr attr-dict `:` qualified(type($ptr)) `to` type($result)";
  let hasFolder = 1;
}

def Wooly_CastSpaceOp : Wooly_Op<"cast_space", [Pure]> {
  let summary = "convert between a specific address space and generic (PTX `cvta`)";
  let description = [{
    Exactly one of source and result must be `generic`. A generic address
    that does not point into the named space gives an undefined address, as
    in PTX.
  }];
  let arguments = (ins Wooly_AnyPtr:$ptr);
  let results = (outs Wooly_AnyPtr:$result);
  let assemblyFormat = "$ptr attr-dict `:` qualified(type($ptr)) `to` qualified(type($result))";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Wooly_IsSpaceOp : Wooly_Op<"is_space", [Pure]> {
  let summary = "does a generic address point into a given space (PTX `isspacep`)";
  let description = [{
    True when the generic address `ptr` lies in the window of `space`
    (global, shared, local, const or param) as the device maps it; for
    `shared` and `local` that means this thread's block's shared memory and
    this thread's own local memory.
  }];
  let arguments = (ins Wooly_PtrIn<"Generic">:$ptr, Wooly_AddressSpaceAttr:$space);
  let results = (outs I1:$result);
  let assemblyFormat = "$ptr `,` `` $space attr-dict `:` qualified(type($ptr))";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Memory access
//===----------------------------------------------------------------------===//

def Wooly_LoadOp : Wooly_Op<"load"> {
  let summary = "load a scalar from memory";
  let description = [{
    `alignment` is the known byte alignment of the address (backends may
    widen aligned neighbouring accesses). `volatile` accesses are never
    merged or removed. A non-weak `order` makes the load atomic with that
    ordering at `scope` (PTX `ld.relaxed/ld.acquire`). `cache` is a hint.
    `invariant` marks read-only data for the whole kernel (PTX `ld.global.nc`).
  }];
  let arguments = (ins Arg<Wooly_AnyPtr, "", [MemRead]>:$ptr,
                       DefaultValuedAttr<I64Attr, "1">:$alignment,
                       UnitAttr:$is_volatile, UnitAttr:$invariant,
                       DefaultValuedAttr<Wooly_MemOrderAttr, "::wooly::MemOrder::Weak">:$order,
                       DefaultValuedAttr<Wooly_MemScopeAttr, "::wooly::MemScope::GPU">:$scope,
                       DefaultValuedAttr<Wooly_CacheHintAttr, "::wooly::CacheHint::None">:$cache);
  let results = (outs Wooly_Scalar:$result);
  let assemblyFormat = "$ptr attr-dict `:` qualified(type($ptr)) `->` type($result)";
  let hasVerifier = 1;
}

def Wooly_StoreOp : Wooly_Op<"store"> {
  let summary = "store a scalar to memory";
  let arguments = (ins Wooly_Scalar:$value, Arg<Wooly_AnyPtr, "", [MemWrite]>:$ptr,
                       DefaultValuedAttr<I64Attr, "1">:$alignment,
                       UnitAttr:$is_volatile,
                       DefaultValuedAttr<Wooly_MemOrderAttr, "::wooly::MemOrder::Weak">:$order,
                       DefaultValuedAttr<Wooly_MemScopeAttr, "::wooly::MemScope::GPU">:$scope,
                       DefaultValuedAttr<Wooly_CacheHintAttr, "::wooly::CacheHint::None">:$cache);
  let assemblyFormat = "$value `,` $ptr attr-dict `:` type($value) `,` qualified(type($ptr))";
  let hasVerifier = 1;
}

def Wooly_PrefetchOp : Wooly_Op<"prefetch"> {
  let summary = "a hint that memory will be read soon (never faults)";
  let arguments = (ins Wooly_AnyPtr:$ptr);
  let assemblyFormat = "$ptr attr-dict `:` qualified(type($ptr))";
}

def Wooly_AtomicRMWOp : Wooly_Op<"atomic_rmw", [AllTypesMatch<["value", "result"]>]> {
  let summary = "atomic read-modify-write; returns the old value (PTX `atom`, `red`)";
  let arguments = (ins Wooly_AtomicKindAttr:$kind,
                       Arg<Wooly_AnyPtr, "", [MemRead, MemWrite]>:$ptr,
                       Wooly_IntOrFloat:$value,
                       DefaultValuedAttr<Wooly_MemScopeAttr, "::wooly::MemScope::GPU">:$scope,
                       DefaultValuedAttr<Wooly_MemOrderAttr, "::wooly::MemOrder::Relaxed">:$order);
  let results = (outs Wooly_IntOrFloat:$result);
  let assemblyFormat = [{
    `` $kind $ptr `,` $value attr-dict `:` qualified(type($ptr)) `,` type($value)
  }];
  let hasVerifier = 1;
  let builders = [OpBuilder<(ins "::wooly::AtomicKind":$kind, "::mlir::Value":$ptr,
                                 "::mlir::Value":$value), [{
    build($_builder, $_state, value.getType(), kind, ptr, value,
          ::wooly::MemScope::GPU, ::wooly::MemOrder::Relaxed);
  }]>];
}

def Wooly_AtomicCASOp : Wooly_Op<"atomic_cas", [AllTypesMatch<["expected", "desired", "result"]>]> {
  let summary = "atomic compare-and-swap; returns the old value";
  let arguments = (ins Arg<Wooly_AnyPtr, "", [MemRead, MemWrite]>:$ptr,
                       AnySignlessInteger:$expected, AnySignlessInteger:$desired,
                       DefaultValuedAttr<Wooly_MemScopeAttr, "::wooly::MemScope::GPU">:$scope,
                       DefaultValuedAttr<Wooly_MemOrderAttr, "::wooly::MemOrder::Relaxed">:$order);
  let results = (outs AnySignlessInteger:$result);
  let assemblyFormat = [{
    $ptr `,` $expected `,` $desired attr-dict `:` qualified(type($ptr)) `,` type($result)
  }];
  let hasVerifier = 1;
}

def Wooly_FenceOp : Wooly_Op<"fence"> {
  let summary = "memory fence (PTX `membar`, `fence`)";
  let arguments = (ins Wooly_MemScopeAttr:$scope,
                       Wooly_MemOrderAttr:$order);
  let assemblyFormat = "`` $scope `` $order attr-dict";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Thread geometry and special registers
//===----------------------------------------------------------------------===//

class Wooly_GeometryOp<string mnemonic, string what>
    : Wooly_Op<mnemonic, [Pure]> {
  let summary = what;
  let arguments = (ins Wooly_DimAttr:$dim);
  let results = (outs I32:$result);
  let assemblyFormat = "`` $dim attr-dict `:` type($result)";
}

def Wooly_ThreadIdOp : Wooly_GeometryOp<"thread_id", "thread index within the block (%tid)">;
def Wooly_BlockDimOp : Wooly_GeometryOp<"block_dim", "block size (%ntid)">;
def Wooly_BlockIdOp : Wooly_GeometryOp<"block_id", "block index within the grid (%ctaid)">;
def Wooly_GridDimOp : Wooly_GeometryOp<"grid_dim", "grid size in blocks (%nctaid)">;

def Wooly_LaneIdOp : Wooly_Op<"lane_id", [Pure]> {
  let summary = "lane within the 32-lane warp (%laneid)";
  let results = (outs I32:$result);
  let assemblyFormat = "attr-dict `:` type($result)";
}

def Wooly_LaneMaskOp : Wooly_Op<"lane_mask", [Pure]> {
  let summary = "bit mask of lanes relative to this lane (%lanemask_*)";
  let arguments = (ins Wooly_LaneMaskAttr:$kind);
  let results = (outs I32:$result);
  let assemblyFormat = "`` $kind attr-dict `:` type($result)";
}

def Wooly_DynamicSharedSizeOp : Wooly_Op<"dynamic_shared_size", [Pure]> {
  let summary = "bytes of dynamic shared memory of this launch (%dynamic_smem_size)";
  let results = (outs I32:$result);
  let assemblyFormat = "attr-dict `:` type($result)";
}

def Wooly_HardwareRegOp : Wooly_Op<"hw_reg"> {
  let summary = "a hardware placement register (%smid, %warpid, ...)";
  let description = [{
    Values depend on the device and may change during execution; programs may
    only use them as hints, as in PTX.
  }];
  let arguments = (ins Wooly_HardwareRegAttr:$reg);
  let results = (outs AnySignlessInteger:$result);
  let assemblyFormat = "`` $reg attr-dict `:` type($result)";
}

def Wooly_ClockOp : Wooly_Op<"clock"> {
  let summary = "a cycle counter (%clock, %clock64)";
  let results = (outs AnyTypeOf<[I32, I64]>:$result);
  let assemblyFormat = "attr-dict `:` type($result)";
}

def Wooly_GlobalTimerOp : Wooly_Op<"global_timer"> {
  let summary = "nanoseconds from a device-wide clock (%globaltimer)";
  let results = (outs I64:$result);
  let assemblyFormat = "attr-dict `:` type($result)";
}

//===----------------------------------------------------------------------===//
// Synchronization and warp collectives
//===----------------------------------------------------------------------===//

def Wooly_BarrierOp : Wooly_Op<"barrier"> {
  let summary = "block barrier (PTX `bar.sync`, `barrier.sync`)";
  let description = [{
    Waits until `count` threads of the block (all of them when absent; a
    multiple of 32) have arrived at barrier `id` (0..15), and orders memory
    accesses of the block around it. With `arrive`, the thread signals
    arrival without waiting (PTX `bar.arrive`; `count` is then required).
  }];
  let arguments = (ins DefaultValuedAttr<I32Attr, "0">:$id,
                       Optional<I32>:$count, UnitAttr:$arrive);
  let assemblyFormat = "(`id` $id^)? (`count` $count^)? (`arrive` $arrive^)? attr-dict";
  let hasVerifier = 1;
}

def Wooly_BarrierReduceOp : Wooly_Op<"barrier_reduce"> {
  let summary = "block barrier that reduces a predicate over the block (PTX `bar.red`)";
  let arguments = (ins Wooly_BarrierReductionAttr:$kind, I1:$predicate,
                       DefaultValuedAttr<I32Attr, "0">:$id, Optional<I32>:$count);
  let results = (outs AnyTypeOf<[I1, I32]>:$result);
  let assemblyFormat = "`` $kind $predicate (`id` $id^)? (`count` $count^)? attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def Wooly_WarpSyncOp : Wooly_Op<"warp_sync"> {
  let summary = "wait for the lanes in `mask` (PTX `bar.warp.sync`)";
  let arguments = (ins I32:$mask);
  let assemblyFormat = "$mask attr-dict";
}

def Wooly_ShuffleOp : Wooly_Op<"shuffle"> {
  let summary = "exchange a 32-bit value between lanes (PTX `shfl.sync`)";
  let description = [{
    `c` packs PTX's clamp value (bits 0-4) and segment mask (bits 8-12).
    For each lane the source lane is computed as PTX defines per mode
    (idx/up/down/xor); `valid` is false when the source lane is outside the
    clamp/segment bounds or not in `mask`, and then `result` is the lane's own
    `value`. Every lane named in `mask` must execute the same shuffle.
  }];
  let arguments = (ins Wooly_ShuffleModeAttr:$mode, I32:$value, I32:$lane,
                       I32:$c, I32:$mask);
  let results = (outs I32:$result, I1:$valid);
  let assemblyFormat = "`` $mode $value `,` $lane `,` $c `,` $mask attr-dict `:` type($result)";
}

def Wooly_VoteOp : Wooly_Op<"vote"> {
  let summary = "warp vote over a predicate (PTX `vote.sync`)";
  let description = [{
    `any`, `all`, `uni` give an `i1`; `ballot` gives the `i32` mask of lanes
    in `mask` whose predicate is true.
  }];
  let arguments = (ins Wooly_VoteModeAttr:$mode, I1:$predicate, I32:$mask);
  let results = (outs AnyTypeOf<[I1, I32]>:$result);
  let assemblyFormat = "`` $mode $predicate `,` $mask attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def Wooly_MatchOp : Wooly_Op<"match"> {
  let summary = "lanes holding the same value (PTX `match.sync`)";
  let description = [{
    `any`: the mask of lanes in `mask` whose value equals this lane's.
    `all`: `mask` if all those lanes hold the same value, else 0; `all_equal`
    says which (it is always true for `any`).
  }];
  let arguments = (ins Wooly_MatchModeAttr:$mode, AnyTypeOf<[I32, I64]>:$value,
                       I32:$mask);
  let results = (outs I32:$result, I1:$all_equal);
  let assemblyFormat = "`` $mode $value `,` $mask attr-dict `:` type($value)";
}

def Wooly_ReduxOp : Wooly_Op<"redux"> {
  let summary = "warp-wide integer reduction (PTX `redux.sync`)";
  let arguments = (ins Wooly_ReduxKindAttr:$kind, I32:$value, I32:$mask);
  let results = (outs I32:$result);
  let assemblyFormat = "`` $kind $value `,` $mask attr-dict `:` type($result)";
}

def Wooly_ActiveMaskOp : Wooly_Op<"active_mask"> {
  let summary = "mask of the warp's lanes executing this instruction (PTX `activemask`)";
  let results = (outs I32:$result);
  let assemblyFormat = "attr-dict `:` type($result)";
}

//===----------------------------------------------------------------------===//
// Floating point with explicit rounding, flush-to-zero and saturation
//===----------------------------------------------------------------------===//

def Wooly_FPOp : Wooly_Op<"fp", [Pure, SameOperandsAndResultType]> {
  let summary = "IEEE float operation with explicit rounding, ftz and saturation";
  let description = [{
    For what `arith`/`math` cannot say: a rounding mode other than
    round-to-nearest-even, flush of subnormal inputs and results to sign-
    preserving zero (`ftz`), clamping of the result to [0, 1] with NaN giving
    0 (`sat`), and PTX's min/max rules (`min`/`max` return the non-NaN
    operand; `min_nan`/`max_nan` propagate NaN). The operand count follows
    the kind: 1 for sqrt/rcp/abs/neg, 3 for fma, 2 otherwise.
  }];
  let arguments = (ins Wooly_FPOpKindAttr:$kind, Variadic<AnyFloat>:$operands,
                       DefaultValuedAttr<Wooly_RoundingAttr, "::wooly::Rounding::RN">:$rounding,
                       UnitAttr:$ftz, UnitAttr:$sat);
  let results = (outs AnyFloat:$result);
  let assemblyFormat = [{
    `` $kind $operands (`rounding` `` $rounding^)? (`ftz` $ftz^)? (`sat` $sat^)? attr-dict `:` type($result)
  }];
  let hasVerifier = 1;
}

def Wooly_ApproxOp : Wooly_Op<"approx", [Pure, SameOperandsAndResultType]> {
  let summary = "hardware-approximate math (PTX `.approx`)";
  let description = [{
    Accuracy as PTX documents for the function (e.g. `ex2` 2 ulp, `sin`
    absolute error 2^-20.9 in [-pi, pi]); backends may use any implementation
    at least that accurate, never a silently different function.
    `div` takes two operands, every other kind one.
  }];
  let arguments = (ins Wooly_ApproxKindAttr:$kind, Variadic<AnyFloat>:$operands,
                       UnitAttr:$ftz);
  let results = (outs AnyFloat:$result);
  let assemblyFormat = "`` $kind $operands (`ftz` $ftz^)? attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def Wooly_FPToIntOp : Wooly_Op<"fptoint", [Pure]> {
  let summary = "float to integer with rounding, saturating (PTX `cvt.rXi.sN.fM`)";
  let description = [{
    Rounds to an integral value with `rounding`, then saturates to the
    destination range; NaN gives 0. `unsigned` selects the unsigned range.
  }];
  let arguments = (ins AnyFloat:$value, Wooly_RoundingAttr:$rounding,
                       UnitAttr:$is_unsigned, UnitAttr:$ftz);
  let results = (outs AnySignlessInteger:$result);
  let assemblyFormat = [{
    $value `` $rounding (`unsigned` $is_unsigned^)? (`ftz` $ftz^)? attr-dict `:` type($value) `to` type($result)
  }];
}

def Wooly_IntToFPOp : Wooly_Op<"inttofp", [Pure]> {
  let summary = "integer to float with an explicit rounding mode";
  let arguments = (ins AnySignlessInteger:$value, Wooly_RoundingAttr:$rounding,
                       UnitAttr:$is_unsigned);
  let results = (outs AnyFloat:$result);
  let assemblyFormat = [{
    $value `` $rounding (`unsigned` $is_unsigned^)? attr-dict `:` type($value) `to` type($result)
  }];
}

def Wooly_FPConvertOp : Wooly_Op<"fpconvert", [Pure]> {
  let summary = "float to float with rounding, ftz and saturation";
  let description = [{
    Narrowing uses `rounding`; with a `*i` meaning (`integral`) the value is
    rounded to an integral value in the same or another float type (PTX
    `cvt.rni.f32.f32`).
  }];
  let arguments = (ins AnyFloat:$value,
                       DefaultValuedAttr<Wooly_RoundingAttr, "::wooly::Rounding::RN">:$rounding,
                       UnitAttr:$integral, UnitAttr:$ftz, UnitAttr:$sat);
  let results = (outs AnyFloat:$result);
  let assemblyFormat = [{
    $value (`rounding` `` $rounding^)? (`integral` $integral^)? (`ftz` $ftz^)? (`sat` $sat^)? attr-dict `:` type($value) `to` type($result)
  }];
}

//===----------------------------------------------------------------------===//
// Bit manipulation that arith/math cannot express in one op
//===----------------------------------------------------------------------===//

def Wooly_BitReverseOp : Wooly_Op<"bit_reverse", [Pure, SameOperandsAndResultType]> {
  let summary = "reverse the bits of an integer (PTX `brev`)";
  let arguments = (ins AnyTypeOf<[I32, I64]>:$value);
  let results = (outs AnyTypeOf<[I32, I64]>:$result);
  let assemblyFormat = "$value attr-dict `:` type($result)";
}

def Wooly_BitFieldExtractOp : Wooly_Op<"bfe", [Pure, AllTypesMatch<["value", "result"]>]> {
  let summary = "extract a bit field (PTX `bfe`), sign-extended when `signed`";
  let description = [{
    `pos` and `len` use only their low 8 bits. Bits beyond the width read as
    the sign bit (signed) or 0; `len` 0 gives 0.
  }];
  let arguments = (ins AnyTypeOf<[I32, I64]>:$value, I32:$pos, I32:$len,
                       UnitAttr:$is_signed);
  let results = (outs AnyTypeOf<[I32, I64]>:$result);
  let assemblyFormat = "$value `,` $pos `,` $len (`signed` $is_signed^)? attr-dict `:` type($result)";
}

def Wooly_BitFieldInsertOp : Wooly_Op<"bfi", [Pure, AllTypesMatch<["insert", "base", "result"]>]> {
  let summary = "insert a bit field (PTX `bfi`)";
  let arguments = (ins AnyTypeOf<[I32, I64]>:$insert, AnyTypeOf<[I32, I64]>:$base,
                       I32:$pos, I32:$len);
  let results = (outs AnyTypeOf<[I32, I64]>:$result);
  let assemblyFormat = "$insert `,` $base `,` $pos `,` $len attr-dict `:` type($result)";
}

def Wooly_BytePermuteOp : Wooly_Op<"prmt", [Pure]> {
  let summary = "select bytes from two 32-bit values (PTX `prmt`, default mode)";
  let arguments = (ins I32:$a, I32:$b, I32:$selector);
  let results = (outs I32:$result);
  let assemblyFormat = "$a `,` $b `,` $selector attr-dict `:` type($result)";
}

def Wooly_FunnelShiftOp : Wooly_Op<"funnel_shift", [Pure]> {
  let summary = "funnel shift of a 64-bit pair (PTX `shf`)";
  let description = [{
    Shifts the concatenation `hi:lo` left (`left`) or right by `amount`;
    `clamp` clamps the amount to 32, otherwise it wraps modulo 32. Returns
    the high word for a left shift and the low word for a right shift.
  }];
  let arguments = (ins I32:$lo, I32:$hi, I32:$amount, UnitAttr:$left, UnitAttr:$clamp);
  let results = (outs I32:$result);
  let assemblyFormat = [{
    $lo `,` $hi `,` $amount (`left` $left^)? (`clamp` $clamp^)? attr-dict `:` type($result)
  }];
}

//===----------------------------------------------------------------------===//
// Output
//===----------------------------------------------------------------------===//

def Wooly_PrintfOp : Wooly_Op<"printf"> {
  let summary = "formatted output to the host (CUDA `printf`, PTX `vprintf`)";
  let description = [{
    `format` points at a NUL-terminated format string; `args` at the packed
    argument buffer as CUDA's `vprintf` lays it out (each argument aligned to
    its size, floats promoted to double). The result is the number of
    arguments, or a negative value on failure.
  }];
  let arguments = (ins Wooly_AnyPtr:$format, Wooly_AnyPtr:$args);
  let results = (outs I32:$result);
  let assemblyFormat = "$format `,` $args attr-dict `:` qualified(type($format)) `,` qualified(type($args))";
}

def Wooly_AssertFailOp : Wooly_Op<"assert_fail"> {
  let summary = "a failed device-side `assert` (CUDA `__assertfail`)";
  let description = [{
    Reports message, file, line and function to the host and ends the launch
    with an error, as a trap does.
  }];
  let arguments = (ins Wooly_AnyPtr:$message, Wooly_AnyPtr:$file, I32:$line,
                       Wooly_AnyPtr:$function);
  let assemblyFormat = [{
    $message `,` $file `,` $line `,` $function attr-dict `:`
    qualified(type($message)) `,` qualified(type($file)) `,` qualified(type($function))
  }];
}

//===----------------------------------------------------------------------===//
// Register slots (front-end only; removed by mem2reg)
//===----------------------------------------------------------------------===//

def Wooly_RegOp : Wooly_Op<"reg", [
    DeclareOpInterfaceMethods<PromotableAllocationOpInterface>]> {
  let summary = "a PTX register slot";
  let results = (outs Wooly_RegType:$reg);
  let assemblyFormat = "attr-dict `:` qualified(type($reg))";
}

def Wooly_RegReadOp : Wooly_Op<"reg_read", [
    DeclareOpInterfaceMethods<PromotableMemOpInterface>,
    TypesMatchWith<"result type is the register's element type", "reg", "result",
                   "::llvm::cast<::wooly::RegType>($_self).getElementType()">]> {
  let summary = "read a register slot";
  let arguments = (ins Arg<Wooly_RegType, "", [MemRead]>:$reg);
  let results = (outs AnyType:$result);
  let assemblyFormat = "$reg attr-dict `:` qualified(type($reg))";
}

def Wooly_RegWriteOp : Wooly_Op<"reg_write", [
    DeclareOpInterfaceMethods<PromotableMemOpInterface>,
    TypesMatchWith<"value type is the register's element type", "reg", "value",
                   "::llvm::cast<::wooly::RegType>($_self).getElementType()">]> {
  let summary = "write a register slot";
  let arguments = (ins AnyType:$value, Arg<Wooly_RegType, "", [MemWrite]>:$reg);
  let assemblyFormat = "$value `,` $reg attr-dict `:` qualified(type($reg))";
}

#endif // WOOLY_OPS_TD
