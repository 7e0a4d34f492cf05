// RUN: wooly-opt %s -split-input-file -verify-diagnostics -wooly-verify-module="max-shared-bytes=64 max-param-bytes=8 max-local-bytes=32 max-global-bytes=16 max-call-depth=2"

// Resource limits a server enforces, with small limits to trip them.

wooly.global @tile : 32 x f32 in shared
// expected-error @+1 {{kernel @k may use 128 bytes of static shared memory; the server allows 64}}
wooly.kernel @k() {
  wooly.return
}

// -----

// expected-error @+1 {{kernel @k takes 16 bytes of parameters; the server allows 8}}
wooly.kernel @k(%a: i32, %b: i64) {
  wooly.return
}

// -----

// expected-error @+1 {{kernel @k takes 24 bytes of parameters; the server allows 8}}
wooly.kernel @k(%s: !wooly.ptr<param> {wooly.byval_size = 24 : i64, wooly.byval_align = 8 : i64}) {
  wooly.return
}

// -----

// expected-error @+1 {{@k allocates 48 bytes of local memory per thread; the server allows 32}}
wooly.kernel @k() {
  %a = wooly.local_alloca 16 : !wooly.ptr<local>
  %b = wooly.local_alloca 32 : !wooly.ptr<local>
  wooly.return
}

// -----

// expected-error @+1 {{module variables take 40 bytes; the server allows 16}}
module {
  wooly.global @a : 8 x i32 in global
  wooly.global @b : 2 x f32 in const
}

// -----

wooly.func @c() {
  wooly.return
}
wooly.func @b() {
  wooly.call @c() : () -> ()
  wooly.return
}
wooly.func @a() {
  wooly.call @b() : () -> ()
  wooly.return
}
// expected-error @+1 {{kernel @k has a call chain deeper than 2}}
wooly.kernel @k() {
  wooly.call @a() : () -> ()
  wooly.return
}

// -----

// Recursion is not a deep chain: it is bounded at run time.
wooly.func @r(%n: i32) {
  wooly.call @r(%n) : (i32) -> ()
  wooly.return
}
wooly.kernel @k(%n: i32) {
  wooly.call @r(%n) : (i32) -> ()
  wooly.return
}
