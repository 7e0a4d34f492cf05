//===- MessageFuzzer.cpp - libFuzzer over the client<->daemon decoders ----===//
//
// Every decoder the server runs on bytes a client chose: the header, the
// Hello fields, the device and kernel descriptions. Any input must end in a
// value or a DecodeError, never a crash, a hang or an out-of-bounds read.
//
//===----------------------------------------------------------------------===//
#include "runtime/protocol/daemon/Messages.h"

using namespace wooly::protocol::daemon;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::span<const uint8_t> in(data, size);
  try {
    (void)Header::decode(in.first(std::min(size, kHeaderSize)));
  } catch (const DecodeError &) {
  }
  try {
    ByteReader r(in);
    (void)r.get<uint32_t>("pid");
    (void)r.getString("client", 256);
    (void)r.get<uint64_t>("g");
    (void)r.getBytes("bytes");
    r.expectEnd();
  } catch (const DecodeError &) {
  }
  try {
    ByteReader r(in);
    (void)DeviceDescription::decode(r);
  } catch (const DecodeError &) {
  }
  try {
    ByteReader r(in);
    (void)KernelDescription::decode(r);
  } catch (const DecodeError &) {
  }
  return 0;
}
