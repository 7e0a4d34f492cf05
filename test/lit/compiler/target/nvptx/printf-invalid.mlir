// A fenced module (it has a data segment) whose function lacks the arena
// parameters cannot read its %s strings safely: an error, not an unfenced
// read.
// RUN: not wooly-opt %s --wooly-lower-to-nvvm=chip=sm_90 2>&1 | FileCheck %s

// CHECK: error: printf in a fenced module, but the function has no arena parameters to read its %s strings with
module attributes {wooly.data_segment = {alignment = 1 : i64, init = "", size = 0 : i64, sizes = {}, symbols = {}}} {
  wooly.global @fmt : 4 x i8 in global = "%s\0A\00"
  wooly.kernel @k(%args: !wooly.ptr<local>) {
    %f = wooly.addressof @fmt : !wooly.ptr<generic>
    %n = wooly.printf %f, %args : !wooly.ptr<generic>, !wooly.ptr<local>
    wooly.return
  }
}
