//===- ExampleSupport.h - Loading the CUDA examples' kernels ----*- C++ -*-===//
//
// Helpers for the example tests: an example's PTX (built by nvcc into
// the build tree) goes through the PTX front end to WIS and is loaded into a
// fresh host context. Without nvcc the PTX is missing and the tests skip.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_TEST_UNIT_EXEC_EXAMPLESUPPORT_H
#define WOOLY_TEST_UNIT_EXEC_EXAMPLESUPPORT_H

#include "test/unit/exec/HostTestSupport.h"

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace wooly::test {

/// Written over outputs before a launch: an element the kernel should have
/// written but did not still holds it.
constexpr float kPoisonF = -12345.0f;
constexpr uint8_t kPoisonByte = 0xCD;

/// Path of an example's PTX for `arch` (sm_75 or sm_90) in the build tree.
std::string examplePtx(const std::string &name,
                       const std::string &arch = "sm_75");

/// One example loaded into its own context.
struct Example {
  std::unique_ptr<exec::Context> ctx;
  exec::ModuleId module = 0;
  std::vector<std::string> kernels; // full (mangled) names

  /// The kernel whose name contains `part` (REQUIREs there is one).
  exec::FunctionId kernel(const std::string &part, exec::KernelInfo &info);
};

/// Loads an example's PTX for `arch` into a new context (with address
/// fencing unless told otherwise); false (with a warning) when its PTX was
/// not built.
bool loadExample(const std::string &name, Example &example, bool fencing = true,
                 const std::string &arch = "sm_75");

/// Launches and synchronizes; REQUIREs success, printing the status message.
void launchOk(exec::Context &ctx, exec::FunctionId fn, exec::Dim3 grid,
              exec::Dim3 block, const Args &args, uint32_t shared = 0);

/// `n` bytes of kPoisonByte on the device, for outputs of any type.
exec::DevicePtr poisoned(exec::Context &ctx, size_t bytes);

std::vector<float> randomFloats(size_t n, uint32_t seed, float lo = -1,
                                float hi = 1);
std::vector<int32_t> randomInts(size_t n, uint32_t seed, int32_t lo,
                                int32_t hi);
std::vector<uint32_t> randomU32(size_t n, uint32_t seed);

/// Whether |got - want| <= abs + rel * |want|.
inline bool near(double got, double want, double abs, double rel) {
  double diff = got - want;
  if (diff < 0)
    diff = -diff;
  double mag = want < 0 ? -want : want;
  return diff <= abs + rel * mag;
}

} // namespace wooly::test

#endif
