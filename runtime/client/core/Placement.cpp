//===- Placement.cpp - Asking the controller where to run -----------------===//
#include "runtime/client/core/Placement.h"
#include "runtime/protocol/ControllerClient.h"

#include <cstdlib>

namespace wooly::client {

static std::string env(const char *name) {
  const char *v = getenv(name);
  return v ? v : "";
}

bool placeWithController(zmq::context_t &context,
                         const std::string &controllerUrl, Placement &out,
                         std::string &error, const std::string &avoid) {
  protocol::ControllerEndpoint controller{controllerUrl,
                                          protocol::ClientSecurity::insecure()};
  if (std::string keys = env("WOOLY_KEYS"); !keys.empty()) {
    auto security = protocol::ClientSecurity::fromKeysDir(keys, true);
    if (!security) {
      error = "WOOLY_KEYS=" + keys + ": " + security.error().message;
      return false;
    }
    controller.security = *security;
  }
  protocol::PlacementRequestMsg request;
  request.memoryBytes = strtoull(env("WOOLY_MEMORY_LIMIT").c_str(), nullptr, 10);
  request.tenant = env("WOOLY_TENANT");
  std::string prio = env("WOOLY_PRIORITY");
  request.priority = prio == "best-effort"         ? protocol::PriorityClass::Batch
                     : prio == "latency-sensitive" ? protocol::PriorityClass::Interactive
                                                   : protocol::PriorityClass::Normal;
  request.avoid = avoid;
  auto reply = protocol::requestPlacement(context, controller, request);
  if (!reply) {
    error = "the controller at " + controllerUrl +
            " gave no placement: " + reply.error().message;
    return false;
  }
  out.serverName = reply->serverName;
  out.endpoint = reply->endpoint;
  out.serverPublicKey = reply->serverPublicKey;
  if (getenv("WOOLY_LOG"))
    fprintf(stderr, "wooly: controller placed this program on %s (%s): %s\n",
            reply->serverName.c_str(), reply->endpoint.c_str(),
            reply->explanation.c_str());
  return true;
}

} // namespace wooly::client
