#include "runtime/protocol/daemon/Batch.h"
#include "runtime/protocol/daemon/Messages.h"

#include <array>
#include <catch2/catch.hpp>
#include <cstring>
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

TEST_CASE("batches round-trip their requests in order, bulk or not",
          "[messages][batch]") {
  BatchWriter w;
  CHECK(w.empty());
  std::vector<uint8_t> p1 = {1, 2, 3}, bulk1 = {9, 8, 7, 6}, p2 = {4};
  w.add(uint16_t(MsgType::Launch), p1, true, bulk1);
  w.add(uint16_t(MsgType::Memset), p2, false);
  w.add(uint16_t(MsgType::Launch), {}, true, {}); // an empty bulk frame
  CHECK(w.count() == 3);
  std::vector<uint8_t> bytes = w.payload();

  BatchReader r(bytes);
  CHECK(r.count() == 3);
  BatchEntry e;
  REQUIRE(r.next(e));
  CHECK(e.type == uint16_t(MsgType::Launch));
  CHECK(std::vector<uint8_t>(e.payload.begin(), e.payload.end()) == p1);
  CHECK(e.hasBulk);
  CHECK(std::vector<uint8_t>(e.bulk.begin(), e.bulk.end()) == bulk1);
  REQUIRE(r.next(e));
  CHECK(e.type == uint16_t(MsgType::Memset));
  CHECK(e.payload.size() == 1);
  CHECK_FALSE(e.hasBulk);
  REQUIRE(r.next(e));
  CHECK(e.hasBulk);
  CHECK(e.bulk.empty());
  CHECK(e.payload.empty());
  CHECK_FALSE(r.next(e));

  // Cleared, the writer starts a new batch.
  w.clear();
  CHECK(w.empty());
  w.add(uint16_t(MsgType::EventRecord), p2, false);
  BatchReader again(w.payload());
  CHECK(again.count() == 1);
}

TEST_CASE("a malformed batch is a DecodeError at the entry that breaks",
          "[messages][batch]") {
  BatchWriter w;
  std::vector<uint8_t> payload(16, 0xaa);
  w.add(uint16_t(MsgType::Memset), payload, false);
  w.add(uint16_t(MsgType::Memset), payload, false);
  std::vector<uint8_t> good = w.payload();

  SECTION("truncated: the first entry still reads") {
    std::vector<uint8_t> cut(good.begin(), good.end() - 5);
    BatchReader r(cut);
    BatchEntry e;
    CHECK(r.next(e));
    CHECK_THROWS_AS(r.next(e), DecodeError);
  }
  SECTION("trailing bytes after the last entry") {
    std::vector<uint8_t> longer = good;
    longer.push_back(0);
    BatchReader r(longer);
    BatchEntry e;
    CHECK(r.next(e));
    CHECK(r.next(e));
    CHECK_THROWS_AS(r.next(e), DecodeError);
  }
  SECTION("a count the payload cannot hold") {
    std::vector<uint8_t> lying = good;
    uint32_t huge = 1u << 30;
    std::memcpy(lying.data(), &huge, 4);
    CHECK_THROWS_AS(BatchReader(lying), DecodeError);
  }
  SECTION("too short for the count") {
    std::vector<uint8_t> tiny = {1, 0};
    CHECK_THROWS_AS(BatchReader(tiny), DecodeError);
  }
  SECTION("random bytes never read out of bounds") {
    std::mt19937 rng(7);
    for (int i = 0; i < 2000; ++i) {
      std::vector<uint8_t> junk(rng() % 64);
      for (auto &b : junk)
        b = uint8_t(rng());
      try {
        BatchReader r(junk);
        BatchEntry e;
        while (r.next(e))
          CHECK(e.payload.data() >= junk.data());
      } catch (const DecodeError &) {
      }
    }
  }
}

TEST_CASE("launch shapes are checked against the device's limits",
          "[messages]") {
  DeviceDescription d;
  d.maxThreadsPerBlock = 256;
  d.maxBlockDim[0] = 256;
  d.maxBlockDim[1] = 8;
  d.maxBlockDim[2] = 4;
  d.maxGridDim[0] = 1000;
  d.maxGridDim[1] = 10;
  d.maxGridDim[2] = 1;
  auto fits = [&](std::array<uint32_t, 3> g, std::array<uint32_t, 3> b) {
    return d.fitsLaunch(g.data(), b.data());
  };
  CHECK(fits({1, 1, 1}, {1, 1, 1}));
  CHECK(fits({1000, 10, 1}, {256, 1, 1}));
  CHECK(fits({1, 1, 1}, {32, 8, 1}));
  CHECK_FALSE(fits({1, 1, 1}, {64, 8, 1}));  // 512 threads per block
  CHECK_FALSE(fits({1, 1, 1}, {1, 16, 1}));  // block.y over its limit
  CHECK_FALSE(fits({1, 1, 1}, {1, 1, 8}));   // block.z over its limit
  CHECK_FALSE(fits({1001, 1, 1}, {1, 1, 1})); // grid.x over its limit
  CHECK_FALSE(fits({1, 1, 2}, {1, 1, 1}));   // grid.z over its limit
  CHECK_FALSE(fits({0, 1, 1}, {1, 1, 1}));   // an empty grid
  CHECK_FALSE(fits({1, 1, 1}, {1, 0, 1}));   // an empty block
}
