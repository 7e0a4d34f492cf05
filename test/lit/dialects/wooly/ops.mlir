// RUN: wooly-opt %s -split-input-file | wooly-opt -split-input-file | FileCheck %s
// RUN: wooly-opt %s -split-input-file -mlir-print-op-generic | wooly-opt -split-input-file | FileCheck %s

// Round trip of every WIS operation through text, generic form and bytecode.

// CHECK-LABEL: wooly.kernel @saxpy
// CHECK-SAME: (%{{.*}}: i32, %{{.*}}: f32, %{{.*}}: !wooly.ptr<global>, %{{.*}}: !wooly.ptr<global>)
// CHECK-SAME: max_threads = 256
wooly.kernel @saxpy(%n: i32, %a: f32, %x: !wooly.ptr<global>, %y: !wooly.ptr<global>)
    attributes {max_threads = 256 : i32, req_block_size = array<i32: 256, 1, 1>, min_blocks_per_sm = 2 : i32} {
  // CHECK: wooly.thread_id x : i32
  %tid = wooly.thread_id x : i32
  // CHECK: wooly.block_id y : i32
  %bid = wooly.block_id y : i32
  // CHECK: wooly.block_dim z : i32
  %bdim = wooly.block_dim z : i32
  // CHECK: wooly.grid_dim x : i32
  %gdim = wooly.grid_dim x : i32
  %i = arith.addi %tid, %bid : i32
  %i64 = arith.extsi %i : i32 to i64
  %c4 = arith.constant 4 : i64
  %off = arith.muli %i64, %c4 : i64
  // CHECK: wooly.ptradd %{{.*}}, %{{.*}} : !wooly.ptr<global>, i64
  %px = wooly.ptradd %x, %off : !wooly.ptr<global>, i64
  %py = wooly.ptradd %y, %off : !wooly.ptr<global>, i64
  // CHECK: wooly.load %{{.*}} {alignment = 4 : i64} : !wooly.ptr<global> -> f32
  %vx = wooly.load %px {alignment = 4 : i64} : !wooly.ptr<global> -> f32
  // CHECK: wooly.load %{{.*}} {cache = #wooly<cache cg>, invariant} : !wooly.ptr<global> -> f32
  %vy = wooly.load %py {invariant, cache = #wooly<cache cg>} : !wooly.ptr<global> -> f32
  %r = math.fma %a, %vx, %vy : f32
  // CHECK: wooly.store %{{.*}}, %{{.*}} {alignment = 4 : i64, is_volatile} : f32, !wooly.ptr<global>
  wooly.store %r, %py {alignment = 4 : i64, is_volatile} : f32, !wooly.ptr<global>
  // CHECK: wooly.load %{{.*}} {order = #wooly<order acquire>, scope = #wooly<scope sys>}
  %acq = wooly.load %px {order = #wooly<order acquire>, scope = #wooly<scope sys>} : !wooly.ptr<global> -> f32
  // CHECK: wooly.store %{{.*}}, %{{.*}} {order = #wooly<order release>, scope = #wooly<scope cta>}
  wooly.store %acq, %px {order = #wooly<order release>, scope = #wooly<scope cta>} : f32, !wooly.ptr<global>
  // CHECK: wooly.prefetch %{{.*}} : !wooly.ptr<global>
  wooly.prefetch %px : !wooly.ptr<global>
  // CHECK: wooly.return
  wooly.return
}

// -----

// CHECK-LABEL: wooly.kernel @byval
// CHECK-SAME: wooly.byval_align = 8 : i64, wooly.byval_size = 24 : i64
wooly.kernel @byval(%s: !wooly.ptr<param> {wooly.byval_size = 24 : i64, wooly.byval_align = 8 : i64}) {
  // CHECK: wooly.load %{{.*}} : !wooly.ptr<param> -> i64
  %v = wooly.load %s : !wooly.ptr<param> -> i64
  wooly.return
}

// -----

// CHECK-LABEL: wooly.global @table : 4 x f32 in const align 16 = dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]> : tensor<4xf32>
wooly.global @table : 4 x f32 in const align 16 = dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
// CHECK: wooly.global @bytes : 3 x i8 in global = "abc"
wooly.global @bytes : 3 x i8 in global = "abc"
// CHECK: wooly.global @tile : 256 x f32 in shared align 4
wooly.global @tile : 256 x f32 in shared align 4
// CHECK: wooly.global @symbol : 16 x i32 in global extern
wooly.global @symbol : 16 x i32 in global extern
// CHECK: wooly.global @dyn : 0 x f32 in shared align 16 extern
wooly.global @dyn : 0 x f32 in shared align 16 extern

// CHECK-LABEL: wooly.kernel @addresses
wooly.kernel @addresses(%i: i64) {
  // CHECK: wooly.addressof @table : !wooly.ptr<const>
  %t = wooly.addressof @table : !wooly.ptr<const>
  // CHECK: wooly.addressof @tile : !wooly.ptr<generic>
  %g = wooly.addressof @tile : !wooly.ptr<generic>
  // CHECK: wooly.dynamic_shared : !wooly.ptr<shared>
  %d = wooly.dynamic_shared : !wooly.ptr<shared>
  // CHECK: wooly.cast_space %{{.*}} : !wooly.ptr<shared> to !wooly.ptr<generic>
  %dg = wooly.cast_space %d : !wooly.ptr<shared> to !wooly.ptr<generic>
  // CHECK: wooly.cast_space %{{.*}} : !wooly.ptr<generic> to !wooly.ptr<global>
  %gg = wooly.cast_space %dg : !wooly.ptr<generic> to !wooly.ptr<global>
  // CHECK: wooly.inttoptr %{{.*}} : i64 to !wooly.ptr<global>
  %p = wooly.inttoptr %i : i64 to !wooly.ptr<global>
  // CHECK: wooly.is_space %{{.*}}, shared : !wooly.ptr<generic>
  %is = wooly.is_space %dg, shared : !wooly.ptr<generic>
  // CHECK: wooly.ptrtoint %{{.*}} : !wooly.ptr<global> to i64
  %back = wooly.ptrtoint %gg : !wooly.ptr<global> to i64
  // CHECK: wooly.local_alloca 64 align 8 : !wooly.ptr<local>
  %l = wooly.local_alloca 64 align 8 : !wooly.ptr<local>
  // CHECK: wooly.dynamic_shared_size : i32
  %ds = wooly.dynamic_shared_size : i32
  wooly.return
}

// -----

// CHECK-LABEL: wooly.func @fact
// CHECK: wooly.call @fact(%{{.*}}) : (i32) -> i32
wooly.func @fact(%n: i32) -> i32 {
  %c1 = arith.constant 1 : i32
  %le = arith.cmpi sle, %n, %c1 : i32
  cf.cond_br %le, ^base, ^rec
^base:
  wooly.return %c1 : i32
^rec:
  %m = arith.subi %n, %c1 : i32
  %r = wooly.call @fact(%m) : (i32) -> i32
  %p = arith.muli %n, %r : i32
  wooly.return %p : i32
}
// CHECK-LABEL: wooly.func private @helper
wooly.func private @helper(%x: f32) -> f32 {
  wooly.return %x : f32
}
// CHECK-LABEL: wooly.kernel @control
wooly.kernel @control(%n: i32) {
  %c0 = arith.constant 0 : i32
  %z = arith.cmpi eq, %n, %c0 : i32
  cf.cond_br %z, ^trap, ^exit
^trap:
  // CHECK: wooly.breakpoint
  wooly.breakpoint
  // CHECK: wooly.trap
  wooly.trap
^exit:
  // CHECK: wooly.exit
  wooly.exit
}

// -----

// CHECK-LABEL: wooly.kernel @sync
wooly.kernel @sync(%v: i32, %p: i1, %v64: i64, %mask: i32, %n: i32) {
  // CHECK: wooly.barrier{{$}}
  wooly.barrier
  // CHECK: wooly.barrier id 1 count %{{.*}}{{$}}
  wooly.barrier id 1 count %n
  // CHECK: wooly.barrier id 2 count %{{.*}} arrive
  wooly.barrier id 2 count %n arrive
  // CHECK: wooly.barrier_reduce popc %{{.*}} : i32
  %cnt = wooly.barrier_reduce popc %p : i32
  // CHECK: wooly.barrier_reduce and %{{.*}} id 3 : i1
  %all = wooly.barrier_reduce and %p id 3 : i1
  // CHECK: wooly.warp_sync %{{.*}}
  wooly.warp_sync %mask
  // CHECK: wooly.shuffle down %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : i32
  %s, %ok = wooly.shuffle down %v, %n, %n, %mask : i32
  // CHECK: wooly.shuffle idx
  %s1, %ok1 = wooly.shuffle idx %v, %n, %n, %mask : i32
  // CHECK: wooly.shuffle up
  %s2, %ok2 = wooly.shuffle up %v, %n, %n, %mask : i32
  // CHECK: wooly.shuffle xor
  %s3, %ok3 = wooly.shuffle xor %v, %n, %n, %mask : i32
  // CHECK: wooly.vote ballot %{{.*}}, %{{.*}} : i32
  %b = wooly.vote ballot %p, %mask : i32
  // CHECK: wooly.vote any %{{.*}}, %{{.*}} : i1
  %any = wooly.vote any %p, %mask : i1
  // CHECK: wooly.vote all
  %allv = wooly.vote all %p, %mask : i1
  // CHECK: wooly.vote uni
  %uni = wooly.vote uni %p, %mask : i1
  // CHECK: wooly.match any %{{.*}}, %{{.*}} : i64
  %m, %eq = wooly.match any %v64, %mask : i64
  // CHECK: wooly.match all %{{.*}}, %{{.*}} : i32
  %m2, %eq2 = wooly.match all %v, %mask : i32
  // CHECK: wooly.redux umax %{{.*}}, %{{.*}} : i32
  %r = wooly.redux umax %v, %mask : i32
  // CHECK: wooly.active_mask : i32
  %am = wooly.active_mask : i32
  // CHECK: wooly.lane_id : i32
  %lane = wooly.lane_id : i32
  // CHECK: wooly.lane_mask lt : i32
  %lt = wooly.lane_mask lt : i32
  // CHECK: wooly.hw_reg smid : i32
  %sm = wooly.hw_reg smid : i32
  // CHECK: wooly.clock : i64
  %clk = wooly.clock : i64
  // CHECK: wooly.global_timer : i64
  %gt = wooly.global_timer : i64
  // CHECK: wooly.fence cta seq_cst
  wooly.fence cta seq_cst
  // CHECK: wooly.fence gpu acq_rel
  wooly.fence gpu acq_rel
  wooly.return
}

// -----

// CHECK-LABEL: wooly.kernel @atomics
wooly.kernel @atomics(%g: !wooly.ptr<global>, %s: !wooly.ptr<shared>, %i: i32, %f: f32, %l: i64) {
  // CHECK: wooly.atomic_rmw add %{{.*}}, %{{.*}} : !wooly.ptr<global>, i32
  %a = wooly.atomic_rmw add %g, %i : !wooly.ptr<global>, i32
  // CHECK: wooly.atomic_rmw fadd %{{.*}}, %{{.*}} {scope = #wooly<scope cta>} : !wooly.ptr<shared>, f32
  %b = wooly.atomic_rmw fadd %s, %f {scope = #wooly<scope cta>} : !wooly.ptr<shared>, f32
  // CHECK: wooly.atomic_rmw inc
  %c = wooly.atomic_rmw inc %g, %i : !wooly.ptr<global>, i32
  // CHECK: wooly.atomic_rmw exch %{{.*}}, %{{.*}} {order = #wooly<order acq_rel>, scope = #wooly<scope sys>} : !wooly.ptr<global>, i64
  %d = wooly.atomic_rmw exch %g, %l {order = #wooly<order acq_rel>, scope = #wooly<scope sys>} : !wooly.ptr<global>, i64
  // CHECK: wooly.atomic_cas %{{.*}}, %{{.*}}, %{{.*}} : !wooly.ptr<global>, i32
  %e = wooly.atomic_cas %g, %i, %a : !wooly.ptr<global>, i32
  %f2 = wooly.atomic_rmw umin %g, %i : !wooly.ptr<global>, i32
  %f3 = wooly.atomic_rmw dec %g, %i : !wooly.ptr<global>, i32
  %f4 = wooly.atomic_rmw fmax %g, %f : !wooly.ptr<global>, f32
  wooly.return
}

// -----

// CHECK-LABEL: wooly.kernel @floats
wooly.kernel @floats(%a: f32, %b: f32, %c: f32, %h: f16, %d: f64, %i: i32) {
  // CHECK: wooly.fp add %{{.*}}, %{{.*}} rounding rz ftz sat : f32
  %0 = wooly.fp add %a, %b rounding rz ftz sat : f32
  // CHECK: wooly.fp fma %{{.*}}, %{{.*}}, %{{.*}} rounding rm : f32
  %1 = wooly.fp fma %a, %b, %c rounding rm : f32
  // CHECK: wooly.fp sqrt %{{.*}} rounding rp : f64
  %2 = wooly.fp sqrt %d rounding rp : f64
  // CHECK: wooly.fp min_nan %{{.*}}, %{{.*}} : f16
  %3 = wooly.fp min_nan %h, %h : f16
  // CHECK: wooly.fp div %{{.*}}, %{{.*}} : f32
  %4 = wooly.fp div %a, %b : f32
  // CHECK: wooly.approx ex2 %{{.*}} ftz : f32
  %5 = wooly.approx ex2 %a ftz : f32
  // CHECK: wooly.approx div %{{.*}}, %{{.*}} : f32
  %6 = wooly.approx div %a, %b : f32
  // CHECK: wooly.approx tanh %{{.*}} : f16
  %7 = wooly.approx tanh %h : f16
  // CHECK: wooly.fptoint %{{.*}} rz unsigned : f32 to i32
  %8 = wooly.fptoint %a rz unsigned : f32 to i32
  // CHECK: wooly.fptoint %{{.*}} rn ftz : f64 to i64
  %9 = wooly.fptoint %d rn ftz : f64 to i64
  // CHECK: wooly.inttofp %{{.*}} rz unsigned : i32 to f32
  %10 = wooly.inttofp %i rz unsigned : i32 to f32
  // CHECK: wooly.fpconvert %{{.*}} rounding rz sat : f32 to f16
  %11 = wooly.fpconvert %a rounding rz sat : f32 to f16
  // CHECK: wooly.fpconvert %{{.*}} rounding rm integral : f32 to f32
  %12 = wooly.fpconvert %a rounding rm integral : f32 to f32
  // CHECK: wooly.fpconvert %{{.*}} : f16 to f32
  %13 = wooly.fpconvert %h : f16 to f32
  wooly.return
}

// -----

// CHECK-LABEL: wooly.kernel @bits
wooly.kernel @bits(%a: i32, %b: i32, %c: i32, %l: i64) {
  // CHECK: wooly.bit_reverse %{{.*}} : i64
  %0 = wooly.bit_reverse %l : i64
  // CHECK: wooly.bfe %{{.*}}, %{{.*}}, %{{.*}} signed : i32
  %1 = wooly.bfe %a, %b, %c signed : i32
  // CHECK: wooly.bfe %{{.*}}, %{{.*}}, %{{.*}} : i64
  %2 = wooly.bfe %l, %b, %c : i64
  // CHECK: wooly.bfi %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : i32
  %3 = wooly.bfi %a, %b, %c, %c : i32
  // CHECK: wooly.prmt %{{.*}}, %{{.*}}, %{{.*}} : i32
  %4 = wooly.prmt %a, %b, %c : i32
  // CHECK: wooly.funnel_shift %{{.*}}, %{{.*}}, %{{.*}} left clamp : i32
  %5 = wooly.funnel_shift %a, %b, %c left clamp : i32
  wooly.return
}

// -----

// CHECK-LABEL: wooly.kernel @output
wooly.kernel @output(%fmt: !wooly.ptr<generic>, %args: !wooly.ptr<local>, %line: i32) {
  // CHECK: wooly.printf %{{.*}}, %{{.*}} : !wooly.ptr<generic>, !wooly.ptr<local>
  %n = wooly.printf %fmt, %args : !wooly.ptr<generic>, !wooly.ptr<local>
  // CHECK: wooly.assert_fail %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : !wooly.ptr<generic>, !wooly.ptr<generic>, !wooly.ptr<generic>
  wooly.assert_fail %fmt, %fmt, %line, %fmt : !wooly.ptr<generic>, !wooly.ptr<generic>, !wooly.ptr<generic>
  wooly.return
}

// -----

// CHECK-LABEL: wooly.kernel @registers
wooly.kernel @registers(%x: i32) {
  // CHECK: wooly.reg : !wooly.reg<i32>
  %r = wooly.reg : !wooly.reg<i32>
  // CHECK: wooly.reg_write %{{.*}}, %{{.*}} : !wooly.reg<i32>
  wooly.reg_write %x, %r : !wooly.reg<i32>
  // CHECK: wooly.reg_read %{{.*}} : !wooly.reg<i32>
  %v = wooly.reg_read %r : !wooly.reg<i32>
  wooly.return
}
