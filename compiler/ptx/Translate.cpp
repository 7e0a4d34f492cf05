//===- Translate.cpp - PTX text → WIS module ------------------------------===//
//
// The pipeline, as named steps:
//   1. parse            (Parser.cpp)          PTX text → AST, located errors
//   2. declare globals  (this file)           module-scope variables → wooly.global
//   3. declare functions(this file)           .entry/.func → wooly.kernel/func
//   4. lower bodies     (lower/*.cpp)         registers as slots, predicates
//                                             as branches, one family per file
//   5. SSA              single-definition registers (most of nvcc's PTX is
//                       already SSA: a register written once, before every
//                       read, is its value), then mem2reg for the rest
//   6. clean up         canonicalize + CSE    (at -O1 and up)
//   7. verify
//
//===----------------------------------------------------------------------===//
#include "compiler/ptx/Translate.h"
#include "compiler/cache/DiskCache.h"
#include "compiler/ptx/Parser.h"
#include "compiler/ptx/lower/FunctionLowering.h"

#include "mlir/Bytecode/BytecodeWriter.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/SHA256.h"
#include "llvm/Support/raw_ostream.h"


using namespace mlir;

namespace wooly::ptx {
namespace {

/// Bumped whenever the translation changes its output: part of the cache key.
constexpr const char *kTranslatorVersion = "wooly-ptx-1";

class ModuleLowering {
public:
  ModuleLowering(MLIRContext &ctx, const Module &ast, std::string fileName,
                 std::vector<Diagnostic> &diags)
      : ctx(ctx), ast(ast), b(&ctx), diags(diags) {
    info.fileName = std::move(fileName);
    info.diagnostics = &diags;
  }

  OwningOpRef<ModuleOp> run() {
    Location loc = FileLineColLoc::get(&ctx, info.fileName, 1, 1);
    OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
    b.setInsertionPointToEnd(module->getBody());
    for (const VarDecl &g : ast.globals)
      info.globals[g.name] = &g;
    for (const Function &f : ast.functions)
      if (!info.functions.count(f.name) || f.body)
        info.functions[f.name] = &f;
    for (const VarDecl &g : ast.globals)
      declareGlobal(g);
    // `static __shared__` arrays are declared inside kernels; their names are
    // mangled per function, so they become module-scope globals.
    for (const Function &f : ast.functions)
      if (f.body)
        hoistVariables(*f.body);
    std::vector<std::pair<const Function *, Operation *>> bodies;
    for (const Function &f : ast.functions)
      if (f.body)
        if (Operation *op = declareFunction(f))
          bodies.push_back({&f, op});
    for (auto &[fn, op] : bodies) {
      lower::FunctionLowering lowering(ctx, info, *fn, op, op->getLoc());
      lowering.run();
    }
    return module;
  }

private:
  MLIRContext &ctx;
  const Module &ast;
  OpBuilder b;
  std::vector<Diagnostic> &diags;
  lower::ModuleInfo info;

  Location locOf(SourceLoc at) {
    return FileLineColLoc::get(&ctx, info.fileName, at.line, at.column);
  }
  void error(SourceLoc at, std::string message) {
    diags.push_back({at, std::move(message)});
  }

  Type scalarType(const std::string &ptx) {
    if (ptx == ".pred")
      return {};
    lower::FunctionLowering probe(ctx, info, ast.functions.empty()
                                                 ? dummyFunction()
                                                 : ast.functions.front(),
                                  nullptr, UnknownLoc::get(&ctx));
    return probe.regType(ptx);
  }
  static const Function &dummyFunction() {
    static Function fn;
    return fn;
  }

  void hoistVariables(const StatementBlock &block) {
    for (const Statement &stmt : block.statements) {
      if (auto *inner = std::get_if<StatementBlock>(&stmt.node)) {
        hoistVariables(*inner);
      } else if (auto *decl = std::get_if<VarDecl>(&stmt.node)) {
        if (decl->space != StateSpace::Shared &&
            decl->space != StateSpace::Global && decl->space != StateSpace::Const)
          continue;
        if (info.globals.count(decl->name)) {
          error(decl->loc, "variable '" + decl->name + "' declared twice");
          continue;
        }
        info.globals[decl->name] = decl;
        declareGlobal(*decl);
      }
    }
  }

  void declareGlobal(const VarDecl &g) {
    Type elem = scalarType(g.type);
    if (!elem || g.type == ".f16x2" || g.type == ".bf16x2") {
      error(g.loc, "unsupported PTX: variable " + g.name + " of type " + g.type);
      return;
    }
    uint64_t count = g.vectorWidth;
    bool unsized = false;
    for (uint64_t d : g.arrayDims) {
      if (d == 0)
        unsized = true;
      else
        count *= d;
    }
    bool isExtern = g.linkage == Linkage::Extern;
    if (unsized) {
      if (!isExtern || g.space != StateSpace::Shared) {
        error(g.loc, "unsupported PTX: unsized array " + g.name +
                         " outside `.extern .shared`");
        return;
      }
      count = 0;
    }
    // The server accepts at most 1 GiB of module variables; refuse earlier,
    // before an initializer is expanded element by element.
    uint64_t elemBytes = std::max<uint64_t>(1, elem.getIntOrFloatBitWidth() / 8);
    if (count > (1ull << 30) / elemBytes) {
      error(g.loc, "variable " + g.name + " is larger than 1 GiB");
      return;
    }
    Attribute init;
    if (!g.initializer.empty()) {
      if (count > (1ull << 24)) {
        error(g.loc, "initializer of " + g.name +
                         " is too large (more than 16M elements)");
        return;
      }
      if (g.space == StateSpace::Shared) {
        error(g.loc, ".shared variable " + g.name + " cannot be initialized");
        return;
      }
      if (g.initializer.size() > count) {
        error(g.loc, "initializer of " + g.name + " has " +
                         std::to_string(g.initializer.size()) +
                         " values for " + std::to_string(count) + " elements");
        return;
      }
      auto tensor = RankedTensorType::get({int64_t(count)}, elem);
      if (auto ft = dyn_cast<FloatType>(elem)) {
        std::vector<llvm::APFloat> values(
            count, llvm::APFloat::getZero(ft.getFloatSemantics()));
        for (size_t i = 0; i < g.initializer.size(); ++i) {
          const InitValue &v = g.initializer[i];
          if (v.kind == InitValue::Kind::Symbol) {
            error(v.loc, "unsupported PTX: address initializer in " + g.name);
            return;
          }
          llvm::APFloat f =
              v.kind == InitValue::Kind::Integer
                  ? llvm::APFloat(double(int64_t(v.intValue)))
              : v.isDouble ? llvm::APFloat(llvm::APFloat::IEEEdouble(),
                                           llvm::APInt(64, v.floatBits))
                           : llvm::APFloat(llvm::APFloat::IEEEsingle(),
                                           llvm::APInt(32, v.floatBits));
          bool lost;
          f.convert(ft.getFloatSemantics(), llvm::APFloat::rmNearestTiesToEven,
                    &lost);
          values[i] = f;
        }
        init = DenseElementsAttr::get(tensor, values);
      } else {
        unsigned bits = elem.getIntOrFloatBitWidth();
        std::vector<llvm::APInt> values(count, llvm::APInt(bits, 0));
        for (size_t i = 0; i < g.initializer.size(); ++i) {
          const InitValue &v = g.initializer[i];
          if (v.kind == InitValue::Kind::Symbol) {
            error(v.loc, "unsupported PTX: address initializer in " + g.name);
            return;
          }
          uint64_t raw = v.kind == InitValue::Kind::Integer ? v.intValue
                                                            : v.floatBits;
          values[i] = llvm::APInt(64, raw).trunc(bits);
        }
        init = DenseElementsAttr::get(tensor, values);
      }
    }
    uint32_t align = g.align;
    if (!align)
      align = std::max<uint32_t>(1, elem.getIntOrFloatBitWidth() / 8);
    auto space = lower::addressSpaceOf(g.space);
    GlobalOp::create(b, locOf(g.loc), b.getStringAttr(g.name), TypeAttr::get(elem),
                     b.getI64IntegerAttr(count),
                     AddressSpaceAttr::get(&ctx, space),
                     b.getI64IntegerAttr(align), init,
                     isExtern ? b.getUnitAttr() : UnitAttr());
  }

  Operation *declareFunction(const Function &f) {
    SmallVector<Type> args, results;
    SmallVector<Attribute> argAttrs;
    bool anyArgAttr = false;
    for (const VarDecl &p : f.params) {
      if (p.isArray() && !f.isEntry) {
        // A by-value aggregate: a pointer to the caller's local copy.
        args.push_back(PtrType::get(&ctx, AddressSpace::Local));
        argAttrs.push_back(b.getDictionaryAttr({}));
        continue;
      }
      if (p.isArray()) {
        uint64_t elemBytes =
            std::max<uint64_t>(1, scalarType(p.type).getIntOrFloatBitWidth() / 8);
        uint64_t size = elemBytes;
        for (uint64_t d : p.arrayDims)
          size *= d;
        args.push_back(PtrType::get(&ctx, AddressSpace::Param));
        argAttrs.push_back(b.getDictionaryAttr(
            {b.getNamedAttr("wooly.byval_size", b.getI64IntegerAttr(size)),
             b.getNamedAttr("wooly.byval_align",
                            b.getI64IntegerAttr(p.align ? p.align : elemBytes))}));
        anyArgAttr = true;
        continue;
      }
      Type t = scalarType(p.type);
      if (!t || p.vectorWidth != 1) {
        error(p.loc, "unsupported PTX: parameter " + p.name + " of type " + p.type);
        return nullptr;
      }
      args.push_back(t);
      argAttrs.push_back(b.getDictionaryAttr({}));
    }
    for (const VarDecl &r : f.returns) {
      if (r.isArray()) {
        // Written through a trailing pointer (see lower/Control.cpp).
        args.push_back(PtrType::get(&ctx, AddressSpace::Local));
        argAttrs.push_back(b.getDictionaryAttr({}));
        continue;
      }
      Type t = scalarType(r.type);
      if (!t || r.vectorWidth != 1) {
        error(r.loc, "unsupported PTX: aggregate return value of " + f.name);
        return nullptr;
      }
      results.push_back(t);
    }
    auto type = b.getFunctionType(args, results);
    ArrayAttr argAttrArray = anyArgAttr ? b.getArrayAttr(argAttrs) : ArrayAttr();
    Operation *op;
    if (f.isEntry) {
      IntegerAttr maxThreads, minBlocks;
      DenseI32ArrayAttr reqBlock;
      if (auto it = f.performance.find("maxntid"); it != f.performance.end()) {
        uint64_t product = 1;
        for (uint64_t v : it->second)
          product *= v;
        maxThreads = b.getI32IntegerAttr(int32_t(std::min<uint64_t>(product, 1u << 30)));
      }
      if (auto it = f.performance.find("reqntid"); it != f.performance.end()) {
        SmallVector<int32_t> dims;
        for (uint64_t v : it->second)
          dims.push_back(int32_t(std::min<uint64_t>(v, 1u << 30)));
        while (dims.size() < 3)
          dims.push_back(1);
        reqBlock = b.getDenseI32ArrayAttr(dims);
      }
      if (auto it = f.performance.find("minnctapersm");
          it != f.performance.end() && !it->second.empty())
        minBlocks = b.getI32IntegerAttr(int32_t(std::min<uint64_t>(it->second[0], 1u << 30)));
      op = KernelOp::create(b, locOf(f.loc), f.name, type, argAttrArray,
                            ArrayAttr(), maxThreads, reqBlock, minBlocks);
    } else {
      op = FuncOp::create(b, locOf(f.loc), b.getStringAttr(f.name),
                          TypeAttr::get(type), StringAttr(), argAttrArray,
                          ArrayAttr());
    }
    Block *entry = new Block();
    op->getRegion(0).push_back(entry);
    for (Type t : args)
      entry->addArgument(t, locOf(f.loc));
    return op;
  }
};

/// Replaces the reads of every register that is written exactly once, by a
/// write that dominates each read, with the written value. This is linear,
/// where mem2reg costs O(registers x blocks); mem2reg then only sees the
/// registers PTX really reassigns (loop-carried values).
void promoteSingleDefinitionRegisters(Operation *function) {
  DominanceInfo dominance(function);
  SmallVector<RegOp> regs;
  function->walk([&](RegOp reg) { regs.push_back(reg); });
  for (RegOp reg : regs) {
    RegWriteOp onlyWrite;
    bool multiple = false;
    SmallVector<RegReadOp> reads;
    for (Operation *user : reg->getUsers()) {
      if (auto write = dyn_cast<RegWriteOp>(user)) {
        multiple |= static_cast<bool>(onlyWrite);
        onlyWrite = write;
      } else if (auto read = dyn_cast<RegReadOp>(user)) {
        reads.push_back(read);
      } else {
        multiple = true; // not ours to reason about
      }
    }
    if (multiple || !onlyWrite)
      continue;
    bool dominatesAll = true;
    for (RegReadOp read : reads)
      dominatesAll &= dominance.properlyDominates(onlyWrite, read);
    if (!dominatesAll)
      continue;
    Value value = onlyWrite.getValue();
    for (RegReadOp read : reads) {
      read.getResult().replaceAllUsesWith(value);
      read->erase();
    }
    onlyWrite->erase();
    reg->erase();
  }
}

} // namespace

void registerTranslationDialects(DialectRegistry &registry) {
  registry.insert<WoolyDialect, arith::ArithDialect, math::MathDialect,
                  cf::ControlFlowDialect>();
}

FailureOr<OwningOpRef<ModuleOp>>
translatePTX(llvm::StringRef ptx, llvm::StringRef fileName, MLIRContext &ctx,
             const TranslateOptions &options, std::string *errors) {
  DialectRegistry registry;
  registerTranslationDialects(registry);
  ctx.appendDialectRegistry(registry);
  ctx.loadAllAvailableDialects();

  std::string name = fileName.str();
  ParseResult parsed = parsePTX(std::string_view(ptx.data(), ptx.size()));
  if (!parsed.succeeded()) {
    if (errors)
      *errors += formatDiagnostics(name, parsed.diagnostics);
    return failure();
  }
  std::vector<Diagnostic> diags;
  OwningOpRef<ModuleOp> module =
      ModuleLowering(ctx, parsed.module, name, diags).run();
  if (!diags.empty()) {
    if (errors)
      *errors += formatDiagnostics(name, diags);
    return failure();
  }

  // MLIR's own diagnostics (a verifier complaint) in the same format.
  ScopedDiagnosticHandler handler(&ctx, [&](mlir::Diagnostic &diag) {
    if (errors) {
      llvm::raw_string_ostream os(*errors);
      if (auto fl = dyn_cast<FileLineColLoc>(diag.getLocation()))
        os << fl.getFilename().getValue() << ":" << fl.getLine() << ":"
           << fl.getColumn() << ": ";
      else
        os << name << ": ";
      os << "error: " << diag.str() << "\n";
    }
    return success();
  });
  if (failed(verify(*module)))
    return failure();
  for (Operation &op : module->getBody()->getOperations())
    if (isa<KernelOp, FuncOp>(op))
      promoteSingleDefinitionRegisters(&op);
  PassManager pm(&ctx);
  pm.addPass(createMem2Reg());
  if (options.optLevel > 0) {
    pm.addPass(createCanonicalizerPass());
    pm.addPass(createCSEPass());
  }
  if (failed(pm.run(*module)))
    return failure();
  // Slots nothing reads or writes (an unused `.reg`, nvcc's temp_param_reg)
  // are left by mem2reg; any other leftover slot is a translator bug.
  bool leftover = false;
  module->walk([&](RegOp reg) {
    if (reg->use_empty())
      reg->erase();
    else
      leftover = true;
  });
  if (leftover) {
    if (errors)
      *errors += name + ": error: internal: a PTX register could not be put "
                        "in SSA form\n";
    return failure();
  }
  if (failed(verify(*module)))
    return failure();
  return module;
}

FailureOr<std::string>
translatePTXCached(llvm::StringRef ptx, llvm::StringRef fileName,
                   MLIRContext &ctx, const TranslateOptions &options,
                   std::string *errors, bool *cacheHit) {
  if (cacheHit)
    *cacheHit = false;
  llvm::SHA256 hasher;
  hasher.update(kTranslatorVersion);
  hasher.update(llvm::StringRef(std::to_string(options.optLevel)));
  hasher.update(ptx);
  std::string name =
      "ptx-" + llvm::toHex(hasher.final(), /*LowerCase=*/true) + ".wisbc";
  DiskCache &cache = DiskCache::shared(DiskCache::defaultDirectory());

  // A hit must at least look like MLIR bytecode; anything else (a foreign
  // file) is translated again and replaced.
  if (std::optional<std::string> cached = cache.read(name)) {
    if (llvm::StringRef(*cached).starts_with("ML\xefR")) {
      if (cacheHit)
        *cacheHit = true;
      return std::move(*cached);
    }
  }
  auto module = translatePTX(ptx, fileName, ctx, options, errors);
  if (failed(module))
    return failure();
  std::string bytes;
  llvm::raw_string_ostream os(bytes);
  if (failed(writeBytecodeToFile(module->get(), os)))
    return failure();
  os.flush();
  cache.write(name, bytes);
  return bytes;
}

} // namespace wooly::ptx
