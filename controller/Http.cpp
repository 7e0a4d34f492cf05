//===- Http.cpp - Dashboard, JSON API and metrics over HTTP ---------------===//
#include "controller/Http.h"

#include "controller/web/DashboardPage.h"
#include "daemon/PriorityNames.h"

#include <httplib.h>

#include <cmath>

namespace wooly::controller {
using nlohmann::json;
using protocol::ErrorCode;
using protocol::makeError;

namespace {

void sendJson(httplib::Response &res, const json &body, int status = 200) {
  res.status = status;
  res.set_content(body.dump(), "application/json");
}

void sendProblem(httplib::Response &res, int status, const std::string &why) {
  sendJson(res, {{"error", why}}, status);
}

bool constantTimeEquals(const std::string &a, const std::string &b) {
  if (a.size() != b.size())
    return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i)
    diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

/// Parses a JSON object body; an empty body is `{}`.
bool parseBody(const httplib::Request &req, httplib::Response &res, json &out) {
  if (req.body.empty()) {
    out = json::object();
    return true;
  }
  out = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (out.is_discarded() || !out.is_object()) {
    sendProblem(res, 400, "the request body must be a JSON object");
    return false;
  }
  return true;
}

bool readString(const json &body, const char *key, std::string &out,
                httplib::Response &res) {
  if (!body.contains(key))
    return true;
  if (!body[key].is_string()) {
    sendProblem(res, 400, std::string("\"") + key + "\" must be a string");
    return false;
  }
  out = body[key].get<std::string>();
  return true;
}

bool readBytes(const json &body, const char *key, uint64_t &out,
               httplib::Response &res) {
  if (!body.contains(key))
    return true;
  if (!body[key].is_number_unsigned() &&
      !(body[key].is_number_integer() && body[key].get<int64_t>() >= 0)) {
    sendProblem(res, 400,
                std::string("\"") + key +
                    "\" must be a non-negative integer number of bytes");
    return false;
  }
  out = body[key].get<uint64_t>();
  return true;
}

/// The `history` query parameter: samples per server, 0-120; -1 if bad.
long historyParam(const httplib::Request &req, long fallback) {
  if (!req.has_param("history"))
    return fallback;
  std::string v = req.get_param_value("history");
  char *end = nullptr;
  long n = std::strtol(v.c_str(), &end, 10);
  if (v.empty() || *end || n < 0 ||
      n > static_cast<long>(Registry::kHistoryLength))
    return -1;
  return n;
}

} // namespace

protocol::Result<HttpOptions> parseHttpAddress(const std::string &address) {
  auto colon = address.rfind(':');
  if (colon == std::string::npos)
    return makeError(ErrorCode::InvalidValue,
                     "--http wants HOST:PORT (e.g. 127.0.0.1:8080), got \"" +
                         address + "\"");
  HttpOptions o;
  o.host = address.substr(0, colon);
  if (o.host.size() >= 2 && o.host.front() == '[' && o.host.back() == ']')
    o.host = o.host.substr(1, o.host.size() - 2);
  if (o.host.empty())
    o.host = "0.0.0.0";
  std::string port = address.substr(colon + 1);
  char *end = nullptr;
  long p = std::strtol(port.c_str(), &end, 10);
  if (port.empty() || *end != '\0' || p < 0 || p > 65535)
    return makeError(ErrorCode::InvalidValue,
                     "--http port must be 0-65535, got \"" + port + "\"");
  o.port = static_cast<int>(p);
  return o;
}

HttpServer::HttpServer(Controller &controller, HttpOptions options)
    : controller_(controller), options_(std::move(options)),
      server_(std::make_unique<httplib::Server>()) {}

HttpServer::~HttpServer() { stop(); }

protocol::Status HttpServer::start() {
  routes();
  server_->set_payload_max_length(1 << 20);
  // httplib's default adds SO_REUSEPORT, which would let a second controller
  // share our port and silently take half the requests: keep SO_REUSEADDR
  // (restarts) only, so a taken port is an error.
  server_->set_socket_options([](int sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  if (options_.port == 0)
    port_ = server_->bind_to_any_port(options_.host);
  else
    port_ = server_->bind_to_port(options_.host, options_.port) ? options_.port
                                                                : -1;
  if (port_ <= 0)
    return makeError(ErrorCode::Transport,
                     "cannot listen for HTTP on " + options_.host + ":" +
                         std::to_string(options_.port) +
                         " (port in use or address not local?)");
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  return protocol::Status::ok();
}

void HttpServer::stop() {
  if (server_)
    server_->stop();
  if (thread_.joinable())
    thread_.join();
}

void HttpServer::routes() {
  httplib::Server &s = *server_;
  Controller &c = controller_;

  s.set_pre_routing_handler([this](const httplib::Request &req,
                                   httplib::Response &res) {
    bool guarded = req.path.rfind("/api/", 0) == 0 || req.path == "/metrics";
    if (options_.token.empty() || !guarded)
      return httplib::Server::HandlerResponse::Unhandled;
    std::string auth = req.get_header_value("Authorization");
    if (auth.rfind("Bearer ", 0) == 0 &&
        constantTimeEquals(auth.substr(7), options_.token))
      return httplib::Server::HandlerResponse::Unhandled;
    res.set_header("WWW-Authenticate", "Bearer realm=\"wooly-controller\"");
    sendProblem(res, 401,
                "this controller needs \"Authorization: Bearer <token>\"");
    return httplib::Server::HandlerResponse::Handled;
  });
  s.set_exception_handler([](const httplib::Request &, httplib::Response &res,
                             std::exception_ptr ep) {
    std::string what = "internal error";
    try {
      std::rethrow_exception(ep);
    } catch (const std::exception &e) {
      what = e.what();
    } catch (...) {
    }
    sendProblem(res, 500, what);
  });
  s.set_error_handler([](const httplib::Request &req, httplib::Response &res) {
    if (!res.body.empty())
      return;
    if (res.status == 404)
      sendProblem(res, 404, "no such page: " + req.path + " (see /api/v1/)");
    else if (res.status == 400)
      sendProblem(res, 400,
                  "malformed HTTP request (a POST needs a body or "
                  "\"Content-Length: 0\")");
    else
      sendProblem(res, res.status, "request refused");
  });

  s.Get("/", [](const httplib::Request &, httplib::Response &res) {
    res.set_content(std::string(web::dashboardHtml()),
                    "text/html; charset=utf-8");
  });
  s.Get("/healthz", [](const httplib::Request &, httplib::Response &res) {
    res.set_content("ok\n", "text/plain");
  });
  s.Get("/metrics", [&c](const httplib::Request &, httplib::Response &res) {
    res.set_content(c.metricsText(), "text/plain; version=0.0.4");
  });
  s.Get("/api/v1/?", [](const httplib::Request &, httplib::Response &res) {
    sendJson(res,
             {{"endpoints",
               {"/api/v1/fleet", "/api/v1/servers", "/api/v1/devices",
                "/api/v1/sessions", "/api/v1/placements", "/api/v1/weights"}}});
  });
  s.Get("/api/v1/fleet",
        [&c](const httplib::Request &req, httplib::Response &res) {
          long history = historyParam(req, 60);
          if (history < 0)
            return sendProblem(res, 400, "history must be 0-120");
          sendJson(res, c.fleetJson(static_cast<size_t>(history)));
        });
  s.Get("/api/v1/servers",
        [&c](const httplib::Request &req, httplib::Response &res) {
          long history = historyParam(req, Registry::kHistoryLength);
          if (history < 0)
            return sendProblem(res, 400, "history must be 0-120");
          sendJson(res, c.serversJson(static_cast<size_t>(history)));
        });
  s.Get(R"(/api/v1/servers/(.+))",
        [&c](const httplib::Request &req, httplib::Response &res) {
          for (auto &server : c.serversJson())
            if (server["name"] == req.matches[1].str())
              return sendJson(res, server);
          sendProblem(res, 404, "no server named " + req.matches[1].str());
        });
  s.Get("/api/v1/devices",
        [&c](const httplib::Request &, httplib::Response &res) {
          sendJson(res, c.devicesJson());
        });
  s.Get("/api/v1/sessions",
        [&c](const httplib::Request &, httplib::Response &res) {
          sendJson(res, c.sessionsJson());
        });
  s.Get("/api/v1/placements",
        [&c](const httplib::Request &req, httplib::Response &res) {
          auto number = [&](const char *key, long fallback, long lo,
                            long hi) -> long {
            if (!req.has_param(key))
              return fallback;
            std::string v = req.get_param_value(key);
            char *end = nullptr;
            long n = std::strtol(v.c_str(), &end, 10);
            return (v.empty() || *end || n < lo || n > hi) ? -1 : n;
          };
          long limit = number("limit", 100, 1, 500);
          long candidates = number("candidates", 50, 0, 100000);
          if (limit < 0)
            return sendProblem(res, 400, "limit must be 1-500");
          if (candidates < 0)
            return sendProblem(res, 400, "candidates must be 0-100000");
          sendJson(res, c.placementsJson(static_cast<size_t>(limit),
                                         static_cast<size_t>(candidates)));
        });
  s.Get(R"(/api/v1/placements/(\d+))",
        [&c](const httplib::Request &req, httplib::Response &res) {
          json p = c.placementJson(
              std::strtoull(req.matches[1].str().c_str(), nullptr, 10));
          if (p.is_null())
            return sendProblem(res, 404,
                               "no placement " + req.matches[1].str() +
                                   " in the log (it keeps the last 500)");
          sendJson(res, p);
        });
  s.Post("/api/v1/placements",
         [&c](const httplib::Request &req, httplib::Response &res) {
           json body;
           if (!parseBody(req, res, body))
             return;
           protocol::PlacementRequestMsg m;
           std::string priority = "normal";
           if (!readBytes(body, "memory", m.memoryBytes, res) ||
               !readString(body, "vendor", m.vendor, res) ||
               !readString(body, "arch", m.arch, res) ||
               !readString(body, "tenant", m.tenant, res) ||
               !readString(body, "policy", m.policy, res) ||
               !readString(body, "avoid", m.avoid, res) ||
               !readString(body, "priority", priority, res))
             return;
           if (priority == "batch")
             m.priority = protocol::PriorityClass::Batch;
           else if (priority == "interactive")
             m.priority = protocol::PriorityClass::Interactive;
           else if (priority != "normal")
             return sendProblem(
                 res, 400, "priority must be batch, normal or interactive");
           if (!m.policy.empty() && !parsePolicy(m.policy))
             return sendProblem(res, 400, "policy must be spread or binpack");
           auto rec = c.place(m);
           json out = c.placementJson(rec->id);
           if (out.is_null())
             return sendProblem(res, 500, "placement record lost");
           sendJson(res, out, rec->decision.placed ? 200 : 409);
         });
  auto drainHandler = [&c](bool defaultDrain) {
    return [&c, defaultDrain](const httplib::Request &req,
                              httplib::Response &res) {
      json body;
      if (!parseBody(req, res, body))
        return;
      bool drain = defaultDrain;
      if (body.contains("drain")) {
        if (!body["drain"].is_boolean())
          return sendProblem(res, 400, "\"drain\" must be true or false");
        drain = body["drain"].get<bool>();
      }
      std::string name = req.matches[1].str();
      if (!c.drain(name, drain))
        return sendProblem(res, 404, "no server named " + name);
      sendJson(res, {{"server", name}, {"draining", drain}});
    };
  };
  s.Post(R"(/api/v1/servers/(.+)/restart)",
         [&c](const httplib::Request &req, httplib::Response &res) {
           json body;
           if (!parseBody(req, res, body))
             return;
           double grace = 30;
           if (body.contains("grace")) {
             if (!body["grace"].is_number() ||
                 !(body["grace"].get<double>() >= 0) ||
                 body["grace"].get<double>() * 1000 >
                     protocol::kMaxRestartGraceMs)
               return sendProblem(res, 400,
                                  "\"grace\" is a number of seconds, 0 to "
                                  "3600");
             grace = body["grace"].get<double>();
           }
           std::string name = req.matches[1].str();
           if (!c.restartServer(name, uint32_t(grace * 1000 + 0.5)))
             return sendProblem(res, 404, "no server named " + name);
           sendJson(res, {{"server", name}, {"restart", true}, {"grace", grace}});
         });
  s.Post(R"(/api/v1/servers/(.+)/drain)", drainHandler(true));
  s.Post(R"(/api/v1/servers/(.+)/undrain)", drainHandler(false));
  s.Get("/api/v1/weights",
        [&c](const httplib::Request &, httplib::Response &res) {
          sendJson(res, c.weightsJson());
        });
  s.Delete(R"(/api/v1/weights/(.+))", [&c](const httplib::Request &req,
                                            httplib::Response &res) {
    std::string tenant = req.matches[1].str();
    std::string server = req.get_param_value("server");
    if (!c.clearTenant(server, tenant))
      return sendProblem(res, 404, "no server named " + server);
    sendJson(res, {{"tenant", tenant},
                   {"cleared", true},
                   {"server", server.empty() ? json(nullptr) : json(server)}});
  });
  s.Post("/api/v1/weights", [&c](const httplib::Request &req,
                                 httplib::Response &res) {
    json body;
    if (!parseBody(req, res, body))
      return;
    std::string tenant, server;
    TenantSetting setting;
    if (!readString(body, "tenant", tenant, res) ||
        !readString(body, "server", server, res) ||
        !readBytes(body, "memoryQuota", setting.memoryQuotaBytes, res))
      return;
    if (tenant.empty())
      return sendProblem(res, 400, "\"tenant\" is required");
    if (!body.contains("weight") || !body["weight"].is_number() ||
        !(body["weight"].get<double>() > 0) ||
        !std::isfinite(body["weight"].get<double>()))
      return sendProblem(res, 400, "\"weight\" must be a positive number");
    setting.weight = body["weight"].get<double>();
    // The tenant's priority class on the servers; absent or null: the one
    // set before, if any, else whatever its sessions ask for.
    if (body.contains("priority") && !body["priority"].is_null()) {
      auto cls = body["priority"].is_string()
                     ? daemon::parsePriorityClass(
                           body["priority"].get<std::string>())
                     : std::nullopt;
      if (!cls)
        return sendProblem(res, 400,
                           "\"priority\" must be \"best-effort\", "
                           "\"normal\" or \"latency-sensitive\"");
      setting.priority = static_cast<uint8_t>(*cls);
    }
    if (!c.setTenantWeight(server, tenant, setting))
      return sendProblem(res, 404, "no server named " + server);
    json priority = nullptr;
    if (setting.priority != protocol::kKeepPriority)
      priority = daemon::priorityClassName(
          static_cast<exec::PriorityClass>(setting.priority));
    sendJson(res, {{"tenant", tenant},
                   {"weight", setting.weight},
                   {"memoryQuota", setting.memoryQuotaBytes},
                   {"priority", priority},
                   {"server", server.empty() ? json(nullptr) : json(server)}});
  });
}

} // namespace wooly::controller
