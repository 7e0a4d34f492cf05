//===- main.cpp - wooly-cc: CUDA/PTX → WIS --------------------------------===//
//
//   wooly-cc INPUT [-o OUT] [--target=...] [--emit=...] [-O0..-O3]
//
// A thin driver: the input becomes PTX (Input.cpp), PTX becomes a verified
// WIS module (compiler/ptx), and the module is written as WIS or handed to a
// registered backend (Backends.h). Exit status 0 on success, 1 on any error,
// with the message on stderr.
//
//===----------------------------------------------------------------------===//
#include "compiler/ptx/Translate.h"
#include "tools/wooly-cc/Backends.h"
#include "tools/wooly-cc/Input.h"

#include "mlir/Bytecode/BytecodeWriter.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OperationSupport.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace {

struct Options {
  std::string input;
  std::string output;
  std::string target;
  std::string emit = "wis";
  int optLevel = 2;
  bool faultPolls = false;
};

void printHelp(llvm::raw_ostream &os) {
  os << R"(wooly-cc: compile CUDA kernels to WIS, the Wooly Instruction Set

Wooly runs CUDA programs on machines without (or with other) GPUs by
translating the PTX that nvcc embeds into WIS. wooly-cc does that translation
ahead of time, so you can check that your kernels are supported, look at what
they become, or ship the result.

usage: wooly-cc INPUT [-o OUT] [--emit=KIND] [--target=TARGET] [-O0..-O3]

INPUT is one of
  kernel.ptx        PTX text (nvcc -ptx, NVRTC, clang --cuda-device-only -S)
  kernel.cu         CUDA source; needs nvcc installed (nvcc -ptx is run for you)
  kernel.mlir, .wis WIS already (text or bytecode), e.g. to hand it to --target
  app, app.o, .so   a program, object or library built by nvcc: the PTX in its
                    fatbin is used (build with PTX: nvcc does by default; with
                    -rdc=true add -gencode arch=compute_75,code=compute_75)

options
  -o OUT            output file ('-' for stdout); default: INPUT with .wis,
                    or stdout for --emit=wis-text
  --emit=wis        MLIR bytecode, what the Wooly server loads (default)
  --emit=wis-text   readable MLIR text
  -O0 .. -O3        -O0 builds SSA only; -O1 and up also simplify (default -O2)
  --fault-polls     nvptx: give every module the fault slot and every loop
                    the poll that lets woolyd stop it, as the cuda executor
                    compiles modules under woolyd --launch-timeout
  -h, --help        this text
)";
  const auto &all = wooly::cc::backends();
  if (all.empty()) {
    os << "\nno code generators are built into this wooly-cc; --target is "
          "unavailable\n";
    return;
  }
  os << "\ntargets (--target=NAME[:CHIP])\n";
  for (const auto &backend : all) {
    os << "  " << backend.name << ": " << backend.description << " (--emit=";
    for (size_t i = 0; i < backend.emitKinds.size(); ++i)
      os << (i ? "|" : "") << backend.emitKinds[i];
    os << ")\n";
  }
}

int fail(const std::string &message) {
  llvm::errs() << "wooly-cc: error: " << message << "\n";
  return 1;
}

bool parseArgs(int argc, char **argv, Options &opts, std::string &error,
               bool &help) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "-h" || arg == "--help" || arg == "-help") {
      help = true;
      return true;
    }
    if (arg == "-o") {
      if (i + 1 >= argc) {
        error = "-o needs a file name";
        return false;
      }
      opts.output = argv[++i];
    } else if (arg.rfind("-o", 0) == 0 && arg.size() > 2 && arg[2] != '=') {
      opts.output = arg.substr(2);
    } else if (arg.rfind("--emit=", 0) == 0) {
      opts.emit = arg.substr(7);
    } else if (arg.rfind("--target=", 0) == 0) {
      opts.target = arg.substr(9);
    } else if (arg == "--fault-polls") {
      opts.faultPolls = true;
    } else if (arg.size() == 3 && arg[0] == '-' && arg[1] == 'O' &&
               arg[2] >= '0' && arg[2] <= '3') {
      opts.optLevel = arg[2] - '0';
    } else if (!arg.empty() && arg[0] == '-' && arg != "-") {
      error = "unknown option '" + arg + "' (see wooly-cc --help)";
      return false;
    } else if (opts.input.empty()) {
      opts.input = arg;
    } else {
      error = "more than one input ('" + opts.input + "' and '" + arg +
              "'); wooly-cc compiles one file at a time";
      return false;
    }
  }
  if (opts.input.empty()) {
    error = "no input file (usage: wooly-cc INPUT [-o OUT]; see --help)";
    return false;
  }
  return true;
}

} // namespace

int main(int argc, char **argv) {
  wooly::cc::registerAllBackends();
  Options opts;
  std::string error;
  bool help = false;
  if (!parseArgs(argc, argv, opts, error, help))
    return fail(error);
  if (help) {
    printHelp(llvm::outs());
    return 0;
  }

  const wooly::cc::Backend *backend = nullptr;
  wooly::cc::BackendRequest request;
  request.emit = opts.emit;
  request.optLevel = opts.optLevel;
  request.faultPolls = opts.faultPolls;
  if (!opts.target.empty()) {
    std::string name = opts.target.substr(0, opts.target.find(':'));
    if (opts.target.find(':') != std::string::npos)
      request.chip = opts.target.substr(opts.target.find(':') + 1);
    backend = wooly::cc::findBackend(name);
    if (!backend)
      return fail("no code generator for --target=" + opts.target +
                  " is built into this wooly-cc (see --help for the targets "
                  "it has)");
  }
  bool emitsWIS = opts.emit == "wis" || opts.emit == "wis-text";
  if (!emitsWIS) {
    if (!backend)
      return fail("--emit=" + opts.emit +
                  (wooly::cc::backends().empty()
                       ? " needs a --target, and no targets are built in"
                       : " needs a --target"));
    bool known = false;
    for (const std::string &kind : backend->emitKinds)
      known |= kind == opts.emit;
    if (!known)
      return fail("target '" + backend->name + "' cannot --emit=" + opts.emit);
  }
  if (opts.faultPolls && (!backend || backend->name != "nvptx"))
    return fail("--fault-polls is for --target=nvptx (the fault record's "
                "polls exist for NVIDIA GPUs only)");

  mlir::MLIRContext ctx;
  mlir::FailureOr<mlir::OwningOpRef<mlir::ModuleOp>> module = mlir::failure();
  llvm::StringRef ext = llvm::sys::path::extension(opts.input);
  if (ext == ".mlir" || ext == ".wis") {
    // WIS already (text or bytecode): straight to the output or a backend.
    mlir::DialectRegistry registry;
    wooly::ptx::registerTranslationDialects(registry);
    ctx.appendDialectRegistry(registry);
    llvm::SourceMgr sourceMgr;
    mlir::SourceMgrDiagnosticHandler handler(sourceMgr, &ctx);
    std::string includeError;
    if (sourceMgr.AddIncludeFile(opts.input, llvm::SMLoc(), includeError) == 0)
      return fail("cannot read '" + opts.input + "'");
    auto parsed = mlir::parseSourceFile<mlir::ModuleOp>(sourceMgr, &ctx);
    if (!parsed)
      return fail("'" + opts.input + "' is not a valid WIS module");
    module = std::move(parsed);
  } else {
    wooly::cc::PTXInput input;
    if (!wooly::cc::loadPTX(opts.input, input, error))
      return fail(error);
    wooly::ptx::TranslateOptions translateOptions;
    translateOptions.optLevel = opts.optLevel;
    std::string errors;
    module = wooly::ptx::translatePTX(input.text, input.name, ctx,
                                      translateOptions, &errors);
    if (mlir::failed(module)) {
      llvm::errs() << errors;
      return fail("could not translate " + input.name);
    }
  }

  std::string output = opts.output;
  if (output.empty()) {
    if (opts.emit == "wis-text" || !emitsWIS) {
      output = "-";
    } else {
      llvm::SmallString<128> path(opts.input);
      llvm::sys::path::replace_extension(path, "wis");
      output = std::string(path);
    }
  }
  std::error_code ec;
  llvm::ToolOutputFile out(output, ec, llvm::sys::fs::OF_None);
  if (ec)
    return fail("cannot write '" + output + "': " + ec.message());

  if (backend && !emitsWIS) {
    if (!backend->emit(module->get(), request, out.os(), error))
      return fail(error);
  } else if (opts.emit == "wis-text") {
    module->get()->print(out.os(), mlir::OpPrintingFlags().enableDebugInfo(
                                       false));
    out.os() << "\n";
  } else {
    if (mlir::failed(mlir::writeBytecodeToFile(module->get(), out.os())))
      return fail("cannot write bytecode to '" + output + "'");
  }
  out.keep();
  return 0;
}
