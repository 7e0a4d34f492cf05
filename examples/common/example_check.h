// Helpers shared by the self-checking CUDA examples.
//
// Every example ends with exactly one line, `PASS` or `FAIL: <what>`, and exits
// 0 or 1, so a test harness can run it anywhere (natively, under wooly-run,
// against a remote woolyd) and judge it by its last line alone.
#pragma once

#include <cmath>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include <cuda_runtime.h>

// Ends the program with a FAIL line naming the call and the runtime's reason.
#define CHECK_CUDA(call)                                                       \
  do {                                                                         \
    cudaError_t checkErr = (call);                                             \
    if (checkErr != cudaSuccess)                                               \
      example::fail("%s returned %s (%s) at %s:%d", #call,                     \
                    cudaGetErrorName(checkErr), cudaGetErrorString(checkErr),  \
                    __FILE__, __LINE__);                                       \
  } while (0)

// A launch reports configuration errors at once and execution errors at the
// next synchronisation: check both.
#define CHECK_LAUNCH()                                                         \
  do {                                                                         \
    CHECK_CUDA(cudaGetLastError());                                            \
    CHECK_CUDA(cudaDeviceSynchronize());                                       \
  } while (0)

namespace example {

[[noreturn]] inline void fail(const char *format, ...) {
  std::fflush(stdout);
  std::va_list args;
  va_start(args, format);
  std::fputs("FAIL: ", stdout);
  std::vfprintf(stdout, format, args);
  std::fputc('\n', stdout);
  va_end(args);
  std::fflush(stdout);
  std::exit(1);
}

inline int pass() {
  std::fflush(stdout);
  std::puts("PASS");
  std::fflush(stdout);
  return 0;
}

// SplitMix64: tiny, and the same sequence on every platform and compiler, so
// a failure seen once can be reproduced anywhere.
class Rng {
public:
  explicit Rng(uint64_t seed) : state(seed) {}

  uint64_t next() {
    uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  uint32_t nextU32() { return static_cast<uint32_t>(next() >> 32); }
  // Uniform integer in [0, bound).
  uint32_t below(uint32_t bound) {
    return static_cast<uint32_t>((next() >> 32) * bound >> 32);
  }
  // Uniform float in [lo, hi), with 24 random bits.
  float uniform(float lo, float hi) {
    float unit = static_cast<float>(next() >> 40) * (1.0f / 16777216.0f);
    return lo + (hi - lo) * unit;
  }

private:
  uint64_t state;
};

inline bool nearlyEqual(double got, double want, double relTol, double absTol) {
  if (std::isnan(got) || std::isnan(want))
    return std::isnan(got) && std::isnan(want);
  return std::fabs(got - want) <= absTol + relTol * std::fabs(want);
}

} // namespace example
