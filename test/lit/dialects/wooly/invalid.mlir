// RUN: wooly-opt %s -split-input-file -verify-diagnostics

// Every verifier error of the wooly dialect, one per chunk.

// expected-error @+1 {{kernels return nothing, but the signature has 1 results}}
wooly.kernel @k() -> i32 {
  %c = arith.constant 0 : i32
  wooly.return %c : i32
}

// -----

// expected-error @+1 {{a kernel needs a body}}
wooly.kernel @k()

// -----

// expected-error @+1 {{max_threads must be positive, got 0}}
wooly.kernel @k() attributes {max_threads = 0 : i32} {
  wooly.return
}

// -----

// expected-error @+1 {{req_block_size needs 1 to 3 dimensions, got 4}}
wooly.kernel @k() attributes {req_block_size = array<i32: 1, 1, 1, 1>} {
  wooly.return
}

// -----

// expected-error @+1 {{req_block_size dimensions must be positive, got -2}}
wooly.kernel @k() attributes {req_block_size = array<i32: 32, -2>} {
  wooly.return
}

// -----

// expected-error @+1 {{min_blocks_per_sm must be positive, got 0}}
wooly.kernel @k() attributes {min_blocks_per_sm = 0 : i32} {
  wooly.return
}

// -----

// expected-error @+1 {{parameter #0 is passed by value as !wooly.ptr<param> and needs a positive wooly.byval_size}}
wooly.kernel @k(%s: !wooly.ptr<param>) {
  wooly.return
}

// -----

// expected-error @+1 {{parameter #0 has wooly.byval_size but is not a !wooly.ptr<param>}}
wooly.kernel @k(%s: !wooly.ptr<global> {wooly.byval_size = 8 : i64}) {
  wooly.return
}

// -----

// expected-error @+1 {{parameter #0 has type 'index', which cannot be passed to a kernel}}
wooly.kernel @k(%i: index) {
  wooly.return
}

// -----

// expected-error @+1 {{entry block must have 1 arguments to match function signature}}
"wooly.func"() ({
^bb0:
  "wooly.return"() : () -> ()
}) {sym_name = "f", function_type = (i32) -> ()} : () -> ()

// -----

// expected-error @+1 {{type of entry block argument #0('i64') must match the type of the corresponding argument in function signature('i32')}}
"wooly.func"() ({
^bb0(%a: i64):
  "wooly.return"() : () -> ()
}) {sym_name = "f", function_type = (i32) -> ()} : () -> ()

// -----

wooly.func @f() -> i32 {
  // expected-error @+1 {{returns 0 values but the enclosing function has 1 results}}
  wooly.return
}

// -----

wooly.func @f(%x: i64) -> i32 {
  // expected-error @+1 {{operand #0 has type 'i64' but the function returns 'i32'}}
  wooly.return %x : i64
}

// -----

wooly.kernel @k() {
  // expected-error @+1 {{calls @missing, which is not defined}}
  wooly.call @missing() : () -> ()
  wooly.return
}

// -----

wooly.kernel @other() {
  wooly.return
}
wooly.kernel @k() {
  // expected-error @+1 {{cannot call kernel @other; kernels are launched from the host}}
  wooly.call @other() : () -> ()
  wooly.return
}

// -----

wooly.global @g : 1 x i32 in global
wooly.kernel @k() {
  // expected-error @+1 {{@g is not a wooly.func}}
  wooly.call @g() : () -> ()
  wooly.return
}

// -----

wooly.func @f(%x: i32) {
  wooly.return
}
wooly.kernel @k(%y: i64) {
  // expected-error @+1 {{operand types do not match the signature of @f: '(i32) -> ()'}}
  wooly.call @f(%y) : (i64) -> ()
  wooly.return
}

// -----

wooly.func @f() -> i32 {
  %c = arith.constant 1 : i32
  wooly.return %c : i32
}
wooly.kernel @k() {
  // expected-error @+1 {{result types do not match the signature of @f: '() -> i32'}}
  %r = wooly.call @f() : () -> f32
  wooly.return
}

// -----

// expected-error @+1 {{element type 'index' cannot be stored in memory}}
wooly.global @g : 4 x index in global

// -----

// expected-error @+1 {{count must not be negative, got -1}}
wooly.global @g : -1 x i32 in global

// -----

// expected-error @+1 {{a variable of 0 elements must be extern}}
wooly.global @g : 0 x i32 in global

// -----

// expected-error @+1 {{alignment must be a positive power of two, got 3}}
wooly.global @g : 4 x i32 in global align 3

// -----

// expected-error @+1 {{module-scope variables live in global, const or shared memory, not local}}
wooly.global @g : 4 x i32 in local

// -----

// expected-error @+1 {{shared variables cannot be initialized: every block gets its own uninitialized copy}}
wooly.global @g : 2 x i32 in shared = dense<0> : tensor<2xi32>

// -----

// expected-error @+1 {{an extern variable cannot have an initializer}}
wooly.global @g : 2 x i32 in global extern = dense<0> : tensor<2xi32>

// -----

// expected-error @+1 {{initializer elements are 'f32' but the variable holds 'i32'}}
wooly.global @g : 2 x i32 in global = dense<0.0> : tensor<2xf32>

// -----

// expected-error @+1 {{initializer has 3 elements but the variable has 2}}
wooly.global @g : 2 x i32 in global = dense<[1, 2, 3]> : tensor<3xi32>

// -----

// expected-error @+1 {{initializer has 3 bytes but the variable has 8}}
wooly.global @g : 2 x i32 in const = "abc"

// -----

// expected-error @+1 {{initializer must be dense elements or a byte string}}
wooly.global @g : 1 x i32 in global = 5 : i32

// -----

wooly.kernel @k() {
  // expected-error @+1 {{@nope is not a wooly.global in this module}}
  %p = wooly.addressof @nope : !wooly.ptr<global>
  wooly.return
}

// -----

wooly.global @g : 4 x f32 in shared
wooly.kernel @k() {
  // expected-error @+1 {{@g lives in shared memory, not global}}
  %p = wooly.addressof @g : !wooly.ptr<global>
  wooly.return
}

// -----

wooly.kernel @k() {
  // expected-error @+1 {{size must be positive, got 0}}
  %p = wooly.local_alloca 0 : !wooly.ptr<local>
  wooly.return
}

// -----

wooly.kernel @k() {
  // expected-error @+1 {{alignment must be a positive power of two, got 6}}
  %p = wooly.local_alloca 16 align 6 : !wooly.ptr<local>
  wooly.return
}

// -----

wooly.kernel @k(%p: !wooly.ptr<shared>) {
  // expected-error @+1 {{converts between generic and one specific space; got shared to global}}
  %q = wooly.cast_space %p : !wooly.ptr<shared> to !wooly.ptr<global>
  wooly.return
}

// -----

wooly.kernel @k(%p: !wooly.ptr<generic>) {
  // expected-error @+1 {{converts between generic and one specific space; got generic to generic}}
  %q = wooly.cast_space %p : !wooly.ptr<generic> to !wooly.ptr<generic>
  wooly.return
}

// -----

wooly.kernel @k(%p: !wooly.ptr<global>) {
  // expected-error @+1 {{alignment must be a positive power of two, got 0}}
  %v = wooly.load %p {alignment = 0 : i64} : !wooly.ptr<global> -> i32
  wooly.return
}

// -----

wooly.kernel @k(%p: !wooly.ptr<global>) {
  // expected-error @+1 {{a load cannot have release ordering}}
  %v = wooly.load %p {order = #wooly<order release>} : !wooly.ptr<global> -> i32
  wooly.return
}

// -----

wooly.kernel @k(%p: !wooly.ptr<shared>) {
  // expected-error @+1 {{invariant loads read global memory}}
  %v = wooly.load %p {invariant} : !wooly.ptr<shared> -> i32
  wooly.return
}

// -----

wooly.kernel @k(%p: !wooly.ptr<global>) {
  // expected-error @+1 {{a load cannot be both invariant and volatile}}
  %v = wooly.load %p {invariant, is_volatile} : !wooly.ptr<global> -> i32
  wooly.return
}

// -----

wooly.kernel @k(%p: !wooly.ptr<global>) {
  // expected-error @+1 {{'wooly.load' op result #0 must be}}
  %v = wooly.load %p : !wooly.ptr<global> -> index
  wooly.return
}

// -----

wooly.kernel @k(%p: !wooly.ptr<const>, %v: i32) {
  // expected-error @+1 {{const memory is read-only}}
  wooly.store %v, %p : i32, !wooly.ptr<const>
  wooly.return
}

// -----

wooly.kernel @k(%p: !wooly.ptr<global>, %v: i32) {
  // expected-error @+1 {{a store cannot have acquire ordering}}
  wooly.store %v, %p {order = #wooly<order acquire>} : i32, !wooly.ptr<global>
  wooly.return
}

// -----

wooly.kernel @k(%p: !wooly.ptr<global>, %v: i32) {
  // expected-error @+1 {{alignment must be a positive power of two, got 12}}
  wooly.store %v, %p {alignment = 12 : i64} : i32, !wooly.ptr<global>
  wooly.return
}

// -----

wooly.kernel @k(%p: !wooly.ptr<local>, %v: i32) {
  // expected-error @+1 {{atomics need global, shared or generic memory, not local}}
  %o = wooly.atomic_rmw add %p, %v : !wooly.ptr<local>, i32
  wooly.return
}

// -----

wooly.kernel @k(%p: !wooly.ptr<global>, %v: i32) {
  // expected-error @+1 {{atomics cannot be weak; use relaxed}}
  %o = wooly.atomic_rmw add %p, %v {order = #wooly<order weak>} : !wooly.ptr<global>, i32
  wooly.return
}

// -----

wooly.kernel @k(%p: !wooly.ptr<global>, %v: i32) {
  // expected-error @+1 {{atomic fadd needs a float value}}
  %o = wooly.atomic_rmw fadd %p, %v : !wooly.ptr<global>, i32
  wooly.return
}

// -----

wooly.kernel @k(%p: !wooly.ptr<global>, %v: f32) {
  // expected-error @+1 {{atomic add needs an integer value}}
  %o = wooly.atomic_rmw add %p, %v : !wooly.ptr<global>, f32
  wooly.return
}

// -----

wooly.kernel @k(%p: !wooly.ptr<global>, %v: i64) {
  // expected-error @+1 {{atomic inc/dec operate on i32}}
  %o = wooly.atomic_rmw inc %p, %v : !wooly.ptr<global>, i64
  wooly.return
}

// -----

wooly.kernel @k(%p: !wooly.ptr<const>, %v: i32) {
  // expected-error @+1 {{atomics need global, shared or generic memory, not const}}
  %o = wooly.atomic_cas %p, %v, %v : !wooly.ptr<const>, i32
  wooly.return
}

// -----

wooly.kernel @k(%p: !wooly.ptr<global>, %v: i32) {
  // expected-error @+1 {{atomics cannot be weak; use relaxed}}
  %o = wooly.atomic_cas %p, %v, %v {order = #wooly<order weak>} : !wooly.ptr<global>, i32
  wooly.return
}

// -----

wooly.kernel @k(%p: !wooly.ptr<global>, %v: i8) {
  // expected-error @+1 {{compare-and-swap needs a 16, 32 or 64-bit integer}}
  %o = wooly.atomic_cas %p, %v, %v : !wooly.ptr<global>, i8
  wooly.return
}

// -----

wooly.kernel @k() {
  // expected-error @+1 {{a fence orders memory: use acquire, release, acq_rel or seq_cst, not relaxed}}
  wooly.fence gpu relaxed
  wooly.return
}

// -----

wooly.kernel @k() {
  // expected-error @+1 {{barrier id must be in 0..15, got 16}}
  wooly.barrier id 16
  wooly.return
}

// -----

wooly.kernel @k() {
  // expected-error @+1 {{an arrive-only barrier needs a thread count}}
  wooly.barrier arrive
  wooly.return
}

// -----

wooly.kernel @k(%p: i1) {
  // expected-error @+1 {{barrier id must be in 0..15, got 20}}
  %n = wooly.barrier_reduce popc %p id 20 : i32
  wooly.return
}

// -----

wooly.kernel @k(%p: i1) {
  // expected-error @+1 {{barrier reduction popc gives i32}}
  %n = wooly.barrier_reduce popc %p : i1
  wooly.return
}

// -----

wooly.kernel @k(%p: i1) {
  // expected-error @+1 {{barrier reduction or gives i1}}
  %n = wooly.barrier_reduce or %p : i32
  wooly.return
}

// -----

wooly.kernel @k(%p: i1, %m: i32) {
  // expected-error @+1 {{vote ballot gives i32}}
  %b = wooly.vote ballot %p, %m : i1
  wooly.return
}

// -----

wooly.kernel @k(%p: i1, %m: i32) {
  // expected-error @+1 {{vote any gives i1}}
  %b = wooly.vote any %p, %m : i32
  wooly.return
}

// -----

wooly.kernel @k(%a: f32) {
  // expected-error @+1 {{fp add takes 2 operands, got 1}}
  %r = wooly.fp add %a : f32
  wooly.return
}

// -----

wooly.kernel @k(%a: f32) {
  // expected-error @+1 {{fp fma takes 3 operands, got 2}}
  %r = wooly.fp fma %a, %a : f32
  wooly.return
}

// -----

wooly.kernel @k(%a: f32) {
  // expected-error @+1 {{rna rounding exists only for conversions}}
  %r = wooly.fp mul %a, %a rounding rna : f32
  wooly.return
}

// -----

wooly.kernel @k(%a: f32) {
  // expected-error @+1 {{approx sin takes 1 operands, got 2}}
  %r = wooly.approx sin %a, %a : f32
  wooly.return
}

// -----

wooly.kernel @k(%a: f32) {
  // expected-error @+1 {{approx div takes 2 operands, got 1}}
  %r = wooly.approx div %a : f32
  wooly.return
}

// -----

wooly.kernel @k(%a: i32) {
  %r = wooly.reg : !wooly.reg<i64>
  // expected-error @+1 {{value type is the register's element type}}
  "wooly.reg_write"(%a, %r) : (i32, !wooly.reg<i64>) -> ()
  wooly.return
}

// -----

wooly.kernel @k() {
  %r = wooly.reg : !wooly.reg<i64>
  // expected-error @+1 {{result type is the register's element type}}
  %v = "wooly.reg_read"(%r) : (!wooly.reg<i64>) -> i32
  wooly.return
}

// -----

wooly.kernel @k(%p: !wooly.ptr<generic>) {
  // expected-error @+1 {{every address is generic; ask for a specific space}}
  %b = wooly.is_space %p, generic : !wooly.ptr<generic>
  wooly.return
}
