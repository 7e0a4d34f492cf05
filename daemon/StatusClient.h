//===- StatusClient.h - Asking a running woolyd for its status ------------===//
#ifndef WOOLY_DAEMON_STATUSCLIENT_H
#define WOOLY_DAEMON_STATUSCLIENT_H

#include <functional>
#include <string>

namespace wooly::daemon {

/// Sends a Status request to the server at `url` (CURVE keys from `keysDir`
/// when not empty) and returns its JSON. False with `error` set on failure
/// or after a 5 s timeout.
bool queryStatus(const std::string &url, const std::string &keysDir,
                 std::string &json, std::string &error);

} // namespace wooly::daemon

#endif // WOOLY_DAEMON_STATUSCLIENT_H
