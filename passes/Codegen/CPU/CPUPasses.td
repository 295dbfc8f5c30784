//===- CPUPasses.td - Passes of passes/Codegen/CPU ---------*- tablegen -*-===//
//
// The passes of passes/Codegen/CPU/: kernel selection and the packed
// kernels' intrinsics, the f32 contraction kernel, the row passes
// (element-wise rows, reductions side by side), outlining and the tasks for
// threads. Included by passes/Passes.td.
//
//===----------------------------------------------------------------------===//

#ifndef TERNARY_PASSES_CODEGEN_CPU_PASSES_TD
#define TERNARY_PASSES_CODEGEN_CPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def TernarySelectKernels : Pass<"ternary-select-kernels"> {
  let summary = "Choose the kernel of every packed ternary product";
  let description = [{
    Sets the `kernel` attribute of every `ternary.matmul` and
    `ternary.matmul_rescale` whose weights are packed and whose activations
    are 2-D: the choice of `--convert-ternary-to-linalg`, made visible in
    the IR (as IREE's lowering configurations are). `kernel=auto` (the
    default) picks the best kernel the target features allow, from
    `target-features` or, when that is empty, the host CPU: `avx512_vnni`
    (AVX-512 F, BW and VNNI), else `avx2`, else `vector`. Any other value
    is set as it is, without a check of the target: the tools check a
    requested kernel against their target machine. A product that already
    has a kernel keeps it; unpacked products and products of more than two
    dimensions are left alone (they become `linalg.generic` loops).

    Example (`--ternary-select-kernels=target-features=+avx2`):

    ```mlir
    %acc = ternary.matmul %xq, %p
        : tensor<4x64xi8>, !ternary.packed<32x64, i2> -> tensor<4x32xi32>
    ```

    becomes

    ```mlir
    %acc = ternary.matmul %xq, %p {kernel = #ternary.kernel<avx2>}
        : tensor<4x64xi8>, !ternary.packed<32x64, i2> -> tensor<4x32xi32>
    ```
  }];
  let options = [
    Option<"kernel", "kernel", "::mlir::ternary::PackedKernel",
           /*default=*/"::mlir::ternary::PackedKernel::auto_",
           "Kernel of the packed ternary product",
           "::mlir::ternary::packedKernelOptionValues()">,
    Option<"targetFeatures", "target-features", "std::string",
           /*default=*/"\"\"",
           "LLVM target features for kernel=auto (default: the host's)">
  ];
  let dependentDialects = ["::mlir::ternary::TernaryDialect"];
}

def TernaryLowerDotBytes : Pass<"ternary-lower-dot-bytes"> {
  let summary = "Lower ternary.dot_bytes to x86 intrinsics";
  let description = [{
    Replaces every `ternary.dot_bytes` by `llvm.call_intrinsic` of
    `llvm.x86.avx512.vpdpbusd.512` (`avx512_vnni`) or of
    `llvm.x86.avx2.pmadd.ub.sw` and `llvm.x86.avx2.pmadd.wd` followed by an
    `arith.addi` (`avx2`). Run it after bufferization and buffer
    deallocation, before the conversion to LLVM.

    Example:

    ```mlir
    %r = ternary.dot_bytes %acc, %a, %b {kernel = #ternary.dot_kernel<avx512_vnni>}
        : vector<16xi32>, vector<64xi8>
    ```

    becomes

    ```mlir
    %r = llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"(%acc, %a, %b)
        : (vector<16xi32>, vector<64xi8>, vector<64xi8>) -> vector<16xi32>
    ```
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect",
                           "::mlir::arith::ArithDialect"];
}

def TernaryParallelize : Pass<"ternary-parallelize", "::mlir::func::FuncOp"> {
  let summary = "Split large linalg ops on buffers into tasks for threads";
  let description = [{
    Tiles one parallel loop of every `linalg` op on buffers that sits
    directly in a function body (element-wise ops, row-wise reductions,
    transposes, fills, copies, the contractions
    `--ternary-vectorize-contractions` did not take) into an `scf.forall`
    whose iterations each hold at least `min-work` iterations of the op's
    loops. The loop is the outermost parallel one that every output uses
    and that gives at least two tasks (the work of an iteration counts the
    other loops' static sizes); ops without one (a full reduction, ops
    smaller than two tasks) are left alone, as are ops inside loops (the
    remainder tiles of the kernels). When the loop's size is dynamic (a
    batch), the op is split all the same, with tasks of the size the static
    loops call for; how many tasks there are is known at run time only, and
    `--ternary-omp-if-several-tasks` keeps a region of one task on the
    calling thread.

    Only parallel loops are split and each task runs the op's own loops on
    its slice, so every output element is computed by the same operations
    in the same order as without the pass: results are identical for any
    number of threads. The pipeline lowers the `scf.forall` to OpenMP
    (`scf-forall-to-parallel`, `convert-scf-to-openmp`), or to a plain loop
    with `parallel=false`.

    Example (`min-work=32768`): a `linalg.generic` adding two
    `memref<512x1024xf32>` becomes an
    `scf.forall (%i) = (0) to (512) step (32)` around the same generic on
    `memref.subview`s of 32 rows.
  }];
  let options = [
    Option<"minWork", "min-work", "int64_t", /*default=*/"32768",
           "Iterations of the op's loops a task holds at least">
  ];
  let dependentDialects = ["::mlir::scf::SCFDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::affine::AffineDialect",
                           "::mlir::arith::ArithDialect"];
}

def TernaryOmpIfSeveralTasks : Pass<"ternary-omp-if-several-tasks"> {
  let summary = "Run OpenMP parallel regions of fewer than two tasks on the calling thread";
  let description = [{
    Gives every `omp.parallel` region that holds one worksharing loop
    (`omp.wsloop` around an `omp.loop_nest`, as `convert-scf-to-openmp`
    makes of an `scf.parallel`) and no `if` clause of its own the clause
    `if(trip count >= 2)`, the trip count computed from the loop's bounds
    before the region. A region whose loop has a single iteration (a
    dynamic batch too small to split, the last task of a tiny op) then runs
    on the calling thread without waking the others, as the OpenMP
    specification defines for a false `if`: the same code on one thread, so
    results do not change. Regions whose trip count is a constant of at
    least two are left without a clause; so are regions with other
    structure (several loops, bounds computed inside the region).

    This is what lets `--ternary-parallelize` split an op whose task loop
    has a dynamic size once, instead of compiling the op twice behind a
    run-time test. Run after `convert-scf-to-openmp`, before
    `convert-openmp-to-llvm`.

    Example:

    ```mlir
    omp.parallel {
      omp.wsloop {
        omp.loop_nest (%i) : index = (%c0) to (%n) step (%c32) { ... }
      }
      omp.terminator
    }
    ```

    becomes

    ```mlir
    %tasks = arith.ceildivsi %span, %c32 : index   // %span = max(%n - %c0, 0)
    %several = arith.cmpi sge, %tasks, %c2 : index
    omp.parallel if(%several) { ... }
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def TernaryFuseBatches : Pass<"ternary-fuse-batches", "::mlir::func::FuncOp"> {
  let summary = "Run batched linalg ops one batch entry at a time, with "
                "their shared buffers in cache";
  let description = [{
    Finds runs of linalg ops on buffers in one block that all work entry by
    entry along dimension 0 of the same batch: each has a parallel loop
    that is the first index of every output and of the inputs it slices,
    and that indexes nothing else of them; its other inputs do not use that
    loop and take at most `max-entry-bytes` (a filter, a bias); its body
    does not read the batch index (a dropout mask drawn from the element's
    position); a contraction's loop is one of its batch loops, not a row of
    its m or n. Between the ops of a run stand only ops without memory
    effects (views, sizes), allocations and deallocations of buffers the
    run has not used, and linalg ops that may wait until after it: they
    write nothing the run uses and the run's later ops neither use what
    they write nor write what they read (a filter gradient summed over the
    images, between the ReLU's gradient and the input gradient). Those go
    after the run's loop, in their order. Within a run, no buffer is both
    sliced by one op and read whole by another, and no op writes a buffer
    the run reads whole; the batch sizes are provably equal (the same
    static size, or the same SSA value a buffer was allocated with).

    A run is rewritten when it holds an f32 contraction the contraction
    kernel takes and one of its ops (not a fill) writes a buffer that a
    later op reads, one entry of which takes at most `max-entry-bytes`: the
    run becomes one `scf.forall` over the entries, each task running every
    op of the run, in order, on `memref.subview`s of its entry. What one op
    writes, the next reads back from the core's cache instead of memory: a
    convolution's window gather (im2col) and its contraction, or an input
    gradient's contraction and its scatter-add (col2im) on the MNIST CNN,
    whose windows take 42 MB for a batch of 64 and 663 KB an image. A
    buffer that only the run uses (through views) and whose batch size is
    dynamic becomes one entry allocated in each task. Every element is
    computed by the same ops in the same order as before: the results do
    not change, on any number of threads.

    Run after bufferization and before `--ternary-outline-linalg`; the ops
    inside a task stay in the task (neither outlined nor split again by
    `--ternary-parallelize`), the contraction's kernel splits its own.

    Example: a gather of windows and a batched contraction reading them,
    ```mlir
    %cols = memref.alloc(%n) : memref<?x288x576xf32>
    linalg.generic ... ins(%x : memref<?x32x26x26xf32>)
                       outs(%cols : memref<?x288x576xf32>) {...}
    linalg.generic ... ins(%w, %cols : memref<64x288xf32>,
                                       memref<?x288x576xf32>)
                       outs(%y : memref<?x64x576xf32>) {...}
    memref.dealloc %cols : memref<?x288x576xf32>
    ```
    becomes
    ```mlir
    %n = memref.dim %x, %c0 : memref<?x32x26x26xf32>
    scf.forall (%i) in (%n) {
      %cols = memref.alloc(%c1) : memref<?x288x576xf32>
      %xi = memref.subview %x[%i, 0, 0, 0] [1, 32, 26, 26] [1, 1, 1, 1] ...
      linalg.generic ... ins(%xi ...) outs(%cols ...) {...}
      %yi = memref.subview %y[%i, 0, 0] [1, 64, 576] [1, 1, 1] ...
      linalg.generic ... ins(%w, %cols ...) outs(%yi ...) {...}
      memref.dealloc %cols : memref<?x288x576xf32>
    }
    ```
  }];
  let options = [
    Option<"maxEntryBytes", "max-entry-bytes", "int64_t",
           /*default=*/"1048576",
           "The largest entry of a buffer handed between two ops of a run "
           "that makes the run worth rewriting (a core's L2 on the machines "
           "measured)">,
  ];
  let dependentDialects = ["::mlir::scf::SCFDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::arith::ArithDialect"];
}

def TernaryOutlineLinalg : Pass<"ternary-outline-linalg", "::mlir::ModuleOp"> {
  let summary = "Give each distinct linalg op one function, shared by its uses";
  let description = [{
    Moves linalg ops on buffers that sit directly in a function body into
    private functions `__ternary_linalg_N`, one per distinct op, and calls
    them: every f32 contraction that `--ternary-vectorize-contractions`
    takes (the same rule: two inputs, an output contiguous along n, at least
    one m, n and k), and every other linalg op that occurs at least twice in
    the module. Two ops are the same when the functions holding them are:
    the same op (maps, iterators, body, attributes) on operands of the same
    types (static sizes and layouts included). The function's arguments are
    the op's operands and the values its body reads from outside; constants
    it reads are cloned into it. A `linalg.fill` of a contraction's output
    goes into the contraction's function with it, moved from wherever it is
    in the block as long as no op between may access that buffer (by the
    alias analysis), so that `--ternary-vectorize-contractions` can fill
    each output block in the task that computes it.

    The passes after it (the contraction kernel, tasks, loops, LLVM) then
    work on one copy per distinct op instead of one per use, so that the
    code LLVM compiles stops growing with the number of identical layers:
    the projections of an attention block, the blocks of a deeper model,
    the same product or element-wise op in the forward and the backward
    pass. The functions hold the ops as they were, so the code made of each
    is the same as without the pass. They are internal and marked
    `noinline` (`passthrough`), so LLVM compiles each once. An op used
    once, other than a contraction, stays where it is: LLVM sees its
    buffers' provenance there. So does an op on 0-d buffers only (a fill
    of a reduction's accumulator), however often it occurs: one store is
    cheaper than a call, and a buffer passed to a call escapes, which keeps
    LLVM from holding the accumulator in a register.

    Example:

    ```mlir
    func.func @f(%x: memref<?x128xf32>, %w: memref<128x128xf32>,
                 %q: memref<?x128xf32>, %k: memref<?x128xf32>) {
      linalg.matmul ins(%x, %w : ...) outs(%q : memref<?x128xf32>)
      linalg.matmul ins(%x, %w : ...) outs(%k : memref<?x128xf32>)
      return
    }
    ```

    becomes two calls of one function:

    ```mlir
    func.func @f(...) {
      call @__ternary_linalg_0(%x, %w, %q) : (...) -> ()
      call @__ternary_linalg_0(%x, %w, %k) : (...) -> ()
      return
    }
    func.func private @__ternary_linalg_0(%a: memref<?x128xf32>,
        %b: memref<128x128xf32>, %c: memref<?x128xf32>) {
      linalg.matmul ins(%a, %b : ...) outs(%c : memref<?x128xf32>)
      return
    }
    ```
  }];
  let dependentDialects = ["::mlir::func::FuncDialect",
                           "::mlir::LLVM::LLVMDialect"];
}

def TernaryVectorizeContractions : Pass<"ternary-vectorize-contractions"> {
  let summary = "Tile f32 contractions for registers and vectorise them to FMAs";
  let description = [{
    Rewrites every f32 `linalg` contraction on buffers (`linalg.matmul`,
    `linalg.batch_matmul` and any `linalg.generic` whose body is a
    multiply-accumulate with projected-permutation maps, the shapes
    `--ternary-autodiff` emits included) whose output is contiguous along
    its `n` dimension into a register-blocked microkernel: loops over
    `tile-m` x `tile-n` output blocks (batch dimensions one at a time), an
    inner loop over `k` in steps of `tile-k`, the output block held in
    vector registers across that loop, and each step `tile-k` outer
    products, one broadcast of an element of A and one FMA per vector of
    B's row. Further parallel dimensions (a second `m` or `n`, such as the
    images sharing a convolution's filter) are taken one index at a time
    like batch dimensions; further reductions (a filter gradient's sum over
    the images) one index at a time, in order, outside the register tiles.
    Either input may be A: the one without the output's contiguous
    dimension. A `B` operand that is contiguous along `k` (a linear layer's
    `x . W^T`, attention's `q . k^T`) is first transposed into a scratch
    buffer, in vectorised 16 x 16 blocks, so that its rows are contiguous
    along `n`; when `A` is at most half its size (per index of the loops
    they share), the contraction has outer reductions and the output is a
    2-D `[m, n]` block, the transposed
    output is computed instead, in a scratch buffer transposed from and
    back into the output, so that the transpose is of the smaller operand
    (a convolution's filter gradient: the output gradient, not the 4.5x
    larger window patches); so it is when `n` is static and smaller than
    `tile-n` and `m` is not (a first convolution's filter gradient,
    32 x 9), so that `m` fills the tile's columns. A static `m` smaller than `tile-m` (the query
    heads of a grouped-query attention's key/value head) is one block of
    all its rows. Remainders (sizes that are not multiples of the tile, and
    contractions smaller than one tile, such as a 10-class head) are peeled
    and computed as whole tiles with masks: masked reads give zeros past
    the tile's edges, so the products there add nothing to what is kept,
    and masked writes stop at the edges (remainders of contractions with
    outer reductions stay scalar loops). A `linalg.fill` of the output
    just before the contraction moves into its parallel tasks: each task
    fills its own output block just before computing it, while the block
    is in cache, instead of the whole output in a pass over memory of its
    own (`--ternary-outline-linalg` brings such fills next to their
    contractions; the fill of an output computed transposed stays where it
    is). The parallel tasks are blocks of whole register tiles; with outer
    reductions they are larger (up to 128 x 128 outputs, each task reading
    its part of every image once) and, when static sizes would give an odd
    number of them, smaller along `m` so that there is an even number (a
    filter gradient of 288 rows: 4 tasks of 72 instead of 3 of 128).
    Run after bufferization.

    The sum over `k` runs in the same order as the scalar loops, but with
    fused multiply-adds: results may differ from the loops in the last
    bits (docs/numerics.md).

    Example (`tile-m=8 tile-n=32 tile-k=4`): a
    `linalg.matmul ins(%a, %b : memref<64x784xf32>, memref<784x256xf32>)`
    becomes `scf.for` loops over 8 x 32 blocks of the output whose body is
    an `scf.for` over `k` carrying a `vector<8x32xf32>` accumulator, with
    `vector.fma` of broadcast elements of `%a` and rows of `%b`.
  }];
  let options = [
    Option<"tileM", "tile-m", "int64_t", /*default=*/"8",
           "Rows of the output block held in registers">,
    Option<"tileN", "tile-n", "int64_t", /*default=*/"32",
           "Columns of the output block (a multiple of the vector width)">,
    Option<"tileK", "tile-k", "int64_t", /*default=*/"4",
           "Steps of the reduction per iteration of the inner loop">
  ];
  let dependentDialects = ["::mlir::vector::VectorDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::affine::AffineDialect",
                           "::mlir::ub::UBDialect"];
}

def TernaryVectorizeRows : Pass<"ternary-vectorize-rows"> {
  let summary = "Vectorise element-wise generics along their innermost "
                "loop, a row at a time";
  let description = [{
    Rewrites a `linalg.generic` on buffers into `scf.for` loops over all its
    loops but the innermost, around rows of `vector.load`, element-wise
    vector ops and `vector.store` along the innermost loop: full rows of
    `vector-bytes` bytes (of the widest element type), then one
    `vector.maskedload` / `vector.maskedstore` row for the remainder. It
    takes the generics that LLVM, given their scalar loops, vectorises
    across the wrong loop (it unrolls a short static innermost loop and
    vectorises the next one, with gathers and scatters):
    - generics that read or write through a window (a map that is not a
      projected permutation: the `oh + kh` of a convolution's im2col
      gather, and of the scatter-add that `--ternary-autodiff` derives from
      it for the input's gradient), and
    - generics whose innermost loop is static and at most `short-row` long
      (a ReLU on `[n, 64, 24, 24]` images and its gradient),
    when
    - the output's map walks the innermost loop contiguously: its last
      result is `d + e` with `e` free of the innermost loop `d`, which no
      other result uses; each input either does the same or does not use
      `d` (its element is broadcast);
    - every operand that uses `d` has a unit innermost stride;
    - the body holds only element-wise `arith` / `math` ops and constants
      on scalars (no `linalg.index`);
    - a static innermost size is at least `min-lanes`.
    Each element of a row is a different output element, so every output
    element receives its terms in the order of the scalar loops: results
    are the loops' bit for bit.

    The scatter-add of the MNIST CNN's second convolution took a quarter of
    its train step as LLVM's gathers. Run after `--ternary-parallelize` (it
    rewrites the tasks' generics too) and before `convert-linalg-to-loops`.

    Example (`vector-bytes=64`):
    ```mlir
    linalg.generic {indexing_maps = [
        affine_map<(n, c, kh, kw, oh, ow) -> (n, c, kh, kw, oh, ow)>,
        affine_map<(n, c, kh, kw, oh, ow) -> (n, c, oh + kh, ow + kw)>],
      iterator_types = ["parallel", "parallel", "reduction", "reduction",
                        "reduction", "reduction"]}
      ins(%col : memref<?x32x3x3x24x24xf32>)
      outs(%dx : memref<?x32x26x26xf32>) {
    ^bb0(%in: f32, %out: f32):
      %s = arith.addf %out, %in : f32
      linalg.yield %s : f32
    }
    ```
    becomes five `scf.for` loops (n, c, kh, kw, oh) whose body adds one
    `vector<16xf32>` row of `%col` to the row of `%dx` at `[n, c, oh + kh,
    kw]`, then a row of the last 8 columns under a mask.
  }];
  let options = [
    Option<"vectorBytes", "vector-bytes", "int64_t", /*default=*/"64",
           "Bytes of a vector register (64 with AVX-512, 32 with AVX2)">,
    Option<"minLanes", "min-lanes", "int64_t", /*default=*/"4",
           "Smallest static innermost size to vectorise">,
    Option<"shortRow", "short-row", "int64_t", /*default=*/"64",
           "Longest static innermost size taken when every map is a "
           "projected permutation (LLVM vectorises longer ones well)">
  ];
  let dependentDialects = ["::mlir::vector::VectorDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::affine::AffineDialect"];
}

def TernaryVectorizeReductions : Pass<"ternary-vectorize-reductions"> {
  let summary = "Reduce rows of several outputs side by side, through "
                "register transposes";
  let description = [{
    Rewrites a `linalg.generic` on buffers whose innermost loop is a
    reduction along contiguous rows (a sum or a product:
    the row sums of a softmax or a norm, a bias gradient summed over images
    and pixels, a weight scale's sum of magnitudes in f64) into loops over
    blocks of `lanes` outputs (`vector-bytes` over the output's element
    size), their running values in one vector through the reduction loops.
    For each block and each run of `lanes` terms along the innermost loop,
    it loads one vector row of terms per output (the body computed on
    vectors), transposes the square with `vector.shuffle`s (log2(lanes)
    steps of `lanes` two-source shuffles) and folds its rows into the
    running values in order: lane j receives output j's terms one at a time,
    in the order of the scalar loops. The results are the loops' bit for bit.
    A remainder of the innermost loop is loaded under a mask; with a dynamic
    size its missing terms are the combiner's identity (-0.0 for `addf`,
    1.0 for `mulf`), which leaves
    every running value as it is. A block past the last output reads the
    last output's terms and stores only the outputs that exist.

    It takes a generic when
    - its one output is f32 or f64, contiguous along its last index, and uses
      exactly the parallel loops; the output's last index is the loop whose
      outputs go side by side;
    - the innermost loop is a reduction, static and at least `min-lanes`
      long, or dynamic;
    - every input is read through a projected permutation that walks the
      innermost loop contiguously (unit stride) or does not use it (its
      element is broadcast along the row);
    - the body holds element-wise `arith` / `math` ops (no integer
      division: padding terms are zeros), and yields `combine(out, term)`
      with `out` used there only; `combine` is an `addf` or `mulf` that may
      not reassociate. LLVM vectorises the others along the row itself,
      with partial results, which is faster: a sum or product with
      `fastmath<reassoc>`, and a maximum or minimum, exact in any order.

    Left to LLVM, such a reduction is one chain of scalar operations, an
    output at a time, each waiting for the last (LLVM keeps the order of
    floating-point additions); the bias gradients of the MNIST CNN's
    convolutions took 4 % of its train step so. Run after
    `--ternary-parallelize` (it rewrites the tasks' generics too) and
    before `convert-linalg-to-loops`.

    Example (`vector-bytes=64`): the bias gradient of a convolution,
    ```mlir
    linalg.generic {indexing_maps = [
        affine_map<(n, c, h, w) -> (n, c, h, w)>,
        affine_map<(n, c, h, w) -> (c)>],
      iterator_types = ["reduction", "parallel", "reduction", "reduction"]}
      ins(%dy : memref<?x64x24x24xf32>) outs(%db : memref<64xf32>) {
    ^bb0(%in: f32, %out: f32):
      %s = arith.addf %out, %in : f32
      linalg.yield %s : f32
    }
    ```
    becomes a loop over 4 blocks of 16 channels, each loading its 16 sums
    as one `vector<16xf32>`, looping over `n` and `h` with them as
    iteration arguments, and for `w` one square of 16 rows of 16 terms and
    one of the last 8 (under a mask; 8 rows folded), then storing them.
  }];
  let options = [
    Option<"vectorBytes", "vector-bytes", "int64_t", /*default=*/"64",
           "Bytes of a vector register (64 with AVX-512, 32 with AVX2), "
           "a power of two of at least 16">,
    Option<"minLanes", "min-lanes", "int64_t", /*default=*/"4",
           "Shortest static innermost loop to take">
  ];
  let dependentDialects = ["::mlir::vector::VectorDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::affine::AffineDialect",
                           "::mlir::arith::ArithDialect"];
}

#endif // TERNARY_PASSES_CODEGEN_CPU_PASSES_TD
