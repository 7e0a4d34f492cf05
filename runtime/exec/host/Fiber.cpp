//===- Fiber.cpp - Context switch for x86-64 (System V) -------------------===//

#include "runtime/exec/host/Fiber.h"

#include <cstdint>

#if !defined(__x86_64__)
#error "the host executor's fibers are written for x86-64; port Fiber.cpp"
#endif

// Stack layout of a suspended fiber, from its saved stack pointer up:
// r15 r14 r13 r12 rbx rbp return-address. The FP control words are not
// switched: compiled kernels never change them (the directed-rounding helpers
// restore the mode before returning), and ldmxcsr is slow.
asm(R"(
  .text
  .globl wooly_fiber_switch
  .type wooly_fiber_switch,@function
wooly_fiber_switch:
  pushq %rbp
  pushq %rbx
  pushq %r12
  pushq %r13
  pushq %r14
  pushq %r15
  movq %rsp, (%rdi)
  movq %rsi, %rsp
  popq %r15
  popq %r14
  popq %r13
  popq %r12
  popq %rbx
  popq %rbp
  ret
  .size wooly_fiber_switch, .-wooly_fiber_switch

  .globl wooly_fiber_start
  .type wooly_fiber_start,@function
wooly_fiber_start:
  movq %r12, %rdi
  callq *%r13
  ud2
  .size wooly_fiber_start, .-wooly_fiber_start
)");

extern "C" void wooly_fiber_start();

namespace wooly::exec::host {

void *prepareFiber(void *top, void (*entry)(void *), void *arg) {
  // After the six pops and `ret` the stack pointer is sp + 56; it must be
  // 16-byte aligned at wooly_fiber_start so `entry` sees the ABI's alignment.
  uintptr_t aligned = (reinterpret_cast<uintptr_t>(top) - 128) & ~uintptr_t(15);
  uintptr_t sp = aligned - 56;
  auto *slots = reinterpret_cast<uint64_t *>(sp);
  slots[0] = 0;                                  // r15
  slots[1] = 0;                                  // r14
  slots[2] = reinterpret_cast<uint64_t>(entry);  // r13
  slots[3] = reinterpret_cast<uint64_t>(arg);    // r12
  slots[4] = 0;                                  // rbx
  slots[5] = 0;                                  // rbp
  slots[6] = reinterpret_cast<uint64_t>(&wooly_fiber_start);
  return reinterpret_cast<void *>(sp);
}

} // namespace wooly::exec::host
