//===- main.cpp - wooly-smi: nvidia-smi for the whole fleet ---------------===//
//
//   wooly-smi [--controller URL] [--json] [--keys DIR | --insecure]
//
// Asks the controller (FleetStatusRequest over ZeroMQ) for the fleet and
// prints servers, devices and sessions as tables, or the raw JSON document
// (the same one as GET /api/v1/fleet) with --json. URL defaults to
// $WOOLY_CONTROLLER, then tcp://127.0.0.1:7700.
//
//===----------------------------------------------------------------------===//
#include "runtime/protocol/ControllerClient.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

using nlohmann::json;
using namespace wooly::protocol;

namespace {

int fail(const std::string &message) {
  std::fprintf(stderr, "wooly-smi: error: %s\n", message.c_str());
  return 1;
}

std::string bytes(uint64_t n) {
  const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(n);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof(buf), u ? "%.1f %s" : "%.0f %s", v, units[u]);
  return buf;
}

/// A plain text table: columns sized to their widest cell.
class Table {
public:
  explicit Table(std::vector<std::string> header) {
    rows_.push_back(std::move(header));
  }
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  void print() const {
    std::vector<size_t> width(rows_[0].size(), 0);
    for (const auto &r : rows_)
      for (size_t i = 0; i < r.size() && i < width.size(); ++i)
        width[i] = std::max(width[i], r[i].size());
    auto rule = [&] {
      std::string line = "+";
      for (size_t w : width)
        line += std::string(w + 2, '-') + "+";
      std::puts(line.c_str());
    };
    rule();
    for (size_t r = 0; r < rows_.size(); ++r) {
      std::string line = "|";
      for (size_t i = 0; i < width.size(); ++i) {
        std::string cell = i < rows_[r].size() ? rows_[r][i] : "";
        line += " " + cell + std::string(width[i] - cell.size(), ' ') + " |";
      }
      std::puts(line.c_str());
      if (r == 0)
        rule();
    }
    rule();
  }

private:
  std::vector<std::vector<std::string>> rows_;
};

std::string percent(double f) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%3.0f%%", 100 * f);
  return buf;
}

void printFleet(const json &fleet) {
  const json &c = fleet["controller"];
  int up = 0, draining = 0, down = 0, restarting = 0;
  for (const auto &s : fleet["servers"]) {
    std::string st = s["state"];
    (st == "up"           ? up
     : st == "draining"   ? draining
     : st == "restarting" ? restarting
                          : down)++;
  }
  // Restarting servers (woolyd --restart) are named only while there are.
  std::string restarts =
      restarting ? ", " + std::to_string(restarting) + " restarting" : "";
  std::printf("Wooly fleet at %s  policy %s  servers: %d up, %d draining%s, "
              "%d down  placements: %llu placed, %llu refused\n",
              c["endpoint"].get<std::string>().c_str(),
              c["policy"].get<std::string>().c_str(), up, draining,
              restarts.c_str(), down,
              c["placed"].get<unsigned long long>(),
              c["refused"].get<unsigned long long>());

  Table servers({"Server", "State", "Endpoint", "Device", "Busy", "Memory used",
                 "Queue", "Sessions", "Seen"});
  for (const auto &s : fleet["servers"]) {
    bool first = true;
    for (const auto &d : s["devices"]) {
      servers.add(
          {first ? s["name"].get<std::string>() : "",
           first ? s["state"].get<std::string>() : "",
           first ? s["endpoint"].get<std::string>() : "",
           d["name"].get<std::string>() + " (" +
               d["vendor"].get<std::string>() + " " +
               d["arch"].get<std::string>() + ")",
           percent(d["busy"].get<double>()),
           bytes(d["memoryUsed"]) + " / " + bytes(d["memoryTotal"]),
           first ? std::to_string(s["queueDepth"].get<int>()) : "",
           first ? std::to_string(s["sessions"].get<int>()) : "",
           first ? std::to_string(s["lastSeenMsAgo"].get<int64_t>()) + " ms ago"
                 : ""});
      first = false;
    }
  }
  servers.print();

  if (!fleet["sessions"].empty()) {
    Table sessions({"Server", "Session", "Tenant", "Memory", "Launches",
                    "Kernel time", "Queue p50/p99"});
    for (const auto &s : fleet["sessions"]) {
      char kernel[32], delay[48];
      std::snprintf(kernel, sizeof(kernel), "%.1f ms",
                    s["kernelTimeNs"].get<double>() / 1e6);
      std::snprintf(delay, sizeof(delay), "%.0f / %.0f us",
                    s["queueDelayP50Us"].get<double>(),
                    s["queueDelayP99Us"].get<double>());
      sessions.add(
          {s["server"], s["sessionId"], s["tenant"], bytes(s["memory"]),
           std::to_string(s["launches"].get<uint64_t>()), kernel, delay});
    }
    sessions.print();
  } else {
    std::puts("No sessions.");
  }

  // What operators set per tenant, fleet-wide (POST /api/v1/weights).
  const json &tenants = fleet["weights"]["fleet"];
  if (tenants.is_object() && !tenants.empty()) {
    Table t({"Tenant", "Weight", "Class", "Memory quota"});
    for (const auto &[name, w] : tenants.items()) {
      char weight[32];
      std::snprintf(weight, sizeof(weight), "%g", w["weight"].get<double>());
      uint64_t quota = w["memoryQuota"].get<uint64_t>();
      t.add({name, weight,
             w["priority"].is_string() ? w["priority"].get<std::string>()
                                       : "each session's own",
             quota ? bytes(quota) : "none"});
    }
    t.print();
  }
}

} // namespace

int main(int argc, char **argv) {
  std::string url;
  if (const char *env = std::getenv("WOOLY_CONTROLLER"))
    url = env;
  if (url.empty())
    url = "tcp://127.0.0.1:7700";
  bool asJson = false;
  std::string keys;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--json")
      asJson = true;
    else if (a == "--insecure")
      keys.clear();
    else if ((a == "--controller" || a == "--keys") && i + 1 < argc)
      (a == "--controller" ? url : keys) = argv[++i];
    else if (a == "--help" || a == "-h") {
      std::puts("usage: wooly-smi [--controller URL] [--json] [--keys DIR | "
                "--insecure]");
      return 0;
    } else
      return fail("unknown argument \"" + a +
                  "\"; usage: wooly-smi [--controller URL] [--json] [--keys "
                  "DIR | --insecure]");
  }
  ClientSecurity security = ClientSecurity::insecure();
  if (!keys.empty()) {
    auto s = ClientSecurity::fromKeysDir(keys, true);
    if (!s)
      return fail(s.error().message);
    security = *s;
  }
  zmq::context_t context;
  auto status =
      requestFleetStatus(context, {url, security}, std::chrono::seconds(3));
  if (!status)
    return fail("cannot get the fleet from the controller at " + url + ": " +
                status.error().message);
  json fleet = json::parse(*status, nullptr, false);
  if (fleet.is_discarded() || !fleet.contains("servers"))
    return fail("the controller at " + url +
                " sent an unreadable fleet document");
  if (asJson) {
    std::puts(fleet.dump(2).c_str());
    return 0;
  }
  try {
    printFleet(fleet);
  } catch (const json::exception &e) {
    return fail(std::string("unexpected fleet document: ") + e.what());
  }
  return 0;
}
