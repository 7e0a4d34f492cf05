// Real ZeroMQ sockets: framing over inproc/tcp, error replies for bad frames,
// CURVE with the ZAP allow-list, and the keys dir format.
#include "MessageSamples.h"
#include "runtime/protocol/Ipv6.h"
#include "runtime/protocol/Transport.h"

#include <catch2/catch.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

using namespace wooly::protocol;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

/// Answers Ping with Pong and anything malformed with ErrorReply until
/// `stop`; runs on its own thread over a real socket.
struct EchoServer {
  std::unique_ptr<ServerEndpoint> endpoint;
  std::atomic<bool> stop{false};
  std::atomic<int> bulkSeen{0};
  std::thread thread;

  EchoServer(zmq::context_t &ctx, const std::string &url,
             const ServerSecurity &security) {
    auto ep = ServerEndpoint::bind(ctx, url, security);
    REQUIRE(ep.isOk());
    endpoint = std::move(*ep);
    thread = std::thread([this] { serve(); });
  }
  ~EchoServer() {
    stop = true;
    thread.join();
  }
  void serve() {
    auto &s = endpoint->socket();
    while (!stop) {
      auto in = receiveMessage(s, SocketRole::Router, 20ms);
      if (!in)
        continue;
      if (!in->valid) {
        (void)sendError(s, in->routingPtr(), in->header.requestId,
                        in->valid.error());
        continue;
      }
      auto ping = in->decode<PingMsg>();
      if (!ping) {
        (void)sendError(s, in->routingPtr(), in->header.requestId,
                        ping.error());
        continue;
      }
      bulkSeen = static_cast<int>(in->bulk.size());
      std::vector<zmq::message_t> echoed;
      for (auto &b : in->bulk)
        echoed.push_back(std::move(b));
      (void)sendMessage(s, in->routingPtr(), in->header.requestId,
                        PongMsg{ping->nonce, "echo"}, FlagReply,
                        std::move(echoed));
    }
  }
};

fs::path freshDir(const std::string &name) {
  fs::path dir = fs::temp_directory_path() /
                 ("wooly-proto-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  return dir;
}

} // namespace

TEST_CASE("ping over inproc with zero-copy bulk frames",
          "[protocol][transport]") {
  zmq::context_t ctx;
  EchoServer server(ctx, "inproc://echo-test", ServerSecurity::insecure());
  RequestClient client(ctx, "inproc://echo-test", ClientSecurity::insecure());

  static std::atomic<int> released{0};
  static const char payload[] = "device memory contents";
  std::vector<zmq::message_t> bulk;
  bulk.push_back(bulkBorrowed(
      payload, sizeof(payload), [](void *, void *) { released++; }, nullptr));
  bulk.push_back(bulkFromVector(std::vector<uint8_t>(1 << 20, 0xab)));
  auto in = client.request(static_cast<uint16_t>(MessageType::Ping),
                           encodeBody(PingMsg{5}), 2s, std::move(bulk));
  REQUIRE(in.isOk());
  auto pong = in->decode<PongMsg>();
  REQUIRE(pong.isOk());
  CHECK(pong->nonce == 5);
  CHECK(in->header.isReply());
  REQUIRE(in->bulk.size() == 2);
  CHECK(in->bulk[0].to_string() == std::string(payload, sizeof(payload)));
  CHECK(in->bulk[1].size() == (1u << 20));
  in->bulk.clear();
  // ZeroMQ gives the borrowed memory back once every copy is gone.
  for (int i = 0; i < 100 && released == 0; ++i)
    std::this_thread::sleep_for(5ms);
  CHECK(released == 1);
}

TEST_CASE("typed call over tcp on a picked port", "[protocol][transport]") {
  zmq::context_t ctx;
  EchoServer server(ctx, "tcp://127.0.0.1:*", ServerSecurity::insecure());
  auto url = server.endpoint->boundEndpoint();
  CHECK(url.rfind("tcp://127.0.0.1:", 0) == 0);
  RequestClient client(ctx, url, ClientSecurity::insecure());
  for (uint64_t i = 0; i < 20; ++i) {
    auto pong = client.call<PingMsg, PongMsg>(PingMsg{i}, 2s);
    REQUIRE(pong.isOk());
    CHECK(pong->nonce == i);
  }
}

TEST_CASE("typed call over ipc", "[protocol][transport]") {
  zmq::context_t ctx;
  std::string url =
      "ipc://" + (fs::temp_directory_path() /
                  ("wooly-proto-ipc-" + std::to_string(::getpid())))
                     .string();
  EchoServer server(ctx, url, ServerSecurity::insecure());
  RequestClient client(ctx, url, ClientSecurity::insecure());
  auto pong = client.call<PingMsg, PongMsg>(PingMsg{11}, 2s);
  REQUIRE(pong.isOk());
  CHECK(pong->nonce == 11);
}

TEST_CASE("bad frames get an ErrorReply and the server lives",
          "[protocol][transport]") {
  zmq::context_t ctx;
  EchoServer server(ctx, "inproc://garbage-test", ServerSecurity::insecure());
  zmq::socket_t raw(ctx, zmq::socket_type::dealer);
  raw.connect("inproc://garbage-test");

  auto expectError = [&](ErrorCode code, const char *words) {
    auto in = receiveMessage(raw, SocketRole::Dealer, 2s);
    REQUIRE(in.isOk());
    REQUIRE(in->valid.isOk());
    auto err = in->decode<ErrorReplyMsg>();
    REQUIRE(err.isOk());
    CHECK(err->code == code);
    CHECK_THAT(err->message, Catch::Contains(words));
  };

  SECTION("not Wooly at all") {
    raw.send(zmq::str_buffer("GET / HTTP/1.1"), zmq::send_flags::none);
    expectError(ErrorCode::BadMagic, "WOOL");
  }
  SECTION("another protocol version") {
    FrameHeader h;
    h.version = 9;
    h.type = static_cast<uint16_t>(MessageType::Ping);
    h.requestId = 77;
    auto bytes = encodeHeader(h);
    raw.send(zmq::buffer(bytes), zmq::send_flags::sndmore);
    raw.send(zmq::str_buffer(""), zmq::send_flags::none);
    auto in = receiveMessage(raw, SocketRole::Dealer, 2s);
    REQUIRE(in.isOk());
    CHECK(in->header.requestId == 77);
    auto err = in->decode<ErrorReplyMsg>();
    REQUIRE(err.isOk());
    CHECK(err->code == ErrorCode::VersionMismatch);
  }
  SECTION("body length disagrees with the header") {
    FrameHeader h;
    h.type = static_cast<uint16_t>(MessageType::Ping);
    h.payloadLength = 8;
    raw.send(zmq::buffer(encodeHeader(h)), zmq::send_flags::sndmore);
    raw.send(zmq::str_buffer("1234"), zmq::send_flags::none);
    expectError(ErrorCode::Malformed, "header says 8");
  }
  SECTION("wrong message type") {
    RequestClient client(ctx, "inproc://garbage-test",
                         ClientSecurity::insecure());
    auto r = client.call<DeregisterMsg, PongMsg>(DeregisterMsg{"x"}, 2s);
    REQUIRE_FALSE(r.isOk());
    CHECK(r.error().code == ErrorCode::UnknownMessage);
  }
  // Whatever came before, the server still answers.
  RequestClient client(ctx, "inproc://garbage-test",
                       ClientSecurity::insecure());
  CHECK(client.call<PingMsg, PongMsg>(PingMsg{1}, 2s).isOk());
}

TEST_CASE("a request to nobody times out with a clear error",
          "[protocol][transport]") {
  zmq::context_t ctx;
  RequestClient client(ctx, "tcp://127.0.0.1:1", ClientSecurity::insecure());
  auto r = client.call<PingMsg, PongMsg>(PingMsg{1}, 100ms);
  REQUIRE_FALSE(r.isOk());
  CHECK(r.error().code == ErrorCode::Timeout);
  CHECK_THAT(r.error().message, Catch::Contains("no reply from"));
}

TEST_CASE("IPv6 is switched on where the endpoint asks for it",
          "[protocol][transport]") {
  CHECK(endpointUsesIpv6("tcp://[::1]:7701"));
  CHECK(endpointUsesIpv6("tcp://[fd00::2]:7701"));
  CHECK(endpointUsesIpv6("tcp://*:7701")); // dual-stack: IPv6 and IPv4 peers
  // Host names stay IPv4 (ZeroMQ tries one address: "localhost" must not
  // become ::1 where the server listens on 127.0.0.1).
  CHECK_FALSE(endpointUsesIpv6("tcp://localhost:7701"));
  CHECK_FALSE(endpointUsesIpv6("tcp://127.0.0.1:7701"));
  CHECK_FALSE(endpointUsesIpv6("ipc:///run/wooly/woolyd.sock"));
  CHECK_FALSE(endpointUsesIpv6("inproc://wooly"));
}

TEST_CASE("keys dir: generate, load, allow-list format", "[protocol][keys]") {
  if (!curveAvailable())
    return; // no libsodium in this libzmq: nothing to test
  auto dir = freshDir("keys");
  REQUIRE(generateKeysDir(dir.string()).isOk());
  for (auto f : {"server.key", "server.pub", "client.key", "client.pub",
                 "authorized_keys", "admin.key", "admin.pub", "admin_keys"})
    CHECK(fs::exists(dir / f));
  // The operator's pair, listed in admin_keys (woolyd's operators).
  auto admin = loadKeyPair((dir / "admin.key").string());
  REQUIRE(admin.isOk());
  auto admins = loadAuthorizedKeys((dir / "admin_keys").string());
  REQUIRE(admins.isOk());
  CHECK(*admins == std::vector<std::string>{admin->publicKey});
  CHECK(*loadPublicKey((dir / "admin.pub").string()) == admin->publicKey);
  CHECK((fs::status(dir / "admin.key").permissions() &
         fs::perms::others_read) == fs::perms::none);
  CHECK((fs::status(dir / "server.key").permissions() &
         fs::perms::others_read) == fs::perms::none);
  // A second --gen-keys must not clobber a live identity.
  CHECK_FALSE(generateKeysDir(dir.string()).isOk());

  auto server = ServerSecurity::fromKeysDir(dir.string());
  REQUIRE(server.isOk());
  auto client = ClientSecurity::fromKeysDir(dir.string(), true);
  REQUIRE(client.isOk());
  CHECK(client->serverPublicKey == server->identity.publicKey);
  REQUIRE(server->authorizedKeys.size() == 1);
  CHECK(server->authorizedKeys[0] == client->identity.publicKey);

  std::ofstream(dir / "authorized_keys", std::ios::app)
      << "\n# a comment\n   \nnot-a-key oops\n";
  auto bad = loadAuthorizedKeys((dir / "authorized_keys").string());
  REQUIRE_FALSE(bad.isOk());
  CHECK_THAT(bad.error().message, Catch::Contains("authorized_keys:6"));

  auto missing = ServerSecurity::fromKeysDir((dir / "nope").string());
  REQUIRE_FALSE(missing.isOk());
  CHECK_THAT(missing.error().message, Catch::Contains("--gen-keys"));
  fs::remove_all(dir);
}

TEST_CASE("a key file with the secret key alone gives the whole pair",
          "[protocol][keys]") {
  if (!curveAvailable())
    return;
  auto dir = freshDir("bare-keys");
  fs::create_directories(dir);
  auto pair = generateKeyPair();
  REQUIRE(pair.isOk());
  std::ofstream(dir / "bare.key") << pair->secretKey << "\n";
  auto read = loadKeyPair((dir / "bare.key").string());
  REQUIRE(read.isOk());
  CHECK(read->secretKey == pair->secretKey);
  CHECK(read->publicKey == pair->publicKey); // derived
  // Two bare lines, or a bare line that is no key: refused, naming the file.
  std::ofstream(dir / "two.key") << pair->secretKey << "\n"
                                 << pair->publicKey << "\n";
  auto two = loadKeyPair((dir / "two.key").string());
  REQUIRE_FALSE(two.isOk());
  CHECK_THAT(two.error().message, Catch::Contains("two.key:1"));
  std::ofstream(dir / "junk.key") << "not a key\n";
  CHECK_FALSE(loadKeyPair((dir / "junk.key").string()).isOk());
  fs::remove_all(dir);
}

TEST_CASE("CURVE: an authorized key connects, an unknown key is refused",
          "[protocol][curve]") {
  if (!curveAvailable())
    return;
  auto dir = freshDir("curve");
  REQUIRE(generateKeysDir(dir.string()).isOk());
  auto serverSec = ServerSecurity::fromKeysDir(dir.string());
  auto clientSec = ClientSecurity::fromKeysDir(dir.string(), false);
  REQUIRE(serverSec.isOk());
  REQUIRE(clientSec.isOk());

  zmq::context_t ctx;
  EchoServer server(ctx, "tcp://127.0.0.1:*", *serverSec);
  auto url = server.endpoint->boundEndpoint();

  zmq::context_t clientCtx; // a separate process, as far as ZeroMQ knows
  RequestClient good(clientCtx, url, *clientSec);
  auto pong = good.call<PingMsg, PongMsg>(PingMsg{3}, 3s);
  REQUIRE(pong.isOk());
  CHECK(pong->nonce == 3);
  CHECK(server.endpoint->zap()->accepted() >= 1);

  auto stranger = generateKeyPair();
  REQUIRE(stranger.isOk());
  ClientSecurity strangerSec = *clientSec;
  strangerSec.identity = *stranger;
  RequestClient bad(clientCtx, url, strangerSec);
  auto asked = std::chrono::steady_clock::now();
  auto refused = bad.call<PingMsg, PongMsg>(PingMsg{4}, 3s);
  REQUIRE_FALSE(refused.isOk());
  // The refusal is named, and arrives well before the timeout.
  CHECK(refused.error().code == ErrorCode::Unauthorized);
  CHECK_THAT(refused.error().message, Catch::Contains("authorized_keys"));
  CHECK(std::chrono::steady_clock::now() - asked < 2s);
  CHECK(server.endpoint->zap()->refused() >= 1);

  // A client that trusts the wrong server key fails the handshake too.
  auto impostor = generateKeyPair();
  REQUIRE(impostor.isOk());
  RequestClient misled(clientCtx, url,
                       clientSec->withServerKey(impostor->publicKey));
  auto wrongKey = misled.call<PingMsg, PongMsg>(PingMsg{6}, 1s);
  REQUIRE_FALSE(wrongKey.isOk());

  // A plain (NULL-mechanism) client cannot talk to a CURVE server either.
  RequestClient plain(clientCtx, url, ClientSecurity::insecure());
  CHECK_FALSE(plain.call<PingMsg, PongMsg>(PingMsg{5}, 300ms).isOk());
  fs::remove_all(dir);
}
