//===- ControllerBench.cpp - Placement latency and telemetry ingest -------===//
//
// An in-process wooly-controller (its ZeroMQ loop on one thread pinned to
// one core) with 1000 registered servers that keep sending telemetry at the
// normal 2 Hz each.
//
// 1. Placement latency: 100 requests/s over tcp loopback, p50/p99, against a
//    baseline of a raw ZeroMQ ROUTER echo of the same bytes at the same rate
//    on the same core (ratio = controller / raw: the cost of deciding).
// 2. Telemetry ingest: telemetry messages pipelined (window 256) as fast as
//    the controller acknowledges them, against the raw echo under the same
//    pipelining (ratio = controller / raw throughput).
//
//   wooly-bench-controller [--quick]
//
//===----------------------------------------------------------------------===//
#include "controller/Controller.h"
#include "runtime/protocol/ControllerClient.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <pthread.h>
#include <random>
#include <thread>

using namespace wooly;
using namespace wooly::protocol;
using namespace std::chrono;

namespace {

void pinToCore(int core) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(core, &set);
  pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1,
                    static_cast<size_t>(p * (v.size() - 1) + 0.5))];
}

TelemetryMsg telemetryFor(int i, uint64_t seq, std::mt19937 &rng) {
  std::uniform_real_distribution<double> busy(0, 1);
  TelemetryMsg t;
  t.serverName = "srv-" + std::to_string(i);
  t.sequence = seq;
  t.queueDepth = rng() % 8;
  uint64_t total = 80ull << 30;
  t.devices = {{"gpu", i % 3 == 0 ? "amd" : "nvidia",
                i % 3 == 0 ? "gfx942" : "sm_90", total,
                (rng() % 70) * (1ull << 30), busy(rng)}};
  for (int s = 0; s < 2; ++s)
    t.sessions.push_back({"s" + std::to_string(s),
                          "tenant-" + std::to_string(rng() % 10), 1ull << 30,
                          1000, 10, 10, 100});
  return t;
}

/// Sends `count` requests pipelined with at most `window` outstanding;
/// returns messages/s.
double pipelined(zmq::socket_t &dealer,
                 const std::vector<std::vector<uint8_t>> &bodies, uint16_t type,
                 size_t count, size_t window, bool framed) {
  size_t sent = 0, received = 0;
  auto t0 = steady_clock::now();
  while (received < count) {
    while (sent < count && sent - received < window) {
      const auto &body = bodies[sent % bodies.size()];
      if (framed) {
        FrameHeader h;
        h.type = type;
        h.requestId = sent + 1;
        (void)sendFrames(dealer, nullptr, h, std::vector<uint8_t>(body));
      } else {
        dealer.send(zmq::buffer(body), zmq::send_flags::none);
      }
      ++sent;
    }
    zmq::message_t m;
    (void)dealer.recv(m);
    while (m.more())
      (void)dealer.recv(m);
    ++received;
  }
  return count / duration<double>(steady_clock::now() - t0).count();
}

std::vector<double> pacedLatencies(int count, double perSecond,
                                   const std::function<void()> &oneRequest) {
  std::vector<double> us;
  auto start = steady_clock::now();
  for (int i = 0; i < count; ++i) {
    std::this_thread::sleep_until(
        start + microseconds(static_cast<int64_t>(i * 1e6 / perSecond)));
    auto t = steady_clock::now();
    oneRequest();
    us.push_back(duration<double, std::micro>(steady_clock::now() - t).count());
  }
  return us;
}

} // namespace

int main(int argc, char **argv) {
  bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  const int servers = quick ? 100 : 1000;
  const int placements = quick ? 30 : 300;
  const size_t ingestCount = quick ? 5000 : 100000;
  zmq::context_t ctx;

  // --- Baseline: raw echo on core 0 ---------------------------------------
  zmq::socket_t echo(ctx, zmq::socket_type::router);
  echo.set(zmq::sockopt::linger, 0);
  echo.bind("tcp://127.0.0.1:*");
  std::string echoUrl = echo.get(zmq::sockopt::last_endpoint);
  std::atomic<bool> stopEcho{false};
  std::thread echoThread([&] {
    pinToCore(0);
    while (!stopEcho) {
      zmq::pollitem_t item{echo.handle(), 0, ZMQ_POLLIN, 0};
      if (zmq::poll(&item, 1, milliseconds(20)) == 0)
        continue;
      zmq::message_t id, body;
      (void)echo.recv(id);
      (void)echo.recv(body);
      while (body.more()) // keep only the last frame: same shape either way
        (void)echo.recv(body);
      echo.send(id, zmq::send_flags::sndmore);
      echo.send(body, zmq::send_flags::none);
    }
  });

  // --- The controller on core 0 -------------------------------------------
  controller::ControllerOptions opts;
  opts.listenUrl = "tcp://127.0.0.1:*";
  opts.log = [](const std::string &) {};
  opts.heartbeat = milliseconds(500);
  auto created = controller::Controller::create(ctx, opts);
  if (!created) {
    std::fprintf(stderr, "%s\n", created.error().describe().c_str());
    return 1;
  }
  auto &ctl = **created;
  std::atomic<bool> stopCtl{false};
  std::thread ctlThread([&] {
    pinToCore(0);
    ctl.serve(stopCtl);
  });

  std::mt19937 rng(42);
  {
    RequestClient reg(ctx, ctl.endpoint(), ClientSecurity::insecure());
    for (int i = 0; i < servers; ++i) {
      RegisterServerMsg m;
      m.serverName = "srv-" + std::to_string(i);
      m.endpoint = "tcp://10.0." + std::to_string(i / 250) + "." +
                   std::to_string(i % 250) + ":7701";
      m.executors = {"cuda"};
      m.devices = {{"gpu", i % 3 == 0 ? "amd" : "nvidia",
                    i % 3 == 0 ? "gfx942" : "sm_90", 80ull << 30, 132}};
      if (!reg.call<RegisterServerMsg, RegisterReplyMsg>(m, seconds(5))) {
        std::fprintf(stderr, "registration failed\n");
        return 1;
      }
      (void)reg.call<TelemetryMsg, TelemetryReplyMsg>(telemetryFor(i, 0, rng),
                                                      seconds(5));
    }
  }

  // Background heartbeats: every server at 2 Hz, like a real fleet.
  std::atomic<bool> stopBeats{false};
  std::thread beats([&] {
    pinToCore(1);
    auto d = connectDealer(ctx, ctl.endpoint(), ClientSecurity::insecure());
    std::mt19937 r(7);
    uint64_t seq = 1;
    auto next = steady_clock::now();
    while (!stopBeats) {
      for (int i = 0; i < servers && !stopBeats; ++i) {
        FrameHeader h;
        h.type = static_cast<uint16_t>(MessageType::Telemetry);
        h.requestId = seq;
        (void)sendFrames(*d, nullptr, h, encodeBody(telemetryFor(i, seq++, r)));
        next += microseconds(static_cast<int64_t>(1e6 / (2.0 * servers)));
        std::this_thread::sleep_until(next);
        zmq::message_t m;
        while (d->recv(m, zmq::recv_flags::dontwait))
          ;
      }
    }
  });

  std::printf(
      "controller with %d registered servers sending telemetry at 2 Hz "
      "(%d msg/s); controller loop and baseline echo pinned to core 0\n",
      servers, 2 * servers);

  // --- 1. Placement latency at 100/s ---------------------------------------
  auto placementBody = encodeBody(PlacementRequestMsg{
      2ull << 30, "nvidia", "", PriorityClass::Normal, "alice", "", ""});
  auto rawDealer = connectDealer(ctx, echoUrl, ClientSecurity::insecure());
  std::vector<uint8_t> rawBytes(kHeaderBytes + placementBody.size(), 0x11);
  auto rawLat = pacedLatencies(placements, 100, [&] {
    rawDealer->send(zmq::buffer(rawBytes), zmq::send_flags::none);
    zmq::message_t m;
    (void)rawDealer->recv(m);
  });
  RequestClient placer(ctx, ctl.endpoint(), ClientSecurity::insecure());
  uint64_t refused = 0;
  auto ctlLat = pacedLatencies(placements, 100, [&] {
    auto r = placer.call<PlacementRequestMsg, PlacementReplyMsg>(
        decodeBody<PlacementRequestMsg>(placementBody).value(), seconds(5));
    if (!r)
      refused++;
  });
  double rawP50 = percentile(rawLat, 0.5), rawP99 = percentile(rawLat, 0.99);
  double ctlP50 = percentile(ctlLat, 0.5), ctlP99 = percentile(ctlLat, 0.99);
  std::printf(
      "placement latency, %d requests at 100/s: p50 %.0f us, p99 %.0f us "
      "(%llu refused)\n",
      placements, ctlP50, ctlP99, static_cast<unsigned long long>(refused));
  std::printf(
      "  baseline raw ZeroMQ echo, same rate:   p50 %.0f us, p99 %.0f us\n",
      rawP50, rawP99);
  std::printf("  ratio controller/raw: p50 %.2f, p99 %.2f\n", ctlP50 / rawP50,
              ctlP99 / rawP99);

  // Where the time goes: the decision itself, called in-process (no sockets,
  // same registry and lock).
  auto request = decodeBody<PlacementRequestMsg>(placementBody).value();
  std::vector<double> decideUs;
  for (int i = 0; i < placements; ++i) {
    auto t = steady_clock::now();
    (void)ctl.place(request);
    decideUs.push_back(
        duration<double, std::micro>(steady_clock::now() - t).count());
  }
  std::printf(
      "  of which deciding (in-process call): p50 %.0f us, p99 %.0f us\n",
      percentile(decideUs, 0.5), percentile(decideUs, 0.99));

  // The dashboard fetches the whole fleet document once a second.
  {
    auto t = steady_clock::now();
    std::string doc = ctl.fleetJson().dump();
    std::printf("fleet document for the dashboard: %.1f ms to build, %zu KiB\n",
                duration<double, std::milli>(steady_clock::now() - t).count(),
                doc.size() / 1024);
    t = steady_clock::now();
    auto status = requestFleetStatus(
        ctx, {ctl.endpoint(), ClientSecurity::insecure()}, seconds(10));
    if (!status) {
      std::fprintf(stderr, "error: fleet status (wooly-smi's request): %s\n",
                   status.error().describe().c_str());
      return 1;
    }
    std::printf("fleet status over ZeroMQ (wooly-smi): %.1f ms, %zu KiB\n",
                duration<double, std::milli>(steady_clock::now() - t).count(),
                status->size() / 1024);
  }

  stopBeats = true;
  beats.join();

  // --- 2. Telemetry ingest --------------------------------------------------
  std::vector<std::vector<uint8_t>> bodies;
  for (int i = 0; i < servers; ++i)
    bodies.push_back(encodeBody(telemetryFor(i, 1, rng)));
  auto ingestDealer =
      connectDealer(ctx, ctl.endpoint(), ClientSecurity::insecure());
  double ctlRate = pipelined(*ingestDealer, bodies,
                             static_cast<uint16_t>(MessageType::Telemetry),
                             ingestCount, 256, true);
  std::vector<std::vector<uint8_t>> rawBodies;
  for (auto &b : bodies)
    rawBodies.push_back(std::vector<uint8_t>(b.size() + kHeaderBytes, 0x22));
  double rawRate = pipelined(*rawDealer, rawBodies, 0, ingestCount, 256, false);
  std::printf(
      "telemetry ingest on one core: %.0f msg/s (= %.0f servers at 2 Hz)\n",
      ctlRate, ctlRate / 2);
  std::printf("  baseline raw ZeroMQ echo, same sizes and window: %.0f msg/s\n",
              rawRate);
  std::printf("  ratio controller/raw: %.2f\n", ctlRate / rawRate);
  if (ctl.malformedMessages() != 0 || refused != 0) {
    std::fprintf(stderr,
                 "error: %llu messages were refused; numbers are void\n",
                 static_cast<unsigned long long>(ctl.malformedMessages()));
    return 1;
  }

  stopCtl = true;
  ctlThread.join();
  stopEcho = true;
  echoThread.join();
  return 0;
}
