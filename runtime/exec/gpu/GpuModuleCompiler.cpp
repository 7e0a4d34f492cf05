//===- GpuModuleCompiler.cpp - WIS bytes to a device image, cached --------===//

#include "runtime/exec/gpu/GpuModuleCompiler.h"

#include "compiler/ClientModule.h"
#include "compiler/target/common/TargetInfo.h"
#include "compiler/target/gpu/GpuPrintf.h"
#include "compiler/transforms/Passes.h"
#include "dialects/wooly/WoolyDialect.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"

#include "llvm/Support/MathExtras.h"
#include "llvm/Support/xxhash.h"

namespace wooly::exec::gpu {

static uint32_t storageBytes(mlir::Type type) {
  if (llvm::isa<wooly::PtrType>(type))
    return 8;
  if (type.isIntOrFloat())
    return std::max<uint32_t>(1, (type.getIntOrFloatBitWidth() + 7) / 8);
  return 8;
}

std::vector<KernelInfo> describeKernels(mlir::ModuleOp module) {
  uint64_t shared = wooly::computeVariableLayout(module).sharedBytes;
  std::vector<KernelInfo> kernels;
  module.walk([&](wooly::KernelOp kernel) {
    KernelInfo info;
    info.name = kernel.getSymName().str();
    info.staticSharedBytes = static_cast<uint32_t>(shared);
    if (auto req = kernel.getReqBlockSize()) {
      uint32_t threads = 1;
      for (int32_t d : *req)
        threads *= static_cast<uint32_t>(d);
      info.maxThreadsPerBlock = threads;
    } else if (auto max = kernel.getMaxThreads()) {
      info.maxThreadsPerBlock = *max;
    }
    uint32_t offset = 0;
    for (auto [i, type] : llvm::enumerate(kernel.getArgumentTypes())) {
      if (kernel.getArgAttr(i, wooly::kHiddenArgAttr))
        continue; // the executor appends it at launch
      ParamInfo param;
      if (auto size = kernel.getArgAttrOfType<mlir::IntegerAttr>(
              i, "wooly.byval_size")) {
        param.size = static_cast<uint32_t>(size.getInt());
        auto align =
            kernel.getArgAttrOfType<mlir::IntegerAttr>(i, "wooly.byval_align");
        param.align = align ? static_cast<uint32_t>(align.getInt()) : 8;
      } else {
        param.size = storageBytes(type);
        param.align = param.size;
      }
      param.align = std::max<uint32_t>(1, param.align);
      offset = static_cast<uint32_t>(llvm::alignTo(offset, param.align));
      param.offset = offset;
      offset += param.size;
      info.params.push_back(param);
    }
    info.argBufferSize = offset;
    uint64_t local = 0;
    kernel.walk([&](wooly::LocalAllocaOp op) { local += op.getSize(); });
    info.localBytesPerThread = static_cast<uint32_t>(local);
    kernels.push_back(std::move(info));
  });
  return kernels;
}

/// The data segment of a fenced module, as the executor places it.
static DataSegmentImage segmentOf(mlir::ModuleOp module) {
  DataSegmentImage image;
  std::optional<wooly::DataSegment> data = wooly::getDataSegment(module);
  if (!data)
    return image;
  image.size = data->size;
  image.alignment = data->alignment;
  image.init = data->initialBytes;
  std::map<std::string, uint64_t> sizes(data->sizes.begin(),
                                        data->sizes.end());
  for (const auto &[name, offset] : data->symbols)
    image.symbols[name] = {offset, sizes[name]};
  return image;
}

Status GpuModuleCompiler::compile(std::span<const uint8_t> wis, bool fence,
                                  CompiledModule &out) {
  if (wis.empty())
    return Status::error(ErrorCode::InvalidValue, "empty WIS module");
  char key[64];
  std::snprintf(key, sizeof key, "%016llx-%zu-%s",
                static_cast<unsigned long long>(llvm::xxh3_64bits(
                    llvm::ArrayRef<uint8_t>(wis.data(), wis.size()))),
                wis.size(), fence ? "fenced" : "open");
  {
    std::lock_guard<std::mutex> lock(mutex);
    if (auto it = cache.find(key); it != cache.end()) {
      out = it->second;
      return Status::ok();
    }
  }

  // Parse and verify: the server trusts nothing a client sends.
  wooly::ClientModule client(wis);
  if (!client.module())
    return Status::error(ErrorCode::CompileError,
                         client.failure() + ":\n" + client.diagnostics());
  mlir::ModuleOp module = client.module();
  // Formats first: fencing rewrites the pointers they are traced through.
  // They come from the module's data, never from annotations the client
  // may have put on its printf ops itself.
  module.walk([](wooly::PrintfOp op) {
    op->removeAttr(wooly::gpu::kPrintfIdAttr);
    op->removeAttr(wooly::gpu::kPrintfFormatAttr);
  });
  std::vector<std::string> printfFormats =
      wooly::gpu::annotatePrintfFormats(module);
  if (fence) {
    mlir::PassManager pm(&client.context());
    pm.addPass(wooly::createWoolyFenceAddresses());
    if (mlir::failed(pm.run(module)))
      return Status::error(ErrorCode::CompileError,
                           "address fencing failed:\n" + client.diagnostics());
  }

  CompiledModule compiled;
  compiled.kernels = describeKernels(module);
  compiled.fenced = fence;
  compiled.printfFormats = std::move(printfFormats);
  compiled.canFault =
      module
          .walk([](mlir::Operation *op) {
            return mlir::isa<wooly::TrapOp, wooly::AssertFailOp>(op)
                       ? mlir::WalkResult::interrupt()
                       : mlir::WalkResult::advance();
          })
          .wasInterrupted();
  if (fence)
    compiled.segment = segmentOf(module);
  std::string error;
  if (!backend(module, compiled.image, error))
    return Status::error(ErrorCode::CompileError,
                         "compiling for " + target + " failed: " + error);
  std::lock_guard<std::mutex> lock(mutex);
  // Bounded: clients choose what they load, so they must not be able to
  // grow the server's memory without limit. Evicting any entry is safe (a
  // later load compiles again).
  if (cache.size() >= kMaxCachedModules)
    cache.erase(cache.begin());
  cache.emplace(key, compiled);
  out = std::move(compiled);
  return Status::ok();
}

} // namespace wooly::exec::gpu
