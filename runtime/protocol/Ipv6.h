//===- Ipv6.h - Which endpoints need ZeroMQ's IPv6 switch -------*- C++ -*-===//
//
// A ZeroMQ socket speaks IPv4 only unless ZMQ_IPV6 is set; set, it also
// resolves host names to IPv6 first, and ZeroMQ tries one address only, so
// "tcp://localhost:7701" could go to ::1 where woolyd listens on 127.0.0.1.
// So the switch is set where the endpoint asks for IPv6 itself: an IPv6
// address, or the wildcard (which then takes IPv6 and IPv4 peers).
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_RUNTIME_PROTOCOL_IPV6_H
#define WOOLY_RUNTIME_PROTOCOL_IPV6_H

#include <string_view>

namespace wooly::protocol {

/// Whether a socket that binds or connects `url` must have ZMQ_IPV6 set:
/// tcp://[::1]:7701, tcp://[fd00::2]:7701, tcp://*:7701.
inline bool endpointUsesIpv6(std::string_view url) {
  return url.starts_with("tcp://[") || url.starts_with("tcp://*:");
}

} // namespace wooly::protocol

#endif // WOOLY_RUNTIME_PROTOCOL_IPV6_H
