//===- Parser.h - PTX parser --------------------------------------*- C++ -*-===//
//
// Parses PTX text (nvcc, NVRTC or LLVM NVPTX output) into the AST of AST.h.
// It never throws and never stops at the first problem: errors are collected
// with their location and the parser resynchronises at the next `;` or `}`.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_COMPILER_PTX_PARSER_H
#define WOOLY_COMPILER_PTX_PARSER_H

#include "compiler/ptx/AST.h"
#include "compiler/ptx/Diagnostic.h"

#include <string_view>
#include <vector>

namespace wooly::ptx {

/// Limits that keep hostile input from exhausting memory or the stack.
struct ParseLimits {
  uint32_t maxErrors = 20;
  uint32_t maxBlockDepth = 64;
  uint32_t maxParameterizedRegisters = 1u << 20;
  uint64_t maxArrayBytes = 1ull << 32;
};

struct ParseResult {
  Module module;
  std::vector<Diagnostic> diagnostics;
  bool succeeded() const { return diagnostics.empty(); }
};

ParseResult parsePTX(std::string_view source, const ParseLimits &limits = {});

} // namespace wooly::ptx

#endif // WOOLY_COMPILER_PTX_PARSER_H
