//===- Keys.cpp - CURVE key pairs and the keys dir ------------------------===//
#include "runtime/protocol/Keys.h"

#include <zmq.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

namespace wooly::protocol {
namespace fs = std::filesystem;

bool curveAvailable() { return zmq_has("curve") == 1; }

Result<KeyPair> generateKeyPair() {
  char pub[kZ85KeyChars + 1] = {};
  char sec[kZ85KeyChars + 1] = {};
  if (zmq_curve_keypair(pub, sec) != 0)
    return makeError(ErrorCode::BadKeys,
                     std::string("cannot generate a CURVE key pair: ") +
                         zmq_strerror(zmq_errno()) +
                         " (is libzmq built with libsodium?)");
  return KeyPair{pub, sec};
}

bool isValidZ85Key(const std::string &key) {
  if (key.size() != kZ85KeyChars)
    return false;
  uint8_t decoded[32];
  return zmq_z85_decode(decoded, key.c_str()) != nullptr;
}

namespace {

Status writeFile(const fs::path &path, const std::string &text, bool secret) {
  std::ofstream out(path, std::ios::trunc);
  if (!out)
    return makeError(ErrorCode::BadKeys, "cannot write " + path.string());
  out << text;
  out.close();
  if (!out)
    return makeError(ErrorCode::BadKeys, "cannot write " + path.string());
  if (secret)
    ::chmod(path.c_str(), 0600);
  return Status::ok();
}

std::string pairText(const KeyPair &kp) {
  return "# Wooly CURVE key pair (Z85). Keep this file secret.\npublic " +
         kp.publicKey + "\nsecret " + kp.secretKey + "\n";
}

Result<std::vector<std::string>> readLines(const std::string &path) {
  std::ifstream in(path);
  if (!in)
    return makeError(ErrorCode::BadKeys,
                     "cannot read " + path +
                         " (create a keys dir with --gen-keys DIR)");
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    while (!line.empty() &&
           (line.back() == '\r' || line.back() == ' ' || line.back() == '\t'))
      line.pop_back();
    lines.push_back(line);
  }
  return lines;
}

bool skippable(const std::string &line) {
  size_t i = line.find_first_not_of(" \t");
  return i == std::string::npos || line[i] == '#';
}

} // namespace

Status generateKeysDir(const std::string &dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec)
    return makeError(ErrorCode::BadKeys,
                     "cannot create keys dir " + dir + ": " + ec.message());
  fs::path root(dir);
  if (fs::exists(root / "server.key"))
    return makeError(ErrorCode::BadKeys,
                     (root / "server.key").string() +
                         " already exists; remove it first to make new keys");
  auto server = generateKeyPair();
  if (!server)
    return server.error();
  auto client = generateKeyPair();
  if (!client)
    return client.error();
  auto admin = generateKeyPair();
  if (!admin)
    return admin.error();
  // NAME.key (the pair, secret) and NAME.pub.
  auto writePair = [&](const char *name, const KeyPair &kp) {
    Status s = writeFile(root / (std::string(name) + ".key"), pairText(kp), true);
    return s ? writeFile(root / (std::string(name) + ".pub"),
                         kp.publicKey + "\n", false)
             : s;
  };
  for (Status s :
       {writePair("server", *server), writePair("client", *client),
        writeFile(root / "authorized_keys",
                  "# Client public keys (Z85) allowed to connect, one per "
                  "line, optional comment after it.\n" +
                      client->publicKey + " generated-client\n",
                  false),
        writePair("admin", *admin),
        writeFile(root / "admin_keys",
                  "# Operator public keys (Z85): woolyd takes share and "
                  "quota changes only from them.\n" +
                      admin->publicKey + " generated-operator\n",
                  false)})
    if (!s)
      return s;
  return Status::ok();
}

Result<KeyPair> loadKeyPair(const std::string &path) {
  auto lines = readLines(path);
  if (!lines)
    return lines.error();
  KeyPair kp;
  // The bare form, the secret key alone on its line (key dirs written by
  // woolyd before both tools wrote one format): the public key follows
  // from it.
  std::vector<std::string> keyLines;
  for (const std::string &line : *lines)
    if (!skippable(line))
      keyLines.push_back(line.substr(line.find_first_not_of(" \t")));
  if (keyLines.size() == 1 && isValidZ85Key(keyLines[0])) {
    char pub[kZ85KeyChars + 1] = {};
    if (zmq_curve_public(pub, keyLines[0].c_str()) != 0)
      return makeError(ErrorCode::BadKeys,
                       path + ": cannot derive the public key: " +
                           zmq_strerror(zmq_errno()));
    return KeyPair{pub, keyLines[0]};
  }
  int lineNo = 0;
  for (const std::string &line : *lines) {
    ++lineNo;
    if (skippable(line))
      continue;
    std::istringstream fields(line);
    std::string tag, key;
    fields >> tag >> key;
    if ((tag != "public" && tag != "secret") || !isValidZ85Key(key))
      return makeError(ErrorCode::BadKeys,
                       path + ":" + std::to_string(lineNo) +
                           ": expected \"public <40-char Z85 key>\" or "
                           "\"secret <40-char Z85 key>\"");
    (tag == "public" ? kp.publicKey : kp.secretKey) = key;
  }
  if (kp.publicKey.empty() || kp.secretKey.empty())
    return makeError(ErrorCode::BadKeys,
                     path + ": needs both a \"public\" and a \"secret\" line");
  return kp;
}

Result<std::string> loadPublicKey(const std::string &path) {
  auto lines = readLines(path);
  if (!lines)
    return lines.error();
  int lineNo = 0;
  for (const std::string &line : *lines) {
    ++lineNo;
    if (skippable(line))
      continue;
    std::istringstream fields(line);
    std::string key;
    fields >> key;
    if (!isValidZ85Key(key))
      return makeError(ErrorCode::BadKeys,
                       path + ":" + std::to_string(lineNo) +
                           ": not a 40-character Z85 public key");
    return key;
  }
  return makeError(ErrorCode::BadKeys, path + ": holds no key");
}

Result<std::vector<std::string>> loadAuthorizedKeys(const std::string &path) {
  auto lines = readLines(path);
  if (!lines)
    return lines.error();
  std::vector<std::string> keys;
  int lineNo = 0;
  for (const std::string &line : *lines) {
    ++lineNo;
    if (skippable(line))
      continue;
    std::istringstream fields(line);
    std::string key;
    fields >> key;
    if (!isValidZ85Key(key))
      return makeError(ErrorCode::BadKeys,
                       path + ":" + std::to_string(lineNo) +
                           ": not a 40-character Z85 public key (format: "
                           "one key per line, optional comment after it)");
    keys.push_back(key);
  }
  return keys;
}

Result<ServerSecurity> ServerSecurity::fromKeysDir(const std::string &dir) {
  if (!curveAvailable())
    return makeError(ErrorCode::BadKeys,
                     "this libzmq has no CURVE support; use --insecure");
  auto identity = loadKeyPair((fs::path(dir) / "server.key").string());
  if (!identity)
    return identity.error();
  auto allowed =
      loadAuthorizedKeys((fs::path(dir) / "authorized_keys").string());
  if (!allowed)
    return allowed.error();
  ServerSecurity s;
  s.curve = true;
  s.identity = *identity;
  s.authorizedKeys = *allowed;
  return s;
}

Result<ClientSecurity> ClientSecurity::fromKeysDir(const std::string &dir,
                                                   bool forController) {
  if (!curveAvailable())
    return makeError(ErrorCode::BadKeys,
                     "this libzmq has no CURVE support; use --insecure");
  auto identity = loadKeyPair((fs::path(dir) / "client.key").string());
  if (!identity)
    return identity.error();
  fs::path peer = fs::path(dir) / "server.pub";
  if (forController && fs::exists(fs::path(dir) / "controller.pub"))
    peer = fs::path(dir) / "controller.pub";
  auto serverKey = loadPublicKey(peer.string());
  if (!serverKey)
    return serverKey.error();
  ClientSecurity c;
  c.curve = true;
  c.identity = *identity;
  c.serverPublicKey = *serverKey;
  return c;
}

} // namespace wooly::protocol
