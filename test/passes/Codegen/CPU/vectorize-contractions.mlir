// Tests passes/Codegen/CPU/VectorizeContractions.cpp: f32 contractions on
// buffers become the register-blocked outer-product kernel; and the operand
// layouts of passes/Codegen/CPU/ContractionOperands.cpp: B contiguous along
// k is transposed first (@linear: no outer reduction, so the output is left
// as it is even though x is the smaller operand), and a filter gradient
// whose A is much smaller computes its output transposed
// (@convolution_shapes). The numbers are tested against the scalar loops in
// test/unittests/Codegen/VectorizeContractionsTest.cpp.
// RUN: ternary-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(ternary-vectorize-contractions{tile-m=8 tile-n=32 tile-k=4}))' | FileCheck %s
// RUN: not ternary-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(ternary-vectorize-contractions{tile-m=0}))' 2>&1 | FileCheck %s --check-prefix=ERR
// ERR: error: ternary-vectorize-contractions: tile-m, tile-n and tile-k must be positive (got 0, 32, 4)

// Tasks of 16 x 256 outputs (2 x 8 register tiles) in an scf.forall, for
// the threads; in each, 8 x 32 output blocks; the k loop carries the block
// in registers (read before it, written after it) and does 4 x 8 FMAs of a
// broadcast element of A and a 32-wide row of B per step.
// CHECK-LABEL: func.func @matmul
// CHECK-SAME: (%[[A:.*]]: memref<64x784xf32>, %[[B:.*]]: memref<784x256xf32>, %[[C:.*]]: memref<64x256xf32>)
// CHECK: scf.forall (%[[T:.*]]) = (0) to (64) step (16) {
// CHECK:   scf.for %[[I:.*]] = %{{.*}} to %c16 step %c8
// CHECK:     scf.for %[[J:.*]] = %{{.*}} to %c256 step %c32
// CHECK:       %[[ROW0:.*]] = affine.apply #{{.*}}()[%[[T]], %[[I]]]
// CHECK:       vector.transfer_read %[[C]][%[[ROW0]], %[[J]]]{{.*}} vector<32xf32>
// CHECK:       %[[BLOCK:.*]] = scf.for %[[K:.*]] = %{{.*}} to %{{.*}} step %c4 iter_args(%{{.*}}) -> (vector<8x32xf32>)
// CHECK:         vector.transfer_read %[[A]][%{{.*}}, %[[K]]]{{.*}} vector<4xf32>
// CHECK:         %[[ROW:.*]] = vector.transfer_read %[[B]][%[[K]], %[[J]]]{{.*}} vector<32xf32>
// CHECK:         %[[S:.*]] = vector.broadcast %{{.*}} : f32 to vector<32xf32>
// CHECK:         vector.fma %[[S]], %[[ROW]], %{{.*}} : vector<32xf32>
// CHECK-COUNT-31: vector.fma
// CHECK-NOT:     vector.fma
// CHECK:         scf.yield %{{.*}} : vector<8x32xf32>
// CHECK:       vector.transfer_write %{{.*}}, %[[C]][%{{.*}}, %[[J]]]
// CHECK-NOT: linalg.
func.func @matmul(%a: memref<64x784xf32>, %b: memref<784x256xf32>, %c: memref<64x256xf32>) {
  linalg.matmul ins(%a, %b : memref<64x784xf32>, memref<784x256xf32>) outs(%c : memref<64x256xf32>)
  return
}

// -----

// x . W^T: W is contiguous along k, so it is transposed once into a scratch
// buffer whose rows run along n; the kernel reads that buffer. The output
// stays as it is (no transposed scratch): there is no outer reduction.
// CHECK-LABEL: func.func @linear
// CHECK-SAME: (%[[X:.*]]: memref<64x784xf32>, %[[W:.*]]: memref<256x784xf32>, %[[Y:.*]]: memref<64x256xf32>)
// CHECK-NOT: memref<256x64xf32>
// CHECK: %[[WT:.*]] = memref.alloc() : memref<784x256xf32>
// The transpose: tasks of 128 rows, 16 x 16 blocks through shuffles.
// CHECK: scf.forall (%{{.*}}) = (0) to (784) step (128)
// CHECK:   vector.transfer_read %[[W]]
// CHECK:   vector.shuffle
// CHECK:   vector.transfer_write %{{.*}}, %[[WT]]
// CHECK: scf.forall
// CHECK:   scf.for
// CHECK:     scf.for
// CHECK:       scf.for {{.*}} -> (vector<8x32xf32>)
// CHECK:         vector.transfer_read %[[WT]]
// CHECK: memref.dealloc %[[WT]] : memref<784x256xf32>
func.func @linear(%x: memref<64x784xf32>, %w: memref<256x784xf32>, %y: memref<64x256xf32>) {
  linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %w : memref<64x784xf32>, memref<256x784xf32>) outs(%y : memref<64x256xf32>) {
  ^bb0(%p: f32, %q: f32, %acc: f32):
    %t = arith.mulf %p, %q : f32
    %s = arith.addf %acc, %t : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// 20 x 40: two tasks of up to 16 rows; in each, the full 8 x 32 blocks are
// vectorised, and so are the peeled remainders (8 columns; 4 rows in the
// second task), each as a whole 8 x 32 tile with masks: the masked reads
// give zeros past the edges, the masked writes stop at them. No scalar
// loop is left.
// CHECK-LABEL: func.func @remainders
// CHECK: vector.create_mask %c8{{.*}} : vector<32xi1>
// CHECK: scf.forall (%{{.*}}) = (0) to (20) step (16) {
// CHECK:   %[[ROWS:.*]] = affine.min
// CHECK:   scf.for %{{.*}} = %{{.*}} to %[[FULL:.*]] step %c8
// CHECK:     scf.for {{.*}} -> (vector<8x32xf32>)
// CHECK:     vector.transfer_write %{{.*}}, %{{.*}}[%{{.*}}, %c0] {in_bounds = [true]}
// CHECK:     scf.for {{.*}} -> (vector<8x32xf32>)
// CHECK:       vector.transfer_read %{{.*}}[%{{.*}}, %c32], %{{.*}}, %{{.*}} {in_bounds = [true]}
// CHECK:     vector.transfer_write %{{.*}}, %{{.*}}[%{{.*}}, %c32], %{{.*}} {in_bounds = [true]}
// CHECK:   scf.for %{{.*}} = %[[FULL]] to %[[ROWS]] step %c8
// CHECK:     arith.cmpi sgt
// CHECK:     arith.select {{.*}} : vector<4xi1>
// CHECK:     scf.for {{.*}} -> (vector<8x32xf32>)
// CHECK-NOT: linalg.generic
func.func @remainders(%a: memref<20x12xf32>, %b: memref<12x40xf32>, %c: memref<20x40xf32>) {
  linalg.matmul ins(%a, %b : memref<20x12xf32>, memref<12x40xf32>) outs(%c : memref<20x40xf32>)
  return
}

// -----

// Tasks split both m and n (512 columns: two 256-wide halves), and batch
// matmuls one batch entry at a time (n = 64 fits one task: no loop).
// CHECK-LABEL: func.func @tasks
// CHECK: scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (32, 512) step (16, 256) {
// CHECK:   scf.for {{.*}} -> (vector<8x32xf32>)
// CHECK: scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (3, 32) step (1, 16) {
// CHECK:   scf.for {{.*}} -> (vector<1x8x32xf32>)
func.func @tasks(%a: memref<32x64xf32>, %b: memref<64x512xf32>, %c: memref<32x512xf32>,
                 %ba: memref<3x32x64xf32>, %bb: memref<3x64x64xf32>, %bc: memref<3x32x64xf32>) {
  linalg.matmul ins(%a, %b : memref<32x64xf32>, memref<64x512xf32>) outs(%c : memref<32x512xf32>)
  linalg.batch_matmul ins(%ba, %bb : memref<3x32x64xf32>, memref<3x64x64xf32>) outs(%bc : memref<3x32x64xf32>)
  return
}

// -----

// A static m smaller than the tile (the 4 query heads sharing a key/value
// head in grouped-query attention: out[g, r, e] = sum_j p[g, r, j] v[j, g, e])
// is one block of all 4 rows: a vector<4x32xf32> accumulator, 4 FMAs a k
// step; an m of 1 (a single row) one of vector<1x32xf32>.
// CHECK-LABEL: func.func @few_rows
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %{{.*}}) -> (vector<1x4x32xf32>)
// CHECK-COUNT-16: vector.fma {{.*}} : vector<32xf32>
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %{{.*}}) -> (vector<1x32xf32>)
func.func @few_rows(%p: memref<5x4x128xf32>, %v: memref<128x5x128xf32>, %out: memref<5x4x128xf32>,
                    %x: memref<1x64xf32>, %w: memref<64x256xf32>, %y: memref<1x256xf32>) {
  linalg.generic {indexing_maps = [affine_map<(g, r, e, j) -> (g, r, j)>, affine_map<(g, r, e, j) -> (j, g, e)>, affine_map<(g, r, e, j) -> (g, r, e)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%p, %v : memref<5x4x128xf32>, memref<128x5x128xf32>) outs(%out : memref<5x4x128xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %t = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %t : f32
    linalg.yield %s : f32
  }
  linalg.matmul ins(%x, %w : memref<1x64xf32>, memref<64x256xf32>) outs(%y : memref<1x256xf32>)
  return
}

// -----

// A contraction smaller than one tile (a 10-class head: n = 10 < 32) is one
// masked tile across: 10 of the 32 columns read, computed and written.
// CHECK-LABEL: func.func @narrow
// CHECK: %[[COLS:.*]] = vector.create_mask %c10{{.*}} : vector<32xi1>
// CHECK: scf.for {{.*}} -> (vector<8x32xf32>)
// CHECK:   vector.transfer_read %{{.*}}[%{{.*}}, %c0], %{{.*}}, %[[COLS]] {in_bounds = [true]} : memref<64x10xf32>, vector<32xf32>
// CHECK:   vector.fma {{.*}} : vector<32xf32>
// CHECK: vector.transfer_write %{{.*}}, %{{.*}}[%{{.*}}, %c0], %{{.*}} {in_bounds = [true]} : vector<32xf32>, memref<64x10xf32>
// CHECK-NOT: linalg.matmul
func.func @narrow(%a: memref<64x64xf32>, %b10: memref<64x10xf32>, %c10: memref<64x10xf32>) {
  linalg.matmul ins(%a, %b10 : memref<64x64xf32>, memref<64x10xf32>) outs(%c10 : memref<64x10xf32>)
  return
}

// -----

// Left alone: other element types, tensors (run the pass after
// bufferization), and generics that are not multiply-accumulates.
// CHECK-LABEL: func.func @left_alone
// CHECK-NOT: vector.
// CHECK: linalg.matmul ins(%{{.*}} : memref<64x64xf64>, memref<64x64xf64>)
// CHECK: linalg.matmul ins(%{{.*}} : memref<64x64xi32>, memref<64x64xi32>)
// CHECK: linalg.matmul ins(%{{.*}} : tensor<64x64xf32>, tensor<64x64xf32>)
// CHECK: linalg.generic
// CHECK-NOT: vector.
func.func @left_alone(%d: memref<64x64xf64>, %i: memref<64x64xi32>, %t: tensor<64x64xf32>,
                      %a: memref<64x64xf32>, %ct: memref<64x64xf32>) -> tensor<64x64xf32> {
  linalg.matmul ins(%d, %d : memref<64x64xf64>, memref<64x64xf64>) outs(%d : memref<64x64xf64>)
  linalg.matmul ins(%i, %i : memref<64x64xi32>, memref<64x64xi32>) outs(%i : memref<64x64xi32>)
  %r = linalg.matmul ins(%t, %t : tensor<64x64xf32>, tensor<64x64xf32>) outs(%t : tensor<64x64xf32>) -> tensor<64x64xf32>
  // A max-reduction, not a contraction.
  linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %a : memref<64x64xf32>, memref<64x64xf32>) outs(%ct : memref<64x64xf32>) {
  ^bb0(%p: f32, %q: f32, %acc: f32):
    %m = arith.mulf %p, %q : f32
    %s = arith.maximumf %acc, %m : f32
    linalg.yield %s : f32
  }
  return %r : tensor<64x64xf32>
}

// -----

// The contractions of a convolution as im2col (--ternary-convolutions-to-
// contractions): a filter shared by the images (a second n dimension, one
// image a task) and the filter's gradient (two reductions: the images one
// at a time in order, the windows' positions in the register loop; both
// operands contiguous along k). The gradient's output dw[64, 288] is
// computed transposed, in a scratch buffer, so that the operand transposed
// first is the output gradient (64 x 576 an image), not the 4.5x larger
// patches (288 x 576).
// CHECK-LABEL: func.func @convolution_shapes
// CHECK-SAME: (%[[W:.*]]: memref<64x288xf32>, %[[COL:.*]]: memref<?x288x576xf32>, %[[OUT:.*]]: memref<?x64x576xf32>, %[[DW:.*]]: memref<64x288xf32>)
// CHECK: scf.forall (%[[IMG:.*]], %{{.*}}, %{{.*}}) = (0, 0, 0) to (%{{.*}}, 64, 576) step (1, 16, 256)
// CHECK:   vector.fma %{{.*}} : vector<32xf32>
// CHECK: %[[DWT:.*]] = memref.alloc() : memref<288x64xf32>
// CHECK: linalg.transpose ins(%[[DW]] : memref<64x288xf32>) outs(%[[DWT]] : memref<288x64xf32>) permutation = [1, 0]
// CHECK: %[[PACKED:.*]] = memref.alloc(%{{.*}}) : memref<?x576x64xf32>
// CHECK: scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (%{{.*}}, 576) step (1, 128)
// CHECK:   vector.shuffle
// (Tasks of 72 rows of the 288, 4 of them: 128 rows would give 3, one of
// two threads idle a third of the time; all 64 columns in each.)
// CHECK: scf.forall (%{{.*}}) = (0) to (288) step (72)
// CHECK:   scf.for %[[N:.*]] = %{{.*}} to %{{.*}} step %c1
// CHECK:     scf.for %{{.*}} = %{{.*}} to %c576 step %c4 iter_args(%{{.*}}) -> (vector<8x32xf32>)
// CHECK:       vector.transfer_read %[[PACKED]][%[[N]], %{{.*}}, %{{.*}}]{{.*}} vector<32xf32>
// CHECK:       vector.fma %{{.*}} : vector<32xf32>
// CHECK: memref.dealloc %[[PACKED]]
// CHECK: linalg.transpose ins(%[[DWT]] : memref<288x64xf32>) outs(%[[DW]] : memref<64x288xf32>) permutation = [1, 0]
// CHECK: memref.dealloc %[[DWT]]
func.func @convolution_shapes(%w: memref<64x288xf32>, %col: memref<?x288x576xf32>, %out: memref<?x64x576xf32>, %dw: memref<64x288xf32>) {
  linalg.generic {indexing_maps = [affine_map<(n, f, p, k) -> (f, k)>, affine_map<(n, f, p, k) -> (n, k, p)>, affine_map<(n, f, p, k) -> (n, f, p)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%w, %col : memref<64x288xf32>, memref<?x288x576xf32>) outs(%out : memref<?x64x576xf32>) {
  ^bb0(%p: f32, %q: f32, %acc: f32):
    %m = arith.mulf %q, %p : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [affine_map<(n, f, p, k) -> (n, k, p)>, affine_map<(n, f, p, k) -> (n, f, p)>, affine_map<(n, f, p, k) -> (f, k)>], iterator_types = ["reduction", "parallel", "reduction", "parallel"]} ins(%col, %out : memref<?x288x576xf32>, memref<?x64x576xf32>) outs(%dw : memref<64x288xf32>) {
  ^bb0(%p: f32, %q: f32, %acc: f32):
    %m = arith.mulf %p, %q : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// The first convolution's filter gradient, dw[32, 9] (one input channel,
// 3x3): 9 columns cannot fill a register tile, 32 rows can, so the output
// is computed transposed, as [9, 32] (one 8 x 32 block and a remainder
// row), instead of staying scalar loops; the output gradient (32 x 676 an
// image) is the operand transposed first.
// CHECK-LABEL: func.func @few_columns
// CHECK-SAME: (%[[COL:.*]]: memref<?x9x676xf32>, %[[DY:.*]]: memref<?x32x676xf32>, %[[DW:.*]]: memref<32x9xf32>)
// CHECK: %[[DWT:.*]] = memref.alloc() : memref<9x32xf32>
// CHECK: linalg.transpose ins(%[[DW]] : memref<32x9xf32>) outs(%[[DWT]] : memref<9x32xf32>) permutation = [1, 0]
// CHECK: %[[PACKED:.*]] = memref.alloc(%{{.*}}) : memref<?x676x32xf32>
// CHECK: scf.for %{{.*}} iter_args(%{{.*}}) -> (vector<8x32xf32>)
// CHECK:   vector.transfer_read %[[PACKED]]{{.*}} vector<32xf32>
// CHECK:   vector.fma %{{.*}} : vector<32xf32>
// CHECK: linalg.transpose ins(%[[DWT]] : memref<9x32xf32>) outs(%[[DW]] : memref<32x9xf32>) permutation = [1, 0]
func.func @few_columns(%col: memref<?x9x676xf32>, %dy: memref<?x32x676xf32>, %dw: memref<32x9xf32>) {
  linalg.generic {indexing_maps = [affine_map<(n, f, p, k) -> (n, k, p)>, affine_map<(n, f, p, k) -> (n, f, p)>, affine_map<(n, f, p, k) -> (f, k)>], iterator_types = ["reduction", "parallel", "reduction", "parallel"]} ins(%col, %dy : memref<?x9x676xf32>, memref<?x32x676xf32>) outs(%dw : memref<32x9xf32>) {
  ^bb0(%p: f32, %q: f32, %acc: f32):
    %m = arith.mulf %q, %p : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// An output contiguous along the first input's dimension (C[n, m] = sum_k
// A[m, k] B[k, n]): the roles of the inputs swap.
// CHECK-LABEL: func.func @transposed_output
// CHECK: scf.forall
// CHECK: vector.fma %{{.*}} : vector<32xf32>
func.func @transposed_output(%a: memref<64x64xf32>, %ct: memref<64x64xf32>) {
  linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (n, m)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %a : memref<64x64xf32>, memref<64x64xf32>) outs(%ct : memref<64x64xf32>) {
  ^bb0(%p: f32, %q: f32, %acc: f32):
    %m = arith.mulf %p, %q : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A fill of the output just before the contraction moves into the tasks:
// each fills its own output block (16 x 256) just before computing it,
// while the block is in cache, instead of the whole output in a pass of its
// own. A contraction whose output is computed transposed, in a scratch
// buffer, leaves its fill where it is (the transpose copies it in).
// CHECK-LABEL: func.func @fills
// CHECK-SAME: (%[[A:.*]]: memref<?x64xf32>, %[[B:.*]]: memref<64x512xf32>, %[[C:.*]]: memref<?x512xf32>, %[[V:.*]]: f32,
// CHECK-NOT: linalg.fill
// CHECK: scf.forall (%[[I:.*]], %[[J:.*]]) = (0, 0) to (%{{.*}}, 512) step (16, 256) {
// CHECK:   %[[BLOCK:.*]] = memref.subview %[[C]][%[[I]], %[[J]]] [%{{.*}}, 256] [1, 1]
// CHECK:   linalg.fill ins(%[[V]] : f32) outs(%[[BLOCK]] : memref<?x256xf32, strided<[512, 1], offset: ?>>)
// CHECK:   scf.for
// CHECK: linalg.fill ins(%[[V]] : f32) outs(%[[DW:.*]] : memref<32x9xf32>)
// CHECK-NEXT: %[[DWT:.*]] = memref.alloc() : memref<9x32xf32>
// CHECK-NEXT: linalg.transpose ins(%[[DW]] : memref<32x9xf32>) outs(%[[DWT]] : memref<9x32xf32>)
func.func @fills(%a: memref<?x64xf32>, %b: memref<64x512xf32>, %c: memref<?x512xf32>, %v: f32,
                 %col: memref<?x9x676xf32>, %dy: memref<?x32x676xf32>, %dw: memref<32x9xf32>) {
  linalg.fill ins(%v : f32) outs(%c : memref<?x512xf32>)
  linalg.matmul ins(%a, %b : memref<?x64xf32>, memref<64x512xf32>) outs(%c : memref<?x512xf32>)
  linalg.fill ins(%v : f32) outs(%dw : memref<32x9xf32>)
  linalg.generic {indexing_maps = [affine_map<(n, f, p, k) -> (n, k, p)>, affine_map<(n, f, p, k) -> (n, f, p)>, affine_map<(n, f, p, k) -> (f, k)>], iterator_types = ["reduction", "parallel", "reduction", "parallel"]} ins(%col, %dy : memref<?x9x676xf32>, memref<?x32x676xf32>) outs(%dw : memref<32x9xf32>) {
  ^bb0(%p: f32, %q: f32, %acc: f32):
    %m = arith.mulf %q, %p : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  }
  return
}
