//===- Placement.h - Asking the controller where to run -------------------===//
#ifndef WOOLY_RUNTIME_CLIENT_CORE_PLACEMENT_H
#define WOOLY_RUNTIME_CLIENT_CORE_PLACEMENT_H

#include <string>
#include <zmq.hpp>

namespace wooly::client {

struct Placement {
  std::string serverName; // as the controller knows it
  std::string endpoint;
  std::string serverPublicKey; // "" when the server runs without CURVE
};

/// Asks the controller at `controllerUrl` for a server (CURVE keys from
/// $WOOLY_KEYS when set; memory need from $WOOLY_MEMORY_LIMIT, tenant from
/// $WOOLY_TENANT, class from $WOOLY_PRIORITY), any server but `avoid` (a
/// server name; "" for none). Returns false with `error` set when there is
/// no placement.
bool placeWithController(zmq::context_t &context,
                         const std::string &controllerUrl, Placement &out,
                         std::string &error, const std::string &avoid = "");

} // namespace wooly::client

#endif // WOOLY_RUNTIME_CLIENT_CORE_PLACEMENT_H
