// Loops that make real calls are not unrolled (compiler/target/gpu/
// CallLoopsRolled.h): each unrolled copy of a call keeps more values live
// across calls, spilled to local memory in every frame of a recursion.
// fibonacci's second call becomes a loop (tail-recursion elimination); the
// loop keeps one call a trip instead of the four the runtime unroller made.
// RUN: wooly-cc %s --target=nvptx:sm_90 --emit=ptx -o %t.ptx
// RUN: FileCheck %s < %t.ptx
// RUN: %if ptxas %{ %ptxas -arch=sm_90 %t.ptx -o %t.cubin %}
// Device functions are internal, as nvcc's `.func`: in an address-fenced
// module (docs/address-fencing.md) the recursion's hidden fence parameters,
// which it only hands on, are dropped.
// RUN: wooly-opt %s --wooly-fence-addresses -o %t.fenced.mlir
// RUN: wooly-cc %t.fenced.mlir --target=nvptx:sm_90 --emit=ptx -o - | FileCheck %s --check-prefix=FENCED

// FENCED: .func (.param .b32 func_retval0) fib(
// FENCED-NEXT: .param .b32 fib_param_0
// FENCED-NEXT: )
// FENCED-LABEL: .entry callfib(
// FENCED: call.uni (retval0), fib, (param0);

// CHECK-LABEL: .func (.param .b32 func_retval0) fib(
// CHECK: $L__BB{{[0-9_]+}}:
// CHECK-NEXT: .pragma "nounroll";
// CHECK: call.uni (retval0), fib,
// CHECK-NOT: call.uni
// CHECK: bra
// CHECK-NOT: call.uni
// CHECK: ret;
wooly.func @fib(%n: i32) -> i32 {
  %one = arith.constant 1 : i32
  %two = arith.constant 2 : i32
  %small = arith.cmpi slt, %n, %two : i32
  cf.cond_br %small, ^done(%n : i32), ^recurse
^recurse:
  %a = arith.subi %n, %one : i32
  %fa = wooly.call @fib(%a) : (i32) -> i32
  %b = arith.subi %n, %two : i32
  %fb = wooly.call @fib(%b) : (i32) -> i32
  %sum = arith.addi %fa, %fb : i32
  cf.br ^done(%sum : i32)
^done(%r: i32):
  wooly.return %r : i32
}

// CHECK-LABEL: .entry callfib(
wooly.kernel @callfib(%p: !wooly.ptr<global>, %n: i32) {
  %f = wooly.call @fib(%n) : (i32) -> i32
  wooly.store %f, %p {alignment = 4 : i64} : i32, !wooly.ptr<global>
  wooly.return
}
