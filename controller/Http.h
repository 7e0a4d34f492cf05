//===- Http.h - Dashboard, JSON API and metrics over HTTP -------*- C++ -*-===//
//
//   GET  /                              the dashboard (self-contained page)
//   GET  /healthz                       "ok" (never needs the token)
//   GET  /metrics                       Prometheus text
//   GET  /api/v1/fleet                  everything below in one document
//   GET  /api/v1/servers[/NAME]         servers, state, telemetry history
//   GET  /api/v1/devices                one entry per device
//   GET  /api/v1/sessions               per-session usage from telemetry
//   GET  /api/v1/placements             recent decisions with explanations
//   GET  /api/v1/placements/ID          one decision, every candidate
//   POST /api/v1/placements             place a client (JSON request)
//   POST /api/v1/servers/NAME/drain     {"drain": true|false} (default true)
//   POST /api/v1/servers/NAME/undrain
//   GET  /api/v1/weights
//   POST /api/v1/weights                {"tenant","weight","memoryQuota"?,
//                                        "priority"?,"server"?}
//   DELETE /api/v1/weights/TENANT[?server=NAME]
// With a token, /api/ and /metrics need "Authorization: Bearer TOKEN".
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_CONTROLLER_HTTP_H
#define WOOLY_CONTROLLER_HTTP_H

#include "controller/Controller.h"

#include <memory>
#include <string>
#include <thread>

namespace httplib {
class Server;
}

namespace wooly::controller {

struct HttpOptions {
  std::string host = "127.0.0.1";
  int port = 0;      // 0: pick a free port (see HttpServer::port)
  std::string token; // empty: no authentication
};

class HttpServer {
public:
  HttpServer(Controller &controller, HttpOptions options);
  ~HttpServer();

  /// Binds and starts serving on a background thread.
  protocol::Status start();
  void stop();
  int port() const { return port_; }

private:
  void routes();

  Controller &controller_;
  HttpOptions options_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

/// Parses "HOST:PORT" ("127.0.0.1:8080", "[::1]:8080", ":8080").
protocol::Result<HttpOptions> parseHttpAddress(const std::string &address);

} // namespace wooly::controller

#endif // WOOLY_CONTROLLER_HTTP_H
