//===- Passes.h - WIS transformations ---------------------------*- C++ -*-===//
#ifndef WOOLY_COMPILER_TRANSFORMS_PASSES_H
#define WOOLY_COMPILER_TRANSFORMS_PASSES_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

#include <cstdint>
#include <memory>

namespace wooly {

#define GEN_PASS_DECL
#include "compiler/transforms/Passes.h.inc"

/// Resource limits a server enforces on client modules.
struct WISLimits {
  uint64_t maxSharedBytes = 227 * 1024;
  uint64_t maxLocalBytes = 512 * 1024;
  uint64_t maxParamBytes = 32764;
  uint64_t maxGlobalBytes = 1ull << 30;
  unsigned maxCallDepth = 64;
};

/// Checks that `module` is finished WIS within `limits`; reports every
/// problem as an error diagnostic at the offending op.
mlir::LogicalResult verifyWISModule(mlir::ModuleOp module,
                                    const WISLimits &limits);

/// Names of the hidden kernel parameters added by wooly-fence-addresses, in
/// the order they are appended.
inline constexpr const char *kHiddenArgAttr = "wooly.hidden";
inline constexpr const char *kHiddenArgNames[] = {"arena_base", "arena_mask",
                                                  "data_base"};
/// Module attribute describing the data segment (see Passes.td).
inline constexpr const char *kDataSegmentAttr = "wooly.data_segment";

/// The data segment of a fenced module, decoded from `wooly.data_segment`.
struct DataSegment {
  uint64_t size = 0;
  uint64_t alignment = 1;
  std::vector<std::pair<std::string, uint64_t>> symbols; // name -> offset
  std::vector<std::pair<std::string, uint64_t>> sizes;   // name -> bytes
  std::string initialBytes; // `size` bytes, zero where uninitialized
  /// const-bank: const variables left in the module (its constant bank),
  /// name -> bytes; the executor resolves them on the session's own module
  /// instance (cuModuleGetGlobal), not in the segment.
  std::vector<std::pair<std::string, uint64_t>> constBank;
};
/// Reads the data segment of a fenced module; std::nullopt when the module
/// was not fenced or the attribute is malformed.
std::optional<DataSegment> getDataSegment(mlir::ModuleOp module);

#define GEN_PASS_REGISTRATION
#include "compiler/transforms/Passes.h.inc"

} // namespace wooly

#endif // WOOLY_COMPILER_TRANSFORMS_PASSES_H
