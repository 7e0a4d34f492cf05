//===- BenchCases.h - The example kernels wooly-bench-gpu times -*- C++ -*-===//
//
// One Case per example kernel: which PTX and entry, the launch shape, the
// device buffers and how to fill them, the kernel's arguments in the order
// its .cu declares them, __constant__ data to set in each module, and how
// to compare each output between the native, Wooly and fenced runs.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_BENCH_GPU_BENCHCASES_H
#define WOOLY_BENCH_GPU_BENCHCASES_H

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

namespace wooly::bench {

using Bytes = std::vector<uint8_t>;

/// A device buffer: its size and its contents before every checked launch.
struct Buffer {
  size_t bytes = 0;
  std::function<void(Bytes &)> fill; // gets a vector of `bytes` zeros
};

/// One kernel parameter: a buffer's device address or a value as is.
struct Arg {
  int buffer = -1; // >= 0: the address of that buffer
  Bytes value;     // otherwise these bytes
};

/// How one output buffer of the native run is compared with another run's.
/// Returns the number of elements that differ.
using Compare = std::function<size_t(const Bytes &native, const Bytes &other)>;

struct Output {
  unsigned buffer = 0;
  Compare compare;
};

/// A __constant__ (or __device__) variable to write in each loaded module.
struct Constant {
  const char *symbol;
  Bytes value;
};

struct Case {
  const char *label;  // the table's row
  const char *file;   // examples/ptx/<file>.sm_75.ptx
  const char *kernel; // the mangled entry name
  unsigned grid[3], block[3];
  unsigned sharedBytes = 0; // dynamic shared memory of the launch
  std::vector<Buffer> buffers;
  std::vector<Arg> args;
  std::vector<Output> outputs;
  std::vector<Constant> constants;
  unsigned runsDivisor = 1; // slow kernels time fewer runs
  /// Stack bytes per thread the example asks for (cudaDeviceSetLimit), 0
  /// for the default.
  unsigned stackBytes = 0;
};

/// Every example kernel that runs on its own with generated inputs.
std::vector<Case> benchCases();

template <typename T> Bytes bytesOf(T value) {
  Bytes out(sizeof(T));
  std::memcpy(out.data(), &value, sizeof(T));
  return out;
}

} // namespace wooly::bench

#endif // WOOLY_BENCH_GPU_BENCHCASES_H
