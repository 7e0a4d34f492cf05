//===- main.cpp - wooly-controller ----------------------------------------===//
//
// Runs the controller's ZeroMQ loop on the main thread and the HTTP server on
// its own; stops cleanly on SIGINT/SIGTERM.
//
//===----------------------------------------------------------------------===//
#include "controller/Controller.h"
#include "controller/Http.h"
#include "controller/Options.h"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>

using namespace wooly;
using namespace wooly::controller;

namespace {

std::atomic<bool> stopRequested{false};

void onSignal(int) { stopRequested = true; }

int fail(const std::string &message) {
  std::fprintf(stderr, "wooly-controller: error: %s\n", message.c_str());
  return 1;
}

} // namespace

int main(int argc, char **argv) {
  auto parsed = parseCommandLine({argv + 1, argv + argc});
  if (!parsed)
    return fail(parsed.error().message + "\n" + kUsage);
  CommandLine cl = *parsed;
  if (cl.help) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (!cl.genKeysDir.empty()) {
    if (auto s = protocol::generateKeysDir(cl.genKeysDir); !s)
      return fail(s.error().message);
    std::printf("wrote CURVE keys to %s (server.key, server.pub, client.key, "
                "client.pub, authorized_keys)\n",
                cl.genKeysDir.c_str());
    return 0;
  }

  ControllerOptions options;
  options.listenUrl = cl.listen;
  options.heartbeat = std::chrono::milliseconds(cl.heartbeatMs);
  options.forgetAfter = std::chrono::milliseconds(cl.forgetAfterMs);
  options.policy = *parsePolicy(cl.policy);
  if (!cl.keysDir.empty()) {
    auto sec = protocol::ServerSecurity::fromKeysDir(cl.keysDir);
    if (!sec)
      return fail(sec.error().message);
    options.security = *sec;
  }
  bool quiet = cl.quiet;
  if (const char *level = std::getenv("WOOLY_LOG"))
    quiet = quiet || std::string(level) == "warn" ||
            std::string(level) == "error" || std::string(level) == "quiet";
  options.log = [quiet](const std::string &line) {
    if (quiet && line.rfind("server", 0) != 0)
      return;
    std::fprintf(stderr, "wooly-controller: %s\n", line.c_str());
  };

  auto httpOptions = parseHttpAddress(cl.http);
  if (!httpOptions)
    return fail(httpOptions.error().message);
  if (!cl.tokenFile.empty()) {
    std::ifstream in(cl.tokenFile);
    std::getline(in, httpOptions->token);
    if (!in || httpOptions->token.empty())
      return fail("cannot read a token from " + cl.tokenFile +
                  " (the first line is the token)");
  }

  if (httpOptions->token.empty() && httpOptions->host != "127.0.0.1" &&
      httpOptions->host != "localhost" && httpOptions->host != "::1")
    std::fprintf(stderr,
                 "wooly-controller: warning: the HTTP API on %s can drain "
                 "servers and has no token; use --http-token-file or listen "
                 "on 127.0.0.1\n",
                 httpOptions->host.c_str());

  zmq::context_t context;
  auto controller = Controller::create(context, options);
  if (!controller)
    return fail(controller.error().message);
  HttpServer http(**controller, *httpOptions);
  if (auto s = http.start(); !s)
    return fail(s.error().message);

  struct sigaction sa = {};
  sa.sa_handler = onSignal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);

  // An IPv6 host goes in brackets in a URL.
  std::string host = httpOptions->host.find(':') == std::string::npos
                         ? httpOptions->host
                         : "[" + httpOptions->host + "]";
  std::fprintf(stderr,
               "wooly-controller: listening on %s (%s), http://%s:%d/, "
               "policy %s, heartbeat %d ms\n",
               (*controller)->endpoint().c_str(),
               cl.keysDir.empty() ? "insecure" : "CURVE", host.c_str(),
               http.port(), cl.policy.c_str(), cl.heartbeatMs);
  std::fflush(stderr);
  (*controller)->serve(stopRequested);
  http.stop();
  std::fprintf(stderr, "wooly-controller: stopped\n");
  return 0;
}
