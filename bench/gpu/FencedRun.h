//===- FencedRun.h - One bench case as woolyd runs it -----------*- C++ -*-===//
//
// The fenced column of wooly-bench-gpu: the case's WIS module loaded into an
// exec::Context of the real cuda executor with address fencing on (every
// global pointer masked into the context's arena, docs/address-fencing.md),
// its own buffers in that arena, launches on the context's stream 0, timed
// with the context's events - the path a client's launch takes in woolyd.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_BENCH_GPU_FENCEDRUN_H
#define WOOLY_BENCH_GPU_FENCEDRUN_H

#include "bench/gpu/BenchCases.h"
#include "runtime/exec/Executor.h"

#include <memory>
#include <string>

namespace wooly::bench {

class FencedRun {
public:
  /// Loads `wis` (WIS bytecode) into `context`, finds `c.kernel`, writes
  /// c's constants and allocates c's buffers. Returns "" or what failed.
  static std::string create(exec::Context &context, const std::string &wis,
                            const Case &c, std::unique_ptr<FencedRun> &out);
  ~FencedRun();

  /// Copies the inputs into the buffers (on stream 0, asynchronously).
  std::string reset(const std::vector<Bytes> &inputs);
  std::string launch();
  /// Waits for stream 0 and reads buffer `index` back.
  std::string read(unsigned index, Bytes &out);
  /// One launch between the context's two events: its time in microseconds.
  std::string time(float &us);

private:
  FencedRun(exec::Context &context, const Case &c)
      : context(context), c(c) {}

  exec::Context &context;
  const Case &c;
  exec::ModuleId module = 0;
  exec::FunctionId function = 0;
  std::vector<exec::DevicePtr> buffers;
  std::vector<uint8_t> args; // packed at the kernel's parameter offsets
  exec::LaunchConfig config;
  exec::EventId start = 0, stop = 0;
};

} // namespace wooly::bench

#endif // WOOLY_BENCH_GPU_FENCEDRUN_H
