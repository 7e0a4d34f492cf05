// 32-lane warps on AMD GPUs. gfx1100 is wave32: a warp is the wave. gfx942
// is wave64: each warp is half a wave, so lane ids come from mbcnt_lo+hi
// masked to 5 bits, shuffles read ds_bpermute inside the half, and ballots
// are 64-bit ballots shifted to the half.
// RUN: wooly-opt %s --wooly-lower-to-rocdl=chip=gfx942 | mlir-translate --mlir-to-llvmir | llc -mtriple=amdgcn-amd-amdhsa -mcpu=gfx942 | FileCheck %s --check-prefixes=CHECK,W64
// RUN: wooly-opt %s --wooly-lower-to-rocdl=chip=gfx1100 | mlir-translate --mlir-to-llvmir | llc -mtriple=amdgcn-amd-amdhsa -mcpu=gfx1100 | FileCheck %s --check-prefixes=CHECK,W32
// RUN: wooly-opt %s --wooly-lower-to-rocdl=chip=gfx942 | FileCheck %s --check-prefix=IR

// IR-LABEL: llvm.func amdgpu_kernelcc @shuffles
// IR: llvm.call_intrinsic "llvm.amdgcn.mbcnt.lo"
// IR: llvm.call_intrinsic "llvm.amdgcn.mbcnt.hi"
// IR: llvm.call_intrinsic "llvm.amdgcn.ballot.i64"
// IR: llvm.call_intrinsic "llvm.amdgcn.ds.bpermute"

// CHECK-LABEL: shuffles:
// CHECK: v_mbcnt_lo_u32_b32
// W64: v_mbcnt_hi_u32_b32
// W32-NOT: v_mbcnt_hi_u32_b32
// CHECK: ds_bpermute_b32
// CHECK: s_endpgm
wooly.kernel @shuffles(%out: !wooly.ptr<global>, %u: i32, %lane: i32, %mask: i32) {
  %tid = wooly.thread_id x : i32
  %v = arith.addi %u, %tid : i32
  %c = arith.constant 31 : i32
  %a, %pa = wooly.shuffle down %v, %lane, %c, %mask : i32
  %x, %px = wooly.shuffle xor %a, %lane, %c, %mask : i32
  %ok = arith.andi %pa, %px : i1
  %okw = arith.extui %ok : i1 to i32
  %r = arith.addi %x, %okw : i32
  wooly.store %r, %out : i32, !wooly.ptr<global>
  wooly.return
}

// The ballot is the compare mask (vcc), the active mask exec; on wave64
// both are shifted right by the half's base lane (0 or 32).
// CHECK-LABEL: votes:
// W64: v_lshrrev_b64 v[{{[0-9]+}}:{{[0-9]+}}], v{{[0-9]+}}, vcc
// W64: v_lshrrev_b64 v[{{[0-9]+}}:{{[0-9]+}}], v{{[0-9]+}}, exec
// W32: s_and_b32 s{{[0-9]+}}, vcc_lo, s{{[0-9]+}}
// W32: s_and_b32 s{{[0-9]+}}, exec_lo, s{{[0-9]+}}
// CHECK: s_endpgm
wooly.kernel @votes(%out: !wooly.ptr<global>, %u: i32, %mask: i32) {
  %tid = wooly.thread_id x : i32
  %v = arith.subi %u, %tid : i32
  %z = arith.constant 0 : i32
  %p = arith.cmpi sgt, %v, %z : i32
  %b = wooly.vote ballot %p, %mask : i32
  %all = wooly.vote all %p, %mask : i1
  %am = wooly.active_mask : i32
  %aw = arith.extui %all : i1 to i32
  %t = arith.addi %b, %aw : i32
  %t2 = arith.addi %t, %am : i32
  wooly.store %t2, %out : i32, !wooly.ptr<global>
  wooly.return
}

// match and redux read the warp's 32 lanes with readlane (both halves on
// wave64, then pick the caller's half).
// CHECK-LABEL: reductions:
// CHECK: v_readlane_b32
// CHECK: s_endpgm
wooly.kernel @reductions(%out: !wooly.ptr<global>, %u: i32, %mask: i32) {
  %tid = wooly.thread_id x : i32
  %v = arith.addi %u, %tid : i32
  %a = wooly.redux add %v, %mask : i32
  %m, %e = wooly.match any %a, %mask : i32
  %r = arith.addi %a, %m : i32
  wooly.store %r, %out : i32, !wooly.ptr<global>
  wooly.return
}
