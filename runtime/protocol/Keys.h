//===- Keys.h - CURVE key pairs and the keys dir ----------------*- C++ -*-===//
//
// A keys dir holds one fleet's CURVE keys as text files (Z85, 40 characters
// per key, as printed by ZeroMQ):
//
//   server.key       identity of every listening socket (woolyd, controller):
//                    two lines "public <z85>" and "secret <z85>"; mode 0600
//                    (the secret key alone on one line is read too: the
//                    public key follows from it)
//   server.pub       the matching public key alone on one line; give it to
//                    clients (and to servers that connect to the controller)
//   client.key       identity used when connecting (client runtime, woolyd ->
//                    controller, wooly-smi); same format as server.key
//   client.pub       the matching public key
//   controller.pub   optional: the controller's public key when it differs
//                    from server.pub (otherwise server.pub is used)
//   authorized_keys  the allow-list of client public keys a listening socket
//                    accepts: one Z85 key per line, optionally followed by
//                    whitespace and a comment; blank lines and lines starting
//                    with '#' are ignored (no key starts with '#': Z85
//                    digits 83 and 84 cannot lead a 4-byte group)
//   admin.key        an operator's pair (`woolyd --set-share` and friends);
//   admin.pub        same formats as client.key / client.pub
//   admin_keys       operator public keys, as authorized_keys: woolyd takes
//                    share and quota changes only from them
//
// `--gen-keys DIR` (woolyd and wooly-controller write the same) makes a
// complete dir: server, client and operator pairs, with client.pub in
// authorized_keys and admin.pub in admin_keys, so one copied dir makes a
// working single-operator fleet: controller, woolyd and clients. To admit
// another client, append its client.pub line to authorized_keys.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_RUNTIME_PROTOCOL_KEYS_H
#define WOOLY_RUNTIME_PROTOCOL_KEYS_H

#include "runtime/protocol/Error.h"

#include <string>
#include <vector>

namespace wooly::protocol {

inline constexpr size_t kZ85KeyChars = 40;

struct KeyPair {
  std::string publicKey; // Z85
  std::string secretKey; // Z85
};

/// True if libzmq was built with CURVE (libsodium).
bool curveAvailable();

Result<KeyPair> generateKeyPair();

/// True if `key` is 40 characters of the Z85 alphabet that decode to 32 bytes.
bool isValidZ85Key(const std::string &key);

/// Writes server.key/.pub, client.key/.pub, authorized_keys, admin.key/.pub
/// and admin_keys into `dir` (created if missing). Refuses to overwrite an
/// existing server.key.
Status generateKeysDir(const std::string &dir);

/// Reads "<name>.key": "public" and "secret" lines, or the secret key
/// alone (the public one derived).
Result<KeyPair> loadKeyPair(const std::string &path);
/// Reads a one-key file such as server.pub.
Result<std::string> loadPublicKey(const std::string &path);
/// Parses an authorized_keys file; errors name the file and line.
Result<std::vector<std::string>> loadAuthorizedKeys(const std::string &path);

/// What a listening socket needs: its identity and the allow-list.
/// `curve == false` is the --insecure plain mode.
struct ServerSecurity {
  bool curve = false;
  KeyPair identity;
  std::vector<std::string> authorizedKeys;

  static ServerSecurity insecure() { return {}; }
  /// server.key + authorized_keys from a keys dir.
  static Result<ServerSecurity> fromKeysDir(const std::string &dir);
};

/// What a connecting socket needs: its identity and the peer's public key.
struct ClientSecurity {
  bool curve = false;
  KeyPair identity;
  std::string serverPublicKey;

  static ClientSecurity insecure() { return {}; }
  /// client.key + the peer key: controller.pub (if `forController` and
  /// present) else server.pub.
  static Result<ClientSecurity> fromKeysDir(const std::string &dir,
                                            bool forController);
  /// The same identity, pointed at another server (a placement names the
  /// chosen server's public key).
  ClientSecurity withServerKey(std::string key) const {
    ClientSecurity copy = *this;
    copy.serverPublicKey = std::move(key);
    return copy;
  }
};

} // namespace wooly::protocol

#endif // WOOLY_RUNTIME_PROTOCOL_KEYS_H
