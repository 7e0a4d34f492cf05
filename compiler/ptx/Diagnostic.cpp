//===- Diagnostic.cpp - PTX diagnostics formatting ------------------------===//
#include "compiler/ptx/Diagnostic.h"

namespace wooly::ptx {

std::string formatDiagnostic(const std::string &fileName,
                             const Diagnostic &diag) {
  return fileName + ":" + std::to_string(diag.loc.line) + ":" +
         std::to_string(diag.loc.column) + ": error: " + diag.message;
}

std::string formatDiagnostics(const std::string &fileName,
                              const std::vector<Diagnostic> &diags) {
  std::string out;
  for (const Diagnostic &diag : diags) {
    out += formatDiagnostic(fileName, diag);
    out += '\n';
  }
  return out;
}

} // namespace wooly::ptx
