//===- SmPartition.h - How many SMs best-effort sessions get ----*- C++ -*-===//
//
// Where the driver can confine kernels to part of the GPU (CUDA green
// contexts), best-effort sessions run on a partition of the SMs and every
// other session keeps the rest to itself: a best-effort flood cannot occupy
// the whole device. The partition's size is a share of the SMs, rounded to
// what the hardware can split off.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_RUNTIME_EXEC_GPU_SMPARTITION_H
#define WOOLY_RUNTIME_EXEC_GPU_SMPARTITION_H

#include <cstdint>

namespace wooly::exec::gpu {

/// SMs for the best-effort partition: `percent` of `total`, rounded down
/// to a multiple of `alignment`, at least `minimum`; 0 (no partition) when
/// that would leave the other sessions fewer SMs than the partition's
/// minimum, or when `percent` is not in 1..99.
inline uint32_t bestEffortSmCount(uint32_t total, uint32_t minimum,
                                  uint32_t alignment, uint32_t percent) {
  if (percent == 0 || percent >= 100 || total == 0)
    return 0;
  if (alignment == 0)
    alignment = 1;
  uint64_t share = uint64_t(total) * percent / 100;
  uint32_t count = static_cast<uint32_t>(share / alignment * alignment);
  if (count < minimum)
    count = (minimum + alignment - 1) / alignment * alignment;
  if (count >= total || total - count < minimum)
    return 0;
  return count;
}

} // namespace wooly::exec::gpu

#endif // WOOLY_RUNTIME_EXEC_GPU_SMPARTITION_H
