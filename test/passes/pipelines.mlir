// Tests passes/Pipelines.cpp: --ternary-inference-pipeline takes BitLinear
// modules all the way to the LLVM dialect.
// Nothing but the LLVM dialect is left, anywhere in the module (the
// implicit checks apply between and after the matches too).
// RUN: ternary-opt %ternary_src/examples/bitlinear.mlir --ternary-inference-pipeline | FileCheck %s --check-prefix=ONE --implicit-check-not=ternary. --implicit-check-not=linalg. --implicit-check-not=memref. --implicit-check-not=arith. --implicit-check-not=scf. --implicit-check-not=tensor.
// RUN: ternary-opt %ternary_src/examples/mlp.mlir --ternary-inference-pipeline | FileCheck %s --check-prefix=MLP --implicit-check-not=ternary. --implicit-check-not=linalg. --implicit-check-not=memref. --implicit-check-not=arith. --implicit-check-not=scf. --implicit-check-not=tensor.
// RUN: ternary-opt %ternary_src/examples/bitlinear.mlir --ternary-inference-pipeline=c-interface=false | FileCheck %s --check-prefix=NOC
// RUN: ternary-opt %s --ternary-inference-pipeline=encoding=base3 | FileCheck %s --check-prefix=FROZEN
// RUN: ternary-opt %s --ternary-inference-pipeline | FileCheck %s --check-prefix=THREADS
// RUN: ternary-opt %s --ternary-inference-pipeline=parallel=false | FileCheck %s --check-prefix=SERIAL --implicit-check-not=omp.

// Buffers come from aligned_alloc, not from malloc and an address rounded
// up by ptrtoint/inttoptr (through which LLVM's alias analysis cannot see).
// ONE-LABEL: llvm.func @bitlinear(
// ONE-NOT: llvm.inttoptr
// ONE: llvm.call @aligned_alloc
// ONE-NOT: llvm.inttoptr
// ONE: llvm.intr.roundeven
// ONE-NOT: llvm.inttoptr
// ONE-LABEL: llvm.func @_mlir_ciface_bitlinear(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr)

// MLP-LABEL: llvm.func @mlp(
// MLP-LABEL: llvm.func @_mlir_ciface_mlp(

// NOC: llvm.func @bitlinear(
// NOC-NOT: _mlir_ciface_

// Frozen weights are quantised and packed at compile time: no weight scale
// computation is left, only the packed bytes (rows [1, 0, -1, 0, 1] and
// [0, 0, 0, 1, -1] in base 3: 205 and 130, -51 and -126 as i8).
// FROZEN: llvm.mlir.global private constant @{{.*}}(dense<{{\[}}[-51], [-126]]> : tensor<2x1xi8>)
// FROZEN-LABEL: llvm.func @frozen(
// FROZEN-NOT: llvm.intr.maxnum
// The product writes the caller's buffer and returns nothing: no clone of
// its output to return it (--drop-equivalent-buffer-results).
// FROZEN: llvm.call @__ternary_packed_rescale_{{[a-z0-9_]+}}_base3_q128({{.*}}) -> (){{$}}
// FROZEN: llvm.func @_mlir_ciface_frozen(
// The packed product's function, internal and not inlined, prefetches the
// weights (ternary.prefetch, bufferized to memref.prefetch): a read into
// all cache levels.
// FROZEN: llvm.func internal @__ternary_packed_rescale_{{[a-z0-9_]+}}_base3_q128(
// FROZEN-SAME: passthrough = ["noinline"]
// FROZEN: "llvm.intr.prefetch"(%{{.*}}) <{cache = 1 : i32, hint = 3 : i32, rw = 0 : i32}>
// FROZEN-NOT: llvm.intr.memcpy
// FROZEN: llvm.return{{$}}
func.func @frozen(%x: tensor<?x5xf32>) -> tensor<?x2xf32> {
  %w = arith.constant dense<[[1.0, 0.0, -1.0, 0.0, 1.0], [0.0, 0.0, 0.0, 1.0, -1.0]]> : tensor<2x5xf32>
  %y = ternary.bitlinear %x, %w : (tensor<?x5xf32>, tensor<2x5xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}

// Tasks become OpenMP worksharing loops inside a parallel region (the
// thread count is the runtime's); parallel=false leaves no OpenMP op.
// THREADS-LABEL: llvm.func @large(
// THREADS: omp.parallel {
// THREADS:   omp.wsloop {
// THREADS:     omp.loop_nest
// SERIAL-LABEL: llvm.func @large(
func.func @large(%a: tensor<512x1024xf32>, %b: tensor<512x1024xf32>) -> tensor<512x1024xf32> {
  %s = arith.addf %a, %b : tensor<512x1024xf32>
  return %s : tensor<512x1024xf32>
}
