// Traps and asserts on NVIDIA GPUs write the context's fault record
// (compiler/target/gpu/GpuFaultABI.h) and exit the thread instead of ending
// the launch through the driver, which would lose the device context every
// session shares; the driver's trap/__assertfail stays the fallback for a
// module whose slot the executor left 0. Loops of a module that can fault
// poll the record's kind word at their header and exit once it is set
// (compiler/target/nvptx/FaultPolls.h); loops with a small known trip
// count do not.
// RUN: wooly-opt %s --wooly-lower-to-nvvm=chip=sm_90 | FileCheck %s --check-prefix=LLVM
// RUN: wooly-cc %s --target=nvptx:sm_90 --emit=ptx -o %t.ptx
// RUN: FileCheck %s --check-prefix=PTX < %t.ptx
// RUN: %if ptxas %{ %ptxas -arch=sm_90 %t.ptx -o %t.cubin %}
// A module that cannot fault gets neither the slot nor polls.
// RUN: wooly-cc %S/Inputs/reduction_shuffle.sm_75.ptx --target=nvptx:sm_90 --emit=ptx -o - | FileCheck %s --check-prefix=CLEAN

// LLVM: llvm.mlir.global external @__wooly_fault(dense<0> : tensor<2xi64>) {addr_space = 1 : i32, alignment = 8 : i64} : !llvm.array<2 x i64>
// LLVM-LABEL: @check(
// The slot holds the record's address; 0 keeps the driver's behaviour.
// LLVM: %[[SLOT:.*]] = llvm.mlir.addressof @__wooly_fault
// LLVM: %[[RECORD:.*]] = llvm.load %[[SLOT]] {alignment = 8 : i64} : !llvm.ptr<1> -> i64
// LLVM: %[[HAS:.*]] = llvm.icmp "ne" %[[RECORD]]
// LLVM: llvm.cond_br %[[HAS]], ^[[CLAIM:.*]], ^[[DRIVER:[a-z0-9]*]]
// LLVM: ^[[DRIVER]]:
// LLVM: llvm.call @__assertfail
// LLVM: ^[[CLAIM]]:
// The first fault of the context claims the record (kind 2: assert).
// LLVM: %[[BASE:.*]] = llvm.inttoptr %[[RECORD]] : i64 to !llvm.ptr<1>
// LLVM: %[[X:.*]] = llvm.cmpxchg %{{.*}}, %{{.*}}, %{{.*}} syncscope("device") monotonic monotonic {alignment = 4 : i64} : !llvm.ptr<1>, i32
// LLVM: %[[WON:.*]] = llvm.extractvalue %[[X]][1]
// LLVM: llvm.cond_br %[[WON]], ^[[FILL:.*]], ^[[STOP:[a-z0-9]*]]
// LLVM: ^[[FILL]]:
// LLVM-COUNT-3: llvm.call_intrinsic "llvm.nvvm.read.ptx.sreg.ctaid
// LLVM-COUNT-3: llvm.call_intrinsic "llvm.nvvm.read.ptx.sreg.tid
// LLVM-COUNT-3: llvm.call @__wooly_printf_string
// LLVM: llvm.store %{{.*}}, %{{.*}} atomic syncscope("device") release {alignment = 4 : i64} : i32, !llvm.ptr<1>
// LLVM: ^[[STOP]]:
// LLVM-NEXT: llvm.call_intrinsic "llvm.nvvm.exit"() : () -> ()
// LLVM-NEXT: llvm.unreachable
// LLVM-LABEL: @spin(
// LLVM: llvm.call_intrinsic "llvm.trap"
// LLVM: llvm.cmpxchg
// LLVM: llvm.call_intrinsic "llvm.nvvm.exit"

// PTX: .visible .global .align 8 .b8 __wooly_fault[16];
// PTX-LABEL: .entry check(
// PTX: atom.relaxed.gpu.global.cas.b32 {{.*}}, 0, 2;
// PTX: st.release.gpu.global.b32
// PTX: exit;
// The spin loop of `spin` polls the record (or the slot's zero word) once
// every 64 trips (compiler/target/nvptx/FaultPolls.h: a read every trip
// queued the whole GPU on one L2 line): a trip counter, counted where the
// loop branches back, decides when the kind word is read there. The slot
// is read on that rare path (here LLVM hoists it to the entry: the trap
// reads it too).
// PTX-LABEL: .entry spin(
// PTX: ld.global{{(.nc)?}}.b64 [[REC:%rd[0-9]+]], [__wooly_fault];
// PTX: selp.b64 [[AT:%rd[0-9]+]], {{.*}}, [[REC]],
// PTX: and.b32 {{%r[0-9]+}}, [[TRIPS:%r[0-9]+]], 63;
// PTX: add.s32 [[TRIPS]], [[TRIPS]], 1;
// PTX: ld.volatile.global.b32 [[KIND:%r[0-9]+]], {{\[}}[[AT]]{{\]}};
// PTX: setp.eq.b32 {{%p[0-9]+}}, [[KIND]], 0;
// PTX: exit;
// PTX: atom.relaxed.gpu.global.cas.b32 {{.*}}, 0, 1;
// `fixed` runs its loop 8 times: no poll there, though its module can fault.
// PTX-LABEL: .entry fixed(
// PTX-NOT: ld.volatile
// PTX: ret;

// CLEAN-NOT: __wooly_fault
// CLEAN-NOT: ld.volatile

wooly.global @msg : 6 x i8 in global = "x > 0\00"
wooly.global @file : 6 x i8 in global = "a.cu\00\00"
wooly.global @fn : 6 x i8 in global = "check\00"

wooly.kernel @check(%x: i32) {
  %z = arith.constant 0 : i32
  %ok = arith.cmpi sgt, %x, %z : i32
  cf.cond_br %ok, ^done, ^fail
^fail:
  %m = wooly.addressof @msg : !wooly.ptr<generic>
  %f = wooly.addressof @file : !wooly.ptr<generic>
  %n = wooly.addressof @fn : !wooly.ptr<generic>
  %line = arith.constant 12 : i32
  wooly.assert_fail %m, %f, %line, %n : !wooly.ptr<generic>, !wooly.ptr<generic>, !wooly.ptr<generic>
  cf.br ^done
^done:
  wooly.return
}

// Waits for a flag another thread sets; traps on a bad value.
wooly.kernel @spin(%flag: !wooly.ptr<global>) {
  cf.br ^wait
^wait:
  %v = wooly.load %flag {alignment = 4 : i64, is_volatile} : !wooly.ptr<global> -> i32
  %z = arith.constant 0 : i32
  %bad = arith.cmpi slt, %v, %z : i32
  cf.cond_br %bad, ^trap, ^check
^trap:
  wooly.trap
^check:
  %set = arith.cmpi ne, %v, %z : i32
  cf.cond_br %set, ^done, ^wait
^done:
  wooly.return
}

wooly.kernel @fixed(%p: !wooly.ptr<global>) {
  %zero = arith.constant 0 : i32
  %eight = arith.constant 8 : i32
  cf.br ^loop(%zero : i32)
^loop(%i: i32):
  %more = arith.cmpi slt, %i, %eight : i32
  cf.cond_br %more, ^body, ^done
^body:
  wooly.store %i, %p {alignment = 4 : i64, is_volatile} : i32, !wooly.ptr<global>
  %one = arith.constant 1 : i32
  %next = arith.addi %i, %one : i32
  cf.br ^loop(%next : i32)
^done:
  wooly.return
}
