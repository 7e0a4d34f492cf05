// An address-fenced module (docs/address-fencing.md) through the amdgpu
// backend and ld.lld: the kernel takes its client argument plus the three
// hidden i64 parameters (32 bytes of explicit kernel arguments), global
// accesses are masked into the arena, and module variables live in the data
// segment instead of the code object.
// RUN: wooly-opt %s --wooly-fence-addresses --wooly-lower-to-rocdl=chip=gfx942 | mlir-translate --mlir-to-llvmir | llc -mtriple=amdgcn-amd-amdhsa -mcpu=gfx942 -filetype=obj -o %t.o
// RUN: ld.lld -shared %t.o -o %t.hsaco
// RUN: llvm-readelf -h --dyn-syms %t.hsaco | FileCheck %s --check-prefix=ELF
// RUN: llvm-readelf --notes %t.hsaco | FileCheck %s --check-prefix=META
// RUN: llvm-objdump -d %t.hsaco | FileCheck %s --check-prefix=DIS

// ELF: Machine: EM_AMDGPU
// ELF-NOT: counter
// ELF: fenced.kd
// ELF-NOT: counter

// The client's pointer, then arena_base, arena_mask, data_base; then the
// code object v5 implicit arguments.
// META: .args:
// META: .offset: 0
// META-NEXT: .size: 8
// META-NEXT: .value_kind: global_buffer
// META: .offset: 8
// META-NEXT: .size: 8
// META-NEXT: .value_kind: by_value
// META: .offset: 16
// META-NEXT: .size: 8
// META-NEXT: .value_kind: by_value
// META: .offset: 24
// META-NEXT: .size: 8
// META-NEXT: .value_kind: by_value
// META: .offset: 32
// META-NEXT: .size: 4
// META-NEXT: .value_kind: hidden_block_count_x
// META: .name: fenced

// The store through the client's pointer: (p & mask) | base, uniform here.
// DIS-LABEL: <fenced>:
// DIS: s_load_dwordx8 s[[[P:[0-9]+]]:{{[0-9]+}}], s[4:5], 0x0
// DIS: s_swappc_b64
// DIS: s_and_b64 s[0:1], s[16:17], s[20:21]
// DIS-NEXT: s_or_b64 s[0:1], s[0:1], s[18:19]
// DIS: global_store_dword v1, v0, s[0:1]
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
