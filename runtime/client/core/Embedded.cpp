//===- Embedded.cpp - The daemon core inside the CUDA program ------------===//
//
// Same code path as a remote server: the program's Connection talks to this
// Server over inproc://, so embedded and remote behave alike.
//
//===----------------------------------------------------------------------===//
#include "runtime/client/core/Embedded.h"
#include "daemon/Server.h"

#include <unistd.h>

namespace wooly::client {

namespace {
struct EmbeddedServer {
  std::unique_ptr<exec::Executor> executor;
  std::unique_ptr<daemon::Server> server;
  ~EmbeddedServer() {
    server.reset(); // before the executor it uses
    executor.reset();
  }
};
} // namespace

std::shared_ptr<void> startEmbeddedServer(std::shared_ptr<zmq::context_t> context,
                                          std::string &url, std::string &error) {
#ifndef WOOLY_HAVE_EXECUTOR
  (void)context;
  (void)url;
  error = "this Wooly build has no executor for the embedded server: set "
          "WOOLY_SERVER to a woolyd URL";
  return nullptr;
#else
  auto embedded = std::make_shared<EmbeddedServer>();
  exec::ExecutorOptions options;
  exec::Status s = exec::createExecutor("host", options, embedded->executor);
  if (!s) {
    error = "cannot start the embedded host executor: " + s.message;
    return nullptr;
  }
  daemon::ServerOptions serverOptions;
  serverOptions.listen = "inproc://wooly-embedded-" + std::to_string(getpid());
  // One process: the session lives exactly as long as the program.
  serverOptions.sessionTimeoutMs = 1u << 30;
  s = daemon::Server::start(context, *embedded->executor, serverOptions,
                            embedded->server);
  if (!s) {
    error = "cannot start the embedded server: " + s.message;
    return nullptr;
  }
  url = embedded->server->endpoint();
  return embedded;
#endif
}

} // namespace wooly::client
