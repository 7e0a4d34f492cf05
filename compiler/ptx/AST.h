//===- AST.h - PTX abstract syntax tree ---------------------------*- C++ -*-===//
//
// The parsed form of a PTX module. Instructions are kept generic (opcode,
// modifiers, operands) rather than one class per opcode: nvcc, NVRTC and LLVM
// spell the same instruction with modifiers in different orders, and the
// lowering interprets modifiers as a set. Everything carries its SourceLoc so
// later steps can say where an unsupported construct came from.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_COMPILER_PTX_AST_H
#define WOOLY_COMPILER_PTX_AST_H

#include "compiler/ptx/Diagnostic.h"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace wooly::ptx {

/// A state space: where a variable lives.
enum class StateSpace { Reg, Param, Local, Shared, Global, Const, Generic };

const char *stateSpaceName(StateSpace space);

/// Linkage directives in front of a module-scope symbol.
enum class Linkage { Default, Visible, Extern, Weak, Common };

struct Operand {
  enum class Kind {
    Register,  // %r1, %tid.x, %p (name holds the full spelling)
    Symbol,    // a variable, function or label name
    Integer,   // 42, -1 (intValue; bit pattern, sign already applied)
    Float,     // 0f3F800000, 1.5 (floatBits + isDouble)
    Address,   // [base+offset] (elements[0] = base or empty, offset)
    Vector,    // {a, b, c, d}
    Pair,      // a|b  (elements[0], elements[1]) e.g. shfl's %r|%p
    Sink,      // _
    Call,      // the operand list of a call: (a, b) — elements
  };
  Kind kind = Kind::Integer;
  std::string name;      // Register/Symbol: spelling without '!'
  bool negated = false;  // !%p as a predicate operand
  uint64_t intValue = 0; // Integer: two's complement bits
  bool isUnsignedLiteral = false; // had a U suffix
  uint64_t floatBits = 0;  // Float: IEEE bits (f32 in the low half)
  bool isDouble = false;   // Float: 0d... or decimal literal
  int64_t offset = 0;      // Address: byte offset
  std::vector<Operand> elements;
  SourceLoc loc;
};

struct Guard {
  std::string predicate; // %p1
  bool negated = false;  // @!%p1
};

struct Instruction {
  std::optional<Guard> guard;
  std::string opcode;                 // "ld", "setp", "shfl"
  std::vector<std::string> modifiers; // ".global", ".f32", ".sync", ...
  std::vector<Operand> operands;
  SourceLoc loc;

  bool hasModifier(const std::string &mod) const;
  /// "ld.global.f32": the spelling used in diagnostics.
  std::string fullName() const;
};

/// One initializer element of a variable: `5`, `0f3F800000`, `sym`,
/// `generic(sym)`, `sym+4`.
struct InitValue {
  enum class Kind { Integer, Float, Symbol };
  Kind kind = Kind::Integer;
  uint64_t intValue = 0;
  uint64_t floatBits = 0;
  bool isDouble = false;
  std::string symbol;
  bool generic = false; // generic(sym): a generic address of sym
  int64_t offset = 0;   // sym+offset
  SourceLoc loc;
};

/// `.reg .b32 %r<9>;`, `.global .align 4 .u32 x = 1;`, `.param .u64 p`, ...
struct VarDecl {
  StateSpace space = StateSpace::Reg;
  Linkage linkage = Linkage::Default;
  uint32_t align = 0;       // 0: natural alignment
  std::string type;         // ".b32", ".f16x2", ".pred"
  uint32_t vectorWidth = 1; // .v2 / .v4
  std::string name;
  /// `%r<9>` declares %r0 ... %r8.
  std::optional<uint32_t> parameterizedCount;
  /// Array dimensions; 0 means unsized (`[]`, only for the outermost).
  std::vector<uint64_t> arrayDims;
  bool isArray() const { return !arrayDims.empty(); }
  /// `.ptr` parameter attribute (LLVM's `.ptr .global .align 4`).
  bool isPointer = false;
  std::optional<StateSpace> pointeeSpace;
  uint32_t pointeeAlign = 0;
  std::vector<InitValue> initializer; // flattened in element order
  SourceLoc loc;
};

struct Label {
  std::string name;
  SourceLoc loc;
};

struct Statement;

/// `{ ... }`: a nested scope (nvcc's call sequences declare their `.param`
/// and `.reg` inside one).
struct StatementBlock {
  std::vector<Statement> statements;
  SourceLoc loc;
};

struct Statement {
  std::variant<Instruction, VarDecl, Label, StatementBlock> node;
};

struct Function {
  bool isEntry = false; // .entry (a kernel) or .func
  Linkage linkage = Linkage::Default;
  std::string name;
  std::vector<VarDecl> returns; // .func only
  std::vector<VarDecl> params;
  /// Performance directives: "maxntid" -> {256,1,1}, "reqntid", "minnctapersm",
  /// "maxnreg", "noreturn" -> {}.
  std::map<std::string, std::vector<uint64_t>> performance;
  std::optional<StatementBlock> body; // absent for a prototype/declaration
  SourceLoc loc;
};

struct Module {
  std::string version; // "9.0"
  std::vector<std::string> targets; // "sm_90", "texmode_independent", ...
  uint32_t addressSize = 64;
  std::vector<VarDecl> globals;
  std::vector<Function> functions;
};

} // namespace wooly::ptx

#endif // WOOLY_COMPILER_PTX_AST_H
