//===- Fiber.cpp - Context switch for x86-64 (System V) -------------------===//

#include "runtime/exec/host/Fiber.h"

#include <cstdint>

#if !defined(__x86_64__)
#error "the host executor's fibers are written for x86-64; port Fiber.cpp"
#endif

// Stack layout of a suspended fiber, from its saved stack pointer up:
// [mxcsr, x87 cw] r15 r14 r13 r12 rbx rbp return-address.
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
  subq $8, %rsp
  stmxcsr (%rsp)
  fnstcw 4(%rsp)
  movq %rsp, (%rdi)
  movq %rsi, %rsp
  ldmxcsr (%rsp)
  fldcw 4(%rsp)
  addq $8, %rsp
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
  // After the pops and `ret` the stack pointer is sp + 64; it must be 16-byte
  // aligned at wooly_fiber_start so `entry` sees the ABI's alignment.
  uintptr_t sp = (reinterpret_cast<uintptr_t>(top) - 128) & ~uintptr_t(15);
  auto *slots = reinterpret_cast<uint64_t *>(sp);
  slots[0] = 0x1F80 | (uint64_t(0x037F) << 32); // default mxcsr, x87 cw
  slots[1] = 0;                                  // r15
  slots[2] = 0;                                  // r14
  slots[3] = reinterpret_cast<uint64_t>(entry);  // r13
  slots[4] = reinterpret_cast<uint64_t>(arg);    // r12
  slots[5] = 0;                                  // rbx
  slots[6] = 0;                                  // rbp
  slots[7] = reinterpret_cast<uint64_t>(&wooly_fiber_start);
  return reinterpret_cast<void *>(sp);
}

} // namespace wooly::exec::host
