// Round trips, truncation and garbage for every message body and the header.
#include "MessageSamples.h"
#include "runtime/protocol/Frame.h"

#include <catch2/catch.hpp>

using namespace wooly::protocol;

TEST_CASE("every message survives a round trip", "[protocol][codec]") {
  int count = 0;
  samples::forEachMessage([&](const auto &m) {
    using T = std::decay_t<decltype(m)>;
    auto bytes = encodeBody(m);
    auto back = decodeBody<T>(bytes);
    INFO(messageTypeName(static_cast<uint16_t>(T::kType)));
    REQUIRE(back.isOk());
    CHECK(*back == m);
    ++count;
  });
  CHECK(count == 13);
}

TEST_CASE("a body cut at any byte is a Malformed error", "[protocol][codec]") {
  samples::forEachMessage([&](const auto &m) {
    using T = std::decay_t<decltype(m)>;
    auto bytes = encodeBody(m);
    for (size_t cut = 0; cut < bytes.size(); ++cut) {
      auto r = decodeBody<T>(std::span<const uint8_t>(bytes.data(), cut));
      INFO(messageTypeName(static_cast<uint16_t>(T::kType))
           << " cut at " << cut);
      REQUIRE_FALSE(r.isOk());
      CHECK(r.error().code == ErrorCode::Malformed);
    }
  });
}

TEST_CASE("trailing bytes are rejected", "[protocol][codec]") {
  auto bytes = encodeBody(samples::placementReply());
  bytes.push_back(0);
  auto r = decodeBody<PlacementReplyMsg>(bytes);
  REQUIRE_FALSE(r.isOk());
  CHECK_THAT(r.error().message, Catch::Contains("trailing"));
}

TEST_CASE("a placement request carries the server to avoid only when set",
          "[protocol][codec]") {
  PlacementRequestMsg plain = samples::placementRequest();
  PlacementRequestMsg avoiding = plain;
  avoiding.avoid = "gpu-node-7";
  auto without = encodeBody(plain);
  auto with = encodeBody(avoiding);
  // Without it the request is byte for byte what clients sent before the
  // field existed, so controllers of the same version read both.
  REQUIRE(with.size() == without.size() + 4 + avoiding.avoid.size());
  CHECK(std::equal(without.begin(), without.end(), with.begin()));
  auto back = decodeBody<PlacementRequestMsg>(with);
  REQUIRE(back.isOk());
  CHECK(back->avoid == "gpu-node-7");
  CHECK(*back == avoiding);
  // Cut inside the name, or followed by more: malformed.
  for (size_t cut = without.size() + 1; cut < with.size(); ++cut)
    CHECK_FALSE(
        decodeBody<PlacementRequestMsg>(std::span<const uint8_t>(with.data(), cut))
            .isOk());
  with.push_back(0);
  auto r = decodeBody<PlacementRequestMsg>(with);
  REQUIRE_FALSE(r.isOk());
  CHECK_THAT(r.error().message, Catch::Contains("trailing"));
}

TEST_CASE("telemetry says an operator's restart is waiting only when it is",
          "[protocol][codec]") {
  TelemetryMsg plain = samples::telemetry();
  TelemetryMsg restarting = plain;
  restarting.restarting = true;
  auto without = encodeBody(plain);
  auto with = encodeBody(restarting);
  // One byte more, after what servers sent before the field existed.
  REQUIRE(with.size() == without.size() + 1);
  CHECK(std::equal(without.begin(), without.end(), with.begin()));
  auto back = decodeBody<TelemetryMsg>(with);
  REQUIRE(back.isOk());
  CHECK(back->restarting);
  CHECK(*back == restarting);
  back = decodeBody<TelemetryMsg>(without);
  REQUIRE(back.isOk());
  CHECK_FALSE(back->restarting);
  with.push_back(1);
  auto r = decodeBody<TelemetryMsg>(with);
  REQUIRE_FALSE(r.isOk());
  CHECK_THAT(r.error().message, Catch::Contains("trailing"));
}

TEST_CASE("garbage at every byte position decodes or fails cleanly",
          "[protocol][codec]") {
  samples::forEachMessage([&](const auto &m) {
    using T = std::decay_t<decltype(m)>;
    auto bytes = encodeBody(m);
    for (size_t i = 0; i < bytes.size(); ++i) {
      for (uint8_t garbage : {uint8_t(0xff), uint8_t(0x00), uint8_t(0x80)}) {
        auto copy = bytes;
        copy[i] = garbage;
        auto r = decodeBody<T>(copy);
        if (!r.isOk())
          CHECK(r.error().code == ErrorCode::Malformed);
      }
    }
  });
}

TEST_CASE("a huge list count cannot allocate", "[protocol][codec]") {
  Writer w;
  w.string("srv");
  w.u64(1);
  w.u32(0);
  w.boolean(false);
  w.u32(0xffffffffu); // devices count
  auto r = decodeBody<TelemetryMsg>(w.data());
  REQUIRE_FALSE(r.isOk());
  CHECK_THAT(r.error().message, Catch::Contains("cannot fit"));
}

TEST_CASE("semantic checks in decoders", "[protocol][codec]") {
  auto t = samples::telemetry();
  t.devices[0].busyFraction = 1.5;
  CHECK_FALSE(decodeBody<TelemetryMsg>(encodeBody(t)).isOk());
  auto p = samples::placementRequest();
  auto bytes = encodeBody(p);
  bytes[8 + 4 + 6 + 4 + 5] = 7; // the priority byte
  auto r = decodeBody<PlacementRequestMsg>(bytes);
  REQUIRE_FALSE(r.isOk());
  CHECK_THAT(r.error().message, Catch::Contains("priority"));
  auto reply = samples::telemetryReply();
  reply.commands[1].weight = -1;
  CHECK_FALSE(decodeBody<TelemetryReplyMsg>(encodeBody(reply)).isOk());
  reply = samples::telemetryReply();
  reply.commands[1].priority = 3; // neither a class nor kKeepPriority
  auto bad = decodeBody<TelemetryReplyMsg>(encodeBody(reply));
  REQUIRE_FALSE(bad.isOk());
  CHECK_THAT(bad.error().message, Catch::Contains("priority class 3"));
  reply = samples::telemetryReply();
  reply.commands[4].graceMs = kMaxRestartGraceMs + 1;
  bad = decodeBody<TelemetryReplyMsg>(encodeBody(reply));
  REQUIRE_FALSE(bad.isOk());
  CHECK_THAT(bad.error().message, Catch::Contains("at most an hour"));
}

TEST_CASE("only a restart command carries a grace period",
          "[protocol][codec]") {
  TelemetryReplyMsg drain, restart;
  drain.commands = {{OperatorCommandKind::Drain, "", 1.0, 0, kKeepPriority,
                     0}};
  restart.commands = {{OperatorCommandKind::Restart, "", 1.0, 0,
                       kKeepPriority, 5000}};
  // The other kinds are encoded as before restarts existed.
  CHECK(encodeBody(restart).size() == encodeBody(drain).size() + 4);
  auto back = decodeBody<TelemetryReplyMsg>(encodeBody(restart));
  REQUIRE(back.isOk());
  CHECK(back->commands[0].graceMs == 5000);
}

TEST_CASE("header round trip and validation", "[protocol][frame]") {
  FrameHeader h;
  h.type = static_cast<uint16_t>(MessageType::Telemetry);
  h.flags = FlagReply;
  h.bulkFrames = 2;
  h.payloadLength = 1234;
  h.requestId = 0x0123456789abcdefull;
  auto bytes = encodeHeader(h);
  CHECK(bytes[0] == 'W');
  CHECK(bytes[3] == 'L');
  auto back = decodeHeader(bytes);
  REQUIRE(back.isOk());
  CHECK(back->type == h.type);
  CHECK(back->flags == h.flags);
  CHECK(back->bulkFrames == 2);
  CHECK(back->payloadLength == 1234);
  CHECK(back->requestId == h.requestId);
  CHECK(back->isReply());

  SECTION("every truncation fails") {
    for (size_t cut = 0; cut < bytes.size(); ++cut)
      CHECK_FALSE(decodeHeader(std::span(bytes.data(), cut)).isOk());
  }
  SECTION("bad magic") {
    auto bad = bytes;
    bad[1] = 'X';
    auto r = decodeHeader(bad);
    REQUIRE_FALSE(r.isOk());
    CHECK(r.error().code == ErrorCode::BadMagic);
  }
  SECTION("version mismatch says both versions") {
    FrameHeader v1 = h;
    v1.version = 1; // a controller before OperatorCommand's priority
    auto r = decodeHeader(encodeHeader(v1));
    REQUIRE_FALSE(r.isOk());
    CHECK(r.error().code == ErrorCode::VersionMismatch);
    CHECK_THAT(r.error().message,
               Catch::Contains("version 1") && Catch::Contains("speaks 2"));
    // The client <-> daemon family has its own version.
    CHECK(decodeHeader(encodeHeader(v1), kDaemonProtocolVersion).isOk());
  }
  SECTION("unknown flags and oversized lengths") {
    FrameHeader f = h;
    f.flags = 0x8000;
    CHECK(decodeHeader(encodeHeader(f)).error().code == ErrorCode::Malformed);
    f = h;
    f.payloadLength = kMaxBodyBytes + 1;
    CHECK(decodeHeader(encodeHeader(f)).error().code == ErrorCode::Malformed);
    f = h;
    f.bulkFrames = kMaxBulkFrames + 1;
    CHECK(decodeHeader(encodeHeader(f)).error().code == ErrorCode::Malformed);
  }
  SECTION("garbage at every position never crashes") {
    for (size_t i = 0; i < bytes.size(); ++i) {
      auto bad = bytes;
      bad[i] ^= 0xff;
      (void)decodeHeader(bad);
    }
  }
}

TEST_CASE("reader failures are sticky and name the offset",
          "[protocol][codec]") {
  std::vector<uint8_t> two = {1, 2};
  Reader r(two);
  CHECK(r.u32() == 0);
  CHECK_FALSE(r.ok());
  CHECK(r.u8() == 0); // still failed, no read past the end
  auto s = r.finish();
  REQUIRE_FALSE(s.isOk());
  CHECK_THAT(s.error().message, Catch::Contains("offset 0"));
}

TEST_CASE("oversized strings are refused", "[protocol][codec]") {
  Writer w;
  w.u32(kMaxStringBytes + 1);
  Reader r(w.data());
  CHECK(r.string().empty());
  CHECK_FALSE(r.ok());
}
