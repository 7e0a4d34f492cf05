// SAXPY in WIS, the form every CUDA kernel takes on its way to a device:
// y[i] = a * x[i] + y[i] for i < n.
wooly.kernel @saxpy(%n: i32, %a: f32, %x: !wooly.ptr<global>, %y: !wooly.ptr<global>)
    attributes {max_threads = 256 : i32} {
  %tid = wooly.thread_id x : i32
  %bid = wooly.block_id x : i32
  %bdim = wooly.block_dim x : i32
  %base = arith.muli %bid, %bdim : i32
  %i = arith.addi %base, %tid : i32
  %inside = arith.cmpi slt, %i, %n : i32
  cf.cond_br %inside, ^body, ^done
^body:
  %i64 = arith.extsi %i : i32 to i64
  %c4 = arith.constant 4 : i64
  %offset = arith.muli %i64, %c4 : i64
  %px = wooly.ptradd %x, %offset : !wooly.ptr<global>, i64
  %py = wooly.ptradd %y, %offset : !wooly.ptr<global>, i64
  %vx = wooly.load %px {alignment = 4 : i64} : !wooly.ptr<global> -> f32
  %vy = wooly.load %py {alignment = 4 : i64} : !wooly.ptr<global> -> f32
  %ax = arith.mulf %a, %vx : f32
  %r = arith.addf %ax, %vy : f32
  wooly.store %r, %py {alignment = 4 : i64} : f32, !wooly.ptr<global>
  cf.br ^done
^done:
  wooly.return
}
