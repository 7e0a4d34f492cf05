//===- ParserFuzzer.cpp - libFuzzer entry point for the PTX parser --------===//
//
// Any byte string must parse (or fail with diagnostics) without crashing,
// hanging or allocating without bound.
//
//===----------------------------------------------------------------------===//
#include "compiler/ptx/Parser.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view text(reinterpret_cast<const char *>(data), size);
  wooly::ptx::ParseResult result = wooly::ptx::parsePTX(text);
  for (const auto &diag : result.diagnostics)
    (void)wooly::ptx::formatDiagnostic("fuzz.ptx", diag);
  return 0;
}
