//===- LocalPeerTest.cpp - who counts as on this machine without CURVE ----===//
#include "daemon/LocalPeer.h"

#include <catch2/catch.hpp>

using wooly::daemon::isLocalPeer;

TEST_CASE("a tcp peer is local only from a loopback address",
          "[daemon][admin]") {
  const std::string tcp = "tcp://0.0.0.0:7700";
  CHECK(isLocalPeer(tcp, "127.0.0.1"));
  CHECK(isLocalPeer(tcp, "127.45.0.9"));
  CHECK(isLocalPeer(tcp, "::1"));
  CHECK(isLocalPeer(tcp, "::ffff:127.0.0.1"));
  CHECK_FALSE(isLocalPeer(tcp, "10.0.0.7"));
  CHECK_FALSE(isLocalPeer(tcp, "128.0.0.1"));
  CHECK_FALSE(isLocalPeer(tcp, "::ffff:10.0.0.7"));
  CHECK_FALSE(isLocalPeer(tcp, "fe80::1"));
  // What cannot be read is not trusted.
  CHECK_FALSE(isLocalPeer(tcp, ""));
  CHECK_FALSE(isLocalPeer(tcp, "localhost"));
  CHECK_FALSE(isLocalPeer(tcp, "127.0.0.1.evil"));
}

TEST_CASE("every peer of an ipc or inproc endpoint is local",
          "[daemon][admin]") {
  // Reaching them takes the socket file's permissions or the process.
  CHECK(isLocalPeer("ipc:///run/wooly/woolyd.sock", "localhost:0:0:42"));
  CHECK(isLocalPeer("ipc:///run/wooly/woolyd.sock", ""));
  CHECK(isLocalPeer("inproc://wooly-embedded", ""));
  CHECK_FALSE(isLocalPeer("udp://0.0.0.0:1", "127.0.0.1"));
}
