// Geometry from workitem/workgroup ids and the code object v5 implicit
// arguments; __syncthreads as release fence + s_barrier + acquire fence;
// bar.red through an LDS counter; atomics and fences with AMDGPU scopes.
// RUN: wooly-opt %s --wooly-lower-to-rocdl=chip=gfx942 | mlir-translate --mlir-to-llvmir | llc -mtriple=amdgcn-amd-amdhsa -mcpu=gfx942 | FileCheck %s
// RUN: wooly-opt %s --wooly-lower-to-rocdl=chip=gfx942 | FileCheck %s --check-prefix=IR

// IR-LABEL: llvm.func amdgpu_kernelcc @geometry
// IR-SAME: ["amdgpu-flat-work-group-size", "1,1024"]
// IR: llvm.call_intrinsic "llvm.amdgcn.workitem.id.y"
// IR: llvm.call_intrinsic "llvm.amdgcn.implicitarg.ptr"
// IR: llvm.getelementptr {{.*}}[16]
// IR: llvm.call_intrinsic "llvm.amdgcn.workgroup.id.x"
// IR: llvm.call_intrinsic "llvm.amdgcn.implicitarg.ptr"
// IR: llvm.getelementptr {{.*}}[4]

// CHECK-LABEL: geometry:
// CHECK: s_endpgm
// CHECK: .amdhsa_kernel geometry
// CHECK: .amdhsa_next_free_vgpr
wooly.kernel @geometry(%out: !wooly.ptr<global>) {
  %t = wooly.thread_id y : i32
  %n = wooly.block_dim z : i32
  %b = wooly.block_id x : i32
  %g = wooly.grid_dim y : i32
  %l = wooly.lane_id : i32
  %m = wooly.lane_mask le : i32
  %a0 = arith.addi %t, %n : i32
  %a1 = arith.addi %a0, %b : i32
  %a2 = arith.addi %a1, %g : i32
  %a3 = arith.addi %a2, %l : i32
  %a4 = arith.addi %a3, %m : i32
  wooly.store %a4, %out : i32, !wooly.ptr<global>
  wooly.return
}

// CHECK-LABEL: barriers:
// CHECK: s_barrier
// CHECK: ds_add_u32
// CHECK: s_barrier
// CHECK: s_endpgm
wooly.kernel @barriers(%out: !wooly.ptr<global>, %v: i32) {
  %sh = wooly.dynamic_shared : !wooly.ptr<shared>
  %tid = wooly.thread_id x : i32
  wooly.store %tid, %sh : i32, !wooly.ptr<shared>
  wooly.barrier
  %x = wooly.load %sh : !wooly.ptr<shared> -> i32
  %p = arith.cmpi ult, %tid, %v : i32
  %cnt = wooly.barrier_reduce popc %p : i32
  %r = arith.addi %cnt, %x : i32
  wooly.store %r, %out : i32, !wooly.ptr<global>
  wooly.warp_sync %v
  wooly.return
}

// CHECK-LABEL: atomics:
// CHECK-DAG: global_atomic_add
// CHECK-DAG: ds_add_rtn_f32
// CHECK-DAG: buffer_inv sc1
// CHECK: s_endpgm
wooly.kernel @atomics(%g: !wooly.ptr<global>, %s: !wooly.ptr<shared>, %i: i32, %f: f32) {
  %a = wooly.atomic_rmw add %g, %i : !wooly.ptr<global>, i32
  %b = wooly.atomic_rmw fadd %s, %f {scope = #wooly<scope cta>} : !wooly.ptr<shared>, f32
  wooly.fence gpu acq_rel
  %bi = arith.bitcast %b : f32 to i32
  %r = arith.addi %a, %bi : i32
  wooly.store %r, %g : i32, !wooly.ptr<global>
  wooly.return
}
