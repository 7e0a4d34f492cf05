#include "daemon/MemoryQuota.h"

#include <catch2/catch.hpp>

using wooly::daemon::MemoryQuota;

TEST_CASE("a session can allocate up to its limit and no further",
          "[quota]") {
  MemoryQuota q(1000);
  std::string why;
  REQUIRE(q.open(1, 0, 300, why));
  CHECK(q.charge(1, 200, why));
  CHECK(q.charge(1, 100, why));
  CHECK_FALSE(q.charge(1, 1, why));
  CHECK(why.find("limit") != std::string::npos);
  CHECK(q.account(1).used == 300);
  q.refund(1, 100);
  CHECK(q.charge(1, 100, why));
}

TEST_CASE("guaranteed memory stays available while others burst",
          "[quota]") {
  MemoryQuota q(1000);
  std::string why;
  REQUIRE(q.open(1, 400, 1000, why));
  REQUIRE(q.open(2, 0, 1000, why));
  // Session 2 bursts into everything not guaranteed to session 1.
  CHECK(q.charge(2, 600, why));
  CHECK_FALSE(q.charge(2, 1, why));
  CHECK(why.find("exhausted") != std::string::npos);
  // Session 1 still gets its full guarantee.
  CHECK(q.charge(1, 400, why));
  CHECK_FALSE(q.charge(1, 1, why));
  CHECK(q.totalUsed() == 1000);
}

TEST_CASE("a guarantee that cannot be reserved is refused", "[quota]") {
  MemoryQuota q(1000);
  std::string why;
  REQUIRE(q.open(1, 700, 1000, why));
  CHECK_FALSE(q.open(2, 400, 1000, why));
  CHECK(why.find("cannot guarantee") != std::string::npos);
  CHECK_FALSE(q.open(3, 500, 400, why)); // guarantee above its own limit
  CHECK(q.open(4, 300, 1000, why));
}

TEST_CASE("closing a session returns all of its memory", "[quota]") {
  MemoryQuota q(1000);
  std::string why;
  REQUIRE(q.open(1, 100, 0, why)); // 0 = the whole device
  CHECK(q.account(1).limit == 1000);
  CHECK(q.charge(1, 900, why));
  q.close(1);
  CHECK(q.totalUsed() == 0);
  REQUIRE(q.open(2, 0, 0, why));
  CHECK(q.charge(2, 1000, why));
  CHECK_FALSE(q.charge(99, 1, why)); // unknown session
}

TEST_CASE("a tenant's sessions together stay within its quota", "[quota]") {
  MemoryQuota q(2000);
  std::string why;
  q.setTenantQuota("a", 500);
  CHECK(q.tenantQuota("a") == 500);
  REQUIRE(q.open(1, 0, 0, why, "a"));
  REQUIRE(q.open(2, 0, 0, why, "a"));
  REQUIRE(q.open(3, 0, 0, why, "b"));
  CHECK(q.charge(1, 300, why));
  CHECK(q.charge(2, 200, why));
  CHECK_FALSE(q.charge(2, 1, why));
  CHECK(why.find("memory quota of tenant 'a'") != std::string::npos);
  CHECK(q.tenantUsed("a") == 500);
  CHECK(q.available(1) == 0); // what cudaMemGetInfo reports as free
  // Other tenants are not capped by it.
  CHECK(q.charge(3, 500, why));
  // Freed memory can be allocated again, by either session.
  q.refund(1, 100);
  CHECK(q.charge(2, 100, why));
  // Lowering the quota keeps what is held and refuses more.
  q.setTenantQuota("a", 200);
  CHECK(q.tenantUsed("a") == 500);
  CHECK_FALSE(q.charge(1, 1, why));
  // 0 lifts it.
  q.setTenantQuota("a", 0);
  CHECK(q.tenantQuota("a") == 0);
  CHECK(q.charge(1, 1, why));
}

TEST_CASE("a tenant's guarantees fit in its quota, and are its sessions' to "
          "use",
          "[quota]") {
  MemoryQuota q(1000);
  std::string why;
  q.setTenantQuota("a", 400);
  REQUIRE(q.open(1, 300, 0, why, "a"));
  CHECK_FALSE(q.open(2, 200, 0, why, "a"));
  CHECK(why.find("tenant 'a' has a memory quota of 400") != std::string::npos);
  REQUIRE(q.open(3, 100, 0, why, "a"));
  REQUIRE(q.open(4, 0, 0, why, "a"));
  // Session 4 may take only what the others have not guaranteed (nothing
  // here)...
  CHECK(q.available(4) == 0);
  CHECK(q.available(1) == 300);
  CHECK_FALSE(q.charge(4, 1, why));
  // ...while sessions 1 and 3 get their guarantees.
  CHECK(q.charge(1, 300, why));
  CHECK(q.charge(3, 100, why));
  CHECK(q.tenantUsed("a") == 400);
}
