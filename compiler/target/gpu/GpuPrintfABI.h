//===- GpuPrintfABI.h - The device printf buffer both GPUs write -*- C++
//-*-===//
//
// What GPU kernels compiled by Wooly write for `printf`, and what the cuda
// and hip executors read back (docs/gpu-backends.md, "Device printf").
//
// Each loaded module has the global `__wooly_printf` = { buffer, tag }
// (two u64): the device address of its context's printf buffer (0: no
// buffer, printf returns -1 and prints nothing) and the tag that names the
// module's format table in that context.
//
// Buffer: a 16-byte header, then records.
//   u64 reserved   bytes of records reserved so far (one atomic add per
//                  printf; may run past the capacity)
//   u32 dropped    printf calls that found the buffer full
//   u32 capacity   bytes available for records after the header
// Record (at an 8-byte boundary, all fields little-endian):
//   u32 bytes      the whole record, a multiple of 8 (0: never written)
//   u32 tag        the module's tag
//   u32 format     the index of the format in the module's table
//   u32 argBytes   then that many bytes of vprintf arguments, padded to 8
//   then, for each %s of the format in order: u32 length (kNullString for
//   a null pointer) and that many bytes of the string (at most
//   kPrintfMaxStringBytes, no NUL), padded to 4; the record is padded to 8.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_COMPILER_TARGET_GPU_GPUPRINTFABI_H
#define WOOLY_COMPILER_TARGET_GPU_GPUPRINTFABI_H

#include <cstdint>

namespace wooly::gpu::printf_abi {

inline constexpr const char *kGlobalName = "__wooly_printf";
inline constexpr uint64_t kReservedOffset = 0;
inline constexpr uint64_t kDroppedOffset = 8;
inline constexpr uint64_t kCapacityOffset = 12;
inline constexpr uint64_t kHeaderBytes = 16;
inline constexpr uint64_t kRecordHeaderBytes = 16;
inline constexpr uint32_t kNullString = 0xffffffffu;

} // namespace wooly::gpu::printf_abi

#endif // WOOLY_COMPILER_TARGET_GPU_GPUPRINTFABI_H
