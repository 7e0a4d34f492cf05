//===- LaunchTimer.cpp - One session's kernel timing on a GPU -------------===//

#include "runtime/exec/gpu/LaunchTimer.h"

#include <algorithm>
#include <cmath>

namespace wooly::exec::gpu {

LaunchTimer::LaunchTimer(DeviceApi &api, GpuTelemetry &telemetry,
                         size_t maxPairs)
    : api(api), telemetry(telemetry), maxPairs(maxPairs) {
  telemetry.attach(this);
}

LaunchTimer::~LaunchTimer() {
  telemetry.detach(this); // no busyFraction() harvests this one any more
  std::lock_guard<std::mutex> lock(mutex);
  harvestLocked(nullptr);
  for (const Launch &launch : inFlight)
    destroy(launch.events);
  for (const Pair &pair : idle)
    destroy(pair);
}

void LaunchTimer::destroy(const Pair &pair) {
  api.eventDestroy(pair.start);
  api.eventDestroy(pair.end);
  --created;
}

bool LaunchTimer::takePair(Pair &out) {
  if (idle.empty() && created >= maxPairs)
    harvestLocked(nullptr);
  if (!idle.empty()) {
    out = idle.back();
    idle.pop_back();
    return true;
  }
  if (created >= maxPairs)
    return false;
  Pair pair;
  if (!api.eventCreate(pair.start))
    return false;
  if (!api.eventCreate(pair.end)) {
    api.eventDestroy(pair.start);
    return false;
  }
  ++created;
  out = pair;
  return true;
}

bool LaunchTimer::begin(DriverStream stream) {
  std::lock_guard<std::mutex> lock(mutex);
  Pair pair;
  if (!takePair(pair)) {
    ++untimedLaunches;
    return false;
  }
  uint64_t submit = telemetry.now();
  if (!api.eventRecord(pair.start, stream)) {
    idle.push_back(pair);
    ++untimedLaunches;
    return false;
  }
  opened = Launch{pair, stream, submit, telemetry.currentAnchor()};
  return true;
}

void LaunchTimer::end(bool launched) {
  std::lock_guard<std::mutex> lock(mutex);
  if (!opened)
    return;
  Launch launch = *opened;
  opened.reset();
  if (!launched) {
    idle.push_back(launch.events);
    return;
  }
  if (!api.eventRecord(launch.events.end, launch.stream)) {
    idle.push_back(launch.events);
    ++untimedLaunches;
    return;
  }
  inFlight.push_back(launch);
}

void LaunchTimer::addDelay(uint64_t ns) {
  if (delays.size() < kDelaySamples)
    delays.push_back(ns);
  else
    delays[delayNext++ % kDelaySamples] = ns;
}

/// Milliseconds as the driver reports them, in whole nanoseconds.
static int64_t toNs(float ms) { return std::llround(double(ms) * 1e6); }

void LaunchTimer::harvestLocked(std::vector<uint64_t> *running) {
  if (inFlight.empty())
    return;
  telemetry.anchor(); // renews the anchor when it is time
  // A stream runs its work in order: once one of its launches is not done,
  // its later ones are not either, and are not asked about.
  std::vector<DriverStream> busyStreams;
  std::deque<Launch> left;
  for (const Launch &launch : inFlight) {
    if (std::find(busyStreams.begin(), busyStreams.end(), launch.stream) !=
        busyStreams.end()) {
      left.push_back(launch);
      continue;
    }
    Status done = api.eventQuery(launch.events.end);
    if (done.code == ErrorCode::NotReady) {
      busyStreams.push_back(launch.stream);
      left.push_back(launch);
      uint64_t start = 0;
      if (running && launch.anchor && api.eventQuery(launch.events.start) &&
          telemetry.hostTime(*launch.anchor, launch.events.start, start))
        running->push_back(start);
      continue;
    }
    if (!done) {
      // The stream failed (a faulting kernel); its error reaches the
      // client at its next synchronization. The pair may be unusable.
      destroy(launch.events);
      ++untimedLaunches;
      continue;
    }
    float ms = 0;
    if (api.eventElapsed(launch.events.start, launch.events.end, ms)) {
      auto ns = static_cast<uint64_t>(std::max<int64_t>(0, toNs(ms)));
      kernelNs += ns;
      uint64_t start = 0;
      if (launch.anchor &&
          telemetry.hostTime(*launch.anchor, launch.events.start, start)) {
        addDelay(start > launch.submitNs ? start - launch.submitNs : 0);
        telemetry.addBusy(start, start + ns);
      }
    }
    idle.push_back(launch.events);
  }
  inFlight = std::move(left);
}

void LaunchTimer::harvest(std::vector<uint64_t> *running) {
  std::lock_guard<std::mutex> lock(mutex);
  harvestLocked(running);
}

void LaunchTimer::fill(ContextStats &stats) {
  std::lock_guard<std::mutex> lock(mutex);
  harvestLocked(nullptr);
  stats.kernelNanoseconds = kernelNs;
  stats.pendingLaunches = inFlight.size();
  if (delays.empty())
    return;
  std::vector<uint64_t> sorted(delays);
  std::sort(sorted.begin(), sorted.end());
  stats.queueDelayP50Ns = sorted[sorted.size() / 2];
  stats.queueDelayP99Ns =
      sorted[std::min(sorted.size() - 1, sorted.size() * 99 / 100)];
}

uint64_t LaunchTimer::untimed() const {
  std::lock_guard<std::mutex> lock(mutex);
  return untimedLaunches;
}

} // namespace wooly::exec::gpu
