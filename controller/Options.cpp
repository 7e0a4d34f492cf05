//===- Options.cpp - wooly-controller command line ------------------------===//
#include "controller/Options.h"

#include "controller/Placement.h"

#include <cstdlib>

namespace wooly::controller {
using protocol::ErrorCode;
using protocol::makeError;

protocol::Result<CommandLine>
parseCommandLine(const std::vector<std::string> &args) {
  CommandLine cl;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string &a = args[i];
    auto value = [&](std::string &out) -> bool {
      if (i + 1 >= args.size())
        return false;
      out = args[++i];
      return true;
    };
    std::string v;
    if (a == "--help" || a == "-h")
      cl.help = true;
    else if (a == "--insecure")
      cl.insecure = true;
    else if (a == "--quiet")
      cl.quiet = true;
    else if (a == "--listen" || a == "--http" || a == "--keys" ||
             a == "--gen-keys" || a == "--http-token-file" ||
             a == "--heartbeat-ms" || a == "--policy" ||
             a == "--forget-after") {
      if (!value(v))
        return makeError(ErrorCode::InvalidValue, a + " needs a value");
      if (a == "--listen")
        cl.listen = v;
      else if (a == "--http")
        cl.http = v;
      else if (a == "--keys")
        cl.keysDir = v;
      else if (a == "--gen-keys")
        cl.genKeysDir = v;
      else if (a == "--http-token-file")
        cl.tokenFile = v;
      else if (a == "--policy")
        cl.policy = v;
      else if (a == "--forget-after") {
        char *end = nullptr;
        double seconds = std::strtod(v.c_str(), &end);
        // Up to a year; NaN fails both comparisons.
        if (v.empty() || *end || !(seconds >= 0 && seconds <= 366 * 86400.0))
          return makeError(ErrorCode::InvalidValue,
                           "--forget-after must be 0 (never) or a number of "
                           "seconds, got " +
                               v);
        cl.forgetAfterMs = static_cast<int64_t>(seconds * 1000 + 0.5);
      } else {
        char *end = nullptr;
        long ms = std::strtol(v.c_str(), &end, 10);
        if (v.empty() || *end || ms < 10 || ms > 60000)
          return makeError(ErrorCode::InvalidValue,
                           "--heartbeat-ms must be 10-60000, got " + v);
        cl.heartbeatMs = static_cast<int>(ms);
      }
    } else {
      return makeError(ErrorCode::InvalidValue,
                       "unknown argument \"" + a + "\"");
    }
  }
  if (cl.help || !cl.genKeysDir.empty())
    return cl;
  if (cl.listen.empty())
    return makeError(ErrorCode::InvalidValue,
                     "--listen URL is required (e.g. tcp://0.0.0.0:7700)");
  if (cl.http.empty())
    return makeError(ErrorCode::InvalidValue,
                     "--http HOST:PORT is required (e.g. 127.0.0.1:8080)");
  if (!cl.keysDir.empty() && cl.insecure)
    return makeError(ErrorCode::InvalidValue,
                     "--keys and --insecure exclude each other");
  if (cl.keysDir.empty() && !cl.insecure && cl.listen.rfind("tcp://", 0) == 0)
    return makeError(ErrorCode::InvalidValue,
                     "a tcp:// endpoint needs --keys DIR (make one with "
                     "--gen-keys DIR) or an explicit --insecure");
  if (!parsePolicy(cl.policy))
    return makeError(ErrorCode::InvalidValue,
                     "--policy must be spread or binpack, got " + cl.policy);
  return cl;
}

} // namespace wooly::controller
