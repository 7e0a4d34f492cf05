//===- WoolyEnums.td - Enumerations of the WIS abstract machine -*- tablegen -*-===//
#ifndef WOOLY_ENUMS_TD
#define WOOLY_ENUMS_TD

include "dialects/wooly/WoolyDialect.td"
include "mlir/IR/EnumAttr.td"

// Enum attributes print as a bare keyword where an op's syntax names them and
// as `#wooly<scope gpu>` in attribute dictionaries.
class Wooly_EnumAttr<EnumAttrInfo enumInfo, string name>
    : EnumAttr<Wooly_Dialect, enumInfo, name>;

// The numbering is part of the bytecode format: append only.
def Wooly_AddressSpace : I32EnumAttr<"AddressSpace", "memory address space", [
    I32EnumAttrCase<"Generic", 0, "generic">,
    I32EnumAttrCase<"Global", 1, "global">,
    I32EnumAttrCase<"Shared", 3, "shared">,
    I32EnumAttrCase<"Const", 4, "const">,
    I32EnumAttrCase<"Local", 5, "local">,
    I32EnumAttrCase<"Param", 101, "param">]> {
  let cppNamespace = "::wooly";
  let genSpecializedAttr = 0;
}
def Wooly_AddressSpaceAttr : Wooly_EnumAttr<Wooly_AddressSpace, "space">;

def Wooly_Dim : I32EnumAttr<"Dim", "grid dimension", [
    I32EnumAttrCase<"X", 0, "x">, I32EnumAttrCase<"Y", 1, "y">,
    I32EnumAttrCase<"Z", 2, "z">]> {
  let cppNamespace = "::wooly";
  let genSpecializedAttr = 0;
}
def Wooly_DimAttr : Wooly_EnumAttr<Wooly_Dim, "dim">;

def Wooly_ShuffleMode : I32EnumAttr<"ShuffleMode", "warp shuffle mode", [
    I32EnumAttrCase<"Idx", 0, "idx">, I32EnumAttrCase<"Up", 1, "up">,
    I32EnumAttrCase<"Down", 2, "down">, I32EnumAttrCase<"Xor", 3, "xor">]> {
  let cppNamespace = "::wooly";
  let genSpecializedAttr = 0;
}
def Wooly_ShuffleModeAttr : Wooly_EnumAttr<Wooly_ShuffleMode, "shuffle_mode">;

def Wooly_VoteMode : I32EnumAttr<"VoteMode", "warp vote mode", [
    I32EnumAttrCase<"Any", 0, "any">, I32EnumAttrCase<"All", 1, "all">,
    I32EnumAttrCase<"Uni", 2, "uni">, I32EnumAttrCase<"Ballot", 3, "ballot">]> {
  let cppNamespace = "::wooly";
  let genSpecializedAttr = 0;
}
def Wooly_VoteModeAttr : Wooly_EnumAttr<Wooly_VoteMode, "vote_mode">;

def Wooly_MatchMode : I32EnumAttr<"MatchMode", "warp match mode", [
    I32EnumAttrCase<"Any", 0, "any">, I32EnumAttrCase<"All", 1, "all">]> {
  let cppNamespace = "::wooly";
  let genSpecializedAttr = 0;
}
def Wooly_MatchModeAttr : Wooly_EnumAttr<Wooly_MatchMode, "match_mode">;

def Wooly_ReduxKind : I32EnumAttr<"ReduxKind", "warp reduction", [
    I32EnumAttrCase<"Add", 0, "add">, I32EnumAttrCase<"Min", 1, "min">,
    I32EnumAttrCase<"Max", 2, "max">, I32EnumAttrCase<"UMin", 3, "umin">,
    I32EnumAttrCase<"UMax", 4, "umax">, I32EnumAttrCase<"And", 5, "and">,
    I32EnumAttrCase<"Or", 6, "or">, I32EnumAttrCase<"Xor", 7, "xor">]> {
  let cppNamespace = "::wooly";
  let genSpecializedAttr = 0;
}
def Wooly_ReduxKindAttr : Wooly_EnumAttr<Wooly_ReduxKind, "redux_kind">;

def Wooly_BarrierReduction : I32EnumAttr<"BarrierReduction",
    "reduction performed by a block barrier", [
    I32EnumAttrCase<"Popc", 0, "popc">, I32EnumAttrCase<"And", 1, "and">,
    I32EnumAttrCase<"Or", 2, "or">]> {
  let cppNamespace = "::wooly";
  let genSpecializedAttr = 0;
}
def Wooly_BarrierReductionAttr
    : Wooly_EnumAttr<Wooly_BarrierReduction, "barrier_reduction">;

// `inc`/`dec` are PTX's wrapping counters: inc: old >= v ? 0 : old + 1;
// dec: (old == 0 || old > v) ? v : old - 1 (unsigned).
def Wooly_AtomicKind : I32EnumAttr<"AtomicKind", "atomic read-modify-write", [
    I32EnumAttrCase<"Exch", 0, "exch">, I32EnumAttrCase<"Add", 1, "add">,
    I32EnumAttrCase<"FAdd", 2, "fadd">, I32EnumAttrCase<"And", 3, "and">,
    I32EnumAttrCase<"Or", 4, "or">, I32EnumAttrCase<"Xor", 5, "xor">,
    I32EnumAttrCase<"Min", 6, "min">, I32EnumAttrCase<"Max", 7, "max">,
    I32EnumAttrCase<"UMin", 8, "umin">, I32EnumAttrCase<"UMax", 9, "umax">,
    I32EnumAttrCase<"Inc", 10, "inc">, I32EnumAttrCase<"Dec", 11, "dec">,
    I32EnumAttrCase<"FMin", 12, "fmin">, I32EnumAttrCase<"FMax", 13, "fmax">]> {
  let cppNamespace = "::wooly";
  let genSpecializedAttr = 0;
}
def Wooly_AtomicKindAttr : Wooly_EnumAttr<Wooly_AtomicKind, "atomic_kind">;

def Wooly_MemScope : I32EnumAttr<"MemScope", "memory scope", [
    I32EnumAttrCase<"CTA", 0, "cta">, I32EnumAttrCase<"Cluster", 1, "cluster">,
    I32EnumAttrCase<"GPU", 2, "gpu">, I32EnumAttrCase<"Sys", 3, "sys">]> {
  let cppNamespace = "::wooly";
  let genSpecializedAttr = 0;
}
def Wooly_MemScopeAttr : Wooly_EnumAttr<Wooly_MemScope, "scope">;

def Wooly_MemOrder : I32EnumAttr<"MemOrder", "memory ordering", [
    I32EnumAttrCase<"Weak", 0, "weak">, I32EnumAttrCase<"Relaxed", 1, "relaxed">,
    I32EnumAttrCase<"Acquire", 2, "acquire">, I32EnumAttrCase<"Release", 3, "release">,
    I32EnumAttrCase<"AcqRel", 4, "acq_rel">, I32EnumAttrCase<"SeqCst", 5, "seq_cst">]> {
  let cppNamespace = "::wooly";
  let genSpecializedAttr = 0;
}
def Wooly_MemOrderAttr : Wooly_EnumAttr<Wooly_MemOrder, "order">;

// Cache operators of PTX loads and stores: hints only, never semantics.
def Wooly_CacheHint : I32EnumAttr<"CacheHint", "cache operator hint", [
    I32EnumAttrCase<"None", 0, "none">, I32EnumAttrCase<"CA", 1, "ca">,
    I32EnumAttrCase<"CG", 2, "cg">, I32EnumAttrCase<"CS", 3, "cs">,
    I32EnumAttrCase<"LU", 4, "lu">, I32EnumAttrCase<"CV", 5, "cv">,
    I32EnumAttrCase<"WB", 6, "wb">, I32EnumAttrCase<"WT", 7, "wt">,
    I32EnumAttrCase<"NC", 8, "nc">]> {
  let cppNamespace = "::wooly";
  let genSpecializedAttr = 0;
}
def Wooly_CacheHintAttr : Wooly_EnumAttr<Wooly_CacheHint, "cache">;

// IEEE rounding for float results; the *i forms round to an integral value.
def Wooly_Rounding : I32EnumAttr<"Rounding", "rounding mode", [
    I32EnumAttrCase<"RN", 0, "rn">, I32EnumAttrCase<"RZ", 1, "rz">,
    I32EnumAttrCase<"RM", 2, "rm">, I32EnumAttrCase<"RP", 3, "rp">,
    I32EnumAttrCase<"RNA", 4, "rna">]> {
  let cppNamespace = "::wooly";
  let genSpecializedAttr = 0;
}
def Wooly_RoundingAttr : Wooly_EnumAttr<Wooly_Rounding, "rounding">;

def Wooly_FPOpKind : I32EnumAttr<"FPOpKind",
    "IEEE float operation with explicit rounding", [
    I32EnumAttrCase<"Add", 0, "add">, I32EnumAttrCase<"Sub", 1, "sub">,
    I32EnumAttrCase<"Mul", 2, "mul">, I32EnumAttrCase<"Div", 3, "div">,
    I32EnumAttrCase<"Fma", 4, "fma">, I32EnumAttrCase<"Sqrt", 5, "sqrt">,
    I32EnumAttrCase<"Rcp", 6, "rcp">, I32EnumAttrCase<"Min", 7, "min">,
    I32EnumAttrCase<"Max", 8, "max">, I32EnumAttrCase<"MinNaN", 9, "min_nan">,
    I32EnumAttrCase<"MaxNaN", 10, "max_nan">, I32EnumAttrCase<"Abs", 11, "abs">,
    I32EnumAttrCase<"Neg", 12, "neg">]> {
  let cppNamespace = "::wooly";
  let genSpecializedAttr = 0;
}
def Wooly_FPOpKindAttr : Wooly_EnumAttr<Wooly_FPOpKind, "fp_kind">;

// Hardware approximations (PTX `.approx`): never silently IEEE.
def Wooly_ApproxKind : I32EnumAttr<"ApproxKind", "approximate math function", [
    I32EnumAttrCase<"Sin", 0, "sin">, I32EnumAttrCase<"Cos", 1, "cos">,
    I32EnumAttrCase<"Ex2", 2, "ex2">, I32EnumAttrCase<"Lg2", 3, "lg2">,
    I32EnumAttrCase<"Rcp", 4, "rcp">, I32EnumAttrCase<"Rsqrt", 5, "rsqrt">,
    I32EnumAttrCase<"Sqrt", 6, "sqrt">, I32EnumAttrCase<"Tanh", 7, "tanh">,
    I32EnumAttrCase<"Div", 8, "div">]> {
  let cppNamespace = "::wooly";
  let genSpecializedAttr = 0;
}
def Wooly_ApproxKindAttr : Wooly_EnumAttr<Wooly_ApproxKind, "approx_kind">;

def Wooly_LaneMask : I32EnumAttr<"LaneMask", "lane mask relative to the lane", [
    I32EnumAttrCase<"EQ", 0, "eq">, I32EnumAttrCase<"LT", 1, "lt">,
    I32EnumAttrCase<"LE", 2, "le">, I32EnumAttrCase<"GT", 3, "gt">,
    I32EnumAttrCase<"GE", 4, "ge">]> {
  let cppNamespace = "::wooly";
  let genSpecializedAttr = 0;
}
def Wooly_LaneMaskAttr : Wooly_EnumAttr<Wooly_LaneMask, "lane_mask">;

def Wooly_HardwareReg : I32EnumAttr<"HardwareReg",
    "hardware placement register (informational, values vary by device)", [
    I32EnumAttrCase<"WarpId", 0, "warpid">, I32EnumAttrCase<"NWarpId", 1, "nwarpid">,
    I32EnumAttrCase<"SmId", 2, "smid">, I32EnumAttrCase<"NSmId", 3, "nsmid">,
    I32EnumAttrCase<"GridId", 4, "gridid">]> {
  let cppNamespace = "::wooly";
  let genSpecializedAttr = 0;
}
def Wooly_HardwareRegAttr : Wooly_EnumAttr<Wooly_HardwareReg, "hw_reg">;

#endif // WOOLY_ENUMS_TD
