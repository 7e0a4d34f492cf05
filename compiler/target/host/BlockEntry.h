//===- BlockEntry.h - The entry points of host kernels ----------*- C++ -*-===//
//
// Builds `__wooly_block_K` / `__wooly_thread_K` (HostABI.h) around a lowered
// kernel: the argument unpacking, and for block entries the loops over the
// block's threads, plain or region by region (RegionSplit.h).
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_COMPILER_TARGET_HOST_BLOCKENTRY_H
#define WOOLY_COMPILER_TARGET_HOST_BLOCKENTRY_H

namespace llvm {
class Module;
} // namespace llvm

namespace wooly::host {

struct HostKernel;

/// Adds the entry point of `info`'s kernel to `m` and makes the kernel
/// itself internal.
void buildEntryPoint(llvm::Module &m, const HostKernel &info);

} // namespace wooly::host

#endif // WOOLY_COMPILER_TARGET_HOST_BLOCKENTRY_H
