// Module variables in global and const memory are exported symbols of the
// code object (hipModuleGetGlobal, hipMemcpyToSymbol) and stay writable.
// RUN: wooly-opt %s --wooly-lower-to-rocdl=chip=gfx942 | FileCheck %s --check-prefix=IR
// RUN: wooly-opt %s --wooly-lower-to-rocdl=chip=gfx942 | mlir-translate --mlir-to-llvmir | llc -mtriple=amdgcn-amd-amdhsa -mcpu=gfx942 -filetype=obj -o %t.o
// RUN: ld.lld -shared %t.o -o %t.hsaco
// RUN: llvm-readelf --dyn-syms %t.hsaco | FileCheck %s

// IR-DAG: llvm.mlir.global external protected @table
// IR-DAG: llvm.mlir.global external protected @counter
// CHECK-DAG: OBJECT GLOBAL PROTECTED {{.*}} table
// CHECK-DAG: OBJECT GLOBAL PROTECTED {{.*}} counter
wooly.global @table : 4 x f32 in const align 16 = dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
wooly.global @counter : 1 x i32 in global align 4 = dense<7> : tensor<1xi32>

wooly.kernel @k(%out: !wooly.ptr<global>) {
  %t = wooly.addressof @table : !wooly.ptr<const>
  %v = wooly.load %t {alignment = 4 : i64} : !wooly.ptr<const> -> f32
  %c = wooly.addressof @counter : !wooly.ptr<global>
  %n = wooly.load %c {alignment = 4 : i64} : !wooly.ptr<global> -> i32
  %nf = arith.sitofp %n : i32 to f32
  %r = arith.addf %v, %nf : f32
  wooly.store %r, %out {alignment = 4 : i64} : f32, !wooly.ptr<global>
  wooly.return
}
