//===- Placement.cpp - Asking the controller where to run -----------------===//
#include "runtime/client/core/Placement.h"

namespace wooly::client {

std::string placeWithController(zmq::context_t &context,
                                const std::string &controllerUrl,
                                std::string &error) {
  // The controller's placement request lives in the protocol library's
  // ControllerClient; until this client links it, say so plainly.
  error = "WOOLY_CONTROLLER=" + controllerUrl +
          " is not supported by this client build yet: set WOOLY_SERVER to a "
          "woolyd URL instead";
  return "";
}

} // namespace wooly::client
