#include "daemon/ControllerLink.h"
#include "daemon/StatusJson.h"

#include <catch2/catch.hpp>

using namespace wooly::daemon;

TEST_CASE("status JSON carries device, memory and per-session usage",
          "[telemetry]") {
  StatusReport r;
  r.device.name = "CPU \"x\"";
  r.device.totalMemory = 100;
  r.memoryUsed = 40;
  SessionUsage s;
  s.id = 3;
  s.client = "saxpy (pid 1)";
  s.memoryBytes = 40;
  s.stats.launches = 5;
  s.stats.queueDelayP99Ns = 900;
  s.stats.pendingLaunches = 2;
  r.sessions.push_back(s);
  std::string j = formatStatusJson(r);
  CHECK(j.find("\"name\":\"CPU \\\"x\\\"\"") != std::string::npos);
  CHECK(j.find("\"memory\":{\"total\":100,\"used\":40}") != std::string::npos);
  CHECK(j.find("\"queueDepth\":2") != std::string::npos);
  CHECK(j.find("\"launches\":5") != std::string::npos);
  CHECK(j.find("\"queueDelayP99Ns\":900") != std::string::npos);
  CHECK(j.find("\"error\"") == std::string::npos); // none: no field
  CHECK(jsonEscape(std::string("a\nb")) == "a\\u000ab");
  r.sessions[0].error = "Assert: device-side assert triggered: a.cu:3: f: "
                        "block (0,0,0) thread (1,0,0) Assertion `x` failed.";
  CHECK(formatStatusJson(r).find(
            "\"error\":\"Assert: device-side assert triggered: a.cu:3") !=
        std::string::npos);
}

TEST_CASE("telemetry and status JSON say whether the server is draining",
          "[telemetry]") {
  StatusReport r;
  r.device.name = "cpu";
  r.memoryUsed = 7;
  wooly::protocol::TelemetryMsg t = toTelemetry(r, "srv", 4);
  CHECK_FALSE(t.draining);
  CHECK(t.serverName == "srv");
  CHECK(t.sequence == 4);
  CHECK(formatStatusJson(r).find("\"draining\":false") != std::string::npos);
  r.draining = true;
  CHECK(toTelemetry(r, "srv", 5).draining);
  CHECK(formatStatusJson(r).find("\"draining\":true") != std::string::npos);
}

TEST_CASE("status JSON says whether an operator's restart is waiting",
          "[telemetry][restart]") {
  StatusReport r;
  CHECK(formatStatusJson(r).find("\"restarting\":false") != std::string::npos);
  r.restarting = true;
  CHECK(formatStatusJson(r).find("\"restarting\":true") != std::string::npos);
  // When the process started: the restarted one keeps the pid.
  r.startedAtMs = 1795000000123;
  CHECK(formatStatusJson(r).find("\"started\":1795000000123") !=
        std::string::npos);
  // Told to the controller, which places nobody there meanwhile; not as a
  // drain, which it would keep for the new process.
  CHECK(toTelemetry(r, "srv", 1).restarting);
  CHECK_FALSE(toTelemetry(r, "srv", 1).draining);
}

TEST_CASE("status JSON says how the executor schedules best-effort work "
          "when it has something to say",
          "[telemetry]") {
  StatusReport r;
  CHECK(formatStatusJson(r).find("\"scheduling\"") == std::string::npos);
  r.scheduling = "best-effort work runs on \"idle\" workers";
  CHECK(formatStatusJson(r).find(
            "\"scheduling\":\"best-effort work runs on \\\"idle\\\" workers\"") !=
        std::string::npos);
}

TEST_CASE("status JSON lists what operators set for tenants", "[telemetry]") {
  StatusReport r;
  CHECK(formatStatusJson(r).find("\"tenants\":[]") != std::string::npos);
  TenantStatus a;
  a.name = "alice";
  a.weight = 3;
  a.priority = wooly::exec::PriorityClass::LatencySensitive;
  a.memoryQuota = 4096;
  a.memoryUsed = 1024;
  TenantStatus b;
  b.name = "bob";
  b.memoryQuota = 100;
  r.tenants = {a, b};
  CHECK(formatStatusJson(r).find(
            "\"tenants\":[{\"tenant\":\"alice\",\"weight\":3,\"priority\":"
            "\"latency-sensitive\",\"memoryQuota\":4096,\"memoryUsed\":1024},"
            "{\"tenant\":\"bob\",\"weight\":null,\"priority\":null,"
            "\"memoryQuota\":100,\"memoryUsed\":0}]") != std::string::npos);
}
