//===- Options.h - wooly-controller command line -----------------*- C++
//-*-===//
#ifndef WOOLY_CONTROLLER_OPTIONS_H
#define WOOLY_CONTROLLER_OPTIONS_H

#include "controller/Http.h"
#include "runtime/protocol/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace wooly::controller {

struct CommandLine {
  std::string listen;
  std::string http;
  std::string keysDir;
  bool insecure = false;
  std::string genKeysDir;
  std::string tokenFile;
  int heartbeatMs = 500;
  int64_t forgetAfterMs = 3600 * 1000;
  std::string policy = "spread";
  bool quiet = false;
  bool help = false;
};

inline constexpr const char *kUsage =
    "usage: wooly-controller --listen URL --http HOST:PORT [--keys DIR | "
    "--insecure]\n"
    "       wooly-controller --gen-keys DIR\n"
    "options:\n"
    "  --listen URL          ZeroMQ endpoint for servers and clients "
    "(tcp://127.0.0.1:7700)\n"
    "  --http HOST:PORT      dashboard, /api/v1, /metrics, /healthz (port 0: "
    "pick one)\n"
    "  --keys DIR            CURVE keys dir (server.key, authorized_keys)\n"
    "  --insecure            no encryption or authentication\n"
    "  --gen-keys DIR        write a new keys dir and exit\n"
    "  --http-token-file F   require \"Authorization: Bearer <token in F>\" "
    "on /api and /metrics\n"
    "  --heartbeat-ms N      telemetry interval asked of servers (default "
    "500); 3 missed = down\n"
    "  --forget-after S      forget a down server silent for S seconds "
    "(default 3600;\n"
    "                        0: keep it until it deregisters)\n"
    "  --policy P            spread (default) or binpack\n"
    "  --quiet               log warnings only\n";

/// Parses argv; errors are user errors (exit 1 with the message).
protocol::Result<CommandLine>
parseCommandLine(const std::vector<std::string> &args);

} // namespace wooly::controller

#endif
