//===- Diagnostic.h - PTX source locations and error messages ---*- C++ -*-===//
//
// The PTX front end reports problems as `file:line:col: error: message`, the
// form compilers and editors understand. Diagnostics are collected, not
// thrown, so one run can report several errors.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_COMPILER_PTX_DIAGNOSTIC_H
#define WOOLY_COMPILER_PTX_DIAGNOSTIC_H

#include <cstdint>
#include <string>
#include <vector>

namespace wooly::ptx {

/// A 1-based line and column in the PTX text.
struct SourceLoc {
  uint32_t line = 0;
  uint32_t column = 0;
};

struct Diagnostic {
  SourceLoc loc;
  std::string message;
};

/// Formats one diagnostic as `file:line:col: error: message`.
std::string formatDiagnostic(const std::string &fileName,
                             const Diagnostic &diag);

/// Formats every diagnostic, one per line.
std::string formatDiagnostics(const std::string &fileName,
                              const std::vector<Diagnostic> &diags);

} // namespace wooly::ptx

#endif // WOOLY_COMPILER_PTX_DIAGNOSTIC_H
