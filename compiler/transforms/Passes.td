//===- Passes.td - WIS transformations --------------------*- tablegen -*-===//
#ifndef WOOLY_TRANSFORMS_PASSES_TD
#define WOOLY_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def WoolyVerifyModule : Pass<"wooly-verify-module", "::mlir::ModuleOp"> {
  let summary = "check that a module is finished WIS a server may compile";
  let description = [{
    The server trusts nothing a client sends. Beyond the op verifiers this
    checks that the module uses only the WIS dialects (wooly, arith, math, cf,
    scf, builtin), holds only kernels, device functions and variables at
    module scope, has no register slots left and no external functions (WIS
    code cannot call out of its module), names no symbol with the prefix
    `__wooly_` (reserved for what the backends add: the printf and fault
    slots the executors fill, helper functions), and stays within the resource
    limits: static shared memory, local memory per thread, kernel parameter
    bytes, module variable bytes and call depth. Recursion is allowed; its
    depth is bounded at run time by the backend's stack guard.
  }];
  let options = [
    Option<"maxSharedBytes", "max-shared-bytes", "uint64_t", "227 * 1024",
           "static shared memory a kernel may declare">,
    Option<"maxLocalBytes", "max-local-bytes", "uint64_t", "512 * 1024",
           "local memory one thread may allocate in one function">,
    Option<"maxParamBytes", "max-param-bytes", "uint64_t", "32764",
           "bytes of kernel parameters">,
    Option<"maxGlobalBytes", "max-global-bytes", "uint64_t", "1ull << 30",
           "bytes of module-scope global and const variables">,
    Option<"maxCallDepth", "max-call-depth", "unsigned", "64",
           "longest chain of non-recursive calls">,
  ];
}

def WoolyFenceAddresses : Pass<"wooly-fence-addresses", "::mlir::ModuleOp"> {
  let summary = "confine every global and generic access to the session's arena";
  let description = [{
    Memory isolation by construction (as WebAssembly and NaCl sandbox code):
    each session's device memory is one arena of a power-of-two size, aligned
    to that size. Every kernel and device function gets three trailing hidden
    i64 parameters (`wooly.hidden` = "arena_base", "arena_mask",
    "data_base"), and

    * a global-space address `p` becomes `(p & mask) | base`: a stray pointer
      can only reach its own session's memory;
    * a generic address is kept when it points into the thread's shared or
      local window (`wooly.is_space`) and fenced like a global one otherwise;
    * module-scope global and const variables move into a data segment the
      executor allocates inside the arena when it loads the module; their
      layout and initial bytes are the module attribute `wooly.data_segment`
      and `wooly.addressof` becomes `data_base + offset`. Const-space
      pointers become global-space pointers.
    * with `const-bank` (NVIDIA GPU executors), a const variable whose
      address only reaches const-space loads (through `wooly.ptradd`, or
      `wooly.ptrtoint`, integer adds and `wooly.inttoptr` back to a const
      pointer, also through integer block arguments) stays a module
      variable, and those loads stay const loads: on NVIDIA GPUs the const
      space is the module's constant bank, a hardware window that a load
      cannot leave whatever its address, and each session loads its own
      module instance. The data segment lists these variables under
      `const_bank` (name -> bytes); the executor resolves them on the
      session's module instance. A variable whose address escapes (a
      generic address from `cvta.const`, a stored, compared or passed
      address) moves into the data segment as without the option.

    Shared and local accesses are not fenced: they cannot leave the block's
    or thread's own windows on GPUs. On the host, where shared and local
    pointers are plain addresses (a `cvta.to.shared` of any generic address,
    or a window pointer plus any offset, would otherwise reach any memory of
    the server), `confine-windows` checks each such access of the kernel with
    `wooly.is_space` and sends one outside its window to address 16 (Linux
    never maps the first page), where it faults (printf/assert pointers,
    which the runtime reads, go to the window's start instead). Exempt:
    local accesses
    rooted at a `wooly.local_alloca` (through `wooly.ptradd`s and block
    arguments), which the host backend clamps into their slot, and, with
    `offset-guard=G`, shared accesses at the window start (a shared
    variable, `wooly.dynamic_shared`, or a narrow integer made a shared
    pointer) plus offsets whose bounds sum to at most G: the executor keeps
    G bytes inaccessible on both sides of the block's shared window as
    well. See docs/address-fencing.md.

    With `offset-guard=G` (G > 0; the host executor) the executor also
    promises that the 2G bytes below and above the arena (plus slack for
    the access's width) are reserved and inaccessible. A global address
    `a + o1 + ... + on`, where the `o` are offsets the pass can bound (a
    sign- or zero-extended narrow integer times a small constant, or a
    constant) with sum of bounds <= G, then becomes `a' + o1 + ... + on`
    (a `wooly.ptradd`), where `a' = a` when `a` lies within G of the arena
    and `(a & mask) | base` otherwise. Every access still lands in the arena
    or faults in the guard, an in-arena address is unchanged, and `a'` is
    loop-invariant where `a` is (a kernel parameter), so the check leaves
    the host's thread loops and their accesses stay affine.
  }];
  let options = [
    Option<"offsetGuard", "offset-guard", "uint64_t", "0",
           "G: bounded offsets up to G bytes from a base within G bytes of "
           "the arena; the executor keeps 2G bytes (plus slack) inaccessible "
           "on each side (0: fence every address as (p & mask) | base)">,
    Option<"constBank", "const-bank", "bool", "false",
           "keep const variables whose address only ever reaches const-space "
           "loads in the module (NVIDIA GPUs: the module's constant bank, "
           "which const loads cannot leave); listed as `const_bank` in "
           "wooly.data_segment. Only for targets whose const space is a "
           "hardware window of its own (not the host, not AMDGPU)">,
    Option<"confineWindows", "confine-windows", "bool", "false",
           "also check shared- and local-space accesses against the thread's "
           "windows (`wooly.is_space`); an access outside goes to address 16 "
           "(never mapped) and faults (the host executor: its shared and local pointers are "
           "plain host addresses, not hardware windows)">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

#endif // WOOLY_TRANSFORMS_PASSES_TD
