//===- StackSizeTests.cpp - Sessions asking for more stack per thread -----===//
//
// cudaDeviceSetLimit(cudaLimitStackSize) reaches the GPU executor as
// Context::setStackSize; the device's context is shared, so the stack only
// grows, up to what the server allows.
//
//===----------------------------------------------------------------------===//
#include "runtime/exec/gpu/GpuContext.h"
#include "test/unit/target/gpu/EmulatedExecutor.h"

using namespace wooly::exec;
using namespace wooly::exec::gpu;
using namespace wooly::exec::gpu::testing;

TEST_CASE("sessions raise the device's stack and never lower it",
          "[gpu][stack]") {
  TimedHostApi *api = nullptr;
  auto executor = emulatedExecutor(api);
  FunctionId fn = 0;
  auto a = sessionWithEmptyKernel(*executor, fn);
  auto b = sessionWithEmptyKernel(*executor, fn);
  uint64_t granted = 0;
  REQUIRE(a->setStackSize(4096, granted));
  CHECK(granted == 4096);
  CHECK(api->stackBytes == 4096);
  // Another session asking for less keeps what the first one needs.
  REQUIRE(b->setStackSize(2048, granted));
  CHECK(granted == 4096);
  CHECK(api->stackBytes == 4096);
  CHECK(api->stackChanges == 1);
}

TEST_CASE("a stack above the server's maximum is refused and changes nothing",
          "[gpu][stack]") {
  TimedHostApi *api = nullptr;
  auto executor = emulatedExecutor(api);
  FunctionId fn = 0;
  auto a = sessionWithEmptyKernel(*executor, fn);
  uint64_t granted = 0;
  REQUIRE(GpuContext::maxStackBytes() == GpuContext::kDefaultMaxStackBytes);
  Status s = a->setStackSize(GpuContext::maxStackBytes() + 1, granted);
  CHECK(s.code == ErrorCode::OutOfMemory);
  CHECK(s.message.find("WOOLY_GPU_MAX_STACK_BYTES") != std::string::npos);
  CHECK(api->stackBytes == 1024);
  REQUIRE(a->setStackSize(GpuContext::maxStackBytes(), granted));
  CHECK(granted == GpuContext::maxStackBytes());
}
