//===- BusyWindow.cpp - Busy time of a device over sampling windows -------===//

#include "runtime/exec/gpu/BusyWindow.h"

#include <algorithm>

namespace wooly::exec::gpu {

/// Sorts `spans` and merges those that overlap or touch.
static void mergeSorted(std::vector<std::pair<uint64_t, uint64_t>> &spans,
                        uint64_t closeGapsBelow) {
  std::sort(spans.begin(), spans.end());
  size_t out = 0;
  for (size_t i = 0; i < spans.size(); ++i) {
    if (out > 0 && spans[i].first <= spans[out - 1].second + closeGapsBelow) {
      spans[out - 1].second = std::max(spans[out - 1].second, spans[i].second);
      continue;
    }
    spans[out++] = spans[i];
  }
  spans.resize(out);
}

void BusyWindow::add(uint64_t start, uint64_t end) {
  if (end <= since || end <= start)
    return; // counted already (or empty)
  intervals.emplace_back(std::max(start, since), end);
  if (intervals.size() >= kMaxIntervals)
    compact();
}

void BusyWindow::compact() {
  mergeSorted(intervals, 0);
  for (uint64_t gap = 1000; intervals.size() > kMaxIntervals / 2; gap *= 4)
    mergeSorted(intervals, gap);
}

double BusyWindow::sample(uint64_t now, std::span<const uint64_t> running) {
  if (now <= since) {
    since = std::max(since, now);
    return 0.0;
  }
  std::vector<std::pair<uint64_t, uint64_t>> spans;
  spans.reserve(intervals.size() + running.size());
  for (auto [start, end] : intervals)
    if (start < now)
      spans.emplace_back(std::max(start, since), std::min(end, now));
  for (uint64_t start : running)
    if (start < now)
      spans.emplace_back(std::max(start, since), now);
  mergeSorted(spans, 0);
  uint64_t busy = 0;
  for (auto [start, end] : spans)
    busy += end - start;
  double fraction = double(busy) / double(now - since);

  // What ran up to `now` has been reported; only time after it may still
  // count (an interval reaching past `now` by the clock mapping's error).
  since = now;
  std::erase_if(intervals, [&](auto &span) { return span.second <= now; });
  for (auto &span : intervals)
    span.first = std::max(span.first, now);
  return std::clamp(fraction, 0.0, 1.0);
}

} // namespace wooly::exec::gpu
