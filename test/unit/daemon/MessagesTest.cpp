#include "runtime/protocol/daemon/Messages.h"

#include <catch2/catch.hpp>
#include <random>

using namespace wooly::protocol::daemon;

TEST_CASE("headers round-trip and bad headers are refused", "[messages]") {
  Header h;
  h.type = uint16_t(MsgType::Launch);
  h.seq = 42;
  h.flags = FlagAsync;
  h.payloadLength = 7;
  h.bulkFrames = 1;
  uint8_t buf[kHeaderSize];
  h.encode(buf);
  Header back = Header::decode(buf);
  CHECK(back.type == h.type);
  CHECK(back.seq == 42);
  CHECK(back.flags == FlagAsync);
  CHECK_FALSE(back.reply);
  CHECK(back.payloadLength == 7);
  CHECK(back.bulkFrames == 1);

  h.reply = true;
  h.flags = 0;
  h.encode(buf);
  back = Header::decode(buf);
  CHECK(back.reply);
  CHECK(back.type == uint16_t(MsgType::Launch));

  CHECK_THROWS_AS(Header::decode(std::span<const uint8_t>(buf, 15)),
                  DecodeError);
  buf[0] ^= 1;
  CHECK_THROWS_WITH(Header::decode(buf), Catch::Contains("WOOL"));
  buf[0] ^= 1;
  buf[4] = 9; // version
  CHECK_THROWS_WITH(Header::decode(buf), Catch::Contains("version"));
  buf[4] = 1;
  buf[6] = 0x02; // type 0x0102: a controller message, not ours
  buf[7] = 0x01;
  CHECK_THROWS_WITH(Header::decode(buf), Catch::Contains("not a client"));
}

TEST_CASE("device and kernel descriptions round-trip", "[messages]") {
  DeviceDescription d;
  d.name = "cpu";
  d.executor = "host";
  d.totalMemory = 1ull << 33;
  d.maxGridDim[2] = 7;
  d.memoryLimit = 5;
  KernelDescription k;
  k.params = {{0, 8, 8}, {8, 4, 4}};
  k.argBufferSize = 12;
  ByteWriter w;
  d.encode(w);
  k.encode(w);
  auto bytes = w.take();
  ByteReader r(bytes);
  DeviceDescription d2 = DeviceDescription::decode(r);
  KernelDescription k2 = KernelDescription::decode(r);
  r.expectEnd();
  CHECK(d2.name == "cpu");
  CHECK(d2.totalMemory == d.totalMemory);
  CHECK(d2.maxGridDim[2] == 7);
  CHECK(d2.memoryLimit == 5);
  REQUIRE(k2.params.size() == 2);
  CHECK(k2.params[1].offset == 8);
  CHECK(k2.argBufferSize == 12);
}

TEST_CASE("truncated and random payloads raise DecodeError, never crash",
          "[messages]") {
  DeviceDescription d;
  d.name = "a device with a name";
  ByteWriter w;
  d.encode(w);
  auto bytes = w.take();
  for (size_t n = 0; n < bytes.size(); ++n) {
    ByteReader r(std::span<const uint8_t>(bytes.data(), n));
    CHECK_THROWS_AS(DeviceDescription::decode(r), DecodeError);
  }
  std::mt19937 rng(7);
  for (int i = 0; i < 2000; ++i) {
    std::vector<uint8_t> junk(rng() % 200);
    for (auto &b : junk)
      b = uint8_t(rng());
    ByteReader r(junk);
    try {
      (void)KernelDescription::decode(r);
      (void)r.getString("s");
    } catch (const DecodeError &) {
    }
  }
}
