//===- LaunchWatchdog.cpp - Stopping GPU kernels that run too long --------===//

#include "runtime/exec/gpu/LaunchWatchdog.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace wooly::exec::gpu {

LaunchWatchdog::LaunchWatchdog(
    uint64_t limitMs, HostClock clock,
    std::function<void(const std::string &)> giveUp, bool thread)
    : limit(limitMs), clock(std::move(clock)), giveUp(std::move(giveUp)) {
  if (thread && limit)
    worker = std::thread([this] { loop(); });
}

LaunchWatchdog::~LaunchWatchdog() {
  {
    std::lock_guard<std::mutex> lock(mutex);
    stopping = true;
  }
  stopRequested.notify_all();
  if (worker.joinable())
    worker.join();
}

void LaunchWatchdog::add(WatchedSession *session) {
  std::lock_guard<std::mutex> lock(mutex);
  sessions.insert(session);
}

void LaunchWatchdog::remove(WatchedSession *session) {
  std::lock_guard<std::mutex> lock(mutex);
  sessions.erase(session);
  done.erase(session);
}

void LaunchWatchdog::loop() {
  auto period =
      std::chrono::milliseconds(std::clamp<uint64_t>(limit / 4, 1, 100));
  std::unique_lock<std::mutex> lock(mutex);
  while (!stopping) {
    stopRequested.wait_for(lock, period);
    if (stopping)
      break;
    lock.unlock();
    check();
    lock.lock();
  }
}

void LaunchWatchdog::check() {
  // Under the lock throughout: a session being destroyed waits in remove()
  // until this pass is done with it.
  std::lock_guard<std::mutex> lock(mutex);
  uint64_t now = clock();
  uint64_t limitNs = limit * 1000000ull;
  uint64_t graceNs = std::max<uint64_t>(limitNs, 1000000000ull);
  WatchedSession *oldest = nullptr;
  uint64_t oldestStart = 0;
  for (WatchedSession *session : sessions) {
    std::optional<uint64_t> start = session->oldestRunningStart();
    if (auto it = done.find(session); it != done.end()) {
      if (start && *start <= it->second && now - it->second > graceNs &&
          !gaveUp) {
        gaveUp = true;
        std::string why =
            "a kernel ran past the " + std::to_string(limit) +
            " ms launch limit and could not be stopped (no polls it "
            "reaches); only a new process ends it: restart woolyd";
        if (giveUp)
          giveUp(why);
      }
      continue;
    }
    if (!start)
      continue;
    uint64_t counted = std::max(*start, lastStopNs);
    if (!oldest || counted < oldestStart) {
      oldest = session;
      oldestStart = counted;
    }
  }
  if (!oldest || now < oldestStart || now - oldestStart <= limitNs)
    return;
  done[oldest] = now;
  if (oldest->stopOverdue(limit)) {
    lastStopNs = now;
  } else if (!warned) {
    warned = true;
    std::fprintf(stderr,
                 "wooly: a kernel ran longer than the %llu ms launch limit "
                 "but was compiled without the polls that could stop it\n",
                 static_cast<unsigned long long>(limit));
  }
}

} // namespace wooly::exec::gpu
