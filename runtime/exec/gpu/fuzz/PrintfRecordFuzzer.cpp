//===- PrintfRecordFuzzer.cpp - libFuzzer over the GPU printf drain -------===//
//
// Everything the drain reads is untrusted: the records are written by a
// client's kernel (with fencing off, anything in the buffer may be garbage),
// and the format strings come from the client's PTX. The first input byte
// picks how many of the next bytes form a format string (the module's one
// format, tag 1, index 0); the next four are the drop count; the rest is the
// record area as the device left it. The drain must print, skip or stop,
// and never read outside what it was given.
//
//===----------------------------------------------------------------------===//

#include "runtime/exec/gpu/PrintfBuffer.h"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 5)
    return 0;
  size_t formatBytes = data[0] % 64;
  if (size < 5 + formatBytes)
    return 0;
  std::string format(reinterpret_cast<const char *>(data + 1), formatBytes);
  uint32_t dropped = 0;
  std::memcpy(&dropped, data + 1 + formatBytes, 4);
  // A copy of its own, so ASan sees any read past the record area.
  std::vector<uint8_t> records(data + 5 + formatBytes, data + size);
  std::string out;
  wooly::exec::gpu::formatPrintfRecords(
      records, dropped,
      [&](uint32_t tag, uint32_t index) -> const std::string * {
        return tag == 1 && index == 0 ? &format : nullptr;
      },
      out);
  return 0;
}
