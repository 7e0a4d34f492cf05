//===- HostBench.cpp - Host backend vs native C++ on the same threads -----===//
//
// Each example kernel (from its nvcc PTX, through the PTX front end and the
// host executor) against a plain C++ implementation of the same algorithm,
// compiled -O3 and run on as many threads as the executor has workers, in
// the same process. Prints wooly/native per kernel and what address fencing
// costs (the same launches in a context with fencing off), then the JIT
// compile time and the cache-hit times (memory and disk).
//
//===----------------------------------------------------------------------===//

#include "compiler/ptx/Translate.h"
#include "dialects/wooly/WoolyDialect.h"
#include "runtime/exec/Executor.h"
#include "runtime/exec/host/HostExecutor.h"

#include "mlir/Bytecode/BytecodeWriter.h"
#include "mlir/IR/MLIRContext.h"

#include <llvm/Support/raw_ostream.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>
#include <thread>
#include <unistd.h>

using namespace wooly;

namespace {

double now() {
  return std::chrono::duration<double>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

/// Best of `reps` runs, in seconds.
double timeBest(int reps, const std::function<void()> &f) {
  f(); // warm up
  double best = 1e30;
  for (int i = 0; i < reps; ++i) {
    double t0 = now();
    f();
    best = std::min(best, now() - t0);
  }
  return best;
}

void parallelFor(unsigned threads, int64_t n,
                 const std::function<void(int64_t, int64_t)> &body) {
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      int64_t lo = n * t / threads, hi = n * (t + 1) / threads;
      body(lo, hi);
    });
  for (auto &t : pool)
    t.join();
}

[[noreturn]] void die(const std::string &what) {
  std::fprintf(stderr, "wooly-bench-host: %s\n", what.c_str());
  std::exit(1);
}

void check(const exec::Status &s, const char *what) {
  if (!s)
    die(std::string(what) + ": " + s.message);
}

struct Module {
  std::string bytecode;
  std::vector<std::string> kernels;
};

bool translate(const std::string &path, Module &out) {
  std::ifstream in(path);
  if (!in)
    return false;
  std::stringstream text;
  text << in.rdbuf();
  mlir::DialectRegistry registry;
  ptx::registerTranslationDialects(registry);
  mlir::MLIRContext context(registry);
  std::string errors;
  auto module = ptx::translatePTX(text.str(), path, context, {}, &errors);
  if (mlir::failed(module))
    die("cannot translate " + path + ":\n" + errors);
  for (KernelOp k : (**module).getOps<KernelOp>())
    out.kernels.push_back(k.getSymName().str());
  llvm::raw_string_ostream os(out.bytecode);
  if (mlir::failed(mlir::writeBytecodeToFile(**module, os)))
    die("cannot write bytecode");
  return true;
}

class Runner {
public:
  Runner(exec::Executor &executor, bool fencing = true) {
    exec::ContextOptions options;
    options.addressFencing = fencing;
    check(executor.createContext(options, ctx), "createContext");
  }
  exec::FunctionId load(const Module &m, const std::string &part,
                        exec::KernelInfo &info) {
    exec::ModuleId id;
    check(ctx->loadModule({reinterpret_cast<const uint8_t *>(m.bytecode.data()),
                           m.bytecode.size()},
                          id),
          "loadModule");
    for (const auto &k : m.kernels)
      if (k.find(part) != std::string::npos) {
        exec::FunctionId fn;
        check(ctx->getFunction(id, k, fn, info), "getFunction");
        return fn;
      }
    die("no kernel " + part);
  }
  template <typename T> exec::DevicePtr upload(const std::vector<T> &v) {
    exec::DevicePtr p;
    check(ctx->allocate(v.size() * sizeof(T), p), "allocate");
    check(ctx->copyToDevice(p, v.data(), v.size() * sizeof(T), 0), "copy");
    check(ctx->synchronize(0), "sync");
    return p;
  }
  std::vector<uint8_t> args(const exec::KernelInfo &info,
                            std::vector<std::pair<const void *, size_t>> values) {
    std::vector<uint8_t> buffer(info.argBufferSize);
    for (size_t i = 0; i < values.size(); ++i)
      std::memcpy(buffer.data() + info.params[i].offset, values[i].first,
                  values[i].second);
    return buffer;
  }
  void run(exec::FunctionId fn, exec::Dim3 grid, exec::Dim3 block,
           const std::vector<uint8_t> &args) {
    exec::LaunchConfig config;
    config.grid = grid;
    config.block = block;
    check(ctx->launch(fn, config, args, 0), "launch");
    check(ctx->synchronize(0), "kernel");
  }
  std::unique_ptr<exec::Context> ctx;
};

template <typename T> std::pair<const void *, size_t> arg(const T &v) {
  return {&v, sizeof(T)};
}

std::vector<float> randomFloats(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(-1, 1);
  std::vector<float> v(n);
  for (auto &x : v)
    x = d(rng);
  return v;
}

/// `wooly` runs with address fencing (the default), `unfenced` without, so
/// the last column is what the fence costs on this kernel.
void report(const char *name, const char *kind, double wooly, double native,
            double unfenced) {
  std::printf("%-20s %-14s wooly %9.3f ms  native %9.3f ms  ratio %5.2fx  "
              "fenced/unfenced %5.3fx\n",
              name, kind, wooly * 1e3, native * 1e3, wooly / native,
              wooly / unfenced);
}

} // namespace

int main(int argc, char **argv) {
  std::string dir = argc > 1 ? argv[1] : WOOLY_EXAMPLE_DIR "/ptx";
  if (!std::filesystem::exists(dir + "/saxpy.sm_75.ptx")) {
    std::printf("wooly-bench-host: skipped, no example PTX in %s (needs nvcc)\n",
                dir.c_str());
    return 0;
  }
  unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  // WOOLY_BENCH_THREADS=<n>: fewer workers (and native threads), e.g. one,
  // which a busy shared machine disturbs less than all of its cores.
  if (const char *text = std::getenv("WOOLY_BENCH_THREADS"); text && std::atoi(text) > 0)
    threads = std::atoi(text);
  std::string cache = "/tmp/wooly-bench-host-" + std::to_string(getpid());
  exec::ExecutorOptions options;
  options.workerThreads = threads;
  options.cacheDir = cache;
  std::unique_ptr<exec::Executor> executor;
  check(exec::createExecutor("host", options, executor), "createExecutor");
  std::printf("host backend vs native C++ (-O3), %u threads, %s\n", threads,
              executor->info().name.c_str());
  Runner r(*executor);
  Runner ru(*executor, /*fencing=*/false);
  // WOOLY_BENCH_ONLY=<kernel> runs that kernel's section alone (no compile
  // timing) and WOOLY_BENCH_REPS=<n> sets the repetitions: under
  // `valgrind --tool=callgrind` the difference between two repetition
  // counts is the instructions of the extra launches alone, a number the
  // noise of a shared machine does not move.
  const char *only = std::getenv("WOOLY_BENCH_ONLY");
  // WOOLY_BENCH_ONLY names a row or the start of rows' names ("saxpy" runs
  // both saxpy rows).
  auto want = [&](const char *name) {
    return !only || std::strncmp(only, name, std::strlen(only)) == 0;
  };
  const char *repsText = std::getenv("WOOLY_BENCH_REPS");
  const int reps = repsText ? std::max(1, std::atoi(repsText)) : 5;

  auto modulePath = [&](const char *name) {
    return dir + "/" + name + ".sm_75.ptx";
  };

  // Compile time and cache hits, on the biggest module.
  if (!only) {
    Module m;
    translate(modulePath("matmul_tiled"), m);
    exec::KernelInfo info;
    double t0 = now();
    r.load(m, "matmulTiled", info);
    double compile = now() - t0;
    t0 = now();
    r.load(m, "matmulTiled", info);
    double memoryHit = now() - t0;
    std::unique_ptr<exec::Executor> second;
    check(exec::createExecutor("host", options, second), "createExecutor");
    Runner r2(*second);
    t0 = now();
    r2.load(m, "matmulTiled", info);
    double diskHit = now() - t0;
    auto counters = exec::host::compileCounters(*second);
    std::printf("%-20s compile %8.1f ms  memory-cache hit %6.3f ms  disk-cache "
                "hit %6.1f ms (%s)\n",
                "jit matmul_tiled", compile * 1e3, memoryHit * 1e3, diskHit * 1e3,
                counters.diskHits == 1 ? "no recompilation" : "RECOMPILED");
  }

  const int n = 1 << 22;
  std::vector<float> a = randomFloats(n, 1), b = randomFloats(n, 2), c(n);
  if (want("vector_add")) { // vector add
    Module m;
    translate(modulePath("vector_add"), m);
    exec::KernelInfo info;
    // The same launches with address fencing on (r) and off (ru).
    auto timeOn = [&](Runner &rr) {
      exec::FunctionId fn = rr.load(m, "vectorAdd", info);
      exec::DevicePtr da = rr.upload(a), db = rr.upload(b), dc = rr.upload(c);
      auto args = rr.args(info, {arg(da), arg(db), arg(dc), arg(n)});
      return timeBest(reps, [&] { rr.run(fn, {(n + 255) / 256, 1, 1}, {256, 1, 1}, args); });
    };
    double w = timeOn(r), unfenced = timeOn(ru);
    double nat = timeBest(reps, [&] {
      parallelFor(threads, n, [&](int64_t lo, int64_t hi) {
        for (int64_t i = lo; i < hi; ++i)
          c[i] = a[i] + b[i];
      });
    });
    report("vector_add", "barrier-free", w, nat, unfenced);
  }
  // saxpy twice: one thread per element, and the launch examples/saxpy.cu
  // and most CUDA code use, a fixed grid whose threads stride over the data
  // (256 rounds per thread here), which times the block entry's handling of
  // threads that go round again. The native baseline is the same for both.
  auto saxpy = [&](const char *name, exec::Dim3 grid) {
    Module m;
    translate(modulePath("saxpy"), m);
    exec::KernelInfo info;
    std::vector<float> y = b;
    float alpha = 1.5f;
    // The same launches with address fencing on (r) and off (ru).
    auto timeOn = [&](Runner &rr) {
      exec::FunctionId fn = rr.load(m, "saxpy", info);
      exec::DevicePtr dx = rr.upload(a), dy = rr.upload(b);
      auto args = rr.args(info, {arg(n), arg(alpha), arg(dx), arg(dy)});
      return timeBest(reps, [&] { rr.run(fn, grid, {256, 1, 1}, args); });
    };
    double w = timeOn(r), unfenced = timeOn(ru);
    double nat = timeBest(reps, [&] {
      parallelFor(threads, n, [&](int64_t lo, int64_t hi) {
        for (int64_t i = lo; i < hi; ++i)
          y[i] = alpha * a[i] + y[i];
      });
    });
    report(name, "barrier-free", w, nat, unfenced);
  };
  if (want("saxpy"))
    saxpy("saxpy", {uint32_t((n + 255) / 256), 1, 1});
  if (want("saxpy (64 blocks)"))
    saxpy("saxpy (64 blocks)", {64, 1, 1});
  if (want("matmul_tiled")) { // tiled matmul
    const int m = 256, nn = 256, k = 256;
    std::vector<float> A = randomFloats(m * k, 3), B = randomFloats(k * nn, 4),
                       C(m * nn);
    Module mod;
    translate(modulePath("matmul_tiled"), mod);
    exec::KernelInfo info;
    // The same launches with address fencing on (r) and off (ru).
    auto timeOn = [&](Runner &rr) {
      exec::FunctionId fn = rr.load(mod, "matmulTiled", info);
      exec::DevicePtr dA = rr.upload(A), dB = rr.upload(B), dC = rr.upload(C);
      auto args = rr.args(info, {arg(dA), arg(dB), arg(dC), arg(m), arg(nn), arg(k)});
      return timeBest(reps, [&] { rr.run(fn, {nn / 16, m / 16, 1}, {16, 16, 1}, args); });
    };
    double w = timeOn(r), unfenced = timeOn(ru);
    double nat = timeBest(reps, [&] {
      // The same 16x16 tiling, one tile of C per task.
      parallelFor(threads, (m / 16) * (nn / 16), [&](int64_t lo, int64_t hi) {
        float tA[16][16], tB[16][16];
        for (int64_t t = lo; t < hi; ++t) {
          int br = int(t / (nn / 16)), bc = int(t % (nn / 16));
          float acc[16][16] = {};
          for (int kt = 0; kt < k / 16; ++kt) {
            for (int y = 0; y < 16; ++y)
              for (int x = 0; x < 16; ++x) {
                tA[y][x] = A[(br * 16 + y) * k + kt * 16 + x];
                tB[y][x] = B[(kt * 16 + y) * nn + bc * 16 + x];
              }
            for (int y = 0; y < 16; ++y)
              for (int i = 0; i < 16; ++i)
                for (int x = 0; x < 16; ++x)
                  acc[y][x] += tA[y][i] * tB[i][x];
          }
          for (int y = 0; y < 16; ++y)
            for (int x = 0; x < 16; ++x)
              C[(br * 16 + y) * nn + bc * 16 + x] = acc[y][x];
        }
      });
    });
    report("matmul_tiled", "barriers", w, nat, unfenced);
  }
  if (want("reduction_shuffle")) { // block reduction with shuffles
    Module mod;
    translate(modulePath("reduction_shuffle"), mod);
    exec::KernelInfo info;
    std::vector<int64_t> partial(threads);
    std::vector<int32_t> in(n);
    for (int i = 0; i < n; ++i)
      in[i] = i % 1000;
    const int blocks = 64;
    // The same launches with address fencing on (r) and off (ru).
    auto timeOn = [&](Runner &rr) {
      exec::FunctionId fn = rr.load(mod, "sumKernel", info);
      exec::DevicePtr din = rr.upload(in), dout = rr.upload(std::vector<int64_t>(blocks));
      auto args = rr.args(info, {arg(din), arg(dout), arg(n)});
      return timeBest(reps, [&] { rr.run(fn, {blocks, 1, 1}, {256, 1, 1}, args); });
    };
    double w = timeOn(r), unfenced = timeOn(ru);
    double nat = timeBest(reps, [&] {
      parallelFor(threads, n, [&](int64_t lo, int64_t hi) {
        int64_t s = 0;
        for (int64_t i = lo; i < hi; ++i)
          s += in[i];
        partial[lo * threads / n] = s;
      });
    });
    report("reduction_shuffle", "shuffles", w, nat, unfenced);
  }
  if (want("histogram")) { // histogram with shared atomics
    Module mod;
    translate(modulePath("histogram_shared_atomics"), mod);
    exec::KernelInfo info;
    std::vector<uint32_t> bins(256);
    std::vector<uint8_t> data(n);
    std::mt19937 rng(5);
    for (auto &v : data)
      v = uint8_t(rng());
    // The same launches with address fencing on (r) and off (ru).
    auto timeOn = [&](Runner &rr) {
      exec::FunctionId fn = rr.load(mod, "histogram", info);
      exec::DevicePtr dd = rr.upload(data), db = rr.upload(std::vector<uint32_t>(256));
      auto args = rr.args(info, {arg(dd), arg(n), arg(db)});
      return timeBest(reps, [&] { rr.run(fn, {64, 1, 1}, {256, 1, 1}, args); });
    };
    double w = timeOn(r), unfenced = timeOn(ru);
    double nat = timeBest(reps, [&] {
      std::vector<std::vector<uint32_t>> local(threads, std::vector<uint32_t>(256));
      parallelFor(threads, n, [&](int64_t lo, int64_t hi) {
        auto &h = local[lo * threads / n];
        for (int64_t i = lo; i < hi; ++i)
          h[data[i]]++;
      });
      for (auto &h : local)
        for (int i = 0; i < 256; ++i)
          bins[i] += h[i];
    });
    report("histogram", "shared atomics", w, nat, unfenced);
  }
  if (want("stencil_2d")) { // 5-point stencil
    const int w = 2048, h = 1024;
    std::vector<float> in = randomFloats(size_t(w) * h, 9), out(size_t(w) * h);
    Module mod;
    translate(modulePath("stencil_2d"), mod);
    exec::KernelInfo info;
    // The same launches with address fencing on (r) and off (ru).
    auto timeOn = [&](Runner &rr) {
      exec::FunctionId fn = rr.load(mod, "jacobiStep", info);
      exec::DevicePtr din = rr.upload(in), dout = rr.upload(out);
      auto args = rr.args(info, {arg(din), arg(dout), arg(w), arg(h)});
      return timeBest(reps, [&] { rr.run(fn, {w / 16, h / 16, 1}, {16, 16, 1}, args); });
    };
    double wt = timeOn(r), unfenced = timeOn(ru);
    double nat = timeBest(reps, [&] {
      parallelFor(threads, h, [&](int64_t lo, int64_t hi) {
        for (int64_t y = lo; y < hi; ++y)
          for (int x = 0; x < w; ++x) {
            size_t i = size_t(y) * w + x;
            out[i] = (x == 0 || y == 0 || x == w - 1 || y == h - 1)
                         ? in[i]
                         : 0.2f * (in[i] + in[i - w] + in[i + w] + in[i - 1] + in[i + 1]);
          }
      });
    });
    report("stencil_2d", "barriers", wt, nat, unfenced);
  }
  std::filesystem::remove_all(cache);
  return 0;
}
