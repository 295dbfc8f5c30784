// Tests passes/Codegen/CPU/VectorizeReductions.cpp
// (--ternary-vectorize-reductions): which reductions it computes with
// several outputs side by side, and which it leaves to LLVM. The numbers
// are tested against the scalar loops, bit for bit, in
// test/unittests/Codegen/VectorizeReductionsTest.cpp.
// RUN: ternary-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(ternary-vectorize-reductions{vector-bytes=64}),canonicalize)' | FileCheck %s
// RUN: ternary-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(ternary-vectorize-reductions{vector-bytes=32}),canonicalize)' | FileCheck %s --check-prefix=AVX2
// RUN: not ternary-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(ternary-vectorize-reductions{vector-bytes=24}))' 2>&1 | FileCheck %s --check-prefix=ERR
// ERR: error: ternary-vectorize-reductions: vector-bytes must be a power of two of at least 16, and min-lanes positive (got 24, 4)

#id = affine_map<(n, c, h, w) -> (n, c, h, w)>
#ch = affine_map<(n, c, h, w) -> (c)>
// A convolution's bias gradient: 4 blocks of 16 channels, their sums one
// vector<16xf32> carried through the n and h loops; along w, a square of
// 16 x 16 terms (16 row loads, 4 x 16 shuffles, 16 additions in order) and
// one of the last 8 under a mask, of which 8 rows are added.
// CHECK-LABEL: func.func @bias_gradient
// CHECK-SAME: (%[[DY:.*]]: memref<?x64x24x24xf32>, %[[DB:.*]]: memref<64xf32>)
// CHECK: scf.for %[[C:.*]] = %c0 to %c64 step %c16 {
// CHECK:   %[[INIT:.*]] = vector.load %[[DB]][%[[C]]] : memref<64xf32>, vector<16xf32>
// CHECK:   %[[SUMS:.*]] = scf.for %[[N:.*]] = %c0 to %{{.*}} step %c1 iter_args(%[[ACC_N:.*]] = %[[INIT]])
// CHECK:     scf.for %[[H:.*]] = %c0 to %c24 step %c1 iter_args(%[[ACC:.*]] = %[[ACC_N]])
// CHECK-NOT:   scf.for
// CHECK:       %[[ROW0:.*]] = vector.load %[[DY]][%[[N]], %[[C]], %[[H]], %c0] : memref<?x64x24x24xf32>, vector<16xf32>
// CHECK-COUNT-15: vector.load %[[DY]][%[[N]], %{{.*}}, %[[H]], %c0]
// CHECK:       vector.shuffle %[[ROW0]], %{{.*}} [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23]
// CHECK-COUNT-63: vector.shuffle
// CHECK:       %[[S0:.*]] = arith.addf %[[ACC]], %{{.*}} : vector<16xf32>
// CHECK-NEXT:  %[[S1:.*]] = arith.addf %[[S0]], %{{.*}} : vector<16xf32>
// CHECK-COUNT-14: arith.addf
// CHECK:       %[[TAIL:.*]] = vector.constant_mask [8] : vector<16xi1>
// CHECK:       vector.maskedload %[[DY]][%[[N]], %[[C]], %[[H]], %c16], %[[TAIL]]
// CHECK-COUNT-8: arith.addf
// CHECK-NOT:   arith.addf
// CHECK:       scf.yield
// CHECK:   vector.store %[[SUMS]], %[[DB]][%[[C]]] : memref<64xf32>, vector<16xf32>
// CHECK-NOT: linalg.generic
// With 32-byte vectors: 8 blocks of 8 channels, three squares of 8 x 8
// along w, no remainder.
// AVX2-LABEL: func.func @bias_gradient
// AVX2: scf.for %{{.*}} = %c0 to %c64 step %c8
// AVX2: vector.load {{.*}} vector<8xf32>
// AVX2: scf.for %{{.*}} = %c0 to %c24 step %c8
// AVX2-NOT: vector.maskedload
// AVX2: return
func.func @bias_gradient(%dy: memref<?x64x24x24xf32>, %db: memref<64xf32>) {
  linalg.generic {indexing_maps = [#id, #ch],
      iterator_types = ["reduction", "parallel", "reduction", "reduction"]}
      ins(%dy : memref<?x64x24x24xf32>) outs(%db : memref<64xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.addf %out, %in : f32
    linalg.yield %s : f32
  }
  return
}

// -----

#x = affine_map<(r, k) -> (r, k)>
#row = affine_map<(r, k) -> (r)>
// Row sums with dynamic sizes: a block past the last row is loaded and
// stored under a mask, its rows clamped to the last one; the sum keeps its
// operand order; a dynamic remainder of the row pads with -0.0, the
// identity of addf (+0.0 would turn a sum of -0.0 into +0.0).
// CHECK-LABEL: func.func @row_sum
// CHECK-SAME: (%[[X:.*]]: memref<?x?xf32>, %[[M:.*]]: memref<?xf32>)
// CHECK-DAG: %[[NINF:.*]] = arith.constant dense<-0.000000e+00> : vector<16xf32>
// CHECK: scf.for %[[R:.*]] = %c0 to %[[ROWS:.*]] step %c16 {
// CHECK:   %[[LEFT:.*]] = affine.min #{{.*}}()[%[[ROWS]], %[[R]]]
// CHECK:   %[[OUTS:.*]] = vector.create_mask %[[LEFT]] : vector<16xi1>
// CHECK:   %[[INIT:.*]] = vector.maskedload %[[M]][%[[R]]], %[[OUTS]], %[[NINF]]
// CHECK:   %[[FULL:.*]] = scf.for %[[K:.*]] = %c0 to %{{.*}} step %c16 iter_args(%[[ACC:.*]] = %[[INIT]])
// CHECK:     %[[R1:.*]] = affine.min #{{.*}}(%[[R]])[%[[ROWS]]]
// CHECK:     vector.load %[[X]][%[[R1]], %[[K]]]
// CHECK:     %[[M0:.*]] = arith.addf %{{.*}}, %[[ACC]] : vector<16xf32>
// CHECK-NEXT: arith.addf %{{.*}}, %[[M0]] : vector<16xf32>
// CHECK:   %[[ALL:.*]] = scf.if %{{.*}} -> (vector<16xf32>) {
// CHECK:     %[[TAIL:.*]] = vector.create_mask %{{.*}} : vector<16xi1>
// CHECK:     vector.maskedload %[[X]]
// CHECK:     arith.select %[[TAIL]], %{{.*}}, %[[NINF]] : vector<16xi1>, vector<16xf32>
// CHECK-COUNT-16: arith.addf
// CHECK:   } else {
// CHECK:     scf.yield %[[FULL]]
// CHECK:   vector.maskedstore %[[M]][%[[R]]], %[[OUTS]], %[[ALL]]
func.func @row_sum(%x: memref<?x?xf32>, %m: memref<?xf32>) {
  linalg.generic {indexing_maps = [#x, #row], iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<?x?xf32>) outs(%m : memref<?xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.addf %in, %out : f32
    linalg.yield %s : f32
  }
  return
}

// -----

#x = affine_map<(r, k) -> (r, k)>
#row = affine_map<(r, k) -> (r)>
// A variance summed in f64 (8 lanes of 64 bytes) from a mean broadcast
// along the row; rows of a static 10: one masked square, 10 rows added.
// CHECK-LABEL: func.func @variance
// CHECK-SAME: (%[[X:.*]]: memref<?x10xf32>, %[[MEAN:.*]]: memref<?xf32>, %[[V:.*]]: memref<?xf64>)
// CHECK: scf.for %[[R:.*]] = %c0 to %{{.*}} step %c8 {
// CHECK:   vector.maskedload %[[V]][%[[R]]]{{.*}} into vector<8xf64>
// CHECK-NOT: scf.for
// CHECK:   %[[MU:.*]] = memref.load %[[MEAN]][%{{.*}}] : memref<?xf32>
// CHECK:   %[[MUS:.*]] = vector.broadcast %[[MU]] : f32 to vector<8xf32>
// CHECK:   %[[D:.*]] = arith.subf %{{.*}}, %[[MUS]] : vector<8xf32>
// CHECK:   arith.extf %{{.*}} : vector<8xf32> to vector<8xf64>
// CHECK-COUNT-10: arith.addf {{.*}} : vector<8xf64>
// CHECK-NOT: arith.addf
// CHECK:   vector.maskedstore %[[V]][%[[R]]]
func.func @variance(%x: memref<?x10xf32>, %mean: memref<?xf32>, %v: memref<?xf64>) {
  linalg.generic {indexing_maps = [#x, #row, #row], iterator_types = ["parallel", "reduction"]}
      ins(%x, %mean : memref<?x10xf32>, memref<?xf32>) outs(%v : memref<?xf64>) {
  ^bb0(%in: f32, %mu: f32, %out: f64):
    %d = arith.subf %in, %mu : f32
    %sq = arith.mulf %d, %d : f32
    %wide = arith.extf %sq : f32 to f64
    %s = arith.addf %out, %wide : f64
    linalg.yield %s : f64
  }
  return
}

// -----

#x = affine_map<(r, k) -> (r, k)>
#row = affine_map<(r, k) -> (r)>
#col = affine_map<(r, k) -> (k)>
#xt = affine_map<(r, k) -> (k, r)>
// Left to LLVM: column sums (the innermost loop is parallel: LLVM
// vectorises it itself); rows shorter than min-lanes; maxnumf; a body that
// reads the running value twice; rows read across the innermost loop
// (strided); a non-contiguous output; an f16 output; an integer division; a
// sum that may reassociate and a maximum (LLVM vectorises their rows
// itself, with partial results).
// CHECK-LABEL: func.func @left_alone
// CHECK-NOT: vector.
// CHECK-COUNT-10: linalg.generic
// CHECK-NOT: vector.
func.func @left_alone(%x: memref<?x?xf32>, %short: memref<?x3xf32>, %xh: memref<?x?xf16>,
                      %rows: memref<?xf32>, %cols: memref<?xf32>, %strided: memref<?xf32, strided<[2]>>,
                      %half: memref<?xf16>, %i: memref<?x?xi32>, %ri: memref<?xf32>) {
  linalg.generic {indexing_maps = [#x, #col], iterator_types = ["reduction", "parallel"]}
      ins(%x : memref<?x?xf32>) outs(%cols : memref<?xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.addf %out, %in : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#x, #row], iterator_types = ["parallel", "reduction"]}
      ins(%short : memref<?x3xf32>) outs(%rows : memref<?xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.addf %out, %in : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#x, #row], iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<?x?xf32>) outs(%rows : memref<?xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.maxnumf %out, %in : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#x, #row], iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<?x?xf32>) outs(%rows : memref<?xf32>) {
  ^bb0(%in: f32, %out: f32):
    %p = arith.mulf %in, %out : f32
    %s = arith.addf %out, %p : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#xt, #row], iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<?x?xf32>) outs(%rows : memref<?xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.addf %out, %in : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#x, #row], iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<?x?xf32>) outs(%strided : memref<?xf32, strided<[2]>>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.addf %out, %in : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#x, #row], iterator_types = ["parallel", "reduction"]}
      ins(%xh : memref<?x?xf16>) outs(%half : memref<?xf16>) {
  ^bb0(%in: f16, %out: f16):
    %s = arith.addf %out, %in : f16
    linalg.yield %s : f16
  }
  linalg.generic {indexing_maps = [#x, #row], iterator_types = ["parallel", "reduction"]}
      ins(%i : memref<?x?xi32>) outs(%ri : memref<?xf32>) {
  ^bb0(%in: i32, %out: f32):
    %c3 = arith.constant 3 : i32
    %q = arith.divsi %in, %c3 : i32
    %f = arith.sitofp %q : i32 to f32
    %s = arith.addf %out, %f : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#x, #row], iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<?x?xf32>) outs(%rows : memref<?xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.addf %out, %in fastmath<reassoc> : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#x, #row], iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<?x?xf32>) outs(%rows : memref<?xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.maximumf %out, %in : f32
    linalg.yield %s : f32
  }
  return
}
