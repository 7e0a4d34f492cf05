// RUN: wooly-opt %s -split-input-file -wooly-verify-module -verify-diagnostics

// The server-side checks on a client's module.

// A finished module passes.
wooly.global @lut : 4 x f32 in const = dense<1.0> : tensor<4xf32>
wooly.func @fib(%n: i32) -> i32 {
  %r = wooly.call @fib(%n) : (i32) -> i32
  wooly.return %r : i32
}
wooly.kernel @ok(%p: !wooly.ptr<global>) {
  wooly.return
}

// -----

// expected-error @+1 {{device function @ext has no body; WIS code cannot call out of its module}}
wooly.func private @ext(i32) -> i32

// -----

// expected-error @+2 {{'llvm.mlir.global' is not part of WIS; a module may only use the wooly, arith, math, cf and scf dialects}}
// expected-error @+1 {{only kernels, device functions and variables may appear at module scope, not 'llvm.mlir.global'}}
llvm.mlir.global internal @g(0 : i32) : i32

// -----

wooly.kernel @k(%x: i32) {
  // expected-error @+1 {{register slots must be promoted to SSA (run mem2reg) before a module is sent}}
  %r = wooly.reg : !wooly.reg<i32>
  wooly.return
}

// -----

wooly.kernel @k() {
  // expected-error @+1 {{'llvm.mlir.constant' is not part of WIS}}
  %c = llvm.mlir.constant(1 : i32) : i32
  wooly.return
}

// -----

// Wooly's own names: a client's variable could otherwise stand in for the
// slot an executor writes the fault record's address into.
// expected-error @+1 {{@__wooly_fault: names starting with __wooly_ are reserved for what Wooly adds to a module}}
wooly.global @__wooly_fault : 2 x i64 in const

// -----

// expected-error @+1 {{@__wooly_printf_string: names starting with __wooly_ are reserved for what Wooly adds to a module}}
wooly.func @__wooly_printf_string() {
  wooly.return
}
