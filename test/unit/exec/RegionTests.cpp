//===- RegionTests.cpp - Warp collectives and barriers in the region form -===//
//
// Each kernel here is first compiled with the host backend to check which
// form it gets (so a silent fallback to fibers fails the test), then run
// through the host executor and checked against PTX's rules.
//
//===----------------------------------------------------------------------===//

#include "test/unit/exec/HostTestSupport.h"

#include "compiler/Registration.h"
#include "compiler/target/host/HostABI.h"
#include "compiler/target/host/HostCompiler.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include "llvm/IR/Constants.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Target/TargetMachine.h"

using namespace wooly;
using namespace wooly::test;

namespace {

enum class Form { BlockLoops, BarrierRegions, WarpRegions, Fibers };

const char *name(Form f) {
  switch (f) {
  case Form::BlockLoops:
    return "block loops";
  case Form::BarrierRegions:
    return "barrier regions";
  case Form::WarpRegions:
    return "regions with warp cuts";
  case Form::Fibers:
    return "fibers";
  }
  return "?";
}

/// The form the host backend gives kernel `kernel` of `wis`; `loopCut`, if
/// given, says whether its block entry stops threads at a loop cut (stores
/// LaneOp::LoopCut in a RegionLane).
Form formOf(const std::string &wis, const std::string &kernel,
            bool *loopCut = nullptr) {
  mlir::DialectRegistry registry;
  registerAllWoolyDialects(registry);
  mlir::MLIRContext context(registry);
  context.loadAllAvailableDialects();
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(wis, &context);
  REQUIRE(module);
  host::HostModuleInfo info = host::analyzeHostModule(*module);
  auto machine = host::createHostTargetMachine(0);
  REQUIRE(bool(machine));
  llvm::LLVMContext llvmContext;
  auto ir = host::lowerToHostIR(*module, info, llvmContext, **machine, 0);
  if (!ir)
    FAIL(llvm::toString(ir.takeError()));
  llvm::Module &m = **ir;
  if (m.getFunction(host::kThreadEntryPrefix + kernel))
    return Form::Fibers;
  llvm::Function *entry = m.getFunction(host::kBlockEntryPrefix + kernel);
  REQUIRE(entry);
  if (loopCut) {
    *loopCut = false;
    for (llvm::BasicBlock &bb : *entry)
      for (llvm::Instruction &i : bb)
        if (auto *store = llvm::dyn_cast<llvm::StoreInst>(&i))
          if (auto *k = llvm::dyn_cast<llvm::ConstantInt>(store->getValueOperand()))
            *loopCut |= k->getBitWidth() == 8 &&
                        k->getZExtValue() == static_cast<uint8_t>(host::LaneOp::LoopCut);
  }
  auto used = [&](const char *fn) {
    llvm::Function *f = m.getFunction(fn);
    return f && !f->use_empty();
  };
  if (used("__wooly_region_settle"))
    return Form::WarpRegions;
  if (used("__wooly_divergent_barrier"))
    return Form::BarrierRegions;
  return Form::BlockLoops;
}

#define REQUIRE_FORM(wis, kernel, form)                                        \
  do {                                                                         \
    Form got = formOf(wis, kernel);                                            \
    INFO("form: " << name(got));                                               \
    REQUIRE(got == form);                                                      \
  } while (0)

/// Requires kernel `kernel` of `wis` to get `form` and returns whether its
/// block entry stops threads at a loop cut (one compile for both).
bool loopCutIn(const std::string &wis, const std::string &kernel, Form form) {
  bool loopCut = false;
  Form got = formOf(wis, kernel, &loopCut);
  INFO("form: " << name(got));
  REQUIRE(got == form);
  return loopCut;
}

/// Runs `kernel` with one pointer argument on `block` threads of `grid`
/// blocks over `count` ints that start as -1; returns them.
std::vector<int32_t> runOnBuffer(const std::string &wis, const std::string &kernel,
                                 uint32_t grid, uint32_t block, size_t count,
                                 exec::Status *status = nullptr) {
  auto ctx = newContext();
  exec::KernelInfo info;
  exec::FunctionId fn = loadKernel(*ctx, wis, kernel, info);
  exec::DevicePtr out = upload(*ctx, std::vector<int32_t>(count, -1));
  Args args(info);
  args.set(0, out);
  exec::Status s = launch(*ctx, fn, {grid, 1, 1}, {block, 1, 1}, args);
  if (status) {
    *status = s;
    return {};
  }
  INFO(s.message);
  REQUIRE(s);
  return download<int32_t>(*ctx, out, count);
}

// Lanes 0-15 shuffle down among themselves (mask 0xffff) at one site,
// lanes 16-31 shuffle up among themselves (mask 0xffff0000) at another:
// the two groups of one warp complete in the same settle step and resume
// at different cuts. out[2t] = value, out[2t+1] = valid.
const char *kHalves = R"(
wooly.kernel @halves(%out: !wooly.ptr<global>) {
  %tid = wooly.thread_id x : i32
  %lane = wooly.lane_id : i32
  %c10 = arith.constant 10 : i32
  %v = arith.muli %tid, %c10 : i32
  %c0 = arith.constant 0 : i32
  %c1 = arith.constant 1 : i32
  %c31 = arith.constant 31 : i32
  %c8 = arith.constant 8 : i64
  %c4 = arith.constant 4 : i64
  %t64 = arith.extui %tid : i32 to i64
  %off = arith.muli %t64, %c8 : i64
  %p = wooly.ptradd %out, %off : !wooly.ptr<global>, i64
  %q = wooly.ptradd %p, %c4 : !wooly.ptr<global>, i64
  %c16 = arith.constant 16 : i32
  %low = arith.cmpi ult, %lane, %c16 : i32
  cf.cond_br %low, ^a, ^b
^a:
  %lo = arith.constant 65535 : i32
  %s, %ok = wooly.shuffle down %v, %c1, %c31, %lo : i32
  %okw = arith.extui %ok : i1 to i32
  wooly.store %s, %p {alignment = 4 : i64} : i32, !wooly.ptr<global>
  wooly.store %okw, %q {alignment = 4 : i64} : i32, !wooly.ptr<global>
  cf.br ^end
^b:
  %hi = arith.constant -65536 : i32
  %s2, %ok2 = wooly.shuffle up %v, %c1, %c0, %hi : i32
  %okw2 = arith.extui %ok2 : i1 to i32
  wooly.store %s2, %p {alignment = 4 : i64} : i32, !wooly.ptr<global>
  wooly.store %okw2, %q {alignment = 4 : i64} : i32, !wooly.ptr<global>
  cf.br ^end
^end:
  wooly.return
}
)";

// Clamp and segment rules: out[8t + 2k] value, out[8t + 2k + 1] valid for
// k=0 idx 3 in segments of 8 (c = 0x181f), 1 down 4 in segments of 16
// (c = 0x101f), 2 xor 16 in segments of 16, 3 up 2 in segments of 8
// (c = 0x1800).
const char *kSegments = R"(
wooly.kernel @segments(%out: !wooly.ptr<global>) {
  %tid = wooly.thread_id x : i32
  %c10 = arith.constant 10 : i32
  %v = arith.muli %tid, %c10 : i32
  %full = arith.constant -1 : i32
  %c2 = arith.constant 2 : i32
  %c3 = arith.constant 3 : i32
  %c4 = arith.constant 4 : i32
  %c16 = arith.constant 16 : i32
  %w8 = arith.constant 6175 : i32
  %w16 = arith.constant 4127 : i32
  %up8 = arith.constant 6144 : i32
  %s0, %ok0 = wooly.shuffle idx %v, %c3, %w8, %full : i32
  %s1, %ok1 = wooly.shuffle down %v, %c4, %w16, %full : i32
  %s2, %ok2 = wooly.shuffle xor %v, %c16, %w16, %full : i32
  %s3, %ok3 = wooly.shuffle up %v, %c2, %up8, %full : i32
  %t64 = arith.extui %tid : i32 to i64
  %c32 = arith.constant 32 : i64
  %off = arith.muli %t64, %c32 : i64
  %step = arith.constant 4 : i64
  %p0 = wooly.ptradd %out, %off : !wooly.ptr<global>, i64
  wooly.store %s0, %p0 {alignment = 4 : i64} : i32, !wooly.ptr<global>
  %p1 = wooly.ptradd %p0, %step : !wooly.ptr<global>, i64
  %k0 = arith.extui %ok0 : i1 to i32
  wooly.store %k0, %p1 {alignment = 4 : i64} : i32, !wooly.ptr<global>
  %p2 = wooly.ptradd %p1, %step : !wooly.ptr<global>, i64
  wooly.store %s1, %p2 {alignment = 4 : i64} : i32, !wooly.ptr<global>
  %p3 = wooly.ptradd %p2, %step : !wooly.ptr<global>, i64
  %k1 = arith.extui %ok1 : i1 to i32
  wooly.store %k1, %p3 {alignment = 4 : i64} : i32, !wooly.ptr<global>
  %p4 = wooly.ptradd %p3, %step : !wooly.ptr<global>, i64
  wooly.store %s2, %p4 {alignment = 4 : i64} : i32, !wooly.ptr<global>
  %p5 = wooly.ptradd %p4, %step : !wooly.ptr<global>, i64
  %k2 = arith.extui %ok2 : i1 to i32
  wooly.store %k2, %p5 {alignment = 4 : i64} : i32, !wooly.ptr<global>
  %p6 = wooly.ptradd %p5, %step : !wooly.ptr<global>, i64
  wooly.store %s3, %p6 {alignment = 4 : i64} : i32, !wooly.ptr<global>
  %p7 = wooly.ptradd %p6, %step : !wooly.ptr<global>, i64
  %k3 = arith.extui %ok3 : i1 to i32
  wooly.store %k3, %p7 {alignment = 4 : i64} : i32, !wooly.ptr<global>
  wooly.return
}
)";

// Every thread stores tid + 1 in shared memory; after the barrier only
// warp 0 stays, sums four entries per lane and reduces them with a
// shuffle-down tree in a loop; lane 0 writes the block's sum.
const char *kWarp0Sum = R"(
wooly.global @buf : 128 x i32 in shared align 4
wooly.kernel @warp0sum(%out: !wooly.ptr<global>) {
  %tid = wooly.thread_id x : i32
  %bid = wooly.block_id x : i32
  %lane = wooly.lane_id : i32
  %c1 = arith.constant 1 : i32
  %c4 = arith.constant 4 : i64
  %s = wooly.addressof @buf : !wooly.ptr<shared>
  %one = arith.addi %tid, %c1 : i32
  %t64 = arith.extui %tid : i32 to i64
  %off = arith.muli %t64, %c4 : i64
  %p = wooly.ptradd %s, %off : !wooly.ptr<shared>, i64
  wooly.store %one, %p {alignment = 4 : i64} : i32, !wooly.ptr<shared>
  wooly.barrier
  %c32 = arith.constant 32 : i32
  %first = arith.cmpi ult, %tid, %c32 : i32
  cf.cond_br %first, ^sum, ^leave
^leave:
  wooly.return
^sum:
  %l64 = arith.extui %lane : i32 to i64
  %loff = arith.muli %l64, %c4 : i64
  %q0 = wooly.ptradd %s, %loff : !wooly.ptr<shared>, i64
  %row = arith.constant 128 : i64
  %q1 = wooly.ptradd %q0, %row : !wooly.ptr<shared>, i64
  %q2 = wooly.ptradd %q1, %row : !wooly.ptr<shared>, i64
  %q3 = wooly.ptradd %q2, %row : !wooly.ptr<shared>, i64
  %a0 = wooly.load %q0 {alignment = 4 : i64} : !wooly.ptr<shared> -> i32
  %a1 = wooly.load %q1 {alignment = 4 : i64} : !wooly.ptr<shared> -> i32
  %a2 = wooly.load %q2 {alignment = 4 : i64} : !wooly.ptr<shared> -> i32
  %a3 = wooly.load %q3 {alignment = 4 : i64} : !wooly.ptr<shared> -> i32
  %b0 = arith.addi %a0, %a1 : i32
  %b1 = arith.addi %a2, %a3 : i32
  %v0 = arith.addi %b0, %b1 : i32
  %c16 = arith.constant 16 : i32
  cf.br ^loop(%v0, %c16 : i32, i32)
^loop(%v: i32, %delta: i32):
  %full = arith.constant -1 : i32
  %c31 = arith.constant 31 : i32
  %got, %ok = wooly.shuffle down %v, %delta, %c31, %full : i32
  %sum = arith.addi %v, %got : i32
  %next = arith.shrui %delta, %c1 : i32
  %c0 = arith.constant 0 : i32
  %more = arith.cmpi ne, %next, %c0 : i32
  cf.cond_br %more, ^loop(%sum, %next : i32, i32), ^done(%sum : i32)
^done(%total: i32):
  %z = arith.constant 0 : i32
  %lead = arith.cmpi eq, %lane, %z : i32
  cf.cond_br %lead, ^write, ^leave
^write:
  %b64 = arith.extui %bid : i32 to i64
  %boff = arith.muli %b64, %c4 : i64
  %o = wooly.ptradd %out, %boff : !wooly.ptr<global>, i64
  wooly.store %total, %o {alignment = 4 : i64} : i32, !wooly.ptr<global>
  wooly.return
}
)";

// Lanes >= 20 exit first; the rest read activemask and take a ballot of
// odd lanes over it. out[2t] = activemask, out[2t+1] = ballot.
const char *kActive = R"(
wooly.kernel @active(%out: !wooly.ptr<global>) {
  %tid = wooly.thread_id x : i32
  %lane = wooly.lane_id : i32
  %c20 = arith.constant 20 : i32
  %gone = arith.cmpi uge, %lane, %c20 : i32
  cf.cond_br %gone, ^bye, ^stay
^bye:
  wooly.exit
^stay:
  %am = wooly.active_mask : i32
  %c1 = arith.constant 1 : i32
  %c0 = arith.constant 0 : i32
  %odd = arith.andi %lane, %c1 : i32
  %isodd = arith.cmpi ne, %odd, %c0 : i32
  %b = wooly.vote ballot %isodd, %am : i32
  %t64 = arith.extui %tid : i32 to i64
  %c8 = arith.constant 8 : i64
  %off = arith.muli %t64, %c8 : i64
  %p = wooly.ptradd %out, %off : !wooly.ptr<global>, i64
  wooly.store %am, %p {alignment = 4 : i64} : i32, !wooly.ptr<global>
  %c4 = arith.constant 4 : i64
  %q = wooly.ptradd %p, %c4 : !wooly.ptr<global>, i64
  wooly.store %b, %q {alignment = 4 : i64} : i32, !wooly.ptr<global>
  wooly.return
}
)";

// Lanes 0-15 shuffle with the full mask while lanes 16-31 wait at the
// block barrier: neither can complete.
const char *kStuck = R"(
wooly.kernel @stuck(%out: !wooly.ptr<global>) {
  %lane = wooly.lane_id : i32
  %c16 = arith.constant 16 : i32
  %low = arith.cmpi ult, %lane, %c16 : i32
  cf.cond_br %low, ^a, ^b
^a:
  %full = arith.constant -1 : i32
  %c1 = arith.constant 1 : i32
  %c31 = arith.constant 31 : i32
  %s, %ok = wooly.shuffle down %lane, %c1, %c31, %full : i32
  cf.br ^end
^b:
  wooly.barrier
  cf.br ^end
^end:
  wooly.return
}
)";

// bar.red: the region form does not do block-wide reductions.
const char *kBarRed = R"(
wooly.kernel @popc(%out: !wooly.ptr<global>) {
  %tid = wooly.thread_id x : i32
  %c1 = arith.constant 1 : i32
  %c0 = arith.constant 0 : i32
  %odd = arith.andi %tid, %c1 : i32
  %isodd = arith.cmpi ne, %odd, %c0 : i32
  %n = wooly.barrier_reduce popc %isodd : i32
  %t64 = arith.extui %tid : i32 to i64
  %c4 = arith.constant 4 : i64
  %off = arith.muli %t64, %c4 : i64
  %p = wooly.ptradd %out, %off : !wooly.ptr<global>, i64
  wooly.store %n, %p {alignment = 4 : i64} : i32, !wooly.ptr<global>
  wooly.return
}
)";

// Shared-memory atomics (plain loads and stores on the host, see
// SharedAtomics.h): counts of tid % 8 and the maximum tid, after a barrier
// thread t < 9 writes entry t.
const char *kSharedAtomics = R"(
wooly.global @cells : 9 x i32 in shared align 4
wooly.kernel @tally(%out: !wooly.ptr<global>) {
  %tid = wooly.thread_id x : i32
  %c7 = arith.constant 7 : i32
  %c1 = arith.constant 1 : i32
  %c4 = arith.constant 4 : i64
  %s = wooly.addressof @cells : !wooly.ptr<shared>
  %bin = arith.andi %tid, %c7 : i32
  %b64 = arith.extui %bin : i32 to i64
  %boff = arith.muli %b64, %c4 : i64
  %p = wooly.ptradd %s, %boff : !wooly.ptr<shared>, i64
  %o1 = wooly.atomic_rmw add %p, %c1 : !wooly.ptr<shared>, i32
  %c32 = arith.constant 32 : i64
  %m = wooly.ptradd %s, %c32 : !wooly.ptr<shared>, i64
  %o2 = wooly.atomic_rmw umax %m, %tid : !wooly.ptr<shared>, i32
  wooly.barrier
  %c9 = arith.constant 9 : i32
  %mine = arith.cmpi ult, %tid, %c9 : i32
  cf.cond_br %mine, ^write, ^end
^write:
  %t64 = arith.extui %tid : i32 to i64
  %toff = arith.muli %t64, %c4 : i64
  %q = wooly.ptradd %s, %toff : !wooly.ptr<shared>, i64
  %v = wooly.load %q {alignment = 4 : i64} : !wooly.ptr<shared> -> i32
  %g = wooly.ptradd %out, %toff : !wooly.ptr<global>, i64
  wooly.store %v, %g {alignment = 4 : i64} : i32, !wooly.ptr<global>
  cf.br ^end
^end:
  wooly.return
}
)";

/// Threads >= 48 leave at once; the other 48 pass their value around a
/// ring in shared memory `rounds` times (a store, a barrier, a load from
/// the next thread, a barrier): 2 * rounds barrier sites, more than the
/// block entry specializes one by one. out[t] = (t + rounds) % 48.
std::string ringKernel(int rounds) {
  std::string text = R"(
wooly.global @cells64 : 64 x i32 in shared align 4
wooly.kernel @ring(%out: !wooly.ptr<global>) {
  %tid = wooly.thread_id x : i32
  %c48 = arith.constant 48 : i32
  %stay = arith.cmpi ult, %tid, %c48 : i32
  cf.cond_br %stay, ^work, ^leave
^leave:
  wooly.return
^work:
  %c1 = arith.constant 1 : i32
  %c4 = arith.constant 4 : i64
  %s = wooly.addressof @cells64 : !wooly.ptr<shared>
  %t64 = arith.extui %tid : i32 to i64
  %off = arith.muli %t64, %c4 : i64
  %mine = wooly.ptradd %s, %off : !wooly.ptr<shared>, i64
  %n1 = arith.addi %tid, %c1 : i32
  %nx = arith.remui %n1, %c48 : i32
  %n64 = arith.extui %nx : i32 to i64
  %noff = arith.muli %n64, %c4 : i64
  %next = wooly.ptradd %s, %noff : !wooly.ptr<shared>, i64
  %v0 = arith.addi %tid, %c1 : i32
)";
  for (int r = 0; r < rounds; ++r) {
    std::string in = "%v" + std::to_string(r), out = "%v" + std::to_string(r + 1);
    text += "  wooly.store " + in + ", %mine {alignment = 4 : i64} : i32, !wooly.ptr<shared>\n";
    text += "  wooly.barrier\n";
    text += "  " + out + " = wooly.load %next {alignment = 4 : i64} : !wooly.ptr<shared> -> i32\n";
    text += "  wooly.barrier\n";
  }
  text += "  %last = arith.subi %v" + std::to_string(rounds) + ", %c1 : i32\n";
  text += R"(  %o = wooly.ptradd %out, %off : !wooly.ptr<global>, i64
  wooly.store %last, %o {alignment = 4 : i64} : i32, !wooly.ptr<global>
  wooly.return
}
)";
  return text;
}

/// `steps` butterfly shuffles in a row, each its own site (more cuts than
/// the block entry specializes): v += shfl.xor(v, 1 << (k % 5)).
std::string butterflyKernel(int steps) {
  std::string text = R"(
wooly.kernel @butterfly(%out: !wooly.ptr<global>) {
  %tid = wooly.thread_id x : i32
  %full = arith.constant -1 : i32
  %c31 = arith.constant 31 : i32
  %v0 = arith.addi %tid, %full : i32
)";
  for (int k = 0; k < steps; ++k) {
    std::string n = std::to_string(k), next = std::to_string(k + 1);
    text += "  %m" + n + " = arith.constant " + std::to_string(1 << (k % 5)) + " : i32\n";
    text += "  %s" + n + ", %ok" + n + " = wooly.shuffle xor %v" + n + ", %m" + n +
            ", %c31, %full : i32\n";
    text += "  %v" + next + " = arith.addi %v" + n + ", %s" + n + " : i32\n";
  }
  text += "  %last = arith.addi %v" + std::to_string(steps) + ", %full : i32\n";
  text += R"(  %t64 = arith.extui %tid : i32 to i64
  %c4 = arith.constant 4 : i64
  %off = arith.muli %t64, %c4 : i64
  %o = wooly.ptradd %out, %off : !wooly.ptr<global>, i64
  wooly.store %last, %o {alignment = 4 : i64} : i32, !wooly.ptr<global>
  wooly.return
}
)";
  return text;
}

} // namespace

// A grid-stride sum (in[i] for i = thread, thread + stride, ... < n, the
// trip counts differ by thread) with a global atomic counting the elements
// taken; a thread that reads -7 exits inside the loop. After the loop: a
// shuffle-down tree per warp (a source lane that exited adds 0), lane 0
// publishes the warp's sum in shared memory, a barrier, thread 0 adds the
// warps' sums (a loop started from a constant: no loop cut) into out[block].
const char *const kGridSum = R"(
wooly.global @totals : 32 x i32 in shared align 4
wooly.kernel @gridsum(%in: !wooly.ptr<global>, %out: !wooly.ptr<global>, %count: !wooly.ptr<global>, %n: i32) {
  %tid = wooly.thread_id x : i32
  %bid = wooly.block_id x : i32
  %bdim = wooly.block_dim x : i32
  %gdim = wooly.grid_dim x : i32
  %lane = wooly.lane_id : i32
  %base = arith.muli %bid, %bdim : i32
  %first = arith.addi %base, %tid : i32
  %stride = arith.muli %bdim, %gdim : i32
  %c0 = arith.constant 0 : i32
  %c1 = arith.constant 1 : i32
  %c4 = arith.constant 4 : i64
  %stop = arith.constant -7 : i32
  cf.br ^head(%first, %c0 : i32, i32)
^head(%i: i32, %acc: i32):
  %more = arith.cmpi slt, %i, %n : i32
  cf.cond_br %more, ^body, ^done
^body:
  %i64 = arith.extsi %i : i32 to i64
  %off = arith.muli %i64, %c4 : i64
  %p = wooly.ptradd %in, %off : !wooly.ptr<global>, i64
  %v = wooly.load %p {alignment = 4 : i64} : !wooly.ptr<global> -> i32
  %quit = arith.cmpi eq, %v, %stop : i32
  cf.cond_br %quit, ^bye, ^take
^bye:
  wooly.exit
^take:
  %old = wooly.atomic_rmw add %count, %c1 : !wooly.ptr<global>, i32
  %acc2 = arith.addi %acc, %v : i32
  %next = arith.addi %i, %stride : i32
  cf.br ^head(%next, %acc2 : i32, i32)
^done:
  %full = arith.constant -1 : i32
  %c31 = arith.constant 31 : i32
  %d16 = arith.constant 16 : i32
  %d8 = arith.constant 8 : i32
  %d4 = arith.constant 4 : i32
  %d2 = arith.constant 2 : i32
  %g16, %ok16 = wooly.shuffle down %acc, %d16, %c31, %full : i32
  %a16 = arith.select %ok16, %g16, %c0 : i32
  %s16 = arith.addi %acc, %a16 : i32
  %g8, %ok8 = wooly.shuffle down %s16, %d8, %c31, %full : i32
  %a8 = arith.select %ok8, %g8, %c0 : i32
  %s8 = arith.addi %s16, %a8 : i32
  %g4, %ok4 = wooly.shuffle down %s8, %d4, %c31, %full : i32
  %a4 = arith.select %ok4, %g4, %c0 : i32
  %s4 = arith.addi %s8, %a4 : i32
  %g2, %ok2 = wooly.shuffle down %s4, %d2, %c31, %full : i32
  %a2 = arith.select %ok2, %g2, %c0 : i32
  %s2 = arith.addi %s4, %a2 : i32
  %g1, %ok1 = wooly.shuffle down %s2, %c1, %c31, %full : i32
  %a1 = arith.select %ok1, %g1, %c0 : i32
  %s1 = arith.addi %s2, %a1 : i32
  %t = wooly.addressof @totals : !wooly.ptr<shared>
  %c32 = arith.constant 32 : i32
  %lead = arith.cmpi eq, %lane, %c0 : i32
  cf.cond_br %lead, ^publish, ^wait
^publish:
  %warp = arith.divui %tid, %c32 : i32
  %w64 = arith.extui %warp : i32 to i64
  %woff = arith.muli %w64, %c4 : i64
  %tp = wooly.ptradd %t, %woff : !wooly.ptr<shared>, i64
  wooly.store %s1, %tp {alignment = 4 : i64} : i32, !wooly.ptr<shared>
  cf.br ^wait
^wait:
  wooly.barrier
  %zero = arith.cmpi eq, %tid, %c0 : i32
  cf.cond_br %zero, ^sum, ^end
^sum:
  %nw = arith.divui %bdim, %c32 : i32
  cf.br ^sh(%c0, %c0 : i32, i32)
^sh(%w: i32, %tot: i32):
  %wm = arith.cmpi ult, %w, %nw : i32
  cf.cond_br %wm, ^shb, ^shd
^shb:
  %x64 = arith.extui %w : i32 to i64
  %xoff = arith.muli %x64, %c4 : i64
  %xp = wooly.ptradd %t, %xoff : !wooly.ptr<shared>, i64
  %xv = wooly.load %xp {alignment = 4 : i64} : !wooly.ptr<shared> -> i32
  %tot2 = arith.addi %tot, %xv : i32
  %w2 = arith.addi %w, %c1 : i32
  cf.br ^sh(%w2, %tot2 : i32, i32)
^shd:
  %b64 = arith.extui %bid : i32 to i64
  %boff = arith.muli %b64, %c4 : i64
  %o = wooly.ptradd %out, %boff : !wooly.ptr<global>, i64
  wooly.store %tot, %o {alignment = 4 : i64} : i32, !wooly.ptr<global>
  cf.br ^end
^end:
  wooly.return
}
)";

// The example histogram's shape: shared bins cleared by a loop bounded by a
// constant (no loop cut: loop-cuts.mlir checks that), a barrier, a
// grid-stride loop of shared atomics (loop cut), a barrier, the bins added
// to the global ones.
const char *const kHisto = R"(
wooly.global @bins : 16 x i32 in shared align 4
wooly.kernel @histo(%in: !wooly.ptr<global>, %out: !wooly.ptr<global>, %n: i32) {
  %tid = wooly.thread_id x : i32
  %bid = wooly.block_id x : i32
  %bdim = wooly.block_dim x : i32
  %gdim = wooly.grid_dim x : i32
  %c0 = arith.constant 0 : i32
  %c1 = arith.constant 1 : i32
  %c15 = arith.constant 15 : i32
  %c16 = arith.constant 16 : i32
  %c4 = arith.constant 4 : i64
  %s = wooly.addressof @bins : !wooly.ptr<shared>
  cf.br ^clear(%tid : i32)
^clear(%b: i32):
  %cm = arith.cmpi slt, %b, %c16 : i32
  cf.cond_br %cm, ^clearb, ^cleared
^clearb:
  %b64 = arith.extui %b : i32 to i64
  %boff = arith.muli %b64, %c4 : i64
  %bp = wooly.ptradd %s, %boff : !wooly.ptr<shared>, i64
  wooly.store %c0, %bp {alignment = 4 : i64} : i32, !wooly.ptr<shared>
  %bn = arith.addi %b, %bdim : i32
  cf.br ^clear(%bn : i32)
^cleared:
  wooly.barrier
  %base = arith.muli %bid, %bdim : i32
  %first = arith.addi %base, %tid : i32
  %stride = arith.muli %bdim, %gdim : i32
  cf.br ^head(%first : i32)
^head(%i: i32):
  %more = arith.cmpi slt, %i, %n : i32
  cf.cond_br %more, ^body, ^done
^body:
  %i64 = arith.extsi %i : i32 to i64
  %off = arith.muli %i64, %c4 : i64
  %p = wooly.ptradd %in, %off : !wooly.ptr<global>, i64
  %v = wooly.load %p {alignment = 4 : i64} : !wooly.ptr<global> -> i32
  %bin = arith.andi %v, %c15 : i32
  %k64 = arith.extui %bin : i32 to i64
  %koff = arith.muli %k64, %c4 : i64
  %kp = wooly.ptradd %s, %koff : !wooly.ptr<shared>, i64
  %old = wooly.atomic_rmw add %kp, %c1 : !wooly.ptr<shared>, i32
  %next = arith.addi %i, %stride : i32
  cf.br ^head(%next : i32)
^done:
  wooly.barrier
  cf.br ^flush(%tid : i32)
^flush(%f: i32):
  %fm = arith.cmpi slt, %f, %c16 : i32
  cf.cond_br %fm, ^flushb, ^end
^flushb:
  %f64 = arith.extui %f : i32 to i64
  %foff = arith.muli %f64, %c4 : i64
  %fp = wooly.ptradd %s, %foff : !wooly.ptr<shared>, i64
  %fv = wooly.load %fp {alignment = 4 : i64} : !wooly.ptr<shared> -> i32
  %op = wooly.ptradd %out, %foff : !wooly.ptr<global>, i64
  %old2 = wooly.atomic_rmw add %op, %fv : !wooly.ptr<global>, i32
  %fn = arith.addi %f, %bdim : i32
  cf.br ^flush(%fn : i32)
^end:
  wooly.return
}
)";

/// Runs kGridSum over n elements (3 blocks of 96 threads) and checks each
/// block's sum and the number of elements taken against a CPU reference.
static void checkGridSum(int32_t n) {
  const uint32_t blocks = 3, threads = 96, stride = blocks * threads;
  std::vector<int32_t> in(n);
  for (int32_t i = 0; i < n; ++i)
    in[i] = i % 50;
  // Sentinels (never on lane 0, which publishes its warp's sum): 37 ends
  // thread 37 of block 0 in its first iteration, 805 thread 37 of block 2
  // in its third, 300 thread 12 of block 0 in its second.
  for (int32_t i : {37, 300, 805})
    if (i < n)
      in[i] = -7;

  // The reference: each thread's sum, then the shuffle tree with exited
  // lanes as invalid sources.
  std::vector<int32_t> want(blocks);
  int32_t taken = 0;
  for (uint32_t b = 0; b < blocks; ++b) {
    int32_t blockSum = 0;
    for (uint32_t w = 0; w < threads / 32; ++w) {
      int32_t v[32];
      bool live[32];
      for (uint32_t l = 0; l < 32; ++l) {
        int32_t acc = 0;
        live[l] = true;
        for (int32_t i = b * threads + w * 32 + l; i < n; i += stride) {
          if (in[i] == -7) {
            live[l] = false;
            break;
          }
          ++taken;
          acc += in[i];
        }
        v[l] = acc;
      }
      for (uint32_t d = 16; d > 0; d /= 2) {
        int32_t next[32];
        for (uint32_t l = 0; l < 32; ++l)
          next[l] = v[l] + (l + d < 32 && live[l + d] ? v[l + d] : 0);
        std::copy(next, next + 32, v);
      }
      blockSum += v[0];
    }
    want[b] = blockSum;
  }

  auto ctx = newContext();
  exec::KernelInfo info;
  exec::FunctionId fn = loadKernel(*ctx, kGridSum, "gridsum", info);
  exec::DevicePtr inBuf = upload(*ctx, in);
  exec::DevicePtr out = upload(*ctx, std::vector<int32_t>(blocks, -1));
  exec::DevicePtr count = upload(*ctx, std::vector<int32_t>(1, 0));
  Args args(info);
  args.set(0, inBuf).set(1, out).set(2, count).set(3, n);
  exec::Status s = launch(*ctx, fn, {blocks, 1, 1}, {threads, 1, 1}, args);
  INFO("n = " << n << ": " << s.message);
  REQUIRE(s);
  CHECK(download<int32_t>(*ctx, out, blocks) == want);
  CHECK(download<int32_t>(*ctx, count, 1)[0] == taken);
}

TEST_CASE("grid-stride loops run in the GPU's order: uneven trips, exits, "
          "atomics, shuffles and a barrier after the loop",
          "[host][region][loopcut]") {
  REQUIRE(loopCutIn(kGridSum, "gridsum", Form::WarpRegions));
  checkGridSum(1000); // 3 or 4 iterations per thread
}

TEST_CASE("grid-stride loops that only some threads of a block go round run "
          "only those threads",
          "[host][region][loopcut]") {
  // The block entry runs a round without reading the threads' bytes only
  // while every thread of the block is in the loop. Here most threads leave
  // after their first iteration (n = 300: only block 0's threads 0-11 go
  // round, one of them stopped by a sentinel) or never enter (n = 200:
  // block 2's threads from 200 on; no thread goes round at all).
  checkGridSum(300);
  checkGridSum(200);
  checkGridSum(289); // thread 0 of block 0 alone goes round
}

TEST_CASE("a histogram's grid-stride loop of shared atomics gets a loop cut "
          "and counts exactly",
          "[host][region][loopcut][atomics]") {
  REQUIRE(loopCutIn(kHisto, "histo", Form::WarpRegions));

  const uint32_t blocks = 4, threads = 64;
  const int32_t n = 5003;
  std::vector<int32_t> in(n);
  std::vector<int32_t> want(16, 0);
  for (int32_t i = 0; i < n; ++i) {
    in[i] = (i * i + 3 * i) % 97;
    ++want[in[i] & 15];
  }
  auto ctx = newContext();
  exec::KernelInfo info;
  exec::FunctionId fn = loadKernel(*ctx, kHisto, "histo", info);
  exec::DevicePtr inBuf = upload(*ctx, in);
  exec::DevicePtr out = upload(*ctx, std::vector<int32_t>(16, 0));
  Args args(info);
  args.set(0, inBuf).set(1, out).set(2, n);
  exec::Status s = launch(*ctx, fn, {blocks, 1, 1}, {threads, 1, 1}, args);
  INFO(s.message);
  REQUIRE(s);
  CHECK(download<int32_t>(*ctx, out, 16) == want);
}

/// A grid-stride loop carrying `accumulators` 64-bit sums (acc_j += in[i] *
/// (j + 1)), then a barrier; each thread stores the sum of its
/// accumulators in out[global thread] (64-bit). With 260 of them the loop
/// state alone is over the 2 KiB frame limit.
std::string wideSumKernel(unsigned accumulators) {
  std::string types, zeros, args, next;
  for (unsigned j = 0; j < accumulators; ++j) {
    std::string n = std::to_string(j);
    types += ", i64";
    zeros += ", %z";
    args += ", %a" + n + ": i64";
    next += ", %b" + n;
  }
  std::string text = R"(
wooly.kernel @widesum(%in: !wooly.ptr<global>, %out: !wooly.ptr<global>, %n: i32) {
  %tid = wooly.thread_id x : i32
  %bid = wooly.block_id x : i32
  %bdim = wooly.block_dim x : i32
  %gdim = wooly.grid_dim x : i32
  %base = arith.muli %bid, %bdim : i32
  %first = arith.addi %base, %tid : i32
  %stride = arith.muli %bdim, %gdim : i32
  %z = arith.constant 0 : i64
  %c4 = arith.constant 4 : i64
  %c8 = arith.constant 8 : i64
)";
  text += "  cf.br ^head(%first" + zeros + " : i32" + types + ")\n";
  text += "^head(%i: i32" + args + "):\n";
  text += R"(  %more = arith.cmpi slt, %i, %n : i32
  cf.cond_br %more, ^body, ^done
^body:
  %i64 = arith.extsi %i : i32 to i64
  %off = arith.muli %i64, %c4 : i64
  %p = wooly.ptradd %in, %off : !wooly.ptr<global>, i64
  %v = wooly.load %p {alignment = 4 : i64} : !wooly.ptr<global> -> i32
  %v64 = arith.extsi %v : i32 to i64
)";
  for (unsigned j = 0; j < accumulators; ++j) {
    std::string n = std::to_string(j);
    text += "  %k" + n + " = arith.constant " + std::to_string(j + 1) + " : i64\n";
    text += "  %m" + n + " = arith.muli %v64, %k" + n + " : i64\n";
    text += "  %b" + n + " = arith.addi %a" + n + ", %m" + n + " : i64\n";
  }
  text += "  %inext = arith.addi %i, %stride : i32\n";
  text += "  cf.br ^head(%inext" + next + " : i32" + types + ")\n";
  text += "^done:\n  %s0 = arith.addi %z, %a0 : i64\n";
  for (unsigned j = 1; j < accumulators; ++j)
    text += "  %s" + std::to_string(j) + " = arith.addi %s" + std::to_string(j - 1) +
            ", %a" + std::to_string(j) + " : i64\n";
  text += "  wooly.barrier\n";
  text += "  %f64 = arith.extui %first : i32 to i64\n";
  text += "  %foff = arith.muli %f64, %c8 : i64\n";
  text += "  %o = wooly.ptradd %out, %foff : !wooly.ptr<global>, i64\n";
  text += "  wooly.store %s" + std::to_string(accumulators - 1) +
          ", %o {alignment = 8 : i64} : i64, !wooly.ptr<global>\n";
  text += "  wooly.return\n}\n";
  return text;
}

TEST_CASE("a kernel whose loop state does not fit the frames keeps its "
          "regions without the loop cut",
          "[host][region][loopcut]") {
  const unsigned accumulators = 260;
  std::string wis = wideSumKernel(accumulators);
  REQUIRE_FALSE(loopCutIn(wis, "widesum", Form::BarrierRegions));

  const uint32_t blocks = 2, threads = 64, stride = blocks * threads;
  const int32_t n = 1000;
  std::vector<int32_t> in(n);
  for (int32_t i = 0; i < n; ++i)
    in[i] = i % 7 - 3;
  std::vector<int64_t> want(stride, 0);
  const int64_t weights = int64_t(accumulators) * (accumulators + 1) / 2;
  for (int32_t i = 0; i < n; ++i)
    want[i % stride] += in[i] * weights;

  auto ctx = newContext();
  exec::KernelInfo info;
  exec::FunctionId fn = loadKernel(*ctx, wis, "widesum", info);
  exec::DevicePtr inBuf = upload(*ctx, in);
  exec::DevicePtr out = upload(*ctx, std::vector<int64_t>(stride, -1));
  Args args(info);
  args.set(0, inBuf).set(1, out).set(2, n);
  exec::Status s = launch(*ctx, fn, {blocks, 1, 1}, {threads, 1, 1}, args);
  INFO(s.message);
  REQUIRE(s);
  CHECK(download<int64_t>(*ctx, out, stride) == want);
}

namespace {
/// How many loop-cut induction variables the host backend of `wis`
/// recomputes from the loop round (RegionSplit.h) instead of keeping them
/// in the frames: the values it names `iv.round`, counted in the
/// unoptimized IR. Each loop's region is inlined into two thread loops of
/// the block entry (rounds with every thread in the loop, and the others),
/// so each such variable counts twice.
unsigned roundInductions(const std::string &wis) {
  mlir::DialectRegistry registry;
  registerAllWoolyDialects(registry);
  mlir::MLIRContext context(registry);
  context.loadAllAvailableDialects();
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(wis, &context);
  REQUIRE(module);
  host::HostModuleInfo info = host::analyzeHostModule(*module);
  auto machine = host::createHostTargetMachine(0);
  REQUIRE(bool(machine));
  llvm::LLVMContext llvmContext;
  auto ir = host::lowerToHostIR(*module, info, llvmContext, **machine, 0);
  if (!ir)
    FAIL(llvm::toString(ir.takeError()));
  unsigned n = 0;
  for (llvm::Function &fn : **ir)
    for (llvm::BasicBlock &bb : fn)
      for (llvm::Instruction &i : bb)
        n += i.getName().starts_with("iv.round");
  return n;
}

// Even warps run loop A (i < n: in[i]) and then loop B (j < m: 3 * in[j]),
// odd warps only loop B; both grid-stride with trip counts that differ by
// thread, then a barrier, and each thread stores its sum in out[global
// thread]. Threads reach loop B's cut in different rounds (odd warps at
// once, even ones as they leave loop A) and the two loops' cuts are waited
// at by different warps at the same time.
const char *const kTwoLoops = R"(
wooly.kernel @twoloops(%in: !wooly.ptr<global>, %out: !wooly.ptr<global>, %n: i32, %m: i32) {
  %tid = wooly.thread_id x : i32
  %bid = wooly.block_id x : i32
  %bdim = wooly.block_dim x : i32
  %gdim = wooly.grid_dim x : i32
  %base = arith.muli %bid, %bdim : i32
  %first = arith.addi %base, %tid : i32
  %stride = arith.muli %bdim, %gdim : i32
  %c0 = arith.constant 0 : i32
  %c1 = arith.constant 1 : i32
  %c3 = arith.constant 3 : i32
  %c32 = arith.constant 32 : i32
  %c4 = arith.constant 4 : i64
  %warp = arith.divui %tid, %c32 : i32
  %odd = arith.andi %warp, %c1 : i32
  %isodd = arith.cmpi ne, %odd, %c0 : i32
  cf.cond_br %isodd, ^bpre(%c0 : i32), ^ahead(%first, %c0 : i32, i32)
^ahead(%i: i32, %acc: i32):
  %amore = arith.cmpi slt, %i, %n : i32
  cf.cond_br %amore, ^abody, ^bpre(%acc : i32)
^abody:
  %i64 = arith.extsi %i : i32 to i64
  %off = arith.muli %i64, %c4 : i64
  %p = wooly.ptradd %in, %off : !wooly.ptr<global>, i64
  %v = wooly.load %p {alignment = 4 : i64} : !wooly.ptr<global> -> i32
  %acc2 = arith.addi %acc, %v : i32
  %next = arith.addi %i, %stride : i32
  cf.br ^ahead(%next, %acc2 : i32, i32)
^bpre(%from: i32):
  cf.br ^bhead(%first, %from : i32, i32)
^bhead(%j: i32, %bacc: i32):
  %bmore = arith.cmpi slt, %j, %m : i32
  cf.cond_br %bmore, ^bbody, ^done
^bbody:
  %j64 = arith.extsi %j : i32 to i64
  %joff = arith.muli %j64, %c4 : i64
  %q = wooly.ptradd %in, %joff : !wooly.ptr<global>, i64
  %w = wooly.load %q {alignment = 4 : i64} : !wooly.ptr<global> -> i32
  %w3 = arith.muli %w, %c3 : i32
  %bacc2 = arith.addi %bacc, %w3 : i32
  %jnext = arith.addi %j, %stride : i32
  cf.br ^bhead(%jnext, %bacc2 : i32, i32)
^done:
  wooly.barrier
  %f64 = arith.extui %first : i32 to i64
  %foff = arith.muli %f64, %c4 : i64
  %o = wooly.ptradd %out, %foff : !wooly.ptr<global>, i64
  wooly.store %bacc, %o {alignment = 4 : i64} : i32, !wooly.ptr<global>
  wooly.return
}
)";

// A grid-stride loop inside a loop over r = 0, 1, 2 that holds no cut:
// acc += in[i] * (r + 1). A thread that leaves the inner loop comes back
// to its header without a cut, so its rounds there do not line up with the
// other threads': its induction variable must stay in the frame.
const char *const kNestedLoop = R"(
wooly.kernel @nested(%in: !wooly.ptr<global>, %out: !wooly.ptr<global>, %n: i32) {
  %tid = wooly.thread_id x : i32
  %bid = wooly.block_id x : i32
  %bdim = wooly.block_dim x : i32
  %gdim = wooly.grid_dim x : i32
  %base = arith.muli %bid, %bdim : i32
  %first = arith.addi %base, %tid : i32
  %stride = arith.muli %bdim, %gdim : i32
  %c0 = arith.constant 0 : i32
  %c1 = arith.constant 1 : i32
  %c3 = arith.constant 3 : i32
  %c4 = arith.constant 4 : i64
  cf.br ^outer(%c0, %c0 : i32, i32)
^outer(%r: i32, %acc: i32):
  %rmore = arith.cmpi slt, %r, %c3 : i32
  cf.cond_br %rmore, ^opre, ^done
^opre:
  %k = arith.addi %r, %c1 : i32
  cf.br ^head(%first, %acc : i32, i32)
^head(%i: i32, %a: i32):
  %more = arith.cmpi slt, %i, %n : i32
  cf.cond_br %more, ^body, ^onext
^body:
  %i64 = arith.extsi %i : i32 to i64
  %off = arith.muli %i64, %c4 : i64
  %p = wooly.ptradd %in, %off : !wooly.ptr<global>, i64
  %v = wooly.load %p {alignment = 4 : i64} : !wooly.ptr<global> -> i32
  %vk = arith.muli %v, %k : i32
  %a2 = arith.addi %a, %vk : i32
  %next = arith.addi %i, %stride : i32
  cf.br ^head(%next, %a2 : i32, i32)
^onext:
  %r2 = arith.addi %r, %c1 : i32
  cf.br ^outer(%r2, %a : i32, i32)
^done:
  wooly.barrier
  %f64 = arith.extui %first : i32 to i64
  %foff = arith.muli %f64, %c4 : i64
  %o = wooly.ptradd %out, %foff : !wooly.ptr<global>, i64
  wooly.store %acc, %o {alignment = 4 : i64} : i32, !wooly.ptr<global>
  wooly.return
}
)";

// A grid-stride sum that leaves its loop two ways: past the end (to ^done)
// or at a negative element (a break to ^neg, which adds 1000 first); then
// a shuffle (xor 1: each pair of lanes adds up) and a barrier; each thread
// stores its pair's sum in out[global thread]. Both exits are loop-exit
// cuts: the values live across them reach the code after the loop.
const char *const kTwoExits = R"(
wooly.kernel @twoexits(%in: !wooly.ptr<global>, %out: !wooly.ptr<global>, %n: i32) {
  %tid = wooly.thread_id x : i32
  %bid = wooly.block_id x : i32
  %bdim = wooly.block_dim x : i32
  %gdim = wooly.grid_dim x : i32
  %base = arith.muli %bid, %bdim : i32
  %first = arith.addi %base, %tid : i32
  %stride = arith.muli %bdim, %gdim : i32
  %c0 = arith.constant 0 : i32
  %c1 = arith.constant 1 : i32
  %c31 = arith.constant 31 : i32
  %c1000 = arith.constant 1000 : i32
  %full = arith.constant -1 : i32
  %c4 = arith.constant 4 : i64
  cf.br ^head(%first, %c0 : i32, i32)
^head(%i: i32, %acc: i32):
  %more = arith.cmpi slt, %i, %n : i32
  cf.cond_br %more, ^body, ^done(%acc : i32)
^body:
  %i64 = arith.extsi %i : i32 to i64
  %off = arith.muli %i64, %c4 : i64
  %p = wooly.ptradd %in, %off : !wooly.ptr<global>, i64
  %v = wooly.load %p {alignment = 4 : i64} : !wooly.ptr<global> -> i32
  %neg = arith.cmpi slt, %v, %c0 : i32
  cf.cond_br %neg, ^negative(%acc : i32), ^take
^take:
  %acc2 = arith.addi %acc, %v : i32
  %next = arith.addi %i, %stride : i32
  cf.br ^head(%next, %acc2 : i32, i32)
^negative(%a: i32):
  %a2 = arith.addi %a, %c1000 : i32
  cf.br ^done(%a2 : i32)
^done(%r: i32):
  %g, %ok = wooly.shuffle xor %r, %c1, %c31, %full : i32
  %pair = arith.addi %r, %g : i32
  wooly.barrier
  %f64 = arith.extui %first : i32 to i64
  %foff = arith.muli %f64, %c4 : i64
  %o = wooly.ptradd %out, %foff : !wooly.ptr<global>, i64
  wooly.store %pair, %o {alignment = 4 : i64} : i32, !wooly.ptr<global>
  wooly.return
}
)";

/// Runs `kernel` (in, out, then `scalars`) on `blocks` x `threads` over
/// `in`; returns out (one int per global thread, -1 before).
std::vector<int32_t> runStrided(const std::string &wis, const std::string &kernel,
                                const std::vector<int32_t> &in, uint32_t blocks,
                                uint32_t threads, std::vector<int32_t> scalars) {
  auto ctx = newContext();
  exec::KernelInfo info;
  exec::FunctionId fn = loadKernel(*ctx, wis, kernel, info);
  exec::DevicePtr inBuf = upload(*ctx, in);
  exec::DevicePtr out = upload(*ctx, std::vector<int32_t>(blocks * threads, -1));
  Args args(info);
  args.set(0, inBuf).set(1, out);
  for (auto [k, v] : llvm::enumerate(scalars))
    args.set(2 + k, v);
  exec::Status s = launch(*ctx, fn, {blocks, 1, 1}, {threads, 1, 1}, args);
  INFO(s.message);
  REQUIRE(s);
  return download<int32_t>(*ctx, out, blocks * threads);
}

} // namespace

TEST_CASE("loop cuts take their induction variables from the round: two "
          "loops entered in different rounds by different warps",
          "[host][region][loopcut]") {
  REQUIRE(loopCutIn(kTwoLoops, "twoloops", Form::WarpRegions));
  CHECK(roundInductions(kTwoLoops) == 2 * 2);

  const uint32_t blocks = 3, threads = 96, stride = blocks * threads;
  const int32_t n = 1000, m = 700; // 2 to 4 iterations per thread and loop
  std::vector<int32_t> in(n);
  for (int32_t i = 0; i < n; ++i)
    in[i] = (i * 7) % 23 - 11;
  std::vector<int32_t> want(stride, 0);
  for (uint32_t g = 0; g < stride; ++g) {
    bool odd = (g % threads / 32) % 2 == 1;
    if (!odd)
      for (int32_t i = g; i < n; i += stride)
        want[g] += in[i];
    for (int32_t j = g; j < m; j += stride)
      want[g] += 3 * in[j];
  }
  CHECK(runStrided(kTwoLoops, "twoloops", in, blocks, threads, {n, m}) == want);
}

TEST_CASE("a grid-stride loop re-entered without a cut keeps its induction "
          "variable in the frame",
          "[host][region][loopcut]") {
  CHECK(loopCutIn(kNestedLoop, "nested", Form::WarpRegions));
  CHECK(roundInductions(kNestedLoop) == 0);

  const uint32_t blocks = 2, threads = 64, stride = blocks * threads;
  const int32_t n = 300; // 2 or 3 iterations per thread and pass
  std::vector<int32_t> in(n);
  for (int32_t i = 0; i < n; ++i)
    in[i] = i % 13 + 1;
  std::vector<int32_t> want(stride, 0);
  for (uint32_t g = 0; g < stride; ++g)
    for (int32_t r = 0; r < 3; ++r)
      for (int32_t i = g; i < n; i += stride)
        want[g] += in[i] * (r + 1);
  CHECK(runStrided(kNestedLoop, "nested", in, blocks, threads, {n}) == want);
}

TEST_CASE("a grid-stride loop left two ways (past the end, a break) before a "
          "shuffle and a barrier",
          "[host][region][loopcut]") {
  REQUIRE(loopCutIn(kTwoExits, "twoexits", Form::WarpRegions));
  CHECK(roundInductions(kTwoExits) == 1 * 2);

  const uint32_t blocks = 2, threads = 64, stride = blocks * threads;
  const int32_t n = 700; // 5 or 6 iterations per thread unless one breaks
  std::vector<int32_t> in(n);
  for (int32_t i = 0; i < n; ++i)
    in[i] = (i * 5) % 17;
  for (int32_t i : {3, 130, 131, 400, 699}) // breaks in rounds 1, 2, 4, 6
    in[i] = -1;
  std::vector<int32_t> sums(stride, 0);
  for (uint32_t g = 0; g < stride; ++g)
    for (int32_t i = g; i < n; i += stride) {
      if (in[i] < 0) {
        sums[g] += 1000;
        break;
      }
      sums[g] += in[i];
    }
  std::vector<int32_t> want(stride);
  for (uint32_t g = 0; g < stride; ++g)
    want[g] = sums[g] + sums[g ^ 1];
  CHECK(runStrided(kTwoExits, "twoexits", in, blocks, threads, {n}) == want);
}

TEST_CASE("many shuffle sites run through one dispatching loop nest",
          "[host][region][warp]") {
  const int steps = 9, threads = 96;
  std::string wis = butterflyKernel(steps);
  REQUIRE_FORM(wis, "butterfly", Form::WarpRegions);
  std::vector<int32_t> out = runOnBuffer(wis, "butterfly", 1, threads, threads);
  // The same butterflies on the CPU, warp by warp.
  std::vector<uint32_t> v(threads);
  for (int t = 0; t < threads; ++t)
    v[t] = static_cast<uint32_t>(t) - 1;
  for (int k = 0; k < steps; ++k) {
    std::vector<uint32_t> next(threads);
    for (int t = 0; t < threads; ++t)
      next[t] = v[t] + v[(t & ~31) | ((t & 31) ^ (1 << (k % 5)))];
    v = next;
  }
  for (int t = 0; t < threads; ++t) {
    INFO("thread " << t);
    CHECK(static_cast<uint32_t>(out[t]) == v[t] - 1);
  }
}

TEST_CASE("barrier kernels with many barrier sites and exited threads",
          "[host][region][barrier]") {
  for (int rounds : {2, 5}) {
    INFO("rounds " << rounds);
    std::string wis = ringKernel(rounds);
    REQUIRE_FORM(wis, "ring", Form::BarrierRegions);
    std::vector<int32_t> out = runOnBuffer(wis, "ring", 2, 64, 64);
    for (int t = 0; t < 64; ++t) {
      INFO("thread " << t);
      CHECK(out[t] == (t < 48 ? (t + rounds) % 48 : -1));
    }
  }
}

TEST_CASE("shared-memory atomics in barrier regions count exactly",
          "[host][region][atomics]") {
  REQUIRE_FORM(kSharedAtomics, "tally", Form::BarrierRegions);
  std::vector<int32_t> out = runOnBuffer(kSharedAtomics, "tally", 1, 256, 9);
  for (int b = 0; b < 8; ++b)
    CHECK(out[b] == 32);
  CHECK(out[8] == 255);
}

TEST_CASE("halves of a warp shuffle at different sites with partial masks",
          "[host][region][warp]") {
  REQUIRE_FORM(kHalves, "halves", Form::WarpRegions);
  const int threads = 64;
  std::vector<int32_t> out = runOnBuffer(kHalves, "halves", 1, threads, threads * 2);
  for (int t = 0; t < threads; ++t) {
    int lane = t % 32;
    INFO("thread " << t);
    if (lane < 16) {
      // Lane 15's source (16) is outside the mask: own value, invalid.
      CHECK(out[2 * t] == (lane < 15 ? (t + 1) * 10 : t * 10));
      CHECK(out[2 * t + 1] == (lane < 15 ? 1 : 0));
    } else {
      // Lane 16's source (15) is outside the mask.
      CHECK(out[2 * t] == (lane > 16 ? (t - 1) * 10 : t * 10));
      CHECK(out[2 * t + 1] == (lane > 16 ? 1 : 0));
    }
  }
}

TEST_CASE("shuffles honour PTX's clamp and segment rules in regions",
          "[host][region][warp]") {
  REQUIRE_FORM(kSegments, "segments", Form::WarpRegions);
  const int threads = 64;
  std::vector<int32_t> out = runOnBuffer(kSegments, "segments", 1, threads, threads * 8);
  for (int t = 0; t < threads; ++t) {
    int lane = t % 32, base = t - lane;
    auto v = [&](int l) { return (base + l) * 10; };
    INFO("thread " << t);
    CHECK(out[8 * t + 0] == v((lane & ~7) + 3));
    CHECK(out[8 * t + 1] == 1);
    bool down = lane % 16 < 12;
    CHECK(out[8 * t + 2] == (down ? v(lane + 4) : v(lane)));
    CHECK(out[8 * t + 3] == (down ? 1 : 0));
    // xor 16 stays below maxLane only in the upper segment.
    CHECK(out[8 * t + 4] == (lane >= 16 ? v(lane - 16) : v(lane)));
    CHECK(out[8 * t + 5] == (lane >= 16 ? 1 : 0));
    bool up = lane % 8 >= 2;
    CHECK(out[8 * t + 6] == (up ? v(lane - 2) : v(lane)));
    CHECK(out[8 * t + 7] == (up ? 1 : 0));
  }
}

TEST_CASE("a warp-0-only shuffle reduction after a block barrier",
          "[host][region][warp][barrier]") {
  REQUIRE_FORM(kWarp0Sum, "warp0sum", Form::WarpRegions);
  const int blocks = 3;
  std::vector<int32_t> out = runOnBuffer(kWarp0Sum, "warp0sum", blocks, 128, blocks);
  for (int b = 0; b < blocks; ++b)
    CHECK(out[b] == 128 * 129 / 2);
}

TEST_CASE("activemask and votes after lanes exited", "[host][region][warp]") {
  REQUIRE_FORM(kActive, "active", Form::WarpRegions);
  std::vector<int32_t> out = runOnBuffer(kActive, "active", 1, 32, 64);
  for (int lane = 0; lane < 32; ++lane) {
    INFO("lane " << lane);
    if (lane < 20) {
      CHECK(static_cast<uint32_t>(out[2 * lane]) == 0xFFFFFu);
      CHECK(static_cast<uint32_t>(out[2 * lane + 1]) == 0xAAAAAu);
    } else {
      CHECK(out[2 * lane] == -1);
      CHECK(out[2 * lane + 1] == -1);
    }
  }
}

TEST_CASE("a shuffle waiting for lanes held at a barrier is a launch failure",
          "[host][region][warp]") {
  REQUIRE_FORM(kStuck, "stuck", Form::WarpRegions);
  exec::Status s;
  runOnBuffer(kStuck, "stuck", 1, 32, 32, &s);
  REQUIRE_FALSE(s);
  CHECK(s.code == exec::ErrorCode::LaunchFailure);
  CHECK(s.message.find("deadlock") != std::string::npos);
}

TEST_CASE("block reductions (bar.red) stay on fibers", "[host][region]") {
  REQUIRE_FORM(kBarRed, "popc", Form::Fibers);
  std::vector<int32_t> out = runOnBuffer(kBarRed, "popc", 1, 64, 64);
  for (int t = 0; t < 64; ++t)
    CHECK(out[t] == 32);
}

namespace {

// Block-loop kernels with a grid-stride loop (FirstRound.h): every thread's
// first round in one pass over the block, the rest for the threads that
// go round again. @scale carries only its index; @sum also a running sum,
// leaves the thread at a sentinel (-7) and stores the sum and the index it
// left with after the loop; @bounded reads its bound from memory before the
// loop, which the rest variant could not read again, so it keeps the
// plain form.
const char *const kFirstRound = R"(
wooly.kernel @scale(%data: !wooly.ptr<global>, %n: i32) {
  %tid = wooly.thread_id x : i32
  %bid = wooly.block_id x : i32
  %bdim = wooly.block_dim x : i32
  %gdim = wooly.grid_dim x : i32
  %base = arith.muli %bid, %bdim : i32
  %first = arith.addi %base, %tid : i32
  %stride = arith.muli %bdim, %gdim : i32
  %c1 = arith.constant 1 : i32
  %c3 = arith.constant 3 : i32
  %c4 = arith.constant 4 : i64
  %any = arith.cmpi slt, %first, %n : i32
  cf.cond_br %any, ^body(%first : i32), ^done
^body(%i: i32):
  %i64 = arith.extsi %i : i32 to i64
  %off = arith.muli %i64, %c4 : i64
  %p = wooly.ptradd %data, %off : !wooly.ptr<global>, i64
  %v = wooly.load %p {alignment = 4 : i64} : !wooly.ptr<global> -> i32
  %m = arith.muli %v, %c3 : i32
  %w = arith.addi %m, %c1 : i32
  wooly.store %w, %p {alignment = 4 : i64} : i32, !wooly.ptr<global>
  %next = arith.addi %i, %stride : i32
  %more = arith.cmpi slt, %next, %n : i32
  cf.cond_br %more, ^body(%next : i32), ^done
^done:
  wooly.return
}
wooly.kernel @sum(%data: !wooly.ptr<global>, %out: !wooly.ptr<global>, %n: i32) {
  %tid = wooly.thread_id x : i32
  %bid = wooly.block_id x : i32
  %bdim = wooly.block_dim x : i32
  %gdim = wooly.grid_dim x : i32
  %base = arith.muli %bid, %bdim : i32
  %first = arith.addi %base, %tid : i32
  %stride = arith.muli %bdim, %gdim : i32
  %c0 = arith.constant 0 : i32
  %c1 = arith.constant 1 : i32
  %c3 = arith.constant 3 : i32
  %c4 = arith.constant 4 : i64
  %c8 = arith.constant 8 : i64
  %stop = arith.constant -7 : i32
  %any = arith.cmpi slt, %first, %n : i32
  cf.cond_br %any, ^body(%first, %c0 : i32, i32), ^done(%first, %c0 : i32, i32)
^body(%i: i32, %acc: i32):
  %i64 = arith.extsi %i : i32 to i64
  %off = arith.muli %i64, %c4 : i64
  %p = wooly.ptradd %data, %off : !wooly.ptr<global>, i64
  %v = wooly.load %p {alignment = 4 : i64} : !wooly.ptr<global> -> i32
  %quit = arith.cmpi eq, %v, %stop : i32
  cf.cond_br %quit, ^bye, ^take
^bye:
  wooly.exit
^take:
  %m = arith.muli %v, %c3 : i32
  %w = arith.addi %m, %c1 : i32
  wooly.store %w, %p {alignment = 4 : i64} : i32, !wooly.ptr<global>
  %acc2 = arith.addi %acc, %v : i32
  %next = arith.addi %i, %stride : i32
  %more = arith.cmpi slt, %next, %n : i32
  cf.cond_br %more, ^body(%next, %acc2 : i32, i32), ^done(%next, %acc2 : i32, i32)
^done(%last: i32, %total: i32):
  %g64 = arith.extui %first : i32 to i64
  %goff = arith.muli %g64, %c8 : i64
  %q = wooly.ptradd %out, %goff : !wooly.ptr<global>, i64
  wooly.store %total, %q {alignment = 4 : i64} : i32, !wooly.ptr<global>
  %q2 = wooly.ptradd %q, %c4 : !wooly.ptr<global>, i64
  wooly.store %last, %q2 {alignment = 4 : i64} : i32, !wooly.ptr<global>
  wooly.return
}
wooly.kernel @bounded(%data: !wooly.ptr<global>, %np: !wooly.ptr<global>) {
  %n = wooly.load %np {alignment = 4 : i64} : !wooly.ptr<global> -> i32
  %tid = wooly.thread_id x : i32
  %bid = wooly.block_id x : i32
  %bdim = wooly.block_dim x : i32
  %gdim = wooly.grid_dim x : i32
  %base = arith.muli %bid, %bdim : i32
  %first = arith.addi %base, %tid : i32
  %stride = arith.muli %bdim, %gdim : i32
  %c1 = arith.constant 1 : i32
  %c3 = arith.constant 3 : i32
  %c4 = arith.constant 4 : i64
  %any = arith.cmpi slt, %first, %n : i32
  cf.cond_br %any, ^body(%first : i32), ^done
^body(%i: i32):
  %i64 = arith.extsi %i : i32 to i64
  %off = arith.muli %i64, %c4 : i64
  %p = wooly.ptradd %data, %off : !wooly.ptr<global>, i64
  %v = wooly.load %p {alignment = 4 : i64} : !wooly.ptr<global> -> i32
  %m = arith.muli %v, %c3 : i32
  %w = arith.addi %m, %c1 : i32
  wooly.store %w, %p {alignment = 4 : i64} : i32, !wooly.ptr<global>
  %next = arith.addi %i, %stride : i32
  %more = arith.cmpi slt, %next, %n : i32
  cf.cond_br %more, ^body(%next : i32), ^done
^done:
  wooly.return
}
)";

/// Whether kernel `kernel` of `wis` gets the first-round block loops (its
/// block entry has the first round's thread loop).
bool hasFirstRound(const std::string &wis, const std::string &kernel) {
  REQUIRE_FORM(wis, kernel, Form::BlockLoops);
  mlir::DialectRegistry registry;
  registerAllWoolyDialects(registry);
  mlir::MLIRContext context(registry);
  context.loadAllAvailableDialects();
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(wis, &context);
  REQUIRE(module);
  host::HostModuleInfo info = host::analyzeHostModule(*module);
  auto machine = host::createHostTargetMachine(0);
  REQUIRE(bool(machine));
  llvm::LLVMContext llvmContext;
  auto ir = host::lowerToHostIR(*module, info, llvmContext, **machine, 0);
  if (!ir)
    FAIL(llvm::toString(ir.takeError()));
  llvm::Function *entry = (*ir)->getFunction(host::kBlockEntryPrefix + kernel);
  REQUIRE(entry);
  bool first = false, rest = false;
  for (llvm::BasicBlock &bb : *entry) {
    first |= bb.getName() == "x.first";
    rest |= bb.getName() == "x.next";
  }
  CHECK(first == rest);
  return first;
}

/// The values thread-strided kernels leave: each element of `data` the
/// threads reach becomes 3v+1, up to a -7 that ends its thread (`exits`).
struct Strided {
  std::vector<int32_t> data, out;
};
Strided stridedReference(std::vector<int32_t> data, int32_t n, uint32_t threads,
                         bool exits) {
  Strided r;
  r.out.assign(2 * threads, -1);
  for (uint32_t g = 0; g < threads; ++g) {
    int32_t acc = 0, i = g;
    bool left = false;
    for (; i < n; i += threads) {
      if (exits && data[i] == -7) {
        left = true;
        break;
      }
      acc += data[i];
      data[i] = data[i] * 3 + 1;
    }
    if (!left) {
      r.out[2 * g] = acc;
      r.out[2 * g + 1] = i;
    }
  }
  r.data = std::move(data);
  return r;
}

} // namespace

TEST_CASE("a grid-stride block-loop kernel runs a first round for every "
          "thread, then rounds for the rest: one, two and uneven trips, early "
          "exits, a second carried value",
          "[host][firstround]") {
  CHECK(hasFirstRound(kFirstRound, "scale"));
  CHECK(hasFirstRound(kFirstRound, "sum"));
  const uint32_t blocks = 4, threads = 64, total = blocks * threads;
  // 0 or 1 trips, exactly 1, exactly 2, 2 or 3.
  for (int32_t n : {100, 256, 512, 700}) {
    INFO("n = " << n);
    std::vector<int32_t> data(n);
    for (int32_t i = 0; i < n; ++i)
      data[i] = i % 37;
    // Thread 5 leaves in its first round, thread 9 in its second (where
    // there is one), thread 200 in its third.
    for (int32_t i : {5, 9 + 256, 200 + 512})
      if (i < n)
        data[i] = -7;

    auto ctx = newContext();
    exec::KernelInfo info;
    {
      Strided want = stridedReference(data, n, total, false);
      exec::FunctionId fn = loadKernel(*ctx, kFirstRound, "scale", info);
      exec::DevicePtr buf = upload(*ctx, data);
      Args args(info);
      args.set(0, buf).set(1, n);
      exec::Status s = launch(*ctx, fn, {blocks, 1, 1}, {threads, 1, 1}, args);
      INFO(s.message);
      REQUIRE(s);
      CHECK(download<int32_t>(*ctx, buf, n) == want.data);
    }
    {
      Strided want = stridedReference(data, n, total, true);
      exec::FunctionId fn = loadKernel(*ctx, kFirstRound, "sum", info);
      exec::DevicePtr buf = upload(*ctx, data);
      exec::DevicePtr out = upload(*ctx, std::vector<int32_t>(2 * total, -1));
      Args args(info);
      args.set(0, buf).set(1, out).set(2, n);
      exec::Status s = launch(*ctx, fn, {blocks, 1, 1}, {threads, 1, 1}, args);
      INFO(s.message);
      REQUIRE(s);
      CHECK(download<int32_t>(*ctx, buf, n) == want.data);
      CHECK(download<int32_t>(*ctx, out, 2 * total) == want.out);
    }
  }
}

TEST_CASE("a grid-stride block-loop kernel on a grid smaller than its data "
          "runs many rounds: carried sums, uneven trips, exits in late rounds",
          "[host][firstround]") {
  // 64 blocks of 256 over 100000 elements: 6 or 7 rounds per thread; one
  // block of 32 threads: 3125 rounds, one thread after another in each.
  struct Launch {
    uint32_t blocks, threads;
  };
  const int32_t n = 100000;
  for (Launch l : {Launch{64, 256}, Launch{1, 32}}) {
    const uint32_t total = l.blocks * l.threads;
    INFO("blocks = " << l.blocks << ", threads = " << l.threads);
    std::vector<int32_t> data(n);
    for (int32_t i = 0; i < n; ++i)
      data[i] = (i * 7) % 41;
    // Threads leaving in their 4th round and in their last (7th or 3125th).
    for (int32_t i : {int32_t(3 + 3 * total), int32_t(17 + 3 * total), n - 1, n - 40})
      data[i] = -7;
    auto ctx = newContext();
    exec::KernelInfo info;
    for (bool exits : {false, true}) {
      INFO("exits = " << exits);
      std::vector<int32_t> input = data;
      if (!exits)
        for (int32_t &v : input)
          v = v == -7 ? 5 : v;
      Strided want = stridedReference(input, n, total, exits);
      exec::FunctionId fn = loadKernel(*ctx, kFirstRound, "sum", info);
      exec::DevicePtr buf = upload(*ctx, input);
      exec::DevicePtr out = upload(*ctx, std::vector<int32_t>(2 * total, -1));
      Args args(info);
      args.set(0, buf).set(1, out).set(2, n);
      exec::Status s = launch(*ctx, fn, {l.blocks, 1, 1}, {l.threads, 1, 1}, args);
      INFO(s.message);
      REQUIRE(s);
      CHECK(download<int32_t>(*ctx, buf, n) == want.data);
      CHECK(download<int32_t>(*ctx, out, 2 * total) == want.out);
    }
  }
}

TEST_CASE("a grid-stride kernel that reads memory before its loop keeps the "
          "plain block loops and runs right",
          "[host][firstround]") {
  CHECK_FALSE(hasFirstRound(kFirstRound, "bounded"));
  const uint32_t blocks = 2, threads = 32;
  const int32_t n = 150;
  std::vector<int32_t> data(n);
  for (int32_t i = 0; i < n; ++i)
    data[i] = i;
  Strided want = stridedReference(data, n, blocks * threads, false);
  auto ctx = newContext();
  exec::KernelInfo info;
  exec::FunctionId fn = loadKernel(*ctx, kFirstRound, "bounded", info);
  exec::DevicePtr buf = upload(*ctx, data);
  exec::DevicePtr np = upload(*ctx, std::vector<int32_t>{n});
  Args args(info);
  args.set(0, buf).set(1, np);
  exec::Status s = launch(*ctx, fn, {blocks, 1, 1}, {threads, 1, 1}, args);
  INFO(s.message);
  REQUIRE(s);
  CHECK(download<int32_t>(*ctx, buf, n) == want.data);
}
