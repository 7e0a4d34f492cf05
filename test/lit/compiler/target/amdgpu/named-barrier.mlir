// Named and partial barriers on AMD GPUs (bar.sync id, count / bar.arrive
// id, count / barrier.sync with a thread count), emulated in LDS: one word
// per id (arrived warps in the low 16 bits, the generation in the high 16),
// zeroed by the kernel's thread 0 on entry before a whole-block s_barrier; the warp's
// first active lane arrives with an atomic add, the last arrival empties the
// count and bumps the generation in one add, waiters spin on s_sleep until
// the generation moves. Id 0 without a count stays the hardware s_barrier.
// gfx942 is wave64 (a warp is half a wave: its leader comes from the half's
// lanes), gfx1100 wave32.
// RUN: wooly-opt %s --wooly-lower-to-rocdl=chip=gfx942 | mlir-translate --mlir-to-llvmir | llc -mtriple=amdgcn-amd-amdhsa -mcpu=gfx942 | FileCheck %s --check-prefixes=CHECK,W64
// RUN: wooly-opt %s --wooly-lower-to-rocdl=chip=gfx1100 | mlir-translate --mlir-to-llvmir | llc -mtriple=amdgcn-amd-amdhsa -mcpu=gfx1100 | FileCheck %s --check-prefixes=CHECK,W32
// RUN: wooly-opt %s --wooly-lower-to-rocdl=chip=gfx942 | FileCheck %s --check-prefix=IR
// RUN: wooly-opt %S/sync.mlir --wooly-lower-to-rocdl=chip=gfx942 | FileCheck %s --check-prefix=NONE
// RUN: for chip in gfx90a gfx942 gfx1100; do \
// RUN:   wooly-opt %s --wooly-lower-to-rocdl=chip=$chip | mlir-translate --mlir-to-llvmir | llc -mtriple=amdgcn-amd-amdhsa -mcpu=$chip -filetype=obj -o %t.$chip.o && \
// RUN:   ld.lld -shared %t.$chip.o -o %t.$chip.hsaco || exit 1; \
// RUN: done
// RUN: llvm-readelf -s %t.gfx90a.hsaco | FileCheck %s --check-prefix=ELF
// RUN: llvm-readelf -s %t.gfx1100.hsaco | FileCheck %s --check-prefix=ELF

// IR: llvm.func internal @__wooly_named_barrier(%{{.*}}: !llvm.ptr<3>, %{{.*}}: i32, %{{.*}}: i1, %{{.*}}: i1) attributes {passthrough = {{\[\[}}"alwaysinline", ""]]}
// IR: llvm.atomicrmw add {{.*}} syncscope("workgroup") acq_rel
// IR: llvm.atomicrmw add {{.*}} syncscope("workgroup") acq_rel
// IR: llvm.load {{.*}} atomic syncscope("workgroup") monotonic
// IR: llvm.call_intrinsic "llvm.amdgcn.s.sleep"
// IR: llvm.mlir.global internal @__wooly_named_barriers() {addr_space = 3 : i32, alignment = 4 : i64} : !llvm.array<16 x i32>
// IR-LABEL: llvm.func amdgpu_kernelcc @named
// IR: llvm.cond_br
// IR: llvm.mlir.zero : vector<16xi32>
// IR: llvm.store {{.*}} : vector<16xi32>, !llvm.ptr<3>
// IR: llvm.call_intrinsic "llvm.amdgcn.s.barrier"
// IR: llvm.call @__wooly_named_barrier
// IR: llvm.call @__wooly_named_barrier
// IR: llvm.call @__wooly_named_barrier
// IR: llvm.call_intrinsic "llvm.amdgcn.s.barrier"
// IR: llvm.return

// NONE-LABEL: llvm.func amdgpu_kernelcc @barriers
// NONE-NOT: __wooly_named_barrier

// CHECK-LABEL: named:
// Entry: thread 0 zeroes the 16 words (64 bytes), then all wait.
// CHECK: v_cmp{{x?}}_eq_u32_e32 {{(vcc, )?}}0,
// CHECK: ds_{{write|store}}_b128 {{.*}} offset:48
// CHECK: ds_{{write|store}}_b128 {{v[0-9]+}}, v[{{[0-9]+:[0-9]+}}]{{$}}
// CHECK: s_barrier
// The consumers' bar.sync 1: arrive, complete or wait for the generation.
// W64: v_mbcnt_hi_u32_b32
// W32-NOT: v_mbcnt_hi_u32_b32
// CHECK: ds_add_rtn_u32 {{.*}} offset:4
// CHECK: ds_add_u32 {{.*}} offset:4
// CHECK: ds_{{read|load}}_b32 {{.*}} offset:4
// CHECK: s_sleep 1
// The producers' bar.arrive 1: no wait.
// CHECK: ds_add_rtn_u32 {{.*}} offset:4
// CHECK: ds_add_u32 {{.*}} offset:4
// CHECK-NOT: s_sleep
// A whole-block barrier on id 2: every warp of the block.
// CHECK: ds_add_rtn_u32 {{.*}} offset:8
// CHECK: ds_add_u32 {{.*}} offset:8
// CHECK: ds_{{read|load}}_b32 {{.*}} offset:8
// CHECK: s_sleep 1
// CHECK: s_barrier
// CHECK: s_endpgm
// CHECK: .amdhsa_group_segment_fixed_size 64

// ELF-DAG: OBJECT GLOBAL DEFAULT {{.*}} named.kd
wooly.kernel @named(%out: !wooly.ptr<global>, %n: i32) {
  %tid = wooly.thread_id x : i32
  %c64 = arith.constant 64 : i32
  %p = arith.cmpi ult, %tid, %c64 : i32
  cf.cond_br %p, ^producer, ^consumer
^producer:
  wooly.barrier id 1 count %n arrive
  cf.br ^done
^consumer:
  wooly.barrier id 1 count %n
  wooly.store %tid, %out : i32, !wooly.ptr<global>
  cf.br ^done
^done:
  wooly.barrier id 2
  wooly.barrier
  wooly.return
}
