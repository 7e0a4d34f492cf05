//===- TimedHostApi.h - A host-memory driver table with a device clock -*- C++
//-*-===//
//
// HostMemoryApi plus streams and timed events on a simulated device whose
// clock is the test's (`now`, ns, also the host clock the telemetry reads).
// A stream is busy until `freeAt`: a kernel launched on it starts at
// max(now, freeAt) and runs `kernelNs[i]` (the next one in the list, else
// `defaultKernelNs`); an event recorded on it gets the time the stream
// reaches it, and is complete once `now` passes that time. Nothing here
// ever waits: eventSynchronize and streamSynchronize move `now` forward to
// when the work would be done and count themselves, so tests can check
// that harvesting never waits.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_TEST_UNIT_TARGET_GPU_TIMEDHOSTAPI_H
#define WOOLY_TEST_UNIT_TARGET_GPU_TIMEDHOSTAPI_H

#include "HostMemoryApi.h"
#include "runtime/exec/gpu/GpuTelemetry.h"

#include <deque>
#include <map>
#include <optional>

namespace wooly::exec::gpu::testing {

class TimedHostApi : public HostMemoryApi {
public:
  uint64_t now = 1'000'000;
  uint64_t defaultKernelNs = 1000;
  std::deque<uint64_t> kernelNs; // durations of the next launches
  std::map<DriverStream, uint64_t> freeAt;
  std::map<DriverEvent, std::optional<uint64_t>> events; // when reached
  int eventQueries = 0, eventSyncs = 0, streamSyncs = 0;
  /// A stream on which records are held up this long (to delay an anchor).
  std::map<DriverStream, uint64_t> recordDelay;
  bool failEvents = false; // eventCreate fails

  HostClock clock() {
    return [this] { return now; };
  }

  Status launch(DriverFunction fn, const LaunchConfig &config, void **params,
                DriverStream stream) override {
    HostMemoryApi::launch(fn, config, params, stream);
    uint64_t ns = defaultKernelNs;
    if (!kernelNs.empty()) {
      ns = kernelNs.front();
      kernelNs.pop_front();
    }
    freeAt[stream] = std::max(now, freeAt[stream]) + ns;
    return Status::ok();
  }
  Status streamSynchronize(DriverStream stream) override {
    ++streamSyncs;
    now = std::max(now, freeAt[stream]);
    return Status::ok();
  }
  Status streamQuery(DriverStream stream) override {
    return now >= freeAt[stream] ? Status::ok()
                                 : Status::error(ErrorCode::NotReady, "busy");
  }
  Status eventCreate(DriverEvent &out) override {
    if (failEvents)
      return unsupported();
    out = reinterpret_cast<DriverEvent>(++lastEvent);
    events[out] = std::nullopt;
    return Status::ok();
  }
  Status eventDestroy(DriverEvent event) override {
    return events.erase(event) ? Status::ok() : unsupported();
  }
  Status eventRecord(DriverEvent event, DriverStream stream) override {
    auto it = events.find(event);
    if (it == events.end())
      return unsupported();
    uint64_t at = std::max(now, freeAt[stream]);
    if (auto delay = recordDelay.find(stream); delay != recordDelay.end())
      at += delay->second;
    it->second = at;
    return Status::ok();
  }
  Status eventQuery(DriverEvent event) override {
    ++eventQueries;
    auto it = events.find(event);
    if (it == events.end())
      return unsupported();
    return it->second && *it->second <= now
               ? Status::ok()
               : Status::error(ErrorCode::NotReady, "not reached");
  }
  Status eventSynchronize(DriverEvent event) override {
    ++eventSyncs;
    auto it = events.find(event);
    if (it == events.end())
      return unsupported();
    if (it->second)
      now = std::max(now, *it->second);
    return Status::ok();
  }
  Status eventElapsed(DriverEvent start, DriverEvent end, float &ms) override {
    auto a = events.find(start), b = events.find(end);
    if (a == events.end() || b == events.end() || !a->second || !b->second)
      return unsupported();
    if (*a->second > now || *b->second > now)
      return Status::error(ErrorCode::NotReady, "not reached");
    // The strictest reading of the drivers' documentation: an end recorded
    // before the start is an error, not a negative time.
    if (*b->second < *a->second)
      return Status::error(ErrorCode::InvalidValue, "end before start");
    ms = float((double(*b->second) - double(*a->second)) / 1e6);
    return Status::ok();
  }

  /// The events alive (pairs of the timers plus anchors).
  size_t liveEvents() const { return events.size(); }

private:
  uintptr_t lastEvent = 0x1000;
};

} // namespace wooly::exec::gpu::testing

#endif // WOOLY_TEST_UNIT_TARGET_GPU_TIMEDHOSTAPI_H
