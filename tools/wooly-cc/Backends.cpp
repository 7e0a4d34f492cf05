//===- Backends.cpp - the backend registry of wooly-cc --------------------===//
#include "tools/wooly-cc/Backends.h"

#include "compiler/target/amdgpu/Passes.h"
#include "compiler/target/host/HostCompiler.h"
#include "compiler/target/nvptx/Passes.h"

namespace wooly::cc {
namespace {
std::vector<Backend> &registry() {
  static std::vector<Backend> all;
  return all;
}
} // namespace

void registerBackend(Backend backend) {
  for (Backend &existing : registry())
    if (existing.name == backend.name) {
      existing = std::move(backend);
      return;
    }
  registry().push_back(std::move(backend));
}

const std::vector<Backend> &backends() { return registry(); }

const Backend *findBackend(const std::string &name) {
  for (const Backend &backend : registry())
    if (backend.name == name)
      return &backend;
  return nullptr;
}

void registerAllBackends() {
  // Backend libraries add their registration call here, e.g.
  //   registerHostBackend();   // compiler/target/host
  //   registerNVPTXBackend();  // compiler/target/nvptx
  //   registerAMDGPUBackend(); // compiler/target/amdgpu
  wooly::host::registerHostBackend();
  wooly::nvptx::registerNVPTXBackend();
  wooly::amdgpu::registerAMDGPUBackend();
}

} // namespace wooly::cc
