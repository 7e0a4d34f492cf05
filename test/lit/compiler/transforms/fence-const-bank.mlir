// RUN: wooly-opt %s -wooly-fence-addresses=const-bank=true -split-input-file | FileCheck %s
// RUN: wooly-opt %s -wooly-fence-addresses -split-input-file | FileCheck %s --check-prefix=PLAIN

// const-bank (the NVIDIA GPU executors): a const variable whose address only
// reaches const-space loads stays in the module, the module instance's
// constant bank, and its loads stay unfenced const loads. A const load cannot
// leave the bank whatever its address, so isolation does not depend on this
// analysis; it decides only where the variable lives. Without the option
// every const variable moves into the data segment (fence-addresses.mlir).
// A bank load whose offset is not a constant inside its variable is clamped
// into the variable (v + min(p - v, size - width), unsigned), so no load
// reads past the module's own variables, whatever the hardware does with an
// out-of-range constant address.

// Loads through the variable's address plus constant offsets (nvcc's
// `ld.const.f32 [taps+4]`): the variable stays, no mask, const_bank lists
// it with its size and the data segment holds the rest.

// CHECK: module attributes {wooly.data_segment = {alignment = 16 : i64, const_bank = {taps = 64 : i64}, init = "{{.*}}", size = 4 : i64, sizes = {counter = 4 : i64}, symbols = {counter = 0 : i64}}}
// CHECK: wooly.global @taps : 16 x f32 in const align 4
// CHECK-NOT: wooly.global @counter
// CHECK-LABEL: wooly.kernel @direct
// CHECK: %[[T:.*]] = wooly.addressof @taps : !wooly.ptr<const>
// CHECK-NOT: arith.andi
// CHECK-NOT: arith.minui
// CHECK: wooly.load %[[T]] {{.*}}: !wooly.ptr<const> -> f32
// CHECK: %[[T60:.*]] = wooly.ptradd %[[T]], %{{.*}} : !wooly.ptr<const>, i64
// CHECK-NOT: arith.andi
// CHECK-NOT: arith.minui
// CHECK: wooly.load %[[T60]] {{.*}}: !wooly.ptr<const> -> f32
// A constant offset past the end is clamped like any other.
// CHECK: %[[T64:.*]] = wooly.ptradd %[[T]], %{{.*}} : !wooly.ptr<const>, i64
// CHECK: %[[S:.*]] = wooly.addressof @taps : !wooly.ptr<const>
// CHECK: %[[SI:.*]] = wooly.ptrtoint %[[S]]
// CHECK: %[[PI:.*]] = wooly.ptrtoint %[[T64]]
// CHECK: %[[R:.*]] = arith.subi %[[PI]], %[[SI]] : i64
// CHECK: %[[LAST:.*]] = arith.constant 60 : i64
// CHECK: %[[K:.*]] = arith.minui %[[R]], %[[LAST]] : i64
// CHECK: %[[A:.*]] = arith.addi %[[SI]], %[[K]] : i64
// CHECK: %[[P:.*]] = wooly.inttoptr %[[A]] : i64 to !wooly.ptr<const>
// CHECK: wooly.load %[[P]] {{.*}}: !wooly.ptr<const> -> f32
// CHECK: arith.andi
// CHECK: wooly.store

// PLAIN: module attributes {wooly.data_segment = {alignment = 16 : i64, init = "{{.*}}", size = 68 : i64, sizes = {counter = 4 : i64, taps = 64 : i64}, symbols = {counter = 64 : i64, taps = 0 : i64}}}
// PLAIN-NOT: const_bank
// PLAIN-NOT: wooly.global @taps
// PLAIN-LABEL: wooly.kernel @direct
// PLAIN: arith.andi
// PLAIN: wooly.load %{{.*}} : !wooly.ptr<global> -> f32
wooly.global @taps : 16 x f32 in const align 4
wooly.global @counter : 1 x f32 in global align 4
wooly.kernel @direct(%out: !wooly.ptr<global>) {
  %c60 = arith.constant 60 : i64
  %c64 = arith.constant 64 : i64
  %t = wooly.addressof @taps : !wooly.ptr<const>
  %a = wooly.load %t {alignment = 4 : i64} : !wooly.ptr<const> -> f32
  %t60 = wooly.ptradd %t, %c60 : !wooly.ptr<const>, i64
  %b = wooly.load %t60 {alignment = 4 : i64} : !wooly.ptr<const> -> f32
  %t64 = wooly.ptradd %t, %c64 : !wooly.ptr<const>, i64
  %c = wooly.load %t64 {alignment = 4 : i64} : !wooly.ptr<const> -> f32
  %ab = arith.addf %a, %b : f32
  %s = arith.addf %ab, %c : f32
  wooly.store %s, %out {alignment = 4 : i64} : f32, !wooly.ptr<global>
  wooly.return
}

// -----

// An address computed in integer registers (`mov.u64 %rd, lookup;
// add.s64 %rd, %rd, %off; ld.const [%rd]`), also carried around a loop in
// an integer block argument and compared with an end address, stays a
// const load.

// CHECK: const_bank = {lookup = 32 : i64}
// CHECK-LABEL: wooly.kernel @integer_address
// CHECK: wooly.addressof @lookup : !wooly.ptr<const>
// CHECK-NOT: arith.andi
// CHECK: wooly.inttoptr %{{.*}} : i64 to !wooly.ptr<const>
// CHECK-NOT: arith.andi
// CHECK: arith.constant 28 : i64
// CHECK: arith.minui
// CHECK: wooly.load %{{.*}} : !wooly.ptr<const> -> i32
// CHECK: ^bb1(%{{.*}}: i64, %{{.*}}: i32):
// CHECK-NOT: arith.andi
// CHECK: arith.minui
// CHECK: wooly.load %{{.*}} : !wooly.ptr<const> -> i32
// CHECK: arith.andi
// CHECK: wooly.store
wooly.global @lookup : 8 x i32 in const align 4 = dense<[3, 1, 4, 1, 5, 9, 2, 6]> : tensor<8xi32>
wooly.kernel @integer_address(%out: !wooly.ptr<global>, %i: i32) {
  %c4 = arith.constant 4 : i64
  %end = arith.constant 32 : i64
  %l = wooly.addressof @lookup : !wooly.ptr<const>
  %base = wooly.ptrtoint %l : !wooly.ptr<const> to i64
  %wide = arith.extsi %i : i32 to i64
  %off = arith.muli %wide, %c4 : i64
  %addr = arith.addi %base, %off : i64
  %p = wooly.inttoptr %addr : i64 to !wooly.ptr<const>
  %first = wooly.load %p {alignment = 4 : i64} : !wooly.ptr<const> -> i32
  %stop = arith.addi %base, %end : i64
  cf.br ^loop(%base, %first : i64, i32)
^loop(%cur: i64, %acc: i32):
  %q = wooly.inttoptr %cur : i64 to !wooly.ptr<const>
  %v = wooly.load %q {alignment = 4 : i64} : !wooly.ptr<const> -> i32
  %sum = arith.addi %acc, %v : i32
  %next = arith.addi %cur, %c4 : i64
  %more = arith.cmpi ult, %next, %stop : i64
  cf.cond_br %more, ^loop(%next, %sum : i64, i32), ^done
^done:
  wooly.store %sum, %out {alignment = 4 : i64} : i32, !wooly.ptr<global>
  wooly.return
}

// -----

// A generic address of the variable (`cvta.const`, or `mov.u64 %rd, v` in
// generic code) escapes: a generic access must find the variable in the
// arena, so it moves into the data segment as without the option.

// CHECK: wooly.data_segment = {alignment = 16 : i64, init = "{{.*}}", size = 16 : i64, sizes = {escapes = 16 : i64}, symbols = {escapes = 0 : i64}}
// CHECK-NOT: wooly.global @escapes
// CHECK-LABEL: wooly.kernel @generic_address
// CHECK-NOT: !wooly.ptr<const>
// CHECK: wooly.load %{{.*}} : !wooly.ptr<global> -> i32
// CHECK: wooly.return
wooly.global @escapes : 4 x i32 in const align 4
wooly.kernel @generic_address(%out: !wooly.ptr<global>) {
  %c = wooly.addressof @escapes : !wooly.ptr<const>
  %a = wooly.load %c {alignment = 4 : i64} : !wooly.ptr<const> -> i32
  %g = wooly.addressof @escapes : !wooly.ptr<generic>
  %b = wooly.load %g {alignment = 4 : i64} : !wooly.ptr<generic> -> i32
  %s = arith.addi %a, %b : i32
  wooly.store %s, %out {alignment = 4 : i64} : i32, !wooly.ptr<global>
  wooly.return
}

// -----

// An address stored to memory, or made a global pointer, escapes too.

// CHECK: wooly.data_segment = {alignment = 16 : i64, init = "{{.*}}", size = 8 : i64, sizes = {made_global = 4 : i64, stored = 4 : i64}, symbols = {made_global = 4 : i64, stored = 0 : i64}}
// CHECK-NOT: const_bank
// CHECK-NOT: wooly.global
// CHECK-LABEL: wooly.kernel @escape_through_integers
// CHECK-NOT: !wooly.ptr<const>
// CHECK: wooly.return
wooly.global @stored : 1 x i32 in const align 4
wooly.global @made_global : 1 x i32 in const align 4
wooly.kernel @escape_through_integers(%out: !wooly.ptr<global>) {
  %s = wooly.addressof @stored : !wooly.ptr<const>
  %si = wooly.ptrtoint %s : !wooly.ptr<const> to i64
  wooly.store %si, %out {alignment = 8 : i64} : i64, !wooly.ptr<global>
  %m = wooly.addressof @made_global : !wooly.ptr<const>
  %mi = wooly.ptrtoint %m : !wooly.ptr<const> to i64
  %mg = wooly.inttoptr %mi : i64 to !wooly.ptr<global>
  %v = wooly.load %mg {alignment = 4 : i64} : !wooly.ptr<global> -> i32
  wooly.store %v, %out {alignment = 4 : i64} : i32, !wooly.ptr<global>
  wooly.return
}

// -----

// A const pointer passed to a device function escapes (its parameter type
// would have to say which const variables it may point to); a const pointer
// the kernel did not derive from a bank variable (an integer argument made a
// const pointer) is still fenced as a global one.

// CHECK: wooly.data_segment = {alignment = 16 : i64, init = "{{.*}}", size = 4 : i64, sizes = {passed = 4 : i64}, symbols = {passed = 0 : i64}}
// CHECK-NOT: const_bank
// CHECK-LABEL: wooly.func @read
// CHECK-SAME: !wooly.ptr<global>
// CHECK: arith.andi
// CHECK-LABEL: wooly.kernel @passed_and_foreign
// CHECK: wooly.call @read
// CHECK: wooly.inttoptr %{{.*}} : i64 to !wooly.ptr<global>
// CHECK: arith.andi
// CHECK: wooly.load %{{.*}} : !wooly.ptr<global> -> i32
wooly.global @passed : 1 x i32 in const align 4
wooly.func @read(%p: !wooly.ptr<const>) -> i32 {
  %v = wooly.load %p {alignment = 4 : i64} : !wooly.ptr<const> -> i32
  wooly.return %v : i32
}
wooly.kernel @passed_and_foreign(%out: !wooly.ptr<global>, %raw: i64) {
  %p = wooly.addressof @passed : !wooly.ptr<const>
  %a = wooly.call @read(%p) : (!wooly.ptr<const>) -> i32
  %q = wooly.inttoptr %raw : i64 to !wooly.ptr<const>
  %b = wooly.load %q {alignment = 4 : i64} : !wooly.ptr<const> -> i32
  %s = arith.addi %a, %b : i32
  wooly.store %s, %out {alignment = 4 : i64} : i32, !wooly.ptr<global>
  wooly.return
}

// -----

// An address derived from two const variables has no single variable to
// clamp to: both move into the data segment.

// CHECK: wooly.data_segment = {alignment = 16 : i64, init = "{{.*}}", size = 8 : i64, sizes = {a = 4 : i64, b = 4 : i64}, symbols = {a = 0 : i64, b = 4 : i64}}
// CHECK-NOT: const_bank
// CHECK-NOT: wooly.global
// CHECK-LABEL: wooly.kernel @two_roots
// CHECK-NOT: !wooly.ptr<const>
// CHECK: wooly.return
wooly.global @a : 1 x i32 in const align 4
wooly.global @b : 1 x i32 in const align 4
wooly.kernel @two_roots(%out: !wooly.ptr<global>, %pick: i1) {
  %pa = wooly.addressof @a : !wooly.ptr<const>
  %pb = wooly.addressof @b : !wooly.ptr<const>
  %ia = wooly.ptrtoint %pa : !wooly.ptr<const> to i64
  %ib = wooly.ptrtoint %pb : !wooly.ptr<const> to i64
  cf.cond_br %pick, ^join(%ia : i64), ^join(%ib : i64)
^join(%i: i64):
  %p = wooly.inttoptr %i : i64 to !wooly.ptr<const>
  %v = wooly.load %p {alignment = 4 : i64} : !wooly.ptr<const> -> i32
  wooly.store %v, %out {alignment = 4 : i64} : i32, !wooly.ptr<global>
  wooly.return
}

// -----

// A load wider than its variable cannot be clamped inside it: the variable
// moves into the data segment.

// CHECK: wooly.data_segment = {alignment = 16 : i64, init = "{{.*}}", size = 2 : i64, sizes = {narrow = 2 : i64}, symbols = {narrow = 0 : i64}}
// CHECK-NOT: const_bank
// CHECK-LABEL: wooly.kernel @too_wide
// CHECK: wooly.load %{{.*}} : !wooly.ptr<global> -> i32
wooly.global @narrow : 1 x i16 in const align 2
wooly.kernel @too_wide(%out: !wooly.ptr<global>) {
  %p = wooly.addressof @narrow : !wooly.ptr<const>
  %v = wooly.load %p {alignment = 4 : i64} : !wooly.ptr<const> -> i32
  wooly.store %v, %out {alignment = 4 : i64} : i32, !wooly.ptr<global>
  wooly.return
}
