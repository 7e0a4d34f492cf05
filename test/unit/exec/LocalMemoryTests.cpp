//===- LocalMemoryTests.cpp - Local memory is private and confined --------===//
//
// A thread's `.local` memory lives on the stack of the worker (or fiber)
// that runs it, or, for slots whose address escapes, in a local area that
// holds nothing else. These tests check, for each kernel form (block loops,
// barrier regions, regions with warp cuts, fibers), that a kernel never sees what an earlier
// kernel left in local memory, that indexing a local array out of bounds
// stays inside that array instead of reaching the worker's stack, and that
// a generic address leaving a local array never reaches a stack.
//
//===----------------------------------------------------------------------===//

#include "test/unit/exec/HostTestSupport.h"

#include <string>

using namespace wooly;
using namespace wooly::test;

namespace {

/// What makes a kernel take each form: nothing (block loops), a barrier
/// (regions), a warp shuffle (regions with a warp cut), a barrier with a
/// reduction (fibers: bar.red is one of the cases the region form leaves to
/// them, docs/host-backend.md).
struct Form {
  const char *name;
  const char *sync;
};
const Form kForms[] = {
    {"block loops", ""},
    {"barrier regions", "wooly.barrier"},
    {"warp cuts", R"(
  %sv = arith.constant 1 : i32
  %sd = arith.constant 31 : i32
  %sm = arith.constant -1 : i32
  %sx, %sok = wooly.shuffle down %sv, %sv, %sd, %sm : i32)"},
    {"fibers", R"(
  %rt = arith.constant true
  %rn = wooly.barrier_reduce popc %rt : i32)"},
};

/// `secret` fills a 64-byte local array with 0x5EC2E7 and reads one element
/// back through a variable index (so the array stays in memory); `peek` has
/// the same array, writes only its first element and copies all sixteen to
/// `out`: every other element must read as zero.
std::string secretAndPeek(const char *sync) {
  return std::string(R"(
wooly.kernel @secret(%out: !wooly.ptr<global>, %j: i64) {
  %buf = wooly.local_alloca 64 align 8 : !wooly.ptr<local>
  %c0 = arith.constant 0 : i64
  %c4 = arith.constant 4 : i64
  %c64 = arith.constant 64 : i64
  %v = arith.constant 6210279 : i32
  cf.br ^fill(%c0 : i64)
^fill(%i: i64):
  %q = wooly.ptradd %buf, %i : !wooly.ptr<local>, i64
  wooly.store %v, %q {alignment = 4 : i64} : i32, !wooly.ptr<local>
  %n = arith.addi %i, %c4 : i64
  %more = arith.cmpi ult, %n, %c64 : i64
  cf.cond_br %more, ^fill(%n : i64), ^done
^done:
)") + sync + R"(
  %r = wooly.ptradd %buf, %j : !wooly.ptr<local>, i64
  %x = wooly.load %r {alignment = 4 : i64} : !wooly.ptr<local> -> i32
  wooly.store %x, %out {alignment = 4 : i64} : i32, !wooly.ptr<global>
  wooly.return
}
wooly.kernel @peek(%out: !wooly.ptr<global>) {
  %buf = wooly.local_alloca 64 align 8 : !wooly.ptr<local>
  %c0 = arith.constant 0 : i64
  %c4 = arith.constant 4 : i64
  %c64 = arith.constant 64 : i64
  %seven = arith.constant 7 : i32
  wooly.store %seven, %buf {alignment = 4 : i64} : i32, !wooly.ptr<local>
)" + sync + R"(
  %tid = wooly.thread_id x : i32
  %zero = arith.constant 0 : i32
  %first = arith.cmpi eq, %tid, %zero : i32
  cf.cond_br %first, ^copy(%c0 : i64), ^end
^copy(%i: i64):
  %q = wooly.ptradd %buf, %i : !wooly.ptr<local>, i64
  %x = wooly.load %q {alignment = 4 : i64} : !wooly.ptr<local> -> i32
  %o = wooly.ptradd %out, %i : !wooly.ptr<global>, i64
  wooly.store %x, %o {alignment = 4 : i64} : i32, !wooly.ptr<global>
  %n = arith.addi %i, %c4 : i64
  %more = arith.cmpi ult, %n, %c64 : i64
  cf.cond_br %more, ^copy(%n : i64), ^end
^end:
  wooly.return
}
)";
}

/// `stray` stores 99 at `buf + offset` in a 16-byte local array (any offset,
/// far out of bounds included), then again through a pointer walking from
/// there in a loop (twice: `i` goes 0, 4), then reads the array's last
/// element: out-of-bounds stores are clamped to it (aligned as the store
/// is, 4, not as the array, 8).
std::string stray(const char *sync) {
  return std::string(R"(
wooly.kernel @stray(%out: !wooly.ptr<global>, %offset: i64) {
  %buf = wooly.local_alloca 16 align 8 : !wooly.ptr<local>
  %v = arith.constant 99 : i32
  %q = wooly.ptradd %buf, %offset : !wooly.ptr<local>, i64
  wooly.store %v, %q {alignment = 4 : i64} : i32, !wooly.ptr<local>
)") + sync + R"(
  %c4 = arith.constant 4 : i64
  %c0 = arith.constant 0 : i64
  %c3 = arith.constant 3 : i64
  cf.br ^walk(%q, %c0 : !wooly.ptr<local>, i64)
^walk(%p: !wooly.ptr<local>, %i: i64):
  wooly.store %v, %p {alignment = 4 : i64} : i32, !wooly.ptr<local>
  %pn = wooly.ptradd %p, %c4 : !wooly.ptr<local>, i64
  %in = arith.addi %i, %c4 : i64
  %more = arith.cmpi ult, %i, %c3 : i64
  cf.cond_br %more, ^walk(%pn, %in : !wooly.ptr<local>, i64), ^walked
^walked:
  %c12 = arith.constant 12 : i64
  %last = wooly.ptradd %buf, %c12 : !wooly.ptr<local>, i64
  %x = wooly.load %last {alignment = 4 : i64} : !wooly.ptr<local> -> i32
  %tid = wooly.thread_id x : i32
  %t64 = arith.extui %tid : i32 to i64
  %toff = arith.muli %t64, %c4 : i64
  %o = wooly.ptradd %out, %toff : !wooly.ptr<global>, i64
  wooly.store %x, %o {alignment = 4 : i64} : i32, !wooly.ptr<global>
  wooly.return
}
)";
}

/// `leave` takes the generic address of its 64-byte local array, adds
/// `offset` (any, far outside included), stores a marker there and loads
/// it back into out[2 * tid]; out[2 * tid + 1] is whether the address
/// counts as local (the window generic accesses use unfenced).
std::string leave(const char *sync) {
  return std::string(R"(
wooly.kernel @leave(%out: !wooly.ptr<global>, %offset: i64) {
  %buf = wooly.local_alloca 64 align 8 : !wooly.ptr<local>
  %g = wooly.cast_space %buf : !wooly.ptr<local> to !wooly.ptr<generic>
  %q = wooly.ptradd %g, %offset : !wooly.ptr<generic>, i64
  %marker = arith.constant 7340861 : i32
  wooly.store %marker, %q {alignment = 4 : i64} : i32, !wooly.ptr<generic>
)") + sync + R"(
  %x = wooly.load %q {alignment = 4 : i64} : !wooly.ptr<generic> -> i32
  %is = wooly.is_space %q, local : !wooly.ptr<generic>
  %isv = arith.extui %is : i1 to i32
  %tid = wooly.thread_id x : i32
  %t64 = arith.extui %tid : i32 to i64
  %c8 = arith.constant 8 : i64
  %c4 = arith.constant 4 : i64
  %toff = arith.muli %t64, %c8 : i64
  %o = wooly.ptradd %out, %toff : !wooly.ptr<global>, i64
  wooly.store %x, %o {alignment = 4 : i64} : i32, !wooly.ptr<global>
  %o1 = wooly.ptradd %o, %c4 : !wooly.ptr<global>, i64
  wooly.store %isv, %o1 {alignment = 4 : i64} : i32, !wooly.ptr<global>
  wooly.return
}
)";
}

/// `look` loads from the generic address of its local array plus `offset`
/// into out[tid] (nothing written first).
std::string look(const char *sync) {
  return std::string(R"(
wooly.kernel @look(%out: !wooly.ptr<global>, %offset: i64) {
  %buf = wooly.local_alloca 64 align 8 : !wooly.ptr<local>
  %g = wooly.cast_space %buf : !wooly.ptr<local> to !wooly.ptr<generic>
  %q = wooly.ptradd %g, %offset : !wooly.ptr<generic>, i64
)") + sync + R"(
  %x = wooly.load %q {alignment = 4 : i64} : !wooly.ptr<generic> -> i32
  %tid = wooly.thread_id x : i32
  %t64 = arith.extui %tid : i32 to i64
  %c4 = arith.constant 4 : i64
  %toff = arith.muli %t64, %c4 : i64
  %o = wooly.ptradd %out, %toff : !wooly.ptr<global>, i64
  wooly.store %x, %o {alignment = 4 : i64} : i32, !wooly.ptr<global>
  wooly.return
}
)";
}

/// `through` fills its local array through a generic address (cvta.local
/// style), partly in a device function that takes that generic pointer (as
/// PTX from nvcc passes local arrays), and reads it back through both the
/// local and the generic address: out[tid] = sum of a[i] = tid + i, i < 8.
std::string through(const char *sync) {
  return std::string(R"(
wooly.func @fill(%p: !wooly.ptr<generic>, %from: i64, %base: i32) {
  %c4 = arith.constant 4 : i64
  %c8 = arith.constant 8 : i64
  %c1 = arith.constant 1 : i64
  cf.br ^loop(%from : i64)
^loop(%i: i64):
  %more = arith.cmpi ult, %i, %c8 : i64
  cf.cond_br %more, ^body, ^end
^body:
  %off = arith.muli %i, %c4 : i64
  %q = wooly.ptradd %p, %off : !wooly.ptr<generic>, i64
  %i32 = arith.trunci %i : i64 to i32
  %v = arith.addi %base, %i32 : i32
  wooly.store %v, %q {alignment = 4 : i64} : i32, !wooly.ptr<generic>
  %n = arith.addi %i, %c1 : i64
  cf.br ^loop(%n : i64)
^end:
  wooly.return
}
wooly.kernel @through(%out: !wooly.ptr<global>, %split: i64) {
  %buf = wooly.local_alloca 32 align 8 : !wooly.ptr<local>
  %g = wooly.cast_space %buf : !wooly.ptr<local> to !wooly.ptr<generic>
  %tid = wooly.thread_id x : i32
  %c0 = arith.constant 0 : i64
  %c4 = arith.constant 4 : i64
  %c32 = arith.constant 32 : i64
  %c1 = arith.constant 1 : i64
  cf.br ^own(%c0 : i64)
^own(%i: i64):
  %mine = arith.cmpi ult, %i, %split : i64
  cf.cond_br %mine, ^write, ^call
^write:
  %off = arith.muli %i, %c4 : i64
  %q = wooly.ptradd %g, %off : !wooly.ptr<generic>, i64
  %i32 = arith.trunci %i : i64 to i32
  %v = arith.addi %tid, %i32 : i32
  wooly.store %v, %q {alignment = 4 : i64} : i32, !wooly.ptr<generic>
  %n = arith.addi %i, %c1 : i64
  cf.br ^own(%n : i64)
^call:
  wooly.call @fill(%g, %split, %tid) : (!wooly.ptr<generic>, i64, i32) -> ()
)") + sync + R"(
  %zero = arith.constant 0 : i32
  cf.br ^sum(%c0, %zero : i64, i32)
^sum(%j: i64, %acc: i32):
  %ql = wooly.ptradd %buf, %j : !wooly.ptr<local>, i64
  %xl = wooly.load %ql {alignment = 4 : i64} : !wooly.ptr<local> -> i32
  %qg = wooly.ptradd %g, %j : !wooly.ptr<generic>, i64
  %xg = wooly.load %qg {alignment = 4 : i64} : !wooly.ptr<generic> -> i32
  %same = arith.cmpi eq, %xl, %xg : i32
  %bad = arith.constant -1000000 : i32
  %x = arith.select %same, %xl, %bad : i32
  %acc2 = arith.addi %acc, %x : i32
  %jn = arith.addi %j, %c4 : i64
  %more = arith.cmpi ult, %jn, %c32 : i64
  cf.cond_br %more, ^sum(%jn, %acc2 : i64, i32), ^done
^done:
  %t64 = arith.extui %tid : i32 to i64
  %toff = arith.muli %t64, %c4 : i64
  %o = wooly.ptradd %out, %toff : !wooly.ptr<global>, i64
  wooly.store %acc2, %o {alignment = 4 : i64} : i32, !wooly.ptr<global>
  wooly.return
}
)";
}

} // namespace

TEST_CASE("a generic address leaving a local array never reaches a stack",
          "[host][local][fault][signal][fiber-signal]") {
  for (const Form &form : kForms) {
    INFO(form.name);
    auto ctx = newContext();
    exec::KernelInfo info;
    exec::FunctionId fn = loadKernel(*ctx, leave(form.sync), "leave", info);
    exec::DevicePtr out = upload(*ctx, std::vector<int32_t>(64, -1));
    // Below the array (the frames under it, the stack pointer), just past
    // it, and above it (the callers' frames, return addresses).
    for (int64_t offset : {int64_t(-65536), int64_t(-4096), int64_t(-64),
                           int64_t(64), int64_t(4096), int64_t(65536)}) {
      INFO("offset " << offset);
      Args args(info);
      args.set(0, out).set(1, offset);
      exec::Status s = launch(*ctx, fn, {4, 1, 1}, {32, 1, 1}, args);
      INFO(s.message);
      // Fenced into the arena, or within the thread's own local area; a
      // guard page would be a launch failure, never a crash.
      REQUIRE((s || s.code == exec::ErrorCode::LaunchFailure));
      if (s && offset < 0 && offset <= -4096) {
        // The local window is the local area, whose first part is the
        // first thread's: nothing below it counts as local.
        std::vector<int32_t> got = download<int32_t>(*ctx, out, 64);
        for (int t = 0; t < 32; ++t)
          CHECK(got[2 * t + 1] == 0);
      }
      // The next launch works.
      Args inside(info);
      inside.set(0, out).set(1, int64_t(8));
      s = launch(*ctx, fn, {4, 1, 1}, {32, 1, 1}, inside);
      INFO(s.message);
      REQUIRE(s);
      std::vector<int32_t> got = download<int32_t>(*ctx, out, 64);
      for (int t = 0; t < 32; ++t) {
        CHECK(got[2 * t] == 7340861);
        CHECK(got[2 * t + 1] == 1);
      }
    }
  }
}

TEST_CASE("the local area never shows an earlier launch's bytes",
          "[host][local]") {
  for (const Form &form : kForms) {
    INFO(form.name);
    auto writer = newContext();
    auto reader = newContext();
    exec::KernelInfo leaveInfo, lookInfo;
    exec::FunctionId write =
        loadKernel(*writer, leave(form.sync), "leave", leaveInfo);
    exec::FunctionId read = loadKernel(*reader, look(form.sync), "look", lookInfo);
    exec::DevicePtr sink = upload(*writer, std::vector<int32_t>(64, -1));
    exec::DevicePtr out = upload(*reader, std::vector<int32_t>(32, -1));
    // Past the local array, within the local area (unfenced): one session
    // leaves a marker there, another looks.
    for (int round = 0; round < 4; ++round) {
      Args writeArgs(leaveInfo);
      writeArgs.set(0, sink).set(1, int64_t(4096));
      exec::Status s = launch(*writer, write, {8, 1, 1}, {32, 1, 1}, writeArgs);
      INFO(s.message);
      REQUIRE(s);
      REQUIRE(download<int32_t>(*writer, sink, 2)[1] == 1); // it was local
      Args readArgs(lookInfo);
      readArgs.set(0, out).set(1, int64_t(4096));
      s = launch(*reader, read, {8, 1, 1}, {32, 1, 1}, readArgs);
      INFO(s.message);
      REQUIRE(s);
      CHECK(download<int32_t>(*reader, out, 32) == std::vector<int32_t>(32, 0));
    }
  }
}

TEST_CASE("local arrays through generic addresses still work",
          "[host][local]") {
  for (const Form &form : kForms) {
    INFO(form.name);
    auto ctx = newContext();
    exec::KernelInfo info;
    exec::FunctionId fn = loadKernel(*ctx, through(form.sync), "through", info);
    exec::DevicePtr out = upload(*ctx, std::vector<int32_t>(64, -1));
    // All in the kernel, half in the device function, all in it.
    for (int64_t split : {int64_t(8), int64_t(4), int64_t(0)}) {
      INFO("split " << split);
      Args args(info);
      args.set(0, out).set(1, split);
      exec::Status s = launch(*ctx, fn, {3, 1, 1}, {64, 1, 1}, args);
      INFO(s.message);
      REQUIRE(s);
      std::vector<int32_t> expected(64);
      for (int t = 0; t < 64; ++t)
        expected[t] = 8 * t + 28;
      CHECK(download<int32_t>(*ctx, out, 64) == expected);
    }
  }
}

TEST_CASE("local memory never shows an earlier kernel's bytes",
          "[host][local]") {
  for (const Form &form : kForms) {
    INFO(form.name);
    auto ctx = newContext();
    std::string wis = secretAndPeek(form.sync);
    exec::KernelInfo secretInfo, peekInfo;
    exec::FunctionId secret = loadKernel(*ctx, wis, "secret", secretInfo);
    exec::FunctionId peek = loadKernel(*ctx, wis, "peek", peekInfo);
    exec::DevicePtr sink = upload(*ctx, std::vector<int32_t>(1, 0));
    exec::DevicePtr out = upload(*ctx, std::vector<int32_t>(16, -1));
    // Many blocks, so every worker runs both kernels.
    for (int round = 0; round < 4; ++round) {
      Args secretArgs(secretInfo);
      secretArgs.set(0, sink).set(1, int64_t(4 * round));
      exec::Status s =
          launch(*ctx, secret, {16, 1, 1}, {32, 1, 1}, secretArgs);
      INFO(s.message);
      REQUIRE(s);
      REQUIRE(download<int32_t>(*ctx, sink, 1)[0] == 6210279);
      Args peekArgs(peekInfo);
      peekArgs.set(0, out);
      s = launch(*ctx, peek, {16, 1, 1}, {32, 1, 1}, peekArgs);
      INFO(s.message);
      REQUIRE(s);
      std::vector<int32_t> expected(16, 0);
      expected[0] = 7;
      CHECK(download<int32_t>(*ctx, out, 16) == expected);
    }
  }
}

TEST_CASE("out-of-bounds local accesses stay inside the local array",
          "[host][local][fault]") {
  for (const Form &form : kForms) {
    INFO(form.name);
    auto ctx = newContext();
    exec::KernelInfo info;
    exec::FunctionId fn = loadKernel(*ctx, stray(form.sync), "stray", info);
    exec::DevicePtr out = upload(*ctx, std::vector<int32_t>(32, -1));
    // Just past the array, into the caller's frames above it, below the
    // stack pointer, and far away in both directions.
    for (int64_t offset : {int64_t(16), int64_t(64), int64_t(200), int64_t(-8),
                           int64_t(-4096), int64_t(1) << 20,
                           -(int64_t(1) << 40)}) {
      INFO("offset " << offset);
      Args args(info);
      args.set(0, out).set(1, offset);
      exec::Status s = launch(*ctx, fn, {4, 1, 1}, {32, 1, 1}, args);
      INFO(s.message);
      REQUIRE(s);
      CHECK(download<int32_t>(*ctx, out, 32) == std::vector<int32_t>(32, 99));
    }
    // In bounds still means what it says.
    Args inside(info);
    inside.set(0, out).set(1, int64_t(0));
    REQUIRE(launch(*ctx, fn, {1, 1, 1}, {32, 1, 1}, inside));
    CHECK(download<int32_t>(*ctx, out, 32) == std::vector<int32_t>(32, 0));
  }
}

// A recursive device function whose 256 KiB local array escapes (its
// generic address is stored through): every call takes a frame from the
// worker's local area, so deep enough recursion exhausts it. That must end
// the launch with a Trap error, leave the executor working, and never run
// on past the area: the exhausted call returns without a frame.
const char *kDeepLocals = R"(
wooly.func @rec(%depth: i32, %out: !wooly.ptr<global>) {
  %buf = wooly.local_alloca 262144 align 8 : !wooly.ptr<local>
  %g = wooly.cast_space %buf : !wooly.ptr<local> to !wooly.ptr<generic>
  wooly.store %depth, %g {alignment = 4 : i64} : i32, !wooly.ptr<generic>
  %zero = arith.constant 0 : i32
  %more = arith.cmpi sgt, %depth, %zero : i32
  cf.cond_br %more, ^down, ^leaf
^down:
  %one = arith.constant 1 : i32
  %d = arith.subi %depth, %one : i32
  wooly.call @rec(%d, %out) : (i32, !wooly.ptr<global>) -> ()
  cf.br ^leaf
^leaf:
  %x = wooly.load %g {alignment = 4 : i64} : !wooly.ptr<generic> -> i32
  %old = wooly.atomic_rmw add %out, %x : !wooly.ptr<global>, i32
  wooly.return
}
wooly.kernel @deep(%depth: i32, %out: !wooly.ptr<global>) {
  wooly.call @rec(%depth, %out) : (i32, !wooly.ptr<global>) -> ()
  wooly.return
}
)";

TEST_CASE("exhausting the local area ends the launch, not the server",
          "[host][local][fault]") {
  auto ctx = newContext();
  exec::KernelInfo info;
  exec::FunctionId fn = loadKernel(*ctx, kDeepLocals, "deep", info);
  exec::DevicePtr out = upload(*ctx, std::vector<int32_t>(1, 0));
  // Shallow: every level adds its depth once: 4+3+2+1+0.
  Args shallow(info);
  shallow.set(0, int32_t(4)).set(1, out);
  exec::Status s = launch(*ctx, fn, {1, 1, 1}, {1, 1, 1}, shallow);
  INFO(s.message);
  REQUIRE(s);
  CHECK(download<int32_t>(*ctx, out, 1)[0] == 10);
  // 200 levels of 256 KiB: far more than a worker's local area.
  Args deep(info);
  deep.set(0, int32_t(200)).set(1, out);
  s = launch(*ctx, fn, {1, 1, 1}, {1, 1, 1}, deep);
  CHECK(s.code == exec::ErrorCode::Trap);
  CHECK(ctx->synchronize(0));
  // The executor and this context go on.
  s = launch(*ctx, fn, {1, 1, 1}, {1, 1, 1}, shallow);
  INFO(s.message);
  CHECK(s);
}
