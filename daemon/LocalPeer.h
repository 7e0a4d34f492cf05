//===- LocalPeer.h - Whether a peer is on this machine -----------*- C++ -*-===//
//
// Without CURVE nobody is authenticated, so who may operate woolyd (change
// shares and quotas, see every session) is decided by where a request comes
// from: only from this machine. A woolyd on a public address needs
// `--insecure` for plain TCP at all, and there anyone on the network could
// otherwise drain its tenants' shares.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_DAEMON_LOCALPEER_H
#define WOOLY_DAEMON_LOCALPEER_H

#include <string>

namespace wooly::daemon {

/// Whether a peer of the endpoint bound at `listenUrl` is on this machine:
/// every peer of an ipc:// or inproc:// endpoint (reachable only through the
/// file system or from the same process); a tcp peer whose address
/// (ZeroMQ's "Peer-Address": "127.0.0.1", "::1", "::ffff:127.0.0.1") is a
/// loopback one. Anything else, an address that does not parse included,
/// is not.
bool isLocalPeer(const std::string &listenUrl, const std::string &peerAddress);

} // namespace wooly::daemon

#endif // WOOLY_DAEMON_LOCALPEER_H
