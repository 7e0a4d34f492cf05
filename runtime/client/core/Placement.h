//===- Placement.h - Asking the controller where to run -------------------===//
#ifndef WOOLY_RUNTIME_CLIENT_CORE_PLACEMENT_H
#define WOOLY_RUNTIME_CLIENT_CORE_PLACEMENT_H

#include <string>
#include <zmq.hpp>

namespace wooly::client {

/// Asks the controller at `controllerUrl` for a server; returns its URL, or
/// "" with `error` set.
std::string placeWithController(zmq::context_t &context,
                                const std::string &controllerUrl,
                                std::string &error);

} // namespace wooly::client

#endif // WOOLY_RUNTIME_CLIENT_CORE_PLACEMENT_H
