//===- Embedded.h - The daemon core inside the CUDA program ----------------===//
#ifndef WOOLY_RUNTIME_CLIENT_CORE_EMBEDDED_H
#define WOOLY_RUNTIME_CLIENT_CORE_EMBEDDED_H

#include <memory>
#include <string>
#include <zmq.hpp>

namespace wooly::client {

/// Starts a server (host executor) on a fresh inproc:// endpoint of `context`
/// and returns what keeps it alive; `url` is set to the endpoint. Null with
/// `error` set when no executor can start.
std::shared_ptr<void> startEmbeddedServer(std::shared_ptr<zmq::context_t> context,
                                          std::string &url, std::string &error);

} // namespace wooly::client

#endif // WOOLY_RUNTIME_CLIENT_CORE_EMBEDDED_H
