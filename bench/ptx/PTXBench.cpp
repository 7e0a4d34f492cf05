//===- PTXBench.cpp - PTX translation throughput and cache-hit cost -------===//
//
//   wooly-bench-ptx [--lines N] [PTX files...]
//
// Prints, each against a baseline measured in the same run:
//   - translation throughput (PTX lines per second) on the example corpus
//     (the files given, else $WOOLY_BUILD/examples/ptx.list) and on a
//     synthetic kernel of N lines (default 30000: bigger than any nvcc output
//     we have), against reading + SHA-256 of the same text;
//   - the cost of a cache hit (translatePTXCached with a warm cache) against
//     a full translation and against reading + hashing.
//
//===----------------------------------------------------------------------===//
#include "compiler/ptx/Parser.h"
#include "compiler/ptx/Translate.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/SHA256.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

template <typename Fn> double seconds(int reps, Fn fn) {
  auto start = Clock::now();
  for (int i = 0; i < reps; ++i)
    fn();
  return std::chrono::duration<double>(Clock::now() - start).count() / reps;
}

size_t countLines(const std::string &text) {
  size_t n = 0;
  for (char c : text)
    n += c == '\n';
  return n;
}

/// A kernel with `lines` lines: an unrolled stencil-like body of loads,
/// float and integer arithmetic, compares and predicated branches, in the
/// proportions nvcc -O3 emits.
std::string syntheticKernel(size_t lines) {
  std::string ptx = ".version 8.0\n.target sm_90\n.address_size 64\n"
                    ".visible .entry big(.param .u64 in, .param .u64 out, "
                    ".param .u32 n)\n{\n\t.reg .pred %p<64>;\n"
                    "\t.reg .f32 %f<400000>;\n\t.reg .b32 %r<400000>;\n"
                    "\t.reg .b64 %rd<400000>;\n"
                    "\tld.param.u64 %rd1, [in];\n\tld.param.u64 %rd2, [out];\n"
                    "\tld.param.u32 %r1, [n];\n\tmov.u32 %r2, %tid.x;\n"
                    "\tmov.f32 %f1, 0f00000000;\n";
  size_t r = 3, f = 2, rd = 3, label = 0;
  size_t emitted = 12;
  while (emitted < lines) {
    std::string R = std::to_string(r), F = std::to_string(f),
                D = std::to_string(rd);
    ptx += "\tadd.s32 %r" + R + ", %r" + std::to_string(r - 1) + ", " +
           std::to_string(emitted % 97) + ";\n";
    ptx += "\tmul.wide.s32 %rd" + D + ", %r" + R + ", 4;\n";
    ptx += "\tadd.s64 %rd" + std::to_string(rd + 1) + ", %rd1, %rd" + D + ";\n";
    ptx += "\tld.global.f32 %f" + F + ", [%rd" + std::to_string(rd + 1) + "];\n";
    ptx += "\tfma.rn.f32 %f" + std::to_string(f + 1) + ", %f" + F + ", %f" + F +
           ", %f" + std::to_string(f - 1) + ";\n";
    ptx += "\tsetp.lt.s32 %p1, %r" + R + ", %r1;\n";
    ptx += "\t@%p1 bra $L" + std::to_string(label) + ";\n";
    ptx += "\tst.global.f32 [%rd2], %f" + std::to_string(f + 1) + ";\n";
    ptx += "$L" + std::to_string(label) + ":\n";
    emitted += 9;
    r += 1;
    f += 2;
    rd += 2;
    ++label;
  }
  ptx += "\tst.global.f32 [%rd2], %f" + std::to_string(f - 1) + ";\n\tret;\n}\n";
  return ptx;
}

std::string hashOf(const std::string &text) {
  return llvm::toHex(llvm::SHA256::hash(llvm::arrayRefFromStringRef(text)));
}

struct Sample {
  std::string name;
  std::string text;
};

} // namespace

int main(int argc, char **argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  size_t syntheticLines = 30000;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--lines" && i + 1 < argc)
      syntheticLines = std::stoul(argv[++i]);
    else
      files.push_back(arg);
  }
  if (files.empty()) {
    const char *build = std::getenv("WOOLY_BUILD");
    std::ifstream list(std::string(build ? build : "build") +
                       "/examples/ptx.list");
    for (std::string line; std::getline(list, line);)
      if (!line.empty())
        files.push_back(line);
  }
  std::vector<Sample> corpus;
  size_t corpusLines = 0;
  for (const std::string &path : files) {
    auto buffer = llvm::MemoryBuffer::getFile(path);
    if (!buffer)
      continue;
    corpus.push_back({path, (*buffer)->getBuffer().str()});
    corpusLines += countLines(corpus.back().text);
  }

  mlir::MLIRContext ctx;
  // Warm up: dialect loading happens once per context.
  (void)wooly::ptx::translatePTX(".version 8.0\n.target sm_90\n.entry k(){ret;}",
                                 "warm.ptx", ctx);

  if (!corpus.empty()) {
    int reps = 3;
    double translate = seconds(reps, [&] {
      for (const Sample &s : corpus)
        if (mlir::failed(wooly::ptx::translatePTX(s.text, s.name, ctx))) {
          std::fprintf(stderr, "translation of %s failed\n", s.name.c_str());
          std::exit(1);
        }
    });
    double parse = seconds(reps, [&] {
      for (const Sample &s : corpus)
        (void)wooly::ptx::parsePTX(s.text);
    });
    double hash = seconds(reps * 20, [&] {
      for (const Sample &s : corpus)
        (void)hashOf(s.text);
    });
    std::printf("corpus: %zu PTX files, %zu lines\n", corpus.size(), corpusLines);
    std::printf("  translate (parse+lower+mem2reg+canonicalize+cse+verify): "
                "%.0f lines/s, %.2f ms per file\n",
                corpusLines / translate, translate * 1e3 / corpus.size());
    std::printf("  parse only: %.0f lines/s (%.1f%% of translation)\n",
                corpusLines / parse, 100 * parse / translate);
    std::printf("  ratio translate / (SHA-256 of the text): %.0fx\n",
                translate / hash);
  }

  std::string big = syntheticKernel(syntheticLines);
  size_t bigLines = countLines(big);
  double bigTranslate = seconds(1, [&] {
    if (mlir::failed(wooly::ptx::translatePTX(big, "big.ptx", ctx))) {
      std::fprintf(stderr, "synthetic translation failed\n");
      std::exit(1);
    }
  });
  double bigParse = seconds(3, [&] { (void)wooly::ptx::parsePTX(big); });
  double bigHash = seconds(20, [&] { (void)hashOf(big); });
  std::printf("synthetic kernel: %zu lines (%.1f MB), one function\n", bigLines,
              big.size() / 1e6);
  std::printf("  translate: %.0f lines/s (%.3f s); parse only: %.0f lines/s\n",
              bigLines / bigTranslate, bigTranslate, bigLines / bigParse);
  std::printf("  ratio translate / (SHA-256 of the text): %.0fx\n",
              bigTranslate / bigHash);

  // Cache hit against a translation and against read + hash.
  llvm::SmallString<128> dir;
  llvm::sys::fs::createUniqueDirectory("wooly-bench-ptx", dir);
  setenv("WOOLY_CACHE_DIR", dir.c_str(), 1);
  // The largest real file: what a program's fatbin typically holds.
  const std::string *largest = &big;
  for (const Sample &s : corpus)
    if (largest == &big || s.text.size() > largest->size())
      largest = &s.text;
  const std::string &sample = *largest;
  std::string path = std::string(dir) + "/input.ptx";
  std::ofstream(path) << sample;
  bool hit = false;
  (void)wooly::ptx::translatePTXCached(sample, "sample.ptx", ctx, {}, nullptr,
                                       &hit);
  int reps = 200;
  double cached = seconds(reps, [&] {
    auto bytes = wooly::ptx::translatePTXCached(sample, "sample.ptx", ctx, {},
                                                nullptr, &hit);
    if (mlir::failed(bytes) || !hit) {
      std::fprintf(stderr, "expected a cache hit\n");
      std::exit(1);
    }
  });
  double readHash = seconds(reps, [&] {
    auto buffer = llvm::MemoryBuffer::getFile(path);
    (void)hashOf((*buffer)->getBuffer().str());
  });
  double uncached = seconds(5, [&] {
    (void)wooly::ptx::translatePTX(sample, "sample.ptx", ctx);
  });
  std::printf("cache hit (%zu-line PTX): %.1f us; a translation is %.0fx "
              "that; a hit costs %.1fx reading + SHA-256 of the PTX file\n",
              countLines(sample), cached * 1e6, uncached / cached,
              cached / readHash);
  llvm::sys::fs::remove_directories(dir);
  return 0;
}
