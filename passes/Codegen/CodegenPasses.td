//===- CodegenPasses.td - Passes of passes/Codegen ---------*- tablegen -*-===//
//
// The target-independent passes of passes/Codegen/: steps of the lowering
// to LLVM (copies, deallocations, approximations, C interfaces). The CPU's
// kernels, their selection and the tasks for threads are in
// CPU/CPUPasses.td. Included by passes/Passes.td.
//
//===----------------------------------------------------------------------===//

#ifndef TERNARY_PASSES_CODEGEN_PASSES_TD
#define TERNARY_PASSES_CODEGEN_PASSES_TD

include "mlir/Pass/PassBase.td"

def TernaryStridedCopiesToLinalg : Pass<"ternary-strided-copies-to-linalg"> {
  let summary = "Turn memref.copy of non-contiguous buffers into linalg.copy";
  let description = [{
    `memref.copy` between buffers that are not both contiguous lowers to a
    call of MLIR's C runner library (`memrefCopy`), which the project's JIT
    and object files do not link. This pass rewrites those copies (and only
    those: contiguous copies stay `memcpy`) as `linalg.copy`, which
    `--convert-linalg-to-loops` lowers to plain loops. Bufferization creates
    them for slices, e.g. the gradient of `tensor.pad`.

    Example:

    ```mlir
    memref.copy %slice, %buf : memref<2x3xf32, strided<[7, 1], offset: 8>> to memref<2x3xf32>
    ```

    becomes

    ```mlir
    linalg.copy ins(%slice : memref<2x3xf32, strided<[7, 1], offset: 8>>) outs(%buf : memref<2x3xf32>)
    ```
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def TernaryForwardCopies
    : Pass<"ternary-forward-copies", "::mlir::func::FuncOp"> {
  let summary = "Let the op that fills a buffer copied into an argument "
                "write the argument; copies of filled buffers become fills";
  let description = [{
    Bufferization writes a value meant for a caller's buffer (a train
    step's updated parameters and optimiser state,
    `bufferization.materialize_in_destination` into a function argument)
    into a fresh buffer first and copies it over. This pass removes the
    copy where the buffer's only writer can write the argument itself:

    - the copy's source is a `memref.alloc` whose uses are all in the
      copy's block; its use before the copy is an element-wise linalg op
      (all loops parallel) that overwrites it (an output with the identity
      map, never read), and its use after the copy, if any, overwrites it
      in the same way (bufferization may carry several updates in one
      buffer in turn);
    - the copy's target is an argument of the function, of the same type;
    - the op reads the argument, if at all, only with that same map (each
      element before it is written), and through no view of it;
    - between the op and the copy no op touches the argument: only copies
      from other buffers into other arguments, or ops free of memory
      effects that do not use it.

    The op then writes the argument, the copy and the allocation go. The
    function's arguments are taken to be distinct buffers (the C interface
    of the train steps says so).

    First, a copy out of a buffer whose last write before the copy (every
    use in one block; uses in between only read it) is a `linalg.fill`
    becomes a fill of the copy's target: bufferization gives the
    accumulating ops that share one zero-filled output (merged by CSE) a
    copy of it each, but the first, which accumulates in place; a fill
    writes the target without reading the source.
    Runs on buffers, before the deallocation pipeline.

    Example:

    ```mlir
    %new = memref.alloc() : memref<4xf32>
    linalg.generic {indexing_maps = [#id, #id, #id],
                    iterator_types = ["parallel"]}
        ins(%param, %grad : memref<4xf32>, memref<4xf32>)
        outs(%new : memref<4xf32>) { ... }
    memref.copy %new, %param : memref<4xf32> to memref<4xf32>
    ```

    becomes

    ```mlir
    linalg.generic {indexing_maps = [#id, #id, #id],
                    iterator_types = ["parallel"]}
        ins(%param, %grad : memref<4xf32>, memref<4xf32>)
        outs(%param : memref<4xf32>) { ... }
    ```
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect"];
}

def TernaryApproximateMath : Pass<"ternary-approximate-math"> {
  let summary = "Compute f32 erf and exp with polynomials that vectorise";
  let description = [{
    Rewrites `math.erf` and `math.exp` on f32 (scalars and vectors) into
    MLIR's polynomial approximations (`populateMathPolynomialApproximation
    Patterns`): range reduction, a polynomial or rational function
    evaluated with `math.fma`, and the special cases (NaN, infinities,
    overflow and underflow) by comparisons and selects. Without it, LLVM
    lowers each to a call of libm's `erff` / `expf` an element, which
    keeps the loops around them (GELU, softmax, the cross-entropy, SiLU)
    scalar.

    The result is the same arithmetic on every element, so a vectorised
    loop and its scalar remainder agree, and so do all thread counts.
    Accuracy against the correctly rounded value
    (`test/unittests/Codegen/ApproximateMathTest.cpp`): erf within 4 ulp
    (or 2^-30 near 0), exp within 2 ulp up to x = 88 and 8 ulp before its
    overflow at 88.72; infinities and NaN as libm; exp's results below the
    smallest normal float within that float of the truth (no gradual
    underflow), and erf(-0) is +0.

    Example:

    ```mlir
    %e = math.erf %x : f32
    ```

    becomes a rational function of `%x` clamped at +-1 (about 40 `arith`
    and `math.fma` ops, no call).
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::vector::VectorDialect"];
}

def TernarySplitDeallocs : Pass<"ternary-split-deallocs"> {
  let summary = "Free on its own every fresh buffer of a "
                "bufferization.dealloc that nothing else in it can alias";
  let description = [{
    Ownership-based deallocation frees every buffer a block allocates in one
    `bufferization.dealloc` at the block's end, retaining the buffers the
    block returns. Upstream's `--buffer-deallocation-simplification` then
    splits that op by asking, for every pair of its buffers, whether they
    can be the same allocation: quadratic in the buffers of a block, seconds
    for a train step with a thousand of them (the 10M-parameter decoder's
    step: 2.4 s of its 6.8 s in MLIR). What it cannot split is lowered to
    a call of a helper that compares every pair at run time, from arrays
    stored one element at a time: a block of a thousand stores that LLVM's
    store merging is quadratic in too.

    This pass does the common cases first, in one pass over each op. Each
    buffer and retained value is traced back through view-like ops (and the
    base buffer of `memref.extract_strided_metadata`) to where it comes
    from:

    - a `memref.alloc`, a `bufferization.clone` or an argument of the
      function: that buffer;
    - the result of a call of a function of the module whose one
      `func.return` gives there one of its arguments (through views): the
      buffer passed as that argument; or a buffer the callee allocates and
      returns nowhere else: a fresh buffer, the call's result;
    - another call: any of the buffers passed to it;
    - anything else (a value chosen by `arith.select`, passed out of a
      region): unknown, and the op is left whole.

    Each fresh buffer (an allocation or a callee's) that the op's other
    operands and retained values cannot be a view of without being known to
    is then freed by a `bufferization.dealloc` of its own, retaining
    nothing, once, if the condition of any of its entries holds. The
    retained values' results are unchanged: such a buffer never aliases
    them.

    Example:

    ```mlir
    %r = bufferization.dealloc (%a, %b, %c, %base : memref<4xf32>, memref<8xf32>, memref<2xf32>, memref<f32>)
        if (%true, %cond, %true, %c2) retain (%c : memref<2xf32>)
    ```

    with `%a`, `%b`, `%c` three `memref.alloc`s and `%base` the base buffer
    of `%a`, becomes

    ```mlir
    %either = arith.ori %true, %c2 : i1
    bufferization.dealloc (%a : memref<4xf32>) if (%either)
    bufferization.dealloc (%b : memref<8xf32>) if (%cond)
    %r = bufferization.dealloc (%c : memref<2xf32>) if (%true) retain (%c : memref<2xf32>)
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def TernaryRequestCInterface
    : Pass<"ternary-request-c-interface", "::mlir::ModuleOp"> {
  let summary = "Give public functions a C interface";
  let description = [{
    Sets `llvm.emit_c_interface` on every public `func.func` with a body, so
    that the conversion to LLVM emits `_mlir_ciface_NAME` taking memref
    descriptors by pointer (the ABI of `ternary-compile --header`). Private
    functions and declarations, such as the runtime's
    `ternary_check_failed`, keep their plain calling convention.

    Example: `func.func @f(%x: tensor<?xf32>)` gets
    `attributes {llvm.emit_c_interface}`; `func.func private @g()` does not.
  }];
}

#endif // TERNARY_PASSES_CODEGEN_PASSES_TD
