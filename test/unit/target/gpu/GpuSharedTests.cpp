// What the NVPTX and AMDGPU backends share (compiler/target/gpu): optimization
// levels, target-machine errors and the warp-reduction identities.

#include "compiler/target/gpu/GpuCodegen.h"
#include "compiler/target/gpu/GpuIRHelpers.h"

#include "llvm/Target/TargetMachine.h"

#include <catch2/catch.hpp>

#include <climits>

TEST_CASE("optimization levels map onto LLVM's code generation levels",
          "[gpu][shared]") {
  using llvm::CodeGenOptLevel;
  CHECK(wooly::gpu::codegenLevel(0) == CodeGenOptLevel::None);
  CHECK(wooly::gpu::codegenLevel(1) == CodeGenOptLevel::Less);
  CHECK(wooly::gpu::codegenLevel(2) == CodeGenOptLevel::Default);
  CHECK(wooly::gpu::codegenLevel(3) == CodeGenOptLevel::Aggressive);
  CHECK(wooly::gpu::codegenLevel(9) == CodeGenOptLevel::Aggressive);
}

TEST_CASE("an unknown target is an error naming the vendor", "[gpu][shared]") {
  wooly::gpu::TargetMachineRequest request;
  request.vendor = "NOSUCHGPU";
  request.triple = "nosuchgpu-unknown-unknown";
  request.cpu = "x1";
  auto machine = wooly::gpu::createTargetMachine(request);
  bool created = static_cast<bool>(machine);
  REQUIRE_FALSE(created);
  std::string message = llvm::toString(machine.takeError());
  CHECK(message.find("NOSUCHGPU target unavailable") != std::string::npos);
}

TEST_CASE("warp reductions start from their identity", "[gpu][shared]") {
  using wooly::ReduxKind;
  using wooly::gpu::reduxIdentity;
  CHECK(reduxIdentity(ReduxKind::Add) == 0);
  CHECK(reduxIdentity(ReduxKind::Or) == 0);
  CHECK(reduxIdentity(ReduxKind::Xor) == 0);
  CHECK(reduxIdentity(ReduxKind::UMax) == 0);
  CHECK(reduxIdentity(ReduxKind::And) == -1);
  CHECK(reduxIdentity(ReduxKind::UMin) == -1);
  CHECK(reduxIdentity(ReduxKind::Min) == INT32_MAX);
  CHECK(reduxIdentity(ReduxKind::Max) == INT32_MIN);
}
