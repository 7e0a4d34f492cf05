// An address-fenced module (docs/address-fencing.md) through the nvptx
// backend: the three hidden i64 parameters follow the client's, global
// accesses are masked into the arena, module variables live in the data
// segment (data_base + offset), not in the PTX. ptxas.test assembles it.
// RUN: wooly-opt %s --wooly-fence-addresses --wooly-lower-to-nvvm=chip=sm_90 | mlir-translate --mlir-to-llvmir | llc -mtriple=nvptx64-nvidia-cuda -mattr=+ptx78 -mcpu=sm_90 | FileCheck %s

// CHECK-NOT: .global .align {{.*}} counter
// CHECK-LABEL: .visible .func {{.*}}get(
// CHECK: .param .b64 get_param_3
// CHECK: and.b64 [[M:%rd[0-9]+]], %rd1, %rd3;
// CHECK: or.b64 [[A:%rd[0-9]+]], [[M]], %rd2;
// CHECK: ld.global.b32 %r1, [[[A]]];
// CHECK-LABEL: .visible .entry fenced(
// CHECK-NEXT: .param .u64 .ptr .global .align 1 fenced_param_0,
// CHECK-NEXT: .param .u64 fenced_param_1,
// CHECK-NEXT: .param .u64 fenced_param_2,
// CHECK-NEXT: .param .u64 fenced_param_3
// CHECK-NEXT: )
// CHECK: call.uni (retval0), get, (param0, param1, param2, param3);
// CHECK: and.b64
// CHECK: or.b64
// CHECK: st.global.b32
wooly.global @counter : 1 x i32 in global align 4 = dense<7> : tensor<1xi32>

wooly.func @get(%p: !wooly.ptr<global>) -> i32 {
  %v = wooly.load %p {alignment = 4 : i64} : !wooly.ptr<global> -> i32
  wooly.return %v : i32
}

wooly.kernel @fenced(%out: !wooly.ptr<global>) {
  %c = wooly.addressof @counter : !wooly.ptr<global>
  %v = wooly.call @get(%c) : (!wooly.ptr<global>) -> i32
  wooly.store %v, %out {alignment = 4 : i64} : i32, !wooly.ptr<global>
  wooly.return
}
