//===- PackHalfPairs.h - Scalar half pairs back to f16x2 ops ----*- C++ -*-===//
//
// WIS has no vector types: the PTX front end splits a packed .f16x2 operation
// into two scalar f16 operations on the halves of a b32 register and packs
// the results back into it. NVPTX then emits two scalar f16 instructions plus
// the unpacking and packing, where nvcc's PTX had one f16x2 instruction.
// packHalfPairs finds such pairs and makes them one <2 x half> operation
// again, which the NVPTX backend selects as the f16x2 instruction.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_COMPILER_TARGET_NVPTX_PACKHALFPAIRS_H
#define WOOLY_COMPILER_TARGET_NVPTX_PACKHALFPAIRS_H

namespace llvm {
class Module;
} // namespace llvm

namespace wooly::nvptx {

/// Rewrites `zext(bitcast(op(a0, b0...))) | zext(bitcast(op(a1, b1...))) << 16`
/// (op: fadd, fsub, fmul or llvm.fma on half, each result used only there)
/// into `bitcast(op(<a0, a1>, <b0, b1>...))`. Lane-wise the same operations
/// with the same rounding, so the bits are the same. Any other
/// `zext(lo) | zext(hi) << 16` of two i16 becomes `bitcast(<lo, hi>)`, which
/// the backend writes as mov.b32 {lo, hi}. Returns whether anything changed.
bool packHalfPairs(llvm::Module &module);

} // namespace wooly::nvptx

#endif // WOOLY_COMPILER_TARGET_NVPTX_PACKHALFPAIRS_H
