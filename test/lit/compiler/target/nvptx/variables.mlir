// Module variables in global and const memory are visible to the driver
// (cuModuleGetGlobal, cudaMemcpyToSymbol) and stay writable by the host: an
// initial value is never folded into the code.
// RUN: wooly-opt %s --wooly-lower-to-nvvm=chip=sm_90 | mlir-translate --mlir-to-llvmir | llc -mtriple=nvptx64-nvidia-cuda -mattr=+ptx78 -mcpu=sm_90 | FileCheck %s

// CHECK-DAG: .visible .const .align 16 .b8 table[16] = {0, 0, 128, 63
// CHECK-DAG: .visible .global .align 4 .b8 counter[4] = {7};
wooly.global @table : 4 x f32 in const align 16 = dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
wooly.global @counter : 1 x i32 in global align 4 = dense<7> : tensor<1xi32>
wooly.global @tile : 16 x f32 in shared align 4

// CHECK-LABEL: .entry k
// CHECK-DAG: .shared .align 4 .b8 tile[64];
// CHECK-DAG: ld.const.b32
// CHECK-DAG: ld.global.b32
wooly.kernel @k(%out: !wooly.ptr<global>) {
  %t = wooly.addressof @table : !wooly.ptr<const>
  %v = wooly.load %t {alignment = 4 : i64} : !wooly.ptr<const> -> f32
  %c = wooly.addressof @counter : !wooly.ptr<global>
  %n = wooly.load %c {alignment = 4 : i64} : !wooly.ptr<global> -> i32
  %s = wooly.addressof @tile : !wooly.ptr<shared>
  wooly.store %v, %s {alignment = 4 : i64} : f32, !wooly.ptr<shared>
  wooly.barrier
  %w = wooly.load %s {alignment = 4 : i64} : !wooly.ptr<shared> -> f32
  %nf = arith.sitofp %n : i32 to f32
  %r = arith.addf %w, %nf : f32
  wooly.store %r, %out {alignment = 4 : i64} : f32, !wooly.ptr<global>
  wooly.return
}
