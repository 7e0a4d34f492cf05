//===- TransportBench.cpp - WoolyProtocol framing vs raw ZeroMQ -----------===//
//
// Baseline: a raw ZeroMQ DEALER/ROUTER echo of the same payload bytes in one
// zero-copy frame. Measured: the same exchange through WoolyProtocol (header
// frame, encoded body, decode + validate on both sides, request-id matching in
// RequestClient). Prints latency and throughput with ratios (wooly / raw:
// 1.00 = framing costs nothing). The client runtime's copy benchmark
// compares against the bulk numbers here.
//
//   wooly-bench-transport [--quick]
//
//===----------------------------------------------------------------------===//
#include "runtime/protocol/Transport.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <thread>

using namespace wooly::protocol;
using namespace std::chrono;

namespace {

double secondsSince(steady_clock::time_point t) {
  return duration<double>(steady_clock::now() - t).count();
}

/// Raw echo: returns every message as it came.
void rawEchoServer(zmq::socket_t &router, std::atomic<bool> &stop) {
  while (!stop) {
    zmq::pollitem_t item{router.handle(), 0, ZMQ_POLLIN, 0};
    if (zmq::poll(&item, 1, milliseconds(20)) == 0)
      continue;
    std::vector<zmq::message_t> frames;
    do {
      zmq::message_t m;
      (void)router.recv(m);
      frames.push_back(std::move(m));
    } while (frames.back().more());
    for (size_t i = 0; i < frames.size(); ++i)
      router.send(frames[i], i + 1 < frames.size() ? zmq::send_flags::sndmore
                                                   : zmq::send_flags::none);
  }
}

/// Wooly echo: decodes the header and a Ping body, answers a Pong with the
/// bulk frames moved back (zero-copy).
void woolyEchoServer(zmq::socket_t &router, std::atomic<bool> &stop) {
  while (!stop) {
    auto in = receiveMessage(router, SocketRole::Router, milliseconds(20));
    if (!in || !in->valid)
      continue;
    auto ping = in->decode<PingMsg>();
    if (!ping)
      continue;
    (void)sendMessage(router, in->routingPtr(), in->header.requestId,
                      PongMsg{ping->nonce, ""}, FlagReply, std::move(in->bulk));
  }
}

struct Measured {
  double perSecond;
  double bytesPerSecond;
};

Measured runRaw(zmq::context_t &ctx, const std::string &url, size_t bulkBytes,
                double seconds) {
  zmq::socket_t router(ctx, zmq::socket_type::router);
  router.set(zmq::sockopt::linger, 0);
  router.bind(url);
  std::string bound = router.get(zmq::sockopt::last_endpoint);
  std::atomic<bool> stop{false};
  std::thread server([&] { rawEchoServer(router, stop); });
  zmq::socket_t dealer(ctx, zmq::socket_type::dealer);
  dealer.set(zmq::sockopt::linger, 0);
  dealer.connect(bound);
  std::vector<uint8_t> payload(std::max<size_t>(bulkBytes, 8 + 4), 0x5a);
  uint64_t n = 0;
  auto t0 = steady_clock::now();
  while (secondsSince(t0) < seconds) {
    // Zero-copy like the Wooly side, so the ratio is the framing alone.
    zmq::message_t out(payload.data(), payload.size(), nullptr, nullptr);
    dealer.send(out, zmq::send_flags::none);
    zmq::message_t reply;
    (void)dealer.recv(reply);
    ++n;
  }
  double s = secondsSince(t0);
  stop = true;
  server.join();
  return {n / s, n * 2.0 * static_cast<double>(payload.size()) / s};
}

Measured runWooly(zmq::context_t &ctx, const std::string &url, size_t bulkBytes,
                  double seconds) {
  auto ep = ServerEndpoint::bind(ctx, url, ServerSecurity::insecure());
  if (!ep) {
    std::fprintf(stderr, "%s\n", ep.error().describe().c_str());
    std::exit(1);
  }
  std::atomic<bool> stop{false};
  std::thread server([&] { woolyEchoServer((*ep)->socket(), stop); });
  RequestClient client(ctx, (*ep)->boundEndpoint(), ClientSecurity::insecure());
  std::vector<uint8_t> payload(bulkBytes, 0x5a);
  uint64_t n = 0;
  auto t0 = steady_clock::now();
  while (secondsSince(t0) < seconds) {
    std::vector<zmq::message_t> bulk;
    if (bulkBytes)
      bulk.push_back(
          bulkBorrowed(payload.data(), payload.size(), nullptr, nullptr));
    auto in = client.request(static_cast<uint16_t>(MessageType::Ping),
                             encodeBody(PingMsg{n}), milliseconds(5000),
                             std::move(bulk));
    if (!in || !in->decode<PongMsg>()) {
      std::fprintf(stderr, "wooly echo failed\n");
      std::exit(1);
    }
    ++n;
  }
  double s = secondsSince(t0);
  stop = true;
  server.join();
  return {n / s,
          n * 2.0 * static_cast<double>(std::max<size_t>(bulkBytes, 12)) / s};
}

} // namespace

int main(int argc, char **argv) {
  bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  double seconds = quick ? 0.2 : 0.5;
  // Raw and Wooly alternate, several rounds, best of each: the machine is
  // shared, and alternating keeps slow spells from favouring one side.
  int rounds = quick ? 1 : 3;
  zmq::context_t ctx;
  std::printf("WoolyProtocol framing vs raw ZeroMQ echo (same payload, same "
              "run); ratio = wooly / raw\n");
  struct Case {
    const char *name;
    std::string url;
    size_t bulk;
  } cases[] = {
      {"tcp  small (no bulk)", "tcp://127.0.0.1:*", 0},
      {"ipc  small (no bulk)",
       "ipc:///tmp/wooly-bench-transport-" + std::to_string(::getpid()), 0},
      {"inproc small", "inproc://bench-small", 0},
      {"tcp  64 KiB bulk", "tcp://127.0.0.1:*", 64 << 10},
      {"tcp  4 MiB bulk", "tcp://127.0.0.1:*", 4 << 20},
      {"inproc 4 MiB bulk", "inproc://bench-bulk", 4 << 20},
  };
  int serial = 0;
  for (auto &c : cases) {
    Measured raw{0, 0}, measured{0, 0};
    for (int r = 0; r < rounds; ++r) {
      std::string suffix = std::to_string(serial++);
      bool inproc = c.url.rfind("inproc://", 0) == 0;
      bool ipc = c.url.rfind("ipc://", 0) == 0;
      // inproc/ipc names must be fresh: the previous socket may not be gone.
      std::string rawUrl = inproc || ipc ? c.url + "-raw" + suffix : c.url;
      std::string woolyUrl = inproc || ipc ? c.url + "-wooly" + suffix : c.url;
      Measured a = runRaw(ctx, rawUrl, c.bulk, seconds);
      Measured b = runWooly(ctx, woolyUrl, c.bulk, seconds);
      raw.perSecond = std::max(raw.perSecond, a.perSecond);
      raw.bytesPerSecond = std::max(raw.bytesPerSecond, a.bytesPerSecond);
      measured.perSecond = std::max(measured.perSecond, b.perSecond);
      measured.bytesPerSecond =
          std::max(measured.bytesPerSecond, b.bytesPerSecond);
    }
    if (c.bulk == 0)
      std::printf("%-22s round trips/s: raw %9.0f  wooly %9.0f  latency ratio "
                  "%.2f\n",
                  c.name, raw.perSecond, measured.perSecond,
                  raw.perSecond / measured.perSecond);
    else
      std::printf("%-22s throughput: raw %7.2f GB/s  wooly %7.2f GB/s  ratio "
                  "%.2f\n",
                  c.name, raw.bytesPerSecond / 1e9,
                  measured.bytesPerSecond / 1e9,
                  measured.bytesPerSecond / raw.bytesPerSecond);
  }
  return 0;
}
