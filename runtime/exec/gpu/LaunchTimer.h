//===- LaunchTimer.h - One session's kernel timing on a GPU -----*- C++ -*-===//
//
// ContextStats for a GpuContext: each launch is bracketed by two driver
// events recorded on its stream (start before the kernel, end after it),
// and completed pairs are harvested later without ever waiting for the
// device (eventQuery only). What a harvested launch yields:
//
//  - kernel time: elapsed(start, end), from the moment the stream reached
//    the kernel to the moment it finished. On a shared device this includes
//    time the kernel's blocks waited for SMs/CUs held by other sessions'
//    kernels (a driver event cannot see when the first block started).
//  - queueing delay (submit -> start): the host time of the start event
//    (GpuTelemetry's clock anchor) minus the host time GpuContext::launch
//    read just before recording it, after the launch was checked. It is the
//    time the launch waited on its stream behind the session's earlier work
//    (and for the device's front end), less the driver's submission latency
//    (the anchor's host times are early by it), and never below 0. The 1024
//    most recent delays give p50 and p99, as on the host executor.
//  - a busy interval [start, start + kernel time) for the executor's busy
//    fraction.
//
// Event pairs come from a bounded pool (created on first need, reused after
// harvest). When every pair is still in flight, a harvest is tried; if none
// frees up, the launch runs untimed: it counts as a launch, but adds no
// kernel time or delay and is not in pendingLaunches.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_RUNTIME_EXEC_GPU_LAUNCHTIMER_H
#define WOOLY_RUNTIME_EXEC_GPU_LAUNCHTIMER_H

#include "runtime/exec/gpu/GpuTelemetry.h"

#include <deque>
#include <optional>

namespace wooly::exec::gpu {

class LaunchTimer {
public:
  static constexpr size_t kDefaultPairs = 1024;
  static constexpr size_t kDelaySamples = 1024;

  LaunchTimer(DeviceApi &api, GpuTelemetry &telemetry,
              size_t maxPairs = kDefaultPairs);
  /// Harvests what completed (the context has synchronized its streams),
  /// then destroys its events.
  ~LaunchTimer();
  LaunchTimer(const LaunchTimer &) = delete;
  LaunchTimer &operator=(const LaunchTimer &) = delete;

  /// Just before a launch on `stream`: reads the submit time and records a
  /// start event there. False when this launch goes untimed.
  bool begin(DriverStream stream);
  /// Just after it (only after a `begin`): records the end event when the
  /// launch was accepted, else gives the pair back.
  void end(bool launched);

  /// Takes every completed launch, without waiting. With `running`, also
  /// appends the host start time of each kernel that started and has not
  /// finished (the first one pending on its stream).
  void harvest(std::vector<uint64_t> *running = nullptr);
  /// Harvests, then fills kernel time, queueing delays and pending launches.
  void fill(ContextStats &stats);
  /// Launches that found no free event pair or whose events failed.
  uint64_t untimed() const;

private:
  struct Pair {
    DriverEvent start = nullptr;
    DriverEvent end = nullptr;
  };
  struct Launch {
    Pair events;
    DriverStream stream = nullptr;
    uint64_t submitNs = 0;
    std::shared_ptr<const GpuTelemetry::Anchor> anchor; // in use at submit
  };

  // Callers hold `mutex`.
  bool takePair(Pair &out);
  void destroy(const Pair &pair);
  void harvestLocked(std::vector<uint64_t> *running);
  void addDelay(uint64_t ns);

  DeviceApi &api;
  GpuTelemetry &telemetry;
  const size_t maxPairs;
  mutable std::mutex mutex;
  size_t created = 0;           // pairs alive
  std::vector<Pair> idle;       // ready for a launch
  std::deque<Launch> inFlight;  // in submission order
  std::optional<Launch> opened; // between begin() and end()
  uint64_t kernelNs = 0;
  uint64_t untimedLaunches = 0;
  std::vector<uint64_t> delays; // ring of the most recent
  size_t delayNext = 0;
};

} // namespace wooly::exec::gpu

#endif // WOOLY_RUNTIME_EXEC_GPU_LAUNCHTIMER_H
