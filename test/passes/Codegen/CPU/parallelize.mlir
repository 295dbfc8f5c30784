// Tests passes/Codegen/CPU/Parallelize.cpp: large linalg ops on buffers in
// a function body are split along one parallel loop into an scf.forall of
// tasks holding at least min-work iterations each; the results of every
// thread count are compared in test/unittests/Codegen/ThreadsTest.cpp.
// RUN: ternary-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(ternary-parallelize{min-work=32768}))' | FileCheck %s
// RUN: not ternary-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(ternary-parallelize{min-work=0}))' 2>&1 | FileCheck %s --check-prefix=ERR
// ERR: error: ternary-parallelize: min-work must be positive (got 0)

// 512 x 1024 element-wise: tasks of 32 rows (32 x 1024 = 32768).
// CHECK-LABEL: func.func @elementwise
// CHECK-SAME: (%[[A:.*]]: memref<512x1024xf32>, %[[B:.*]]: memref<512x1024xf32>)
// CHECK: scf.forall (%[[I:.*]]) = (0) to (512) step (32) {
// CHECK:   %[[SA:.*]] = memref.subview %[[A]][%[[I]], 0] [32, 1024] [1, 1]
// CHECK:   %[[SB:.*]] = memref.subview %[[B]][%[[I]], 0] [32, 1024] [1, 1]
// CHECK:   linalg.generic {{.*}} ins(%[[SA]] : {{.*}}) outs(%[[SB]] : {{.*}})
// CHECK-NOT: scf.forall
func.func @elementwise(%a: memref<512x1024xf32>, %b: memref<512x1024xf32>) {
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%a : memref<512x1024xf32>) outs(%b : memref<512x1024xf32>) {
  ^bb0(%x: f32, %y: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Row sums: only the rows (parallel) are split, each task sums its rows
// over all of k in the op's own order. One row is too little work for
// 32768 iterations: the first loop that gives two tasks is the columns of
// the transpose (d1 of a 1 x 65536 op).
// CHECK-LABEL: func.func @reductions
// CHECK: scf.forall (%{{.*}}) = (0) to (256) step (8) {
// CHECK:   linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]
// CHECK: scf.forall (%{{.*}}) = (0) to (65536) step (32768) {
// CHECK:   linalg.transpose
func.func @reductions(%x: memref<256x4096xf32>, %s: memref<256xf32>, %t: memref<1x65536xf32>, %u: memref<65536x1xf32>) {
  linalg.generic {indexing_maps = [affine_map<(i, k) -> (i, k)>, affine_map<(i, k) -> (i)>], iterator_types = ["parallel", "reduction"]} ins(%x : memref<256x4096xf32>) outs(%s : memref<256xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %r = arith.addf %acc, %v : f32
    linalg.yield %r : f32
  }
  linalg.transpose ins(%t : memref<1x65536xf32>) outs(%u : memref<65536x1xf32>) permutation = [1, 0]
  return
}

// -----

// A dynamic batch: split once, in tasks of 256 rows of 128, however many
// rows there are (no second copy of the op: a region of one task runs on
// the calling thread, test/passes/Codegen/CPU/omp-if-several-tasks.mlir).
// CHECK-LABEL: func.func @dynamic
// CHECK-SAME: (%[[X:[a-z0-9]+]]: memref<?x128xf32>
// CHECK-NOT: scf.if
// CHECK: %[[ROWS:.*]] = memref.dim %[[X]], %c0
// CHECK: scf.forall (%{{.*}}) = (0) to (%[[ROWS]]) step (256) {
// CHECK:   linalg.generic
// CHECK-NOT: linalg.generic
func.func @dynamic(%x: memref<?x128xf32>, %y: memref<?x128xf32>) {
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%x : memref<?x128xf32>) outs(%y : memref<?x128xf32>) {
  ^bb0(%v: f32, %o: f32):
    %r = arith.negf %v : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// Left alone: a full reduction (no parallel loop), ops smaller than two
// tasks, a dimension that is parallel but missing from the output, ops on
// tensors, and ops inside loops (the kernels' remainder tiles).
// CHECK-LABEL: func.func @left_alone
// CHECK-NOT: scf.forall
func.func @left_alone(%x: memref<4096x64xf32>, %s: memref<f32>, %small: memref<64x256xf32>,
                      %bc: memref<65536x1xf32>, %row: memref<1xf32>, %t: tensor<512x1024xf32>,
                      %n: index) -> tensor<512x1024xf32> {
  linalg.generic {indexing_maps = [affine_map<(i, k) -> (i, k)>, affine_map<(i, k) -> ()>], iterator_types = ["reduction", "reduction"]} ins(%x : memref<4096x64xf32>) outs(%s : memref<f32>) {
  ^bb0(%v: f32, %acc: f32):
    %r = arith.addf %acc, %v : f32
    linalg.yield %r : f32
  }
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%small : memref<64x256xf32>) outs(%small : memref<64x256xf32>) {
  ^bb0(%v: f32, %o: f32):
    %r = arith.negf %v : f32
    linalg.yield %r : f32
  }
  // Every i writes the same element: i is not a task loop (and j has one
  // iteration).
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (j)>], iterator_types = ["parallel", "parallel"]} ins(%bc : memref<65536x1xf32>) outs(%row : memref<1xf32>) {
  ^bb0(%v: f32, %o: f32):
    linalg.yield %v : f32
  }
  %e = tensor.empty() : tensor<512x1024xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%t : tensor<512x1024xf32>) outs(%e : tensor<512x1024xf32>) {
  ^bb0(%v: f32, %o: f32):
    %a = arith.negf %v : f32
    linalg.yield %a : f32
  } -> tensor<512x1024xf32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %n step %c1 {
    linalg.generic {indexing_maps = [affine_map<(i, k) -> (i, k)>, affine_map<(i, k) -> (i, k)>], iterator_types = ["parallel", "parallel"]} ins(%x : memref<4096x64xf32>) outs(%x : memref<4096x64xf32>) {
    ^bb0(%v: f32, %o: f32):
      %a = arith.negf %v : f32
      linalg.yield %a : f32
    }
  }
  return %r : tensor<512x1024xf32>
}
