//===- GpuFaultABI.h - The fault record NVIDIA kernels write ----*- C++ -*-===//
//
// What a kernel compiled by Wooly writes when it executes `trap` or a
// device-side assert fails, instead of ending the launch through the driver
// (which would poison the device context every session shares), and what
// the GPU contexts read back (docs/gpu-backends.md, "Traps and asserts").
//
// Each loaded module that can trap has the global `__wooly_fault` =
// { record, zero } (two u64): the device address of its context's fault
// record (0: none, and a trap or assert ends the launch through the driver
// as before) and a word that stays 0, which the loop-header polls read when
// there is no record.
//
// Record (all fields little-endian, zeroed by the executor):
//   u32 kind       kNone, or what the first fault of the context was; set
//                  by a compare-and-swap from kNone, so the first fault
//                  wins (or by the executor: kStop), and polled at loop
//                  headers by every thread of the module's kernels, which
//                  then exit
//   u32 complete   1 once the fields below are written (a release store)
//   u32 block[3]   %ctaid of the faulting thread
//   u32 thread[3]  %tid of the faulting thread
//   u32 line       the assert's line (0 for trap)
//   then three texts of kTextBytes each (NUL-terminated, cut to fit): the
//   assert's message, file and function (empty for trap)
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_COMPILER_TARGET_GPU_GPUFAULTABI_H
#define WOOLY_COMPILER_TARGET_GPU_GPUFAULTABI_H

#include <cstdint>

namespace wooly::gpu::fault_abi {

inline constexpr const char *kGlobalName = "__wooly_fault";
inline constexpr uint64_t kSlotBytes = 16;
inline constexpr uint64_t kZeroWordOffset = 8;

inline constexpr uint64_t kKindOffset = 0;
inline constexpr uint64_t kCompleteOffset = 4;
inline constexpr uint64_t kBlockOffset = 8;
inline constexpr uint64_t kThreadOffset = 20;
inline constexpr uint64_t kLineOffset = 32;
inline constexpr uint64_t kTextBytes = 128;
inline constexpr uint64_t kMessageOffset = 64;
inline constexpr uint64_t kFileOffset = kMessageOffset + kTextBytes;
inline constexpr uint64_t kFunctionOffset = kFileOffset + kTextBytes;
inline constexpr uint64_t kRecordBytes = kFunctionOffset + kTextBytes;

/// kStop is written by the executor, not by a kernel (the launch watchdog,
/// a session that goes away): the polls end every thread, nothing else is
/// in the record.
enum Kind : uint32_t { kNone = 0, kTrap = 1, kAssert = 2, kStop = 3 };

} // namespace wooly::gpu::fault_abi

#endif // WOOLY_COMPILER_TARGET_GPU_GPUFAULTABI_H
