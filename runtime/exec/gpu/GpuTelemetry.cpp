//===- GpuTelemetry.cpp - Device-wide kernel timing of a GPU executor -----===//

#include "runtime/exec/gpu/GpuTelemetry.h"

#include "runtime/exec/gpu/LaunchTimer.h"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace wooly::exec::gpu {

uint64_t steadyClockNs() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(
          std::chrono::steady_clock::now().time_since_epoch())
          .count());
}

GpuTelemetry::GpuTelemetry(DeviceApi &api, HostClock clock)
    : api(api), clock(std::move(clock)), window(this->clock()) {
  int least = 0, greatest = 0;
  api.priorityRange(least, greatest);
  if (!api.streamCreate(greatest, anchorStream)) {
    anchorStream = nullptr;
    return;
  }
  std::shared_ptr<Anchor> first = recordAnchor();
  if (!first)
    return;
  lastRenewalNs = first->hostNs;
  if (api.eventSynchronize(first->event))
    current = std::move(first);
}

GpuTelemetry::~GpuTelemetry() {
  current.reset();
  renewal.reset();
  if (anchorStream) {
    api.streamSynchronize(anchorStream);
    api.streamDestroy(anchorStream);
  }
}

std::shared_ptr<GpuTelemetry::Anchor> GpuTelemetry::recordAnchor() {
  DriverEvent event = nullptr;
  if (!anchorStream || !api.eventCreate(event))
    return nullptr;
  DeviceApi *driver = &api;
  std::shared_ptr<Anchor> anchor(new Anchor{event, 0}, [driver](Anchor *a) {
    driver->eventDestroy(a->event);
    delete a;
  });
  // Read before recording: the device cannot time the event earlier.
  anchor->hostNs = clock();
  if (!api.eventRecord(event, anchorStream))
    return nullptr;
  return anchor;
}

bool GpuTelemetry::better(const Anchor &candidate) {
  if (!current || candidate.hostNs - current->hostNs >= kMaxAnchorAgeNs)
    return true;
  float ms = 0;
  if (!api.eventElapsed(current->event, candidate.event, ms))
    return true;
  // How much later than `current` the candidate reached the device,
  // relative to when each was recorded: a renewal whose stream was held up
  // would move every host time later.
  int64_t late = std::llround(double(ms) * 1e6) -
                 int64_t(candidate.hostNs - current->hostNs);
  return late <= int64_t(kAnchorSlackNs);
}

std::shared_ptr<const GpuTelemetry::Anchor> GpuTelemetry::anchor() {
  std::lock_guard<std::mutex> lock(anchorMutex);
  if (renewal) {
    Status done = api.eventQuery(renewal->event);
    if (done) {
      if (better(*renewal))
        current = std::move(renewal);
      renewal.reset();
    } else if (done.code != ErrorCode::NotReady) {
      renewal.reset();
    }
  }
  // Renewals are a second apart, refused ones included (so a stream that
  // is held up often does not get an event per harvest).
  if (!renewal && anchorStream && clock() - lastRenewalNs >= kRenewAnchorNs) {
    renewal = recordAnchor();
    if (renewal)
      lastRenewalNs = renewal->hostNs;
  }
  return current;
}

std::shared_ptr<const GpuTelemetry::Anchor> GpuTelemetry::currentAnchor() {
  std::lock_guard<std::mutex> lock(anchorMutex);
  return current;
}

bool GpuTelemetry::hostTime(const Anchor &anchor, DriverEvent event,
                            uint64_t &ns) {
  float ms = 0;
  if (!api.eventElapsed(anchor.event, event, ms))
    return false;
  int64_t at = int64_t(anchor.hostNs) + std::llround(double(ms) * 1e6);
  ns = static_cast<uint64_t>(std::max<int64_t>(0, at));
  return true;
}

void GpuTelemetry::addBusy(uint64_t start, uint64_t end) {
  std::lock_guard<std::mutex> lock(windowMutex);
  window.add(start, end);
}

double GpuTelemetry::busyFraction() {
  std::vector<uint64_t> running;
  {
    std::lock_guard<std::mutex> lock(timersMutex);
    for (LaunchTimer *timer : timers)
      timer->harvest(&running);
  }
  // Read after the harvest: a kernel that finished meanwhile was seen
  // running, and counts up to now.
  uint64_t now = clock();
  std::lock_guard<std::mutex> lock(windowMutex);
  return window.sample(now, running);
}

void GpuTelemetry::attach(LaunchTimer *timer) {
  std::lock_guard<std::mutex> lock(timersMutex);
  timers.push_back(timer);
}

void GpuTelemetry::detach(LaunchTimer *timer) {
  std::lock_guard<std::mutex> lock(timersMutex);
  std::erase(timers, timer);
}

} // namespace wooly::exec::gpu
