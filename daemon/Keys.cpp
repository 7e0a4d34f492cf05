//===- Keys.cpp - CURVE key files ----------------------------------------===//
//
// A key directory holds, as Z85 text files:
//   server.key / server.pub   the server's key pair
//   client.key / client.pub   a client key pair (what `wooly-run` presents)
//   authorized_keys           client public keys the server accepts, one a line
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
  KeyPair server = generateKeyPair(), client = generateKeyPair();
  bool ok = writeFile(d / "server.key", server.secretKey, true) &&
            writeFile(d / "server.pub", server.publicKey, false) &&
            writeFile(d / "client.key", client.secretKey, true) &&
            writeFile(d / "client.pub", client.publicKey, false) &&
            writeFile(d / "authorized_keys", client.publicKey, false);
  return ok ? "" : "cannot write key files in " + dir;
}

std::string readServerKeys(const std::string &dir, CurveKeys &out) {
  std::filesystem::path d(dir);
  if (std::string err = readKeyFile(d / "server.key", out.serverSecret);
      !err.empty())
    return err;
  std::ifstream in(d / "authorized_keys");
  if (!in)
    return "cannot read " + (d / "authorized_keys").string() +
           ": list the client public keys the server accepts, one a line";
  std::string line;
  while (std::getline(in, line)) {
    while (!line.empty() && isspace((unsigned char)line.back()))
      line.pop_back();
    if (line.empty() || line[0] == '#')
      continue;
    if (line.size() != 40)
      return (d / "authorized_keys").string() +
             ": not a 40-character Z85 key: '" + line + "'";
    out.allowedKeys.push_back(line);
  }
  return "";
}

std::string readClientKeys(const std::string &dir, ClientKeys &out) {
  std::filesystem::path d(dir);
  for (auto [file, key] :
       {std::pair{"client.pub", &out.clientPublic},
        std::pair{"client.key", &out.clientSecret},
        std::pair{"server.pub", &out.serverPublic}})
    if (std::string err = readKeyFile(d / file, *key); !err.empty())
      return err;
  return "";
}

} // namespace wooly::daemon
