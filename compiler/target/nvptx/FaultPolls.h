//===- FaultPolls.h - Stopping a grid after a trap or assert ----*- C++ -*-===//
//
// A thread that traps or fails an assert writes its context's fault record
// and exits (compiler/target/gpu/GpuFault.h); the rest of its grid, and the
// session's other kernels of the module, must stop soon too: they may wait
// for work the faulting thread will never do (a flag it would have set),
// and nothing else ends a GPU kernel. So every loop of such a module reads
// the record's kind word (volatile: written by another thread, or by the
// executor to stop the session's kernels) once every kTripsPerPoll trips,
// where it branches back, and exits the thread when the word is set; as
// host kernels poll their cancel word.
//
// Not every trip: every thread of the grid reads the same word, and on an
// H200 a read per trip queued the whole GPU on that one L2 line (a
// barrier loop 16x slower, the table 0.55 of native: bench/RESULTS.md,
// "gpu", session 10). A trip counter costs an add and a test.
//
//===----------------------------------------------------------------------===//
#ifndef WOOLY_COMPILER_TARGET_NVPTX_FAULTPOLLS_H
#define WOOLY_COMPILER_TARGET_NVPTX_FAULTPOLLS_H

namespace llvm {
class Module;
} // namespace llvm

namespace wooly::nvptx {

/// Trips of a loop between two reads of the kind word: a stop reaches a
/// thread within this many trips.
inline constexpr unsigned kTripsPerPoll = 64;

/// Adds the poll to every loop that may run long (where it branches back,
/// every kTripsPerPoll trips), in every function of `m` when it has
/// the fault slot (`__wooly_fault`: modules that can trap or assert, or
/// every module with CodegenOptions::pollEveryModule); nothing otherwise.
/// Returns how many polls it added.
unsigned insertFaultPolls(llvm::Module &m);

} // namespace wooly::nvptx

#endif // WOOLY_COMPILER_TARGET_NVPTX_FAULTPOLLS_H
