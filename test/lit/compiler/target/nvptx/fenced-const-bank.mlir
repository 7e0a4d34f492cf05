// An address-fenced module with const-bank (what the cuda executor should
// compile: docs/address-fencing.md) through the nvptx backend: a const
// variable read only by const loads stays a .const variable of the module,
// read with ld.const (the constant bank: cached, broadcast, and a hardware
// window a load cannot leave), while global accesses are still masked into
// the arena. ptxas-const-bank.test assembles it.
// RUN: wooly-opt %s --wooly-fence-addresses=const-bank=true --wooly-lower-to-nvvm=chip=sm_90 | mlir-translate --mlir-to-llvmir | llc -mtriple=nvptx64-nvidia-cuda -mattr=+ptx78 -mcpu=sm_90 | FileCheck %s

// CHECK: .const .align 4 .b8 taps[16];
// CHECK-NOT: .global .align {{.*}} out
// CHECK-LABEL: .visible .entry fir(
// CHECK-NOT: and.b64
// CHECK: ld.const.b32 %{{.*}}, [taps];
// CHECK-NOT: and.b64
// CHECK: ld.const.b32 %{{.*}}, [taps+4];
// CHECK: and.b64
// CHECK: or.b64
// CHECK: st.global.b32
wooly.global @taps : 4 x f32 in const align 4

wooly.kernel @fir(%out: !wooly.ptr<global>) {
  %c4 = arith.constant 4 : i64
  %t = wooly.addressof @taps : !wooly.ptr<const>
  %a = wooly.load %t {alignment = 4 : i64} : !wooly.ptr<const> -> f32
  %t4 = wooly.ptradd %t, %c4 : !wooly.ptr<const>, i64
  %b = wooly.load %t4 {alignment = 4 : i64} : !wooly.ptr<const> -> f32
  %s = arith.addf %a, %b : f32
  wooly.store %s, %out {alignment = 4 : i64} : f32, !wooly.ptr<global>
  wooly.return
}
