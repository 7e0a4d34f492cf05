//===- HostCompiler.h - WIS to host machine code ----------------*- C++ -*-===//
//
// The host backend: analyse a (verified, possibly address-fenced) WIS module,
// lower it through WoolyTargetCommon with HostTargetInfo, add the entry
// points of HostABI.h and the watchdog's cancellation polls, optimize for the
// CPU this runs on and emit an object file (or IR/assembly for wooly-cc).
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_COMPILER_TARGET_HOST_HOSTCOMPILER_H
#define WOOLY_COMPILER_TARGET_HOST_HOSTCOMPILER_H

#include "compiler/target/host/RegionSplit.h"

#include "mlir/IR/BuiltinOps.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace llvm {
class LLVMContext;
class Module;
class TargetMachine;
} // namespace llvm

namespace wooly::host {

/// One kernel parameter as the launch's argument buffer holds it.
struct HostParam {
  uint32_t offset = 0, size = 0, align = 1;
  bool byValue = false;  // an aggregate: the kernel receives its address
  std::string hidden;    // "arena_base", "arena_mask", "data_base" or ""
};

struct HostKernel {
  std::string name;
  bool perThread = false; // fiber entry (what regions cannot serve)
  /// Set (frameBytes != 0) when the block entry runs regions (RegionSplit.h).
  RegionLayout region;
  std::vector<HostParam> params; // every parameter, hidden ones included
  uint32_t argBufferSize = 0;    // of the visible parameters
  uint32_t staticSharedBytes = 0;
  uint32_t localBytesPerThread = 0;
  uint32_t maxThreadsPerBlock = 1024;
};

struct HostVariable {
  std::string name;
  uint64_t offset = 0, size = 0;
};

struct HostModuleInfo {
  std::vector<HostKernel> kernels;
  /// Module variables that stay in the module (not address-fenced): their
  /// segment, laid out by computeVariableLayout, with its initial bytes.
  std::vector<HostVariable> variables;
  uint64_t globalBytes = 0, globalAlign = 1;
  std::string globalInit;
  uint64_t dynamicSharedOffset = 0;
};

/// Reads kernels, parameter layouts, modes and variables from WIS.
HostModuleInfo analyzeHostModule(mlir::ModuleOp module);

/// Registers LLVM's native target with this process (once). Everything that
/// creates a JIT or a TargetMachine for the host calls it first, including a
/// process that only loads cached objects and never compiles.
void initializeHostCodegen();

/// A TargetMachine for the CPU this process runs on.
llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createHostTargetMachine(unsigned optLevel = 3);

/// Lowers `module` (modified in place) to optimized LLVM IR for `machine`.
llvm::Expected<std::unique_ptr<llvm::Module>>
lowerToHostIR(mlir::ModuleOp module, const HostModuleInfo &info,
              llvm::LLVMContext &context, llvm::TargetMachine &machine,
              unsigned optLevel = 3);

enum class HostEmitKind { Object, Assembly };
/// Machine code for an optimized module.
llvm::Error emitHostCode(llvm::Module &module, llvm::TargetMachine &machine,
                         HostEmitKind kind, llvm::SmallVectorImpl<char> &out);

/// Adds `--target=host --emit=llvm|asm|obj` to wooly-cc (WoolyTargetHostCC).
void registerHostBackend();

/// Registers the `wooly-lower-to-host` pass (WIS -> LLVM dialect, for lit).
void registerHostPasses();

} // namespace wooly::host

#endif // WOOLY_COMPILER_TARGET_HOST_HOSTCOMPILER_H
