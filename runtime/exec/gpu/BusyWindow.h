//===- BusyWindow.h - Busy time of a device over sampling windows -*- C++
//-*-===//
//
// The GPU executors' busyFraction(): the fraction of the wall time since the
// previous sample during which any kernel of any session was running. Kernel
// intervals (host clock, ns) arrive as their launches are harvested, in no
// particular order and possibly after the window they ran in was sampled;
// kernels still running at a sample are passed in by their start. The
// window takes the union, so kernels of several sessions running at once
// count once.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_RUNTIME_EXEC_GPU_BUSYWINDOW_H
#define WOOLY_RUNTIME_EXEC_GPU_BUSYWINDOW_H

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace wooly::exec::gpu {

/// Not thread-safe: GpuTelemetry guards it.
class BusyWindow {
public:
  /// The first window starts at `start` (host ns).
  explicit BusyWindow(uint64_t start) : since(start) {}

  /// A kernel ran over [start, end).
  void add(uint64_t start, uint64_t end);

  /// The fraction of [previous sample, now) covered by the added intervals
  /// and by [each of `runningSince`, now) (kernels started and not yet
  /// finished), in [0, 1]; the next window starts at `now`. What was
  /// counted before the previous sample is never counted again.
  double sample(uint64_t now, std::span<const uint64_t> runningSince);

  /// Intervals held at most; beyond that, gaps shorter than a growing
  /// bound are counted as busy (a window sampled rarely over very many
  /// short kernels loses precision, never the kernels' busy time).
  static constexpr size_t kMaxIntervals = 8192;

private:
  /// Sorts and merges touching intervals; then, while too many remain,
  /// closes the shortest gaps.
  void compact();

  uint64_t since;
  std::vector<std::pair<uint64_t, uint64_t>> intervals;
};

} // namespace wooly::exec::gpu

#endif // WOOLY_RUNTIME_EXEC_GPU_BUSYWINDOW_H
