//===- Backends.h - code generators wooly-cc can hand a module to -*- C++ -*-===//
//
// wooly-cc itself only produces WIS (`--emit=wis|wis-text`). Backends add
// `--target=NAME[:CHIP]` and more `--emit` kinds without touching main():
//
//   // compiler/target/host/...: a function your library exports
//   void wooly::cc::registerHostBackend() {
//     wooly::cc::registerBackend({
//         "host", "the CPU this runs on (LLVM ORC JIT)", {"llvm", "asm", "obj"},
//         [](mlir::ModuleOp m, const wooly::cc::BackendRequest &req,
//            llvm::raw_ostream &out, std::string &error) -> bool { ... }});
//   }
//
// then call it from registerAllBackends() in Backends.cpp and link your
// library into wooly-cc (tools/wooly-cc/CMakeLists.txt).
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_TOOLS_WOOLY_CC_BACKENDS_H
#define WOOLY_TOOLS_WOOLY_CC_BACKENDS_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

#include <functional>
#include <string>
#include <vector>

namespace wooly::cc {

struct BackendRequest {
  std::string chip;   // "sm_90" from --target=nvptx:sm_90; empty if none
  std::string emit;   // one of the backend's emitKinds
  int optLevel = 2;   // -O0..-O3
  /// --fault-polls: loop polls of the fault record in every module, as the
  /// cuda executor compiles them under a launch timeout (nvptx only).
  bool faultPolls = false;
};

struct Backend {
  std::string name;                   // the --target name: host, nvptx, amdgpu
  std::string description;            // one line for --help
  std::vector<std::string> emitKinds; // --emit values it produces
  /// Writes the result for `module` to `out`; on failure returns false and
  /// sets `error` to a message for the user.
  std::function<bool(mlir::ModuleOp module, const BackendRequest &request,
                     llvm::raw_ostream &out, std::string &error)>
      emit;
};

/// Adds a backend (a later registration of the same name replaces it).
void registerBackend(Backend backend);
/// Every registered backend, in registration order.
const std::vector<Backend> &backends();
const Backend *findBackend(const std::string &name);
/// Registers the backends linked into this wooly-cc (called once by main).
void registerAllBackends();

} // namespace wooly::cc

#endif // WOOLY_TOOLS_WOOLY_CC_BACKENDS_H
