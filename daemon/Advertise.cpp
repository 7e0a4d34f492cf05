//===- Advertise.cpp - The endpoint woolyd gives its controller -----------===//
#include "daemon/Advertise.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

namespace wooly::daemon {
namespace {

/// Splits tcp://HOST:PORT (HOST possibly [v6]) into host and port.
bool splitTcp(const std::string &url, std::string &host, std::string &port) {
  if (url.rfind("tcp://", 0) != 0)
    return false;
  std::string rest = url.substr(6);
  size_t colon = rest.rfind(':');
  if (colon == std::string::npos || colon == 0)
    return false;
  host = rest.substr(0, colon);
  port = rest.substr(colon + 1);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  return !port.empty();
}

} // namespace

bool isWildcardTcp(const std::string &url) {
  std::string host, port;
  return splitTcp(url, host, port) &&
         (host == "0.0.0.0" || host == "*" || host == "::");
}

std::string localAddressToward(const std::string &url) {
  std::string host, port;
  if (!splitTcp(url, host, port))
    return "";
  addrinfo hints{};
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo *found = nullptr;
  if (getaddrinfo(host.c_str(), port.c_str(), &hints, &found) != 0)
    return "";
  std::string address;
  for (addrinfo *a = found; a && address.empty(); a = a->ai_next) {
    int fd = socket(a->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
      continue;
    sockaddr_storage local{};
    socklen_t length = sizeof local;
    char text[INET6_ADDRSTRLEN] = {};
    if (connect(fd, a->ai_addr, a->ai_addrlen) == 0 &&
        getsockname(fd, reinterpret_cast<sockaddr *>(&local), &length) == 0 &&
        getnameinfo(reinterpret_cast<sockaddr *>(&local), length, text,
                    sizeof text, nullptr, 0, NI_NUMERICHOST) == 0)
      address = text;
    close(fd);
  }
  freeaddrinfo(found);
  return address;
}

std::string advertisedEndpoint(
    const std::string &bound, const std::string &advertise,
    const std::string &controllerUrl, std::string &why,
    const std::function<std::string(const std::string &)> &localAddress) {
  if (!advertise.empty()) {
    why = "as --advertise says";
    return advertise;
  }
  std::string host, port;
  if (!isWildcardTcp(bound) || !splitTcp(bound, host, port)) {
    why = "its own endpoint";
    return bound;
  }
  std::string address = localAddress(controllerUrl);
  if (address.empty()) {
    why = "bound to every interface, and no address toward the controller "
          "was found: set --advertise URL for clients to reach it";
    return bound;
  }
  why = "bound to every interface; this machine's address toward the "
        "controller (--advertise URL to choose another)";
  bool v6 = address.find(':') != std::string::npos;
  return "tcp://" + (v6 ? "[" + address + "]" : address) + ":" + port;
}

} // namespace wooly::daemon
