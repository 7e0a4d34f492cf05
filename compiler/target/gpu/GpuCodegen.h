//===- GpuCodegen.h - LLVM IR to GPU machine code ---------------*- C++ -*-===//
//
// The code generation steps the NVPTX and AMDGPU backends share: a
// TargetMachine from triple/cpu/features, the module's triple and data
// layout, LLVM's optimization pipeline, and emission to a buffer under
// runRecoverable (a kernel the backend cannot select fails its compile, not
// the server). The backends keep only what differs: their architecture
// lists, features and what they do with the emitted bytes.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_COMPILER_TARGET_GPU_GPUCODEGEN_H
#define WOOLY_COMPILER_TARGET_GPU_GPUCODEGEN_H

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/CodeGen.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <optional>
#include <string>

namespace llvm {
class Module;
class TargetMachine;
} // namespace llvm

namespace wooly::gpu {

/// What a backend asks of LLVM's target registry.
struct TargetMachineRequest {
  llvm::StringRef vendor;   // "NVPTX", "AMDGPU": named in errors
  llvm::StringRef triple;   // kTriple of the backend
  llvm::StringRef cpu;      // the architecture (sm_90, gfx942)
  llvm::StringRef features; // subtarget features, may be empty
  std::optional<llvm::Reloc::Model> relocation;
  unsigned optLevel = 3; // 0..3
};

/// The code generator's optimization level for -O`optLevel`.
llvm::CodeGenOptLevel codegenLevel(unsigned optLevel);

/// A TargetMachine for `request`. The caller has registered the target.
llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createTargetMachine(const TargetMachineRequest &request);

/// Sets the triple and data layout of `module` for `machine`.
void prepareModule(llvm::Module &module, llvm::TargetMachine &machine);

/// Gives every function that is not a kernel internal linkage, as nvcc's
/// `.func` (not `.visible`): a loaded module is the whole program, nothing
/// looks its device functions up, and so LLVM may drop what their callers
/// pass but they never use (the address fence's hidden parameters that a
/// recursion only hands on) and inline those called once.
void internalizeDeviceFunctions(llvm::Module &module);

/// Runs LLVM's optimization pipeline for the level (with the passes the
/// TargetMachine adds to it, and CallLoopsRolledPass) on `module`, its
/// device functions internalized; nothing at -O0.
void optimizeModule(llvm::Module &module, llvm::TargetMachine &machine,
                    unsigned optLevel);

/// Prepares and verifies `module`, optimizes it at `optLevel` and emits
/// `kind` into `out` with `machine`. Errors name `vendor` and `arch`.
llvm::Error emitToBuffer(llvm::Module &module, llvm::TargetMachine &machine,
                         llvm::StringRef vendor, llvm::StringRef arch,
                         unsigned optLevel, llvm::CodeGenFileType kind,
                         llvm::SmallVectorImpl<char> &out);

} // namespace wooly::gpu

#endif // WOOLY_COMPILER_TARGET_GPU_GPUCODEGEN_H
