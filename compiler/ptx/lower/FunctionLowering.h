//===- FunctionLowering.h - PTX function → WIS, shared state ----*- C++ -*-===//
//
// The lowering of one PTX function body, split by instruction family into
// the files of this folder (Integer.cpp, Carry.cpp, Float.cpp, Convert.cpp,
// Memory.cpp, Control.cpp, Parallel.cpp), which all work through this class:
//   - every `.reg` is a `wooly.reg` slot; operands are read and written
//     through slots with PTX's relaxed type rules (FunctionLowering.cpp);
//   - predicated instructions become a conditional branch around them;
//   - labels are blocks; `bra` is `cf.br`/`cf.cond_br`.
// Single-definition promotion, mem2reg, canonicalize and CSE afterwards
// (Translate.cpp) give clean SSA.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_COMPILER_PTX_LOWER_FUNCTIONLOWERING_H
#define WOOLY_COMPILER_PTX_LOWER_FUNCTIONLOWERING_H

#include "compiler/ptx/AST.h"
#include "dialects/wooly/WoolyDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace wooly::ptx::lower {

/// A PTX type modifier (.s32, .f16, .pred, ...) and what it means.
struct PtxType {
  mlir::Type type; // i32, f16, i1, ...
  unsigned bits = 0;
  bool isSigned = false;
  bool isFloat = false;
  bool isPred = false;
  bool valid() const { return static_cast<bool>(type); }
};

/// Module-wide facts every function lowering needs.
struct ModuleInfo {
  std::string fileName;
  std::map<std::string, const VarDecl *> globals;
  std::map<std::string, const Function *> functions;
  std::vector<Diagnostic> *diagnostics = nullptr;
};

class FunctionLowering {
public:
  FunctionLowering(mlir::MLIRContext &ctx, ModuleInfo &info,
                   const Function &fn, mlir::Operation *funcOp,
                   mlir::Location baseLoc);

  /// Lowers the whole body; false after errors (already reported).
  bool run();

  //===--- Types -----------------------------------------------------------//
  PtxType ptxType(const std::string &modifier) const;
  /// The type modifiers of an instruction, in order (`cvt.rn.f32.s32` →
  /// f32, s32).
  std::vector<PtxType> types(const Instruction &inst) const;
  /// The register type a declared `.reg` type gets.
  mlir::Type regType(const std::string &ptxType) const;

  //===--- Operands --------------------------------------------------------//
  /// Reads an operand as a value of `type` (registers converted by PTX's
  /// relaxed rules; `isSigned` picks sign- or zero-extension).
  mlir::Value read(const Operand &op, mlir::Type type, bool isSigned = false);
  mlir::Value readPred(const Operand &op);
  /// Writes `value` to a register operand (converting to the register type;
  /// `isSigned` picks sign- or zero-extension for narrower values).
  bool write(const Operand &op, mlir::Value value, bool isSigned = false);
  /// The pointer an address operand names, in `space`.
  mlir::Value address(const Operand &op, AddressSpace space);
  /// Constant helpers.
  mlir::Value intConst(mlir::Type type, int64_t value);
  mlir::Value floatConst(mlir::Type type, double value);
  /// Converts between same-width int/float or different-width integers.
  mlir::Value convert(mlir::Value value, mlir::Type to, bool isSigned);

  //===--- Diagnostics ----------------------------------------------------//
  bool error(SourceLoc loc, const std::string &message);
  bool unsupported(const Instruction &inst, const std::string &why = "");

  //===--- Registered families --------------------------------------------//
  using Handler = std::function<bool(FunctionLowering &, const Instruction &)>;
  static const std::map<std::string, Handler> &handlers();

  mlir::MLIRContext &ctx;
  mlir::OpBuilder b;
  mlir::Location loc;
  ModuleInfo &info;
  const Function &fn;
  mlir::Operation *funcOp;

  // Control flow state used by Control.cpp.
  std::map<std::string, mlir::Block *> labels;
  mlir::Block *entryBlock = nullptr;
  /// Call-sequence `.param` slots and return-value slots by name.
  struct Slot {
    mlir::Value slot;
    mlir::Type type;
  };
  /// `%r<N>` declares N registers; their slots are made on first use.
  struct RegisterFamily {
    std::string prefix;
    uint32_t count;
    mlir::Type type;
  };
  struct Scope {
    std::map<std::string, Slot> slots;
    std::vector<RegisterFamily> families;
  };
  std::vector<Scope> scopes;
  std::map<std::string, mlir::Value> paramValues; // scalar params → args
  std::map<std::string, mlir::Value> paramPointers; // byval params → ptr
  std::vector<std::pair<std::string, Slot>> returnSlots;
  bool failed = false;

  const Slot *lookup(const std::string &name);
  mlir::Location locOf(SourceLoc at) const;
  mlir::Block *newBlockAfter(mlir::Block *block);
  Slot declareSlot(const std::string &name, mlir::Type type);
  /// Ends the function (`ret`): returns the return slots' values.
  void emitReturn();
  /// Starts a fresh block after a terminator so later code has a home.
  void startDeadBlock();
  bool currentBlockTerminated() const;

private:
  bool lowerBlock(const StatementBlock &block);
  bool lowerStatement(const Statement &stmt);
  bool declareLocalArray(const VarDecl &decl);
  bool lowerInstruction(const Instruction &inst);
  void collectLabels(const StatementBlock &block);
  mlir::Value specialRegister(const std::string &name, mlir::Type type,
                              SourceLoc at);
  mlir::Value symbolAddress(const std::string &name, SourceLoc at);
};

/// Family registration: each family file adds its opcodes to the table.
void registerIntegerFamily(std::map<std::string, FunctionLowering::Handler> &);
void registerFloatFamily(std::map<std::string, FunctionLowering::Handler> &);
void registerConvertFamily(std::map<std::string, FunctionLowering::Handler> &);
void registerMemoryFamily(std::map<std::string, FunctionLowering::Handler> &);
void registerControlFamily(std::map<std::string, FunctionLowering::Handler> &);
void registerParallelFamily(std::map<std::string, FunctionLowering::Handler> &);
/// Wraps add/sub/mad from registerIntegerFamily: register it after that one.
void registerCarryFamily(std::map<std::string, FunctionLowering::Handler> &);

/// Maps a PTX state-space modifier to a WIS address space.
AddressSpace addressSpaceOf(StateSpace space);
/// The state space named in an instruction's modifiers (generic if none).
AddressSpace instructionSpace(const Instruction &inst);

} // namespace wooly::ptx::lower

#endif // WOOLY_COMPILER_PTX_LOWER_FUNCTIONLOWERING_H
