//===- PrintfBuffer.h - Reading back a context's device printf --*- C++ -*-===//
//
// GPU kernels append printf records to their context's printf buffer
// (compiler/target/gpu/GpuPrintfABI.h); the context copies the used part back
// at a synchronization point and turns it into text here, without a device:
// what the buffer holds decides the text, so this is tested on synthetic
// buffers.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_RUNTIME_EXEC_GPU_PRINTFBUFFER_H
#define WOOLY_RUNTIME_EXEC_GPU_PRINTFBUFFER_H

#include <cstdint>
#include <functional>
#include <span>
#include <string>

namespace wooly::exec::gpu {

/// The buffer header's fields (GpuPrintfABI.h).
struct PrintfHeader {
  uint64_t reserved = 0;
  uint32_t dropped = 0;
  uint32_t capacity = 0;
  /// Bytes of records to read back: the reservation, at most the capacity.
  uint64_t usedBytes() const {
    return reserved < capacity ? reserved : capacity;
  }
};

/// Decodes the 16 header bytes.
PrintfHeader readPrintfHeader(std::span<const uint8_t, 16> bytes);

/// The format of record `format` of the module tagged `tag`, or nullptr
/// when there is none.
using PrintfFormatLookup =
    std::function<const std::string *(uint32_t tag, uint32_t format)>;

/// Formats the records in `records` (the bytes after the header) in order
/// and appends the text to `out`; then, when `dropped` is not 0, a line
/// saying how many records a full buffer lost. A record that is cut short
/// or was never written (the kernel faulted between reserving and writing
/// it) ends the walk with a line saying so, unless records were dropped:
/// then the first unwritten record is where the buffer filled up. One
/// naming an unknown format is skipped with a line saying so. Returns the
/// number of records printed.
size_t formatPrintfRecords(std::span<const uint8_t> records, uint32_t dropped,
                           const PrintfFormatLookup &formats, std::string &out);

} // namespace wooly::exec::gpu

#endif // WOOLY_RUNTIME_EXEC_GPU_PRINTFBUFFER_H
