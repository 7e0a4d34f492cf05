//===- WoolyDialect.td - The Wooly Instruction Set dialect -*- tablegen -*-===//
//
// WIS: a vendor-neutral description of SIMT kernels. It says what PTX means, not
// how PTX spells it. Arithmetic lives in `arith`/`math` wherever their
// semantics match PTX exactly; `wooly` holds what they cannot say: the
// execution model (threads, blocks, warps), address spaces, memory ordering,
// explicit floating-point rounding/flush-to-zero/saturation, and approximate
// math.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_DIALECT_TD
#define WOOLY_DIALECT_TD

include "mlir/IR/OpBase.td"

def Wooly_Dialect : Dialect {
  let name = "wooly";
  let cppNamespace = "::wooly";
  let summary = "The Wooly Instruction Set: SIMT kernels for any GPU or CPU";
  let description = [{
    The abstract machine: threads in blocks in a grid (3-D ids and sizes);
    warps of exactly 32 lanes whatever the hardware; address spaces global,
    shared (per block), local (per thread), const, param and generic, named by
    `!wooly.ptr<space>`; block barriers, warp collectives, atomics with scope
    and ordering, fences. A WIS module uses only `wooly`, `arith`, `math`,
    `cf`, `scf` and `builtin`.
  }];
  let useDefaultTypePrinterParser = 1;
  let useDefaultAttributePrinterParser = 1;
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

class Wooly_Op<string mnemonic, list<Trait> traits = []>
    : Op<Wooly_Dialect, mnemonic, traits>;

#endif // WOOLY_DIALECT_TD
