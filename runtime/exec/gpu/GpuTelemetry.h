//===- GpuTelemetry.h - Device-wide kernel timing of a GPU executor -*- C++
//-*-===//
//
// What the cuda and hip executors know of when kernels ran, for the
// telemetry of issue #7 (busy fraction, per-session kernel time and
// queueing delay). Kernels are timed with driver events (LaunchTimer, one
// per session); this object holds what the sessions share:
//
//  - The clock anchor. Driver events carry device timestamps that can only
//    be compared with each other (cuEventElapsedTime / hipEventElapsedTime).
//    An anchor is an event recorded on an idle stream of the executor's own
//    together with the host time (steady clock) read just before it was
//    recorded: a device event's host time is the anchor's host time plus the
//    elapsed time from the anchor to the event. The anchor's own submission
//    latency is not known, so host times come out early by it (microseconds);
//    see LaunchTimer for what that means for queueing delays.
//  - The busy window (BusyWindow) that every session's kernel intervals
//    feed, and the list of sessions, harvested at each busyFraction().
//
// The anchor is renewed every second without waiting on the device (the new
// event is used once the driver says it completed), because elapsed times
// are floats in milliseconds: their resolution falls as the distance to the
// anchor grows (about 1 µs at 10 s). A renewal that completed noticeably
// later than its host time says (its stream was held up behind other work)
// is ignored unless the anchor in use is 10 s old.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_RUNTIME_EXEC_GPU_GPUTELEMETRY_H
#define WOOLY_RUNTIME_EXEC_GPU_GPUTELEMETRY_H

#include "runtime/exec/gpu/BusyWindow.h"
#include "runtime/exec/gpu/DeviceApi.h"

#include <functional>
#include <memory>
#include <mutex>
#include <vector>

namespace wooly::exec::gpu {

class LaunchTimer;

/// Host time in nanoseconds; tests pass their own.
using HostClock = std::function<uint64_t()>;
/// The steady clock, in nanoseconds.
uint64_t steadyClockNs();

class GpuTelemetry {
public:
  /// Makes the executor's anchor stream and a first anchor, waiting for it
  /// (nothing else runs yet). Where the driver cannot (no events), kernels
  /// are still timed but have no host times: no queueing delays, busy
  /// fraction 0.
  GpuTelemetry(DeviceApi &api, HostClock clock = steadyClockNs);
  ~GpuTelemetry();
  GpuTelemetry(const GpuTelemetry &) = delete;
  GpuTelemetry &operator=(const GpuTelemetry &) = delete;

  uint64_t now() const { return clock(); }

  /// A device event and the host time just before it was recorded.
  struct Anchor {
    DriverEvent event = nullptr;
    uint64_t hostNs = 0;
  };
  /// The anchor in use (null where none could be made); starts or takes a
  /// renewal on the way, never waiting for the device.
  std::shared_ptr<const Anchor> anchor();
  /// The anchor in use, and nothing else: launches keep the one that was
  /// in use when they were submitted, so their events come after it (and
  /// elapsed times from it are never negative).
  std::shared_ptr<const Anchor> currentAnchor();
  /// The host time of a completed, timed event through `anchor`.
  bool hostTime(const Anchor &anchor, DriverEvent event, uint64_t &ns);

  /// A kernel ran over [start, end) (host ns).
  void addBusy(uint64_t start, uint64_t end);
  /// Executor::busyFraction(): harvests every session's launches, then the
  /// fraction of the time since the previous call during which any kernel
  /// ran (the host executor's window semantics).
  double busyFraction();

  /// Sessions register their timer for busyFraction() to harvest.
  void attach(LaunchTimer *timer);
  void detach(LaunchTimer *timer);

  static constexpr uint64_t kRenewAnchorNs = 1'000'000'000;
  /// How much later than the anchor in use a renewal may have reached the
  /// device and still replace it (clock drift; the driver's jitter).
  static constexpr uint64_t kAnchorSlackNs = 20'000;
  static constexpr uint64_t kMaxAnchorAgeNs = 10'000'000'000;

private:
  /// Records a new anchor event on the anchor stream.
  std::shared_ptr<Anchor> recordAnchor();
  /// Whether the completed `renewal` should replace `current`.
  bool better(const Anchor &renewal);

  DeviceApi &api;
  HostClock clock;

  std::mutex anchorMutex;
  DriverStream anchorStream = nullptr;
  std::shared_ptr<const Anchor> current;
  std::shared_ptr<Anchor> renewal; // recorded, not known to be complete
  uint64_t lastRenewalNs = 0;      // host time of the last anchor recorded

  std::mutex windowMutex;
  BusyWindow window;

  std::mutex timersMutex; // taken before a timer's own
  std::vector<LaunchTimer *> timers;
};

} // namespace wooly::exec::gpu

#endif // WOOLY_RUNTIME_EXEC_GPU_GPUTELEMETRY_H
