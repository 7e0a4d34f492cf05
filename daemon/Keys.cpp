//===- Keys.cpp - CURVE key files ----------------------------------------===//
//
// woolyd's view of a keys dir (runtime/protocol/Keys.h has the files and
// their format, shared with the controller and the clients, so that one
// dir from either tool's --gen-keys serves the whole fleet).
//
//===----------------------------------------------------------------------===//
#include "daemon/Server.h"
#include "runtime/protocol/Keys.h"

#include <filesystem>

namespace wooly::daemon {
namespace fs = std::filesystem;

std::string writeKeyDirectory(const std::string &dir) {
  protocol::Status s = protocol::generateKeysDir(dir);
  return s ? "" : s.error().message;
}

std::string readServerKeys(const std::string &dir, CurveKeys &out) {
  fs::path d(dir);
  auto identity = protocol::loadKeyPair((d / "server.key").string());
  if (!identity)
    return identity.error().message;
  out.serverSecret = identity->secretKey;
  if (!fs::exists(d / "authorized_keys"))
    return "cannot read " + (d / "authorized_keys").string() +
           ": list the client public keys the server accepts, one a line";
  auto allowed = protocol::loadAuthorizedKeys((d / "authorized_keys").string());
  if (!allowed)
    return allowed.error().message;
  out.allowedKeys = *allowed;
  // Key directories written before operators had keys have no admin_keys:
  // nobody may change shares over CURVE then.
  if (fs::exists(d / "admin_keys")) {
    auto admins = protocol::loadAuthorizedKeys((d / "admin_keys").string());
    if (!admins)
      return admins.error().message;
    out.adminKeys = *admins;
  }
  return "";
}

/// `pair` (client.key or admin.key) and server.pub from `dir`.
static std::string readKeyPair(const std::string &dir, const char *pair,
                               ClientKeys &out) {
  fs::path d(dir);
  auto identity = protocol::loadKeyPair((d / pair).string());
  if (!identity)
    return identity.error().message;
  auto server = protocol::loadPublicKey((d / "server.pub").string());
  if (!server)
    return server.error().message;
  out.clientPublic = identity->publicKey;
  out.clientSecret = identity->secretKey;
  out.serverPublic = *server;
  return "";
}

std::string readClientKeys(const std::string &dir, ClientKeys &out) {
  return readKeyPair(dir, "client.key", out);
}

std::string readAdminKeys(const std::string &dir, ClientKeys &out) {
  return readKeyPair(dir, "admin.key", out);
}

} // namespace wooly::daemon
