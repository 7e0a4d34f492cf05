// Thread geometry, special registers and block barriers.
// RUN: wooly-opt %s --wooly-lower-to-nvvm=chip=sm_90 | mlir-translate --mlir-to-llvmir | llc -mtriple=nvptx64-nvidia-cuda -mattr=+ptx78 -mcpu=sm_90 | FileCheck %s

// Dynamic shared memory is the one `.extern .shared` array.
// CHECK: .extern .shared .align 16 .b8 __wooly_dynamic_shared[];

// CHECK-LABEL: .entry geometry
wooly.kernel @geometry(%out: !wooly.ptr<global>, %g: !wooly.ptr<generic>) {
  // CHECK-DAG: %tid.y
  %t = wooly.thread_id y : i32
  // CHECK-DAG: %ntid.z
  %n = wooly.block_dim z : i32
  // CHECK-DAG: %ctaid.x
  %b = wooly.block_id x : i32
  // CHECK-DAG: %nctaid.y
  %g2 = wooly.grid_dim y : i32
  // CHECK-DAG: %laneid
  %l = wooly.lane_id : i32
  // CHECK-DAG: %lanemask_lt
  %m = wooly.lane_mask lt : i32
  // CHECK-DAG: %smid
  %s = wooly.hw_reg smid : i32
  // CHECK-DAG: %dynamic_smem_size
  %ds = wooly.dynamic_shared_size : i32
  // CHECK-DAG: %clock64
  %c = wooly.clock : i64
  // CHECK-DAG: %globaltimer
  %gt = wooly.global_timer : i64
  %a0 = arith.addi %t, %n : i32
  %a1 = arith.addi %a0, %b : i32
  %a2 = arith.addi %a1, %g2 : i32
  %a3 = arith.addi %a2, %l : i32
  %a4 = arith.addi %a3, %m : i32
  %a5 = arith.addi %a4, %s : i32
  %a6 = arith.addi %a5, %ds : i32
  %w = arith.extui %a6 : i32 to i64
  %x = arith.addi %w, %c : i64
  %y = arith.addi %x, %gt : i64
  wooly.store %y, %out : i64, !wooly.ptr<global>
  wooly.return
}

// CHECK-LABEL: .entry barriers
wooly.kernel @barriers(%out: !wooly.ptr<global>, %n: i32, %p: i1, %mask: i32) {
  %sh = wooly.dynamic_shared : !wooly.ptr<shared>
  %v = wooly.load %sh : !wooly.ptr<shared> -> i32
  // CHECK: bar.sync 0;
  wooly.barrier
  // CHECK: bar.sync 1, %r{{[0-9]+}};
  wooly.barrier id 1 count %n
  // CHECK: bar.arrive 2, %r{{[0-9]+}};
  wooly.barrier id 2 count %n arrive
  // CHECK: bar.red.popc.u32 %r{{[0-9]+}}, 0, %p{{[0-9]+}};
  %cnt = wooly.barrier_reduce popc %p : i32
  // CHECK: bar.red.and.pred
  %all = wooly.barrier_reduce and %p id 3 : i1
  // CHECK: bar.warp.sync
  wooly.warp_sync %mask
  %aw = arith.extui %all : i1 to i32
  %r0 = arith.addi %cnt, %aw : i32
  %r = arith.addi %r0, %v : i32
  wooly.store %r, %out : i32, !wooly.ptr<global>
  wooly.return
}
