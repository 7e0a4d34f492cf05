//===- Advertise.h - The endpoint woolyd gives its controller ---*- C++ -*-===//
//
// Clients connect where the controller sends them, so woolyd registers an
// endpoint other machines can reach. A woolyd bound to every interface
// (tcp://0.0.0.0:7701, tcp://*:7701) knows its socket only as
// tcp://0.0.0.0:7701, which on a client's machine means that machine
// itself. So the wildcard host is replaced by the address this machine
// reaches the controller from (the route the kernel picks for it), which a
// fleet on one network reaches back; `--advertise URL` says it outright
// (NAT, several networks, a DNS name).
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_DAEMON_ADVERTISE_H
#define WOOLY_DAEMON_ADVERTISE_H

#include <functional>
#include <string>

namespace wooly::daemon {

/// Whether `url` is tcp:// on a wildcard host (0.0.0.0, *, [::]).
bool isWildcardTcp(const std::string &url);

/// The address (numeric, IPv6 without brackets) a socket of this machine
/// has when it talks to `url`'s host: "" when `url` is not tcp:// or its
/// host does not resolve. Sends nothing (a UDP socket's connect).
std::string localAddressToward(const std::string &url);

/// The endpoint to register with the controller at `controllerUrl` for a
/// server bound at `bound`: `advertise` when given, else `bound` with a
/// wildcard host replaced by `localAddress(controllerUrl)`, else `bound`.
/// `why` says which, for woolyd's log.
std::string advertisedEndpoint(
    const std::string &bound, const std::string &advertise,
    const std::string &controllerUrl, std::string &why,
    const std::function<std::string(const std::string &)> &localAddress =
        localAddressToward);

} // namespace wooly::daemon

#endif // WOOLY_DAEMON_ADVERTISE_H
