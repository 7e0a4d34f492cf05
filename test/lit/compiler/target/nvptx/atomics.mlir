// Atomics carry their scope as a sync scope (cta -> block, gpu -> device,
// sys -> system) and fences become fence/membar with that scope. LLVM 22's
// NVPTX backend prints relaxed gpu-scope read-modify-writes as plain `atom`
// (whose default is .relaxed.gpu) and drops the ordering of atomicrmw, so
// the nvptx lowering makes it explicit with fences of the same scope.
// RUN: wooly-opt %s --wooly-lower-to-nvvm=chip=sm_90 | mlir-translate --mlir-to-llvmir | llc -mtriple=nvptx64-nvidia-cuda -mattr=+ptx78 -mcpu=sm_90 | FileCheck %s

// CHECK-LABEL: .entry atomics
wooly.kernel @atomics(%g: !wooly.ptr<global>, %s: !wooly.ptr<shared>, %i: i32, %f: f32, %l: i64) {
  // CHECK-DAG: atom.global.add.u32
  %a = wooly.atomic_rmw add %g, %i : !wooly.ptr<global>, i32
  // CHECK-DAG: atom.shared.add.f32
  %b = wooly.atomic_rmw fadd %s, %f {scope = #wooly<scope cta>} : !wooly.ptr<shared>, f32
  // CHECK-DAG: fence.acq_rel.sys;
  // CHECK-DAG: atom.global.exch.b64
  %d = wooly.atomic_rmw exch %g, %l {order = #wooly<order acq_rel>, scope = #wooly<scope sys>} : !wooly.ptr<global>, i64
  // CHECK-DAG: atom.relaxed.gpu.global.cas.b32
  %e = wooly.atomic_cas %g, %i, %a : !wooly.ptr<global>, i32
  // CHECK-DAG: atom.global.min.u32
  %f2 = wooly.atomic_rmw umin %g, %i : !wooly.ptr<global>, i32
  // CHECK-DAG: fence.sc.cta
  wooly.fence cta seq_cst
  // CHECK-DAG: fence.acq_rel.gpu
  wooly.fence gpu acq_rel
  %bi = arith.bitcast %b : f32 to i32
  %s0 = arith.addi %a, %bi : i32
  %s1 = arith.addi %s0, %e : i32
  %s2 = arith.addi %s1, %f2 : i32
  wooly.store %s2, %g : i32, !wooly.ptr<global>
  wooly.store %d, %g : i64, !wooly.ptr<global>
  wooly.return
}
