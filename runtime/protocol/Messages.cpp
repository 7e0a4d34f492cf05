//===- Messages.cpp - Generic messages ------------------------------------===//
#include "runtime/protocol/Messages.h"

namespace wooly::protocol {

void write(Writer &w, const ErrorReplyMsg &m) {
  w.u32(static_cast<uint32_t>(m.code));
  w.string(m.message);
}
void read(Reader &r, ErrorReplyMsg &m) {
  m.code = static_cast<ErrorCode>(r.u32());
  m.message = r.string();
}

void write(Writer &w, const PingMsg &m) { w.u64(m.nonce); }
void read(Reader &r, PingMsg &m) { m.nonce = r.u64(); }

void write(Writer &w, const PongMsg &m) {
  w.u64(m.nonce);
  w.string(m.serverName);
}
void read(Reader &r, PongMsg &m) {
  m.nonce = r.u64();
  m.serverName = r.string();
}

} // namespace wooly::protocol
