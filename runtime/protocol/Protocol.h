//===- Protocol.h - The Wooly wire protocol, one include --------*- C++ -*-===//
//
// How to use WoolyProtocol (link the `WoolyProtocol` CMake target):
//
// 1. Messages. A message is a struct with `kType` plus write()/read()
//    overloads (Messages.h). Generic ones live in Messages.h, the
//    controller's in ControllerMessages.h; the daemon's own messages live in
//    runtime/protocol/daemon/ and use type numbers 0x0200-0x03FF.
//    encodeBody(m) gives bytes; decodeBody<T>(bytes) gives Result<T> and
//    never reads out of bounds: truncated/garbage input is Error(Malformed).
//
// 2. Frames (Frame.h). Every message is [header 24 B][body][bulk frames...];
//    the header carries magic "WOOL", protocol version, type, flags, bulk
//    frame count, body length and the request id. receiveMessage() validates
//    all of it; a version mismatch or garbage becomes Incoming::valid = error
//    and the server answers with sendError() (an ErrorReply).
//
// 3. Sockets (Transport.h). Servers: ServerEndpoint::bind(ctx, url,
//    security) -> ROUTER (+ ZAP handler under CURVE). Clients: RequestClient
//    (DEALER, request ids, timeouts) or connectDealer() for pipelined use.
//    URLs: tcp://host:port (port "*" = pick one), ipc:///path, inproc://name.
//
// 4. Security (Keys.h). --keys DIR: ServerSecurity/ClientSecurity::
//    fromKeysDir; --insecure: ::insecure(); --gen-keys DIR: generateKeysDir.
//    The keys dir format is documented in Keys.h and controller/README.md.
//
// 5. Controller (ControllerClient.h). Servers run a ServerAgent; clients call
//    requestPlacement().
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_RUNTIME_PROTOCOL_PROTOCOL_H
#define WOOLY_RUNTIME_PROTOCOL_PROTOCOL_H

#include "runtime/protocol/Codec.h"
#include "runtime/protocol/ControllerClient.h"
#include "runtime/protocol/ControllerMessages.h"
#include "runtime/protocol/Error.h"
#include "runtime/protocol/Frame.h"
#include "runtime/protocol/Keys.h"
#include "runtime/protocol/Messages.h"
#include "runtime/protocol/Transport.h"
#include "runtime/protocol/Zap.h"

#endif // WOOLY_RUNTIME_PROTOCOL_PROTOCOL_H
