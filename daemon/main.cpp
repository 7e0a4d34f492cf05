//===- main.cpp - woolyd: the Wooly server ---------------------------------===//
//
//   woolyd --listen URL [--controller URL] [--executor auto|host|cuda|hip]
//          [--keys DIR | --insecure] [--launch-timeout SECONDS] [--status]
//          [--verbose]
//   woolyd --listen URL [--keys DIR] --set-share TENANT=WEIGHT[:CLASS]
//   woolyd --listen URL [--keys DIR] --set-session-share ID=WEIGHT[:CLASS]
//   woolyd --listen URL [--keys DIR] --set-quota TENANT=SIZE
//   woolyd --listen URL [--keys DIR] --clear-share TENANT
//   woolyd --listen URL [--keys DIR] --restart [--grace SECONDS] [--wait]
//   woolyd --gen-keys DIR
//
// --status connects to the server listening on URL and prints its telemetry
// JSON; --set-share and --set-session-share change a running server's shares,
// --set-quota a tenant's memory quota, --clear-share drops a tenant's share,
// --restart has it replace itself with a new process on the same endpoint
// once its sessions end (operator keys: DIR/admin.key). Plain (unencrypted)
// TCP on a non-loopback address needs --insecure.
//
//===----------------------------------------------------------------------===//
#include "daemon/ByteSize.h"
#include "daemon/Advertise.h"
#include "daemon/ControllerLink.h"
#include "daemon/Restart.h"
#include "daemon/Server.h"
#include "daemon/OperatorClient.h"
#include "daemon/OperatorState.h"
#include "daemon/PriorityNames.h"
#include "daemon/StopRequest.h"
#include "runtime/protocol/ControllerMessages.h"

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unistd.h>

using namespace wooly;

static int usage(const char *why) {
  if (why)
    fprintf(stderr, "woolyd: %s\n", why);
  fprintf(stderr,
          "usage: woolyd --listen URL [--controller URL [--advertise URL]] "
          "[--executor auto|host|cuda|hip] [--keys DIR | --insecure] "
          "[--launch-timeout SECONDS] [--status] [--verbose]\n"
          "       woolyd --listen URL [--keys DIR] --set-share "
          "TENANT=WEIGHT[:CLASS]\n"
          "       woolyd --listen URL [--keys DIR] --set-session-share "
          "ID=WEIGHT[:CLASS]\n"
          "       woolyd --listen URL [--keys DIR] --set-quota TENANT=SIZE\n"
          "       woolyd --listen URL [--keys DIR] --clear-share TENANT\n"
          "       woolyd --listen URL [--keys DIR] --restart [--grace "
          "SECONDS] [--wait]\n"
          "       woolyd --gen-keys DIR\n"
          "WEIGHT is 1..1000; CLASS best-effort, normal or "
          "latency-sensitive (unchanged if left out); SIZE the bytes the "
          "tenant's sessions may hold together (4GiB, 512MiB, ...; 0: no "
          "quota); --restart: a new woolyd on the same endpoint once the "
          "sessions end, after --grace (default 30) seconds at the latest; "
          "--wait: until the new one serves\n");
  return 1;
}

/// "WHO=WEIGHT[:CLASS]" of --set-share / --set-session-share; "" or why not.
static std::string parseShare(const std::string &text, std::string &who,
                              uint32_t &weight,
                              std::optional<exec::PriorityClass> &priority) {
  size_t eq = text.rfind('=');
  if (eq == std::string::npos || eq == 0)
    return "a share is WHO=WEIGHT[:CLASS], e.g. team-a=3:latency-sensitive";
  who = text.substr(0, eq);
  std::string rest = text.substr(eq + 1), cls;
  if (size_t colon = rest.find(':'); colon != std::string::npos) {
    cls = rest.substr(colon + 1);
    rest.resize(colon);
  }
  char *end = nullptr;
  unsigned long w = std::strtoul(rest.c_str(), &end, 10);
  if (rest.empty() || *end || w < 1 || w > 1000)
    return "the weight must be a whole number 1..1000, got '" + rest + "'";
  weight = uint32_t(w);
  if (!cls.empty()) {
    priority = daemon::parsePriorityClass(cls);
    if (!priority)
      return "the priority class must be best-effort, normal or "
             "latency-sensitive, got '" + cls + "'";
  }
  return "";
}

/// The "started" of a `--status` JSON (0 if it has none): when that woolyd
/// process started.
static uint64_t statusStarted(const std::string &json) {
  size_t at = json.find("\"started\":");
  if (at == std::string::npos)
    return 0;
  return std::strtoull(json.c_str() + at + 10, nullptr, 10);
}

static bool isLoopbackTcp(const std::string &url) {
  return url.rfind("tcp://127.", 0) == 0 ||
         url.rfind("tcp://localhost:", 0) == 0 ||
         url.rfind("tcp://[::1]:", 0) == 0;
}

int main(int argc, char **argv) {
  std::string listen, controller, advertise, executorKind = "auto", keysDir,
      genKeys,
      launchTimeout, tenantShare, sessionShare, tenantQuota, clearShare,
      grace;
  bool insecure = false, status = false, verbose = false, restart = false,
       waitRestart = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](std::string &out) {
      if (i + 1 >= argc)
        return false;
      out = argv[++i];
      return true;
    };
    if (a == "--listen" ? !value(listen)
        : a == "--controller" ? !value(controller)
        : a == "--advertise"  ? !value(advertise)
        : a == "--executor"   ? !value(executorKind)
        : a == "--keys"       ? !value(keysDir)
        : a == "--gen-keys"   ? !value(genKeys)
        : a == "--launch-timeout" ? !value(launchTimeout)
        : a == "--set-share"  ? !value(tenantShare)
        : a == "--set-session-share" ? !value(sessionShare)
        : a == "--set-quota" ? !value(tenantQuota)
        : a == "--clear-share" ? !value(clearShare)
        : a == "--grace"      ? !value(grace)
                              : false)
      return usage((a + " needs a value").c_str());
    if (a == "--insecure")
      insecure = true;
    else if (a == "--status")
      status = true;
    else if (a == "--verbose")
      verbose = true;
    else if (a == "--restart")
      restart = true;
    else if (a == "--wait")
      waitRestart = true;
    else if (a == "--help" || a == "-h")
      return usage(nullptr), 0;
    else if (a != "--listen" && a != "--controller" && a != "--advertise" &&
             a != "--executor" &&
             a != "--keys" && a != "--gen-keys" && a != "--launch-timeout" &&
             a != "--set-share" && a != "--set-session-share" &&
             a != "--set-quota" && a != "--clear-share" && a != "--grace")
      return usage(("unknown option '" + a + "'").c_str());
  }
  if (!genKeys.empty()) {
    std::string err = daemon::writeKeyDirectory(genKeys);
    if (!err.empty())
      return fprintf(stderr, "woolyd: %s\n", err.c_str()), 1;
    printf("wrote server, client and operator keys to %s (give clients "
           "client.key, client.pub and server.pub, and list allowed client "
           "keys in authorized_keys; admin.key is the operator's, for "
           "--set-share, listed in admin_keys)\n",
           genKeys.c_str());
    return 0;
  }
  if (listen.empty())
    return usage("--listen URL is required");
  if (!keysDir.empty() && insecure)
    return usage("--keys and --insecure exclude each other");
  if (!advertise.empty() &&
      (controller.empty() || (advertise.rfind("tcp://", 0) != 0 &&
                              advertise.rfind("ipc://", 0) != 0)))
    return usage("--advertise URL (tcp:// or ipc://, where clients reach "
                 "this server) goes with --controller");

  if ((!grace.empty() || waitRestart) && !restart)
    return usage("--grace and --wait go with --restart");
  if (restart) {
    if (status || !tenantShare.empty() || !sessionShare.empty() ||
        !tenantQuota.empty() || !clearShare.empty())
      return usage("--restart goes alone");
    double seconds = 30;
    if (!grace.empty()) {
      char *end = nullptr;
      seconds = std::strtod(grace.c_str(), &end);
      if (!end || *end || !(seconds >= 0) ||
          seconds * 1000 > protocol::kMaxRestartGraceMs)
        return usage("--grace takes a number of seconds, 0 to 3600");
    }
    uint32_t open = 0;
    std::string err, before;
    // The new process keeps the pid: its start time tells it apart.
    if (waitRestart && !daemon::queryStatus(listen, keysDir, before, err))
      return fprintf(stderr, "woolyd: %s\n", err.c_str()), 1;
    auto asked = std::chrono::steady_clock::now();
    if (!daemon::requestRestart(listen, keysDir, uint32_t(seconds * 1000 + 0.5),
                                open, err))
      return fprintf(stderr, "woolyd: %s\n", err.c_str()), 1;
    if (open)
      printf("woolyd at %s restarts once its %u session%s end%s, in %g s "
             "at the latest; new clients wait for it\n",
             listen.c_str(), open, open == 1 ? "" : "s", open == 1 ? "s" : "",
             seconds);
    else
      printf("woolyd at %s restarts now; new clients wait for it\n",
             listen.c_str());
    if (!waitRestart)
      return 0;
    fflush(stdout);
    // The grace period, then a minute for the new process (a GPU
    // driver's start can take seconds).
    auto deadline =
        asked + std::chrono::milliseconds(uint64_t(seconds * 1000) + 60 * 1000);
    while (std::chrono::steady_clock::now() < deadline) {
      usleep(200 * 1000);
      std::string now;
      err.clear();
      if (daemon::queryStatus(listen, keysDir, now, err, 1000) &&
          statusStarted(now) != statusStarted(before)) {
        printf("woolyd at %s restarted: the new process serves, %.1f s "
               "after the request\n",
               listen.c_str(),
               std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                             asked)
                   .count());
        return 0;
      }
    }
    return fprintf(stderr,
                   "woolyd: no new woolyd serves at %s %g s after the "
                   "restart request (last: %s); see its log\n",
                   listen.c_str(), seconds + 60,
                   err.empty() ? "the old process still answers" : err.c_str()),
           1;
  }
  if (status) {
    std::string json, err;
    if (!daemon::queryStatus(listen, keysDir, json, err))
      return fprintf(stderr, "woolyd: %s\n", err.c_str()), 1;
    printf("%s\n", json.c_str());
    return 0;
  }
  if (!clearShare.empty()) {
    if (!tenantShare.empty() || !sessionShare.empty() || !tenantQuota.empty())
      return usage("--clear-share goes alone");
    daemon::ShareTarget target;
    target.tenant = clearShare;
    uint32_t changed = 0;
    std::string err;
    // Weight 0: the tenant's share cleared (SetShareAdmin).
    if (!daemon::setShare(listen, keysDir, target, 0, std::nullopt, changed,
                          err))
      return fprintf(stderr, "woolyd: %s\n", err.c_str()), 1;
    printf("tenant %s: each session's own share again (%u session%s now)\n",
           clearShare.c_str(), changed, changed == 1 ? "" : "s");
    return 0;
  }
  if (!tenantQuota.empty()) {
    if (!tenantShare.empty() || !sessionShare.empty())
      return usage("--set-quota goes alone, not with --set-share");
    size_t eq = tenantQuota.rfind('=');
    uint64_t bytes = 0;
    if (eq == std::string::npos || eq == 0 ||
        !daemon::parseByteSize(tenantQuota.substr(eq + 1), bytes))
      return usage(("a memory quota is TENANT=SIZE, e.g. team-a=4GiB (0: "
                    "none), got '" + tenantQuota + "'")
                       .c_str());
    std::string tenant = tenantQuota.substr(0, eq), err;
    uint64_t used = 0;
    if (!daemon::setTenantQuota(listen, keysDir, tenant, bytes, used, err))
      return fprintf(stderr, "woolyd: %s\n", err.c_str()), 1;
    if (bytes)
      printf("tenant %s: memory quota %llu bytes (%llu in use now)\n",
             tenant.c_str(), (unsigned long long)bytes,
             (unsigned long long)used);
    else
      printf("tenant %s: no memory quota (%llu bytes in use now)\n",
             tenant.c_str(), (unsigned long long)used);
    return 0;
  }
  if (!tenantShare.empty() || !sessionShare.empty()) {
    if (!tenantShare.empty() && !sessionShare.empty())
      return usage("one of --set-share and --set-session-share at a time");
    daemon::ShareTarget target;
    std::string who;
    uint32_t weight = 1;
    std::optional<exec::PriorityClass> priority;
    std::string why = parseShare(
        tenantShare.empty() ? sessionShare : tenantShare, who, weight, priority);
    if (!why.empty())
      return usage(why.c_str());
    if (!tenantShare.empty()) {
      target.tenant = who;
    } else {
      char *end = nullptr;
      target.session = std::strtoull(who.c_str(), &end, 10);
      if (*end || target.session == 0)
        return usage(("a session is its number in `woolyd --status`, got '" +
                      who + "'")
                         .c_str());
    }
    uint32_t changed = 0;
    std::string err;
    if (!daemon::setShare(listen, keysDir, target, weight, priority, changed,
                          err))
      return fprintf(stderr, "woolyd: %s\n", err.c_str()), 1;
    printf("%s: weight %u%s%s (%u session%s now)\n",
           target.tenant.empty() ? ("session " + who).c_str()
                                 : ("tenant " + who).c_str(),
           weight, priority ? ", " : "",
           priority ? daemon::priorityClassName(*priority) : "", changed,
           changed == 1 ? "" : "s");
    return 0;
  }

  daemon::ServerOptions options;
  options.listen = listen;
  options.verbose = verbose;
  // A restart runs the file woolyd was started from, as it is then (an
  // upgrade renames a new one over it), wherever this one has gone since.
  const std::string self = daemon::ownExecutable();
  options.restartCheck = [self] { return daemon::executableProblem(self); };
  if (!keysDir.empty()) {
    daemon::CurveKeys keys;
    std::string err = daemon::readServerKeys(keysDir, keys);
    if (!err.empty())
      return fprintf(stderr, "woolyd: %s\n", err.c_str()), 1;
    options.curve = keys;
  } else if (listen.rfind("tcp://", 0) == 0 && !isLoopbackTcp(listen) &&
             !insecure) {
    return usage("plain TCP on a non-loopback address needs --insecure "
                 "(or --keys DIR for CURVE encryption)");
  }

  exec::ExecutorOptions execOptions;
  if (!launchTimeout.empty()) {
    // Seconds, fractions allowed; 0 (the default) sets no limit.
    char *end = nullptr;
    double seconds = std::strtod(launchTimeout.c_str(), &end);
    if (!end || *end || !(seconds >= 0) || seconds > 1e6)
      return usage("--launch-timeout takes a number of seconds (0: no "
                   "limit, the default)");
    execOptions.launchTimeoutMs = static_cast<uint64_t>(seconds * 1000 + 0.5);
    if (seconds > 0 && execOptions.launchTimeoutMs == 0)
      execOptions.launchTimeoutMs = 1;
  }
  signal(SIGPIPE, SIG_IGN);
  std::unique_ptr<exec::Executor> executor;
  exec::Status s = exec::createExecutor(executorKind, execOptions, executor);
  if (!s)
    return fprintf(stderr, "woolyd: cannot start the '%s' executor: %s\n",
                   executorKind.c_str(), s.message.c_str()),
           1;

  auto context = std::make_shared<zmq::context_t>();
  std::unique_ptr<daemon::Server> server;
  s = daemon::Server::start(context, *executor, options, server);
  if (!s)
    return fprintf(stderr, "woolyd: %s\n", s.message.c_str()), 1;
  // A restarted woolyd: what operators set before (daemon/OperatorState.h).
  if (const char *carried = getenv(daemon::kOperatorStateVariable)) {
    std::string err;
    if (auto state = daemon::decodeOperatorState(carried, err)) {
      server->applyOperatorState(*state);
      fprintf(stderr,
              "woolyd: kept the operators' settings across the restart "
              "(%s, %zu tenant%s)\n",
              state->draining ? "draining" : "not draining",
              state->tenants.size(), state->tenants.size() == 1 ? "" : "s");
    } else {
      fprintf(stderr, "woolyd: ignoring %s: %s\n",
              daemon::kOperatorStateVariable, err.c_str());
    }
    unsetenv(daemon::kOperatorStateVariable);
  }
  const exec::DeviceInfo &dev = executor->info();
  fprintf(stderr, "woolyd: serving %s (%s) on %s%s\n", dev.name.c_str(),
          dev.executor.c_str(), server->endpoint().c_str(),
          options.curve ? " with CURVE" : "");
  if (std::string note = executor->schedulingNote(); !note.empty())
    fprintf(stderr, "woolyd: scheduling: %s\n", note.c_str());
  std::unique_ptr<daemon::ControllerLink> link;
  if (!controller.empty()) {
    std::string err;
    std::string why;
    std::string registered = daemon::advertisedEndpoint(
        server->endpoint(), advertise, controller, why);
    link = daemon::ControllerLink::start(*context, controller, keysDir,
                                         *server, dev, registered, err);
    if (!link)
      return fprintf(stderr, "woolyd: controller %s: %s\n",
                     controller.c_str(), err.c_str()),
             1;
    fprintf(stderr,
            "woolyd: reporting to the controller at %s as %s (%s)\n",
            controller.c_str(), registered.c_str(), why.c_str());
  }

  daemon::installStopHandlers();
  while (!daemon::stopRequested()) {
    usleep(100 * 1000);
    // A GPU context lost to a kernel fault: only a new process has a
    // working one (daemon/Restart.h). Threads may be stuck in the driver,
    // so nothing is torn down but the controller registration. An
    // operator's restart (woolyd --restart) takes the same way.
    std::string why = executor->lost();
    const bool deviceLost = !why.empty();
    if (!deviceLost)
      why = server->restartDue();
    if (why.empty())
      continue;
    if (!deviceLost) {
      // Checked when it was asked for, but the file may have gone since
      // (an upgrade half done): this process and its device still work.
      if (std::string problem = daemon::executableProblem(self);
          !problem.empty()) {
        server->cancelRestart();
        fprintf(stderr, "woolyd: cannot restart: %s; serving on as before\n",
                problem.c_str());
        continue;
      }
    }
    bool replacing = daemon::beginRestart(); // a stop from now on: _exit
    fprintf(stderr, "woolyd: %s; %s %s\n", why.c_str(),
            replacing ? "restarting on" : "stopping instead of restarting on",
            server->endpoint().c_str());
    // The replies already queued (the faulting session's error among
    // them) leave before the sockets go. After an operator's restart the
    // sessions have ended: only answers to new clients (Restarting) may be
    // queued, and those clients ask again anyway.
    usleep((deviceLost ? 500 : 100) * 1000);
    link.reset();
    if (!replacing)
      _exit(0); // the executor's teardown could wait on the broken driver
    // The drain and the tenants' shares and quotas go to the new process.
    setenv(daemon::kOperatorStateVariable,
           daemon::encodeOperatorState(server->operatorState()).c_str(), 1);
    std::string err = daemon::replaceProcess(
        self,
        daemon::restartArguments(argc, argv, server->endpoint()));
    fprintf(stderr, "woolyd: cannot restart: %s\n", err.c_str());
    _exit(75);
  }
  link.reset(); // deregister first
  if (std::string why = executor->lost(); !why.empty()) {
    // As when restarting: the teardown could wait on the broken driver.
    fprintf(stderr, "woolyd: shutting down (the device was lost: %s)\n",
            why.c_str());
    _exit(0);
  }
  fprintf(stderr, "woolyd: shutting down\n");
  server.reset();
  return 0;
}
