//===- Keys.cpp - CURVE key files ----------------------------------------===//
//
// A key directory holds, as Z85 text files:
//   server.key / server.pub   the server's key pair
//   client.key / client.pub   a client key pair (what `wooly-run` presents)
//   authorized_keys           client public keys the server accepts, one a line
//   admin.key / admin.pub     an operator's key pair (`woolyd --set-share`)
//   admin_keys                operator public keys, one a line (optional):
//                             they may connect and change shares
//
//===----------------------------------------------------------------------===//
#include "daemon/Server.h"

#include <filesystem>
#include <fstream>
#include <sys/stat.h>

namespace wooly::daemon {

KeyPair generateKeyPair() {
  char pub[41], sec[41];
  zmq_curve_keypair(pub, sec);
  return {pub, sec};
}

static bool writeFile(const std::filesystem::path &path, const std::string &text,
                      bool secret) {
  std::ofstream out(path, std::ios::trunc);
  out << text << "\n";
  out.close();
  if (secret)
    chmod(path.c_str(), 0600);
  return bool(out);
}

static std::string readKeyFile(const std::filesystem::path &path,
                               std::string &key) {
  std::ifstream in(path);
  if (!in)
    return "cannot read " + path.string() +
           " (create a key directory with `woolyd --gen-keys DIR`)";
  std::getline(in, key);
  while (!key.empty() && isspace((unsigned char)key.back()))
    key.pop_back();
  if (key.size() != 40)
    return path.string() + " does not hold a 40-character Z85 CURVE key";
  return "";
}

std::string writeKeyDirectory(const std::string &dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    return "cannot create " + dir + ": " + ec.message();
  std::filesystem::path d(dir);
  KeyPair server = generateKeyPair(), client = generateKeyPair(),
          admin = generateKeyPair();
  bool ok = writeFile(d / "server.key", server.secretKey, true) &&
            writeFile(d / "server.pub", server.publicKey, false) &&
            writeFile(d / "client.key", client.secretKey, true) &&
            writeFile(d / "client.pub", client.publicKey, false) &&
            writeFile(d / "authorized_keys", client.publicKey, false) &&
            writeFile(d / "admin.key", admin.secretKey, true) &&
            writeFile(d / "admin.pub", admin.publicKey, false) &&
            writeFile(d / "admin_keys", admin.publicKey, false);
  return ok ? "" : "cannot write key files in " + dir;
}

/// Reads a list of public keys, one a line ('#' starts a comment line).
static std::string readKeyList(const std::filesystem::path &path,
                               std::vector<std::string> &keys) {
  std::ifstream in(path);
  if (!in)
    return "cannot read " + path.string();
  std::string line;
  while (std::getline(in, line)) {
    while (!line.empty() && isspace((unsigned char)line.back()))
      line.pop_back();
    if (line.empty() || line[0] == '#')
      continue;
    if (line.size() != 40)
      return path.string() + ": not a 40-character Z85 key: '" + line + "'";
    keys.push_back(line);
  }
  return "";
}

std::string readServerKeys(const std::string &dir, CurveKeys &out) {
  std::filesystem::path d(dir);
  if (std::string err = readKeyFile(d / "server.key", out.serverSecret);
      !err.empty())
    return err;
  if (!std::filesystem::exists(d / "authorized_keys"))
    return "cannot read " + (d / "authorized_keys").string() +
           ": list the client public keys the server accepts, one a line";
  if (std::string err = readKeyList(d / "authorized_keys", out.allowedKeys);
      !err.empty())
    return err;
  // Key directories written before operators had keys have no admin_keys:
  // nobody may change shares over CURVE then.
  if (std::filesystem::exists(d / "admin_keys"))
    return readKeyList(d / "admin_keys", out.adminKeys);
  return "";
}

static std::string readKeyPair(const std::string &dir, const char *pub,
                               const char *sec, ClientKeys &out) {
  std::filesystem::path d(dir);
  for (auto [file, key] : {std::pair{pub, &out.clientPublic},
                           std::pair{sec, &out.clientSecret},
                           std::pair{"server.pub", &out.serverPublic}})
    if (std::string err = readKeyFile(d / file, *key); !err.empty())
      return err;
  return "";
}

std::string readClientKeys(const std::string &dir, ClientKeys &out) {
  return readKeyPair(dir, "client.pub", "client.key", out);
}

std::string readAdminKeys(const std::string &dir, ClientKeys &out) {
  return readKeyPair(dir, "admin.pub", "admin.key", out);
}

} // namespace wooly::daemon
