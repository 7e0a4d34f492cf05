//===- LocalPeer.cpp - Whether a peer is on this machine -------------------===//
#include "daemon/LocalPeer.h"

#include <arpa/inet.h>
#include <cstring>

namespace wooly::daemon {

bool isLocalPeer(const std::string &listenUrl, const std::string &peerAddress) {
  if (listenUrl.rfind("ipc://", 0) == 0 || listenUrl.rfind("inproc://", 0) == 0)
    return true;
  if (listenUrl.rfind("tcp://", 0) != 0)
    return false;
  in_addr v4;
  if (inet_pton(AF_INET, peerAddress.c_str(), &v4) == 1)
    return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6;
  if (inet_pton(AF_INET6, peerAddress.c_str(), &v6) != 1)
    return false;
  if (IN6_IS_ADDR_LOOPBACK(&v6))
    return true;
  // An IPv4 peer of a dual-stack socket: ::ffff:127.x.y.z.
  return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
}

} // namespace wooly::daemon
