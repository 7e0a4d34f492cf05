//===- ClientBench.cpp - Client runtime costs against raw ZeroMQ ----------===//
//
// Measured in one run, each against its baseline:
//  - a synchronous call's round trip vs a raw ZeroMQ DEALER/ROUTER round trip
//    (tcp loopback);
//  - pipelined empty-kernel launches (N launches, one sync), embedded and over
//    tcp loopback, vs the same number of raw one-way ZeroMQ messages;
//  - host->device and device->host copy bandwidth over tcp and ipc, 4 KiB to
//    64 MiB, vs raw ZeroMQ throughput for the same sizes.
// Prints "ratio" lines: Wooly's figure over the baseline's (for bandwidth:
// Wooly / raw, higher is better; for latency: Wooly / raw, lower is better).
//
//===----------------------------------------------------------------------===//
#include "daemon/Server.h"
#include "runtime/client/core/Connection.h"
#include "runtime/client/core/PtxToWis.h"
#include "runtime/client/core/Runtime.h"

#include <chrono>
#include <cstdio>
#include <thread>
#include <zmq_addon.hpp>

using namespace wooly;
namespace proto = wooly::protocol::daemon;
using Clock = std::chrono::steady_clock;

static double seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

/// The baseline: a ROUTER that acks pushes and answers pulls with N bytes.
class RawServer {
public:
  RawServer(zmq::context_t &ctx, const std::string &url) : socket_(ctx, zmq::socket_type::router) {
    socket_.set(zmq::sockopt::linger, 0);
    socket_.bind(url);
    url_ = socket_.get(zmq::sockopt::last_endpoint);
    thread_ = std::thread([this] { run(); });
  }
  ~RawServer() {
    stop_ = true;
    thread_.join();
  }
  const std::string &url() const { return url_; }

private:
  void run() {
    std::vector<uint8_t> big(64 << 20, 1);
    zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
    while (!stop_) {
      if (zmq::poll(&item, 1, std::chrono::milliseconds(50)) == 0)
        continue;
      std::vector<zmq::message_t> f;
      (void)zmq::recv_multipart(socket_, std::back_inserter(f));
      // f = [id][op][data?]; op: 'p' push (no reply), 'a' push+ack,
      // 'g' get: reply with the requested byte count.
      char op = static_cast<const char *>(f[1].data())[0];
      if (op == 'p')
        continue;
      socket_.send(f[0], zmq::send_flags::sndmore);
      if (op == 'a') {
        socket_.send(zmq::str_buffer("k"), zmq::send_flags::none);
      } else {
        uint64_t n = 0;
        memcpy(&n, static_cast<const char *>(f[1].data()) + 1, 8);
        socket_.send(zmq::message_t(big.data(), n, nullptr, nullptr),
                     zmq::send_flags::none);
      }
    }
  }
  zmq::socket_t socket_;
  std::string url_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
};

struct RawClient {
  zmq::socket_t s;
  RawClient(zmq::context_t &ctx, const std::string &url) : s(ctx, zmq::socket_type::dealer) {
    s.set(zmq::sockopt::linger, 0);
    s.connect(url);
  }
  void op(char o, const void *data = nullptr, size_t n = 0) {
    if (data) {
      s.send(zmq::buffer(&o, 1), zmq::send_flags::sndmore);
      s.send(zmq::message_t(const_cast<void *>(data), n, nullptr, nullptr), zmq::send_flags::none);
    } else {
      s.send(zmq::buffer(&o, 1), zmq::send_flags::none);
    }
  }
  void ack() { zmq::message_t m; (void)s.recv(m); }
  void get(size_t n, void *dst) {
    char req[9] = {'g'};
    uint64_t v = n;
    memcpy(req + 1, &v, 8);
    s.send(zmq::buffer(req, 9), zmq::send_flags::none);
    zmq::message_t m;
    (void)s.recv(m);
    memcpy(dst, m.data(), m.size());
  }
};

static std::unique_ptr<client::Connection> connect(const std::string &url) {
  setenv("WOOLY_SERVER", url.c_str(), 1);
  std::string error;
  auto c = client::Connection::open(error);
  if (!c) {
    fprintf(stderr, "bench: %s\n", error.c_str());
    exit(1);
  }
  return c;
}

static const char *kEmptyKernel = R"(.version 8.0
.target sm_75
.address_size 64
.visible .entry empty()
{
  ret;
}
)";

int main() {
  exec::ExecutorOptions eo;
  std::unique_ptr<exec::Executor> executor;
  if (!exec::createExecutor("host", eo, executor)) {
    fprintf(stderr, "bench: no host executor\n");
    return 1;
  }
  auto ctx = std::make_shared<zmq::context_t>();
  auto startServer = [&](const std::string &url) {
    daemon::ServerOptions o;
    o.listen = url;
    std::unique_ptr<daemon::Server> s;
    if (!daemon::Server::start(ctx, *executor, o, s)) {
      fprintf(stderr, "bench: cannot listen on %s\n", url.c_str());
      exit(1);
    }
    return s;
  };
  auto tcp = startServer("tcp://127.0.0.1:*");
  std::string ipcPath = "ipc:///tmp/wooly-bench-" + std::to_string(getpid());
  auto ipc = startServer(ipcPath);
  RawServer rawTcp(*ctx, "tcp://127.0.0.1:*");
  RawServer rawIpc(*ctx, ipcPath + "-raw");

  // ---- Synchronous round trip --------------------------------------------
  {
    auto c = connect(tcp->endpoint());
    RawClient raw(*ctx, rawTcp.url());
    const int n = 3000;
    auto t = Clock::now();
    for (int i = 0; i < n; ++i) {
      raw.op('a');
      raw.ack();
    }
    double rawUs = seconds(t) / n * 1e6;
    t = Clock::now();
    for (int i = 0; i < n; ++i) {
      proto::ByteWriter w;
      (void)c->call(proto::MsgType::MemGetInfo, w);
    }
    double woolyUs = seconds(t) / n * 1e6;
    printf("sync round trip (tcp): wooly %.1f us, raw zmq %.1f us, ratio %.2f\n",
           woolyUs, rawUs, woolyUs / rawUs);
  }

  // ---- Launch cost -------------------------------------------------------
  std::vector<uint8_t> wis;
  std::string error;
  if (!client::translatePtxCached(kEmptyKernel, wis, error)) {
    fprintf(stderr, "bench: cannot translate the empty kernel: %s\n", error.c_str());
  } else {
    for (auto [label, server] : {std::pair{"tcp", tcp.get()}, std::pair{"ipc", ipc.get()}}) {
      auto c = connect(server->endpoint());
      proto::ByteWriter none;
      client::ClientReply m = c->call(proto::MsgType::ModuleLoad, none, {wis.data(), wis.size()});
      if (!m.ok()) {
        fprintf(stderr, "bench: module load: %s\n", m.message.c_str());
        break;
      }
      proto::ByteWriter gf;
      gf.put<uint64_t>(m.fields().get<uint64_t>("module"));
      gf.putString("empty");
      client::ClientReply f = c->call(proto::MsgType::GetFunction, gf);
      uint64_t fn = f.fields().get<uint64_t>("fn");
      auto launch = [&] {
        proto::ByteWriter w;
        w.put<uint64_t>(fn);
        for (uint32_t v : {1u, 1u, 1u, 32u, 1u, 1u, 0u})
          w.put(v);
        w.put<uint64_t>(0);
        c->post(proto::MsgType::Launch, w, {"", 0});
      };
      // Warm-up: the first launch of a module may compile it (hundreds of
      // ms on the host executor), which is not a launch's cost.
      launch();
      proto::ByteWriter warm;
      (void)c->call(proto::MsgType::DeviceSync, warm);
      const int n = 20000;
      auto t = Clock::now();
      for (int i = 0; i < n; ++i)
        launch();
      proto::ByteWriter sync;
      (void)c->call(proto::MsgType::DeviceSync, sync);
      double woolyUs = seconds(t) / n * 1e6;
      RawClient raw(*ctx, std::string(label) == "tcp" ? rawTcp.url() : rawIpc.url());
      t = Clock::now();
      for (int i = 0; i < n; ++i)
        raw.op('p');
      raw.op('a');
      raw.ack();
      double rawUs = seconds(t) / n * 1e6;
      printf("pipelined empty launch (%s): wooly %.2f us/launch, raw zmq one-way %.2f us/msg, ratio %.2f\n",
             label, woolyUs, rawUs, woolyUs / rawUs);
    }
  }

  // ---- Copy bandwidth ----------------------------------------------------
  std::vector<uint8_t> host(64 << 20, 7), back(64 << 20);
  for (auto [label, server, rawUrl] :
       {std::tuple{"tcp", tcp.get(), rawTcp.url()}, std::tuple{"ipc", ipc.get(), rawIpc.url()}}) {
    auto c = connect(server->endpoint());
    RawClient raw(*ctx, rawUrl);
    proto::ByteWriter a;
    a.put<uint64_t>(64 << 20);
    client::ClientReply r = c->call(proto::MsgType::MemAlloc, a);
    uint64_t dev = r.fields().get<uint64_t>("ptr");
    for (uint64_t size : {4ull << 10, 64ull << 10, 1ull << 20, 16ull << 20, 64ull << 20}) {
      int reps = int(std::max<uint64_t>(2, (256ull << 20) / size / 4));
      reps = std::min(reps, 2000);
      // Each side's best of three alternating rounds: on a shared machine a
      // single round of either side can be slowed 2x by whatever else runs.
      auto wooHtoD = [&] {
        // Host -> device: chunked posts, then a sync, as the runtime does.
        auto t = Clock::now();
        for (int i = 0; i < reps; ++i)
          for (uint64_t off = 0; off < size; off += client::kCopyChunk) {
            proto::ByteWriter w;
            w.put<uint64_t>(dev + off);
            w.put<uint64_t>(0);
            c->post(proto::MsgType::MemcpyHtoD, w,
                    {host.data() + off, size_t(std::min(client::kCopyChunk, size - off))});
          }
        proto::ByteWriter s;
        (void)c->call(proto::MsgType::DeviceSync, s);
        c->waitBulkReleased();
        return double(size) * reps / seconds(t);
      };
      auto rawHtoD = [&] {
        auto t = Clock::now();
        for (int i = 0; i < reps; ++i)
          raw.op('p', host.data(), size);
        raw.op('a');
        raw.ack();
        return double(size) * reps / seconds(t);
      };
      auto wooDtoH = [&] {
        // Device -> host: pipelined chunk requests.
        auto t = Clock::now();
        for (int i = 0; i < reps; ++i) {
          std::vector<proto::ByteWriter> reqs;
          for (uint64_t off = 0; off < size; off += client::kCopyChunk) {
            proto::ByteWriter w;
            w.put<uint64_t>(dev + off);
            w.put<uint64_t>(std::min(client::kCopyChunk, size - off));
            w.put<uint64_t>(0);
            reqs.push_back(std::move(w));
          }
          // As Runtime::copyToHost: each chunk copied out as it arrives.
          c->callEach(proto::MsgType::MemcpyDtoH, reqs,
                      [&](size_t k, client::ClientReply &rep) {
                        memcpy(back.data() + k * client::kCopyChunk,
                               rep.bulk.data(), rep.bulk.size());
                      });
        }
        return double(size) * reps / seconds(t);
      };
      auto rawDtoH = [&] {
        auto t = Clock::now();
        for (int i = 0; i < reps; ++i)
          raw.get(size, back.data());
        return double(size) * reps / seconds(t);
      };
      double wooly = 0, rawBw = 0;
      for (int round = 0; round < 3; ++round) {
        wooly = std::max(wooly, wooHtoD());
        rawBw = std::max(rawBw, rawHtoD());
      }
      printf("HtoD %s %8llu KiB: wooly %7.0f MB/s, raw zmq %7.0f MB/s, ratio %.2f\n", label,
             (unsigned long long)(size >> 10), wooly / 1e6, rawBw / 1e6, wooly / rawBw);
      wooly = rawBw = 0;
      for (int round = 0; round < 3; ++round) {
        wooly = std::max(wooly, wooDtoH());
        rawBw = std::max(rawBw, rawDtoH());
      }
      printf("DtoH %s %8llu KiB: wooly %7.0f MB/s, raw zmq %7.0f MB/s, ratio %.2f\n", label,
             (unsigned long long)(size >> 10), wooly / 1e6, rawBw / 1e6, wooly / rawBw);
    }
  }
  return 0;
}
