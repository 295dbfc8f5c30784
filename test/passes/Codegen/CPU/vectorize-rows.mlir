// Tests passes/Codegen/CPU/VectorizeRows.cpp (--ternary-vectorize-rows):
// what it rewrites into rows of vectors and what it leaves to LLVM. The
// numbers are tested against the scalar loops, bit for bit, in
// test/unittests/Codegen/VectorizeRowsTest.cpp.
// RUN: ternary-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(ternary-vectorize-rows{vector-bytes=64}),canonicalize)' | FileCheck %s
// RUN: ternary-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(ternary-vectorize-rows{vector-bytes=32}),canonicalize)' | FileCheck %s --check-prefix=AVX2
// RUN: not ternary-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(ternary-vectorize-rows{vector-bytes=0}))' 2>&1 | FileCheck %s --check-prefix=ERR
// ERR: error: ternary-vectorize-rows: vector-bytes and min-lanes must be positive (got 0, 4)

#col = affine_map<(n, c, kh, kw, oh, ow) -> (n, c, kh, kw, oh, ow)>
#win = affine_map<(n, c, kh, kw, oh, ow) -> (n, c, oh + kh, ow + kw)>
// The scatter-add autodiff derives from an im2col gather (the input's
// gradient of a 3x3 convolution): a row of 24 columns is a full
// vector<16xf32> and a masked one of 8, read, added and written back at
// [n, c, oh + kh, kw].
// CHECK-LABEL: func.func @scatter_add
// CHECK-SAME: (%[[COL:.*]]: memref<?x32x3x3x24x24xf32>, %[[DX:.*]]: memref<?x32x26x26xf32>)
// CHECK: scf.for %[[N:.*]] = %c0 to %{{.*}} step %c1
// CHECK: scf.for %[[C:.*]] = %c0 to %c32 step %c1
// CHECK: scf.for %[[KH:.*]] = %c0 to %c3 step %c1
// CHECK: scf.for %[[KW:.*]] = %c0 to %c3 step %c1
// CHECK: scf.for %[[OH:.*]] = %c0 to %c24 step %c1
// CHECK-NOT: scf.for
// CHECK:   %[[IN:.*]] = vector.load %[[COL]][%[[N]], %[[C]], %[[KH]], %[[KW]], %[[OH]], %c0] : memref<?x32x3x3x24x24xf32>, vector<16xf32>
// CHECK:   %[[H:.*]] = affine.apply #{{.*}}(%[[KH]], %[[OH]])
// CHECK:   %[[ACC:.*]] = vector.load %[[DX]][%[[N]], %[[C]], %[[H]], %[[KW]]] : memref<?x32x26x26xf32>, vector<16xf32>
// CHECK:   %[[SUM:.*]] = arith.addf %[[ACC]], %[[IN]] : vector<16xf32>
// CHECK:   vector.store %[[SUM]], %[[DX]][%[[N]], %[[C]], %{{.*}}, %[[KW]]]
// CHECK:   %[[TAIL:.*]] = vector.constant_mask [8] : vector<16xi1>
// CHECK:   vector.maskedload %[[COL]][%[[N]], %[[C]], %[[KH]], %[[KW]], %[[OH]], %c16], %[[TAIL]]
// CHECK:   vector.maskedload %[[DX]]
// CHECK:   arith.addf %{{.*}} : vector<16xf32>
// CHECK:   vector.maskedstore %[[DX]]
// CHECK-NOT: linalg.generic
// With 32-byte vectors, three rows of vector<8xf32> and no remainder.
// AVX2-LABEL: func.func @scatter_add
// AVX2: vector.load {{.*}} vector<8xf32>
// AVX2: vector.store {{.*}} vector<8xf32>
// AVX2-NOT: vector.maskedload
// AVX2: return
func.func @scatter_add(%col: memref<?x32x3x3x24x24xf32>, %dx: memref<?x32x26x26xf32>) {
  linalg.generic {indexing_maps = [#col, #win],
      iterator_types = ["parallel", "parallel", "reduction", "reduction", "reduction", "reduction"]}
      ins(%col : memref<?x32x3x3x24x24xf32>) outs(%dx : memref<?x32x26x26xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.addf %out, %in : f32
    linalg.yield %s : f32
  }
  return
}

// -----

#id = affine_map<(n, c, h, w) -> (n, c, h, w)>
// A ReLU on 24-column images (all maps identities): LLVM would unroll the
// short row and vectorise across rows; here rows of 16 + 8 with the
// constant broadcast.
// CHECK-LABEL: func.func @relu
// CHECK: %[[ZERO:.*]] = arith.constant dense<0.000000e+00> : vector<16xf32>
// CHECK: scf.for
// CHECK: scf.for
// CHECK: scf.for %[[H:.*]] = %c0 to %c24 step %c1
// CHECK:   %[[X:.*]] = vector.load %{{.*}}[%{{.*}}, %{{.*}}, %[[H]], %c0] : memref<?x64x24x24xf32>, vector<16xf32>
// CHECK:   %[[R:.*]] = arith.maximumf %[[X]], %[[ZERO]] : vector<16xf32>
// CHECK:   vector.store %[[R]]
// CHECK:   vector.maskedload
// CHECK:   arith.maximumf
// CHECK:   vector.maskedstore
func.func @relu(%x: memref<?x64x24x24xf32>, %y: memref<?x64x24x24xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.generic {indexing_maps = [#id, #id],
      iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : memref<?x64x24x24xf32>) outs(%y : memref<?x64x24x24xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.maximumf %in, %zero : f32
    linalg.yield %r : f32
  }
  return
}

// -----

#x = affine_map<(n, c, oh, kh, kw, ow) -> (n, c, oh * 2 + kh, ow * 2 + kw)>
#w = affine_map<(n, c, oh, kh, kw, ow) -> (kh, kw)>
#o = affine_map<(n, c, oh, kh, kw, ow) -> (n, c, oh, ow)>
// Max pooling with its window loops outside the row (as
// --ternary-generalize-pooling writes it): the input's row at stride 2 is
// one masked load of the 23 elements it spans and a shuffle of the even
// ones; the unused window operand is not read.
// CHECK-LABEL: func.func @max_pool
// CHECK-SAME: (%[[X:.*]]: memref<?x64x24x24xf32>, %[[W:.*]]: memref<2x2xf32>, %[[O:.*]]: memref<?x64x12x12xf32>)
// CHECK-NOT: memref.load %[[W]]
// CHECK: scf.for %{{.*}} = %c0 to %c2 step %c1
// CHECK: scf.for %[[KW:.*]] = %c0 to %c2 step %c1
// CHECK:   %[[SPAN:.*]] = vector.constant_mask [23] : vector<32xi1>
// CHECK:   %[[WIDE:.*]] = vector.maskedload %[[X]][%{{.*}}, %{{.*}}, %{{.*}}, %[[KW]]], %[[SPAN]], %{{.*}} : {{.*}} into vector<32xf32>
// CHECK:   %[[EVEN:.*]] = vector.shuffle %[[WIDE]], %[[WIDE]] [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30]
// CHECK:   %[[TWELVE:.*]] = vector.constant_mask [12] : vector<16xi1>
// CHECK:   %[[OUT:.*]] = vector.maskedload %[[O]][%{{.*}}, %{{.*}}, %{{.*}}, %c0], %[[TWELVE]]
// CHECK:   %[[M:.*]] = arith.maximumf %[[OUT]], %[[EVEN]] : vector<16xf32>
// CHECK:   vector.maskedstore %[[O]][%{{.*}}, %{{.*}}, %{{.*}}, %c0], %{{.*}}, %[[M]]
func.func @max_pool(%x: memref<?x64x24x24xf32>, %w: memref<2x2xf32>, %o: memref<?x64x12x12xf32>) {
  linalg.generic {indexing_maps = [#x, #w, #o],
      iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "parallel"]}
      ins(%x, %w : memref<?x64x24x24xf32>, memref<2x2xf32>) outs(%o : memref<?x64x12x12xf32>) {
  ^bb0(%in: f32, %unused: f32, %out: f32):
    %m = arith.maximumf %out, %in : f32
    linalg.yield %m : f32
  }
  return
}

// -----

#x = affine_map<(n, c, oh, kh, kw, ow) -> (n, c, oh * 2 + kh, ow * 2 + kw)>
#w = affine_map<(n, c, oh, kh, kw, ow) -> (kh, kw)>
#o = affine_map<(n, c, oh, kh, kw, ow) -> (n, c, oh, ow)>
// Its gradient writes the input's row at stride 2: the span is read once,
// the new values shuffled into its even lanes, and the span written back
// (the odd lanes as they were).
// CHECK-LABEL: func.func @max_pool_gradient
// CHECK-SAME: %[[DX:[^:]*]]: memref<?x64x24x24xf32>)
// CHECK:   %[[OLD:.*]] = vector.maskedload %[[DX]]{{.*}} into vector<32xf32>
// CHECK:   %[[ACC:.*]] = vector.shuffle %[[OLD]], %[[OLD]] [0, 2, 4
// CHECK:   %[[EQ:.*]] = arith.cmpf oeq, %{{.*}}, %{{.*}} : vector<16xf32>
// CHECK:   %[[G:.*]] = arith.select %[[EQ]], %{{.*}}, %{{.*}} : vector<16xi1>, vector<16xf32>
// CHECK:   %[[NEW:.*]] = arith.addf %[[ACC]], %[[G]] : vector<16xf32>
// CHECK-NOT: vector.maskedload %[[DX]]
// CHECK:   %[[MERGED:.*]] = vector.shuffle %[[OLD]], %[[NEW]] [32, 1, 33, 3, 34, 5, {{.*}}, 47, 31] : vector<32xf32>, vector<16xf32>
// CHECK:   %[[SPAN:.*]] = vector.constant_mask [23] : vector<32xi1>
// CHECK:   vector.maskedstore %[[DX]][{{.*}}], %[[SPAN]], %[[MERGED]]
func.func @max_pool_gradient(%x: memref<?x64x24x24xf32>, %w: memref<2x2xf32>, %p: memref<?x64x12x12xf32>,
                             %dp: memref<?x64x12x12xf32>, %dx: memref<?x64x24x24xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.generic {indexing_maps = [#x, #w, #o, #o, #x],
      iterator_types = ["parallel", "parallel", "reduction", "reduction", "reduction", "reduction"]}
      ins(%x, %w, %p, %dp : memref<?x64x24x24xf32>, memref<2x2xf32>, memref<?x64x12x12xf32>, memref<?x64x12x12xf32>)
      outs(%dx : memref<?x64x24x24xf32>) {
  ^bb0(%in: f32, %unused: f32, %max: f32, %seed: f32, %acc: f32):
    %is = arith.cmpf oeq, %in, %max : f32
    %g = arith.select %is, %seed, %zero : f32
    %s = arith.addf %acc, %g : f32
    linalg.yield %s : f32
  }
  return
}

// -----

#a = affine_map<(i, j, k) -> (i, j + k)>
#b = affine_map<(i, j, k) -> (i)>
#c = affine_map<(i, j, k) -> (i, j, k)>
// A dynamic row: full rows in a loop, the remainder under a mask when
// there is one; %b does not use the row's loop and is broadcast.
// CHECK-LABEL: func.func @dynamic_windows
// CHECK: scf.for %[[J:.*]] = %c0 to %{{.*}} step %c16
// CHECK:   vector.load
// CHECK:   %[[B:.*]] = memref.load %{{.*}}[%{{.*}}] : memref<?xf32>
// CHECK:   %[[BB:.*]] = vector.broadcast %[[B]] : f32 to vector<16xf32>
// CHECK:   arith.mulf %{{.*}}, %[[BB]] : vector<16xf32>
// CHECK:   vector.store
// CHECK: %[[ANY:.*]] = arith.cmpi ugt, %{{.*}}, %c0 : index
// CHECK: scf.if %[[ANY]]
// CHECK:   %[[MASK:.*]] = vector.create_mask %{{.*}} : vector<16xi1>
// CHECK:   vector.maskedload {{.*}}, %[[MASK]]
// CHECK:   vector.create_mask
// CHECK:   vector.maskedstore
func.func @dynamic_windows(%a: memref<?x?xf32>, %b: memref<?xf32>, %c: memref<?x?x?xf32>) {
  linalg.generic {indexing_maps = [#a, #b, #c],
      iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%a, %b : memref<?x?xf32>, memref<?xf32>) outs(%c : memref<?x?x?xf32>) {
  ^bb0(%x: f32, %y: f32, %out: f32):
    %p = arith.mulf %x, %y : f32
    linalg.yield %p : f32
  }
  return
}

// -----

#id = affine_map<(i, j) -> (i, j)>
// Left alone: a long static row with identity maps (LLVM vectorises it
// along the row).
// CHECK-LABEL: func.func @long_row
// CHECK: linalg.generic
func.func @long_row(%x: memref<?x256xf32>, %y: memref<?x256xf32>) {
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : memref<?x256xf32>) outs(%y : memref<?x256xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.negf %in : f32
    linalg.yield %r : f32
  }
  return
}

// -----

#in = affine_map<(i, j) -> (i, j)>
#out = affine_map<(i, j) -> (i)>
// Left alone: a reduction along the row (the output does not use the
// innermost loop).
// CHECK-LABEL: func.func @reduction_along_row
// CHECK: linalg.generic
func.func @reduction_along_row(%x: memref<?x24xf32>, %y: memref<?xf32>) {
  linalg.generic {indexing_maps = [#in, #out], iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<?x24xf32>) outs(%y : memref<?xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.addf %in, %out : f32
    linalg.yield %s : f32
  }
  return
}

// -----

#in = affine_map<(i, j) -> (i, j)>
#out = affine_map<(i, j) -> (i, j * 2)>
// Left alone: a strided output row whose loop is parallel (a task could own
// the elements between).
// CHECK-LABEL: func.func @strided_parallel_output
// CHECK: linalg.generic
func.func @strided_parallel_output(%x: memref<8x24xf32>, %y: memref<8x48xf32>) {
  linalg.generic {indexing_maps = [#in, #out], iterator_types = ["parallel", "parallel"]}
      ins(%x : memref<8x24xf32>) outs(%y : memref<8x48xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  }
  return
}

// -----

#id = affine_map<(i, j) -> (i, j)>
// Left alone: a body that reads linalg.index.
// CHECK-LABEL: func.func @index_body
// CHECK: linalg.generic
func.func @index_body(%y: memref<8x24xf32>) {
  linalg.generic {indexing_maps = [#id], iterator_types = ["parallel", "parallel"]}
      outs(%y : memref<8x24xf32>) {
  ^bb0(%out: f32):
    %j = linalg.index 1 : index
    %i = arith.index_cast %j : index to i32
    %f = arith.sitofp %i : i32 to f32
    linalg.yield %f : f32
  }
  return
}

// -----

#id = affine_map<(i, j) -> (i, j)>
// Left alone: an operand not contiguous along the row.
// CHECK-LABEL: func.func @columns
// CHECK: linalg.generic
func.func @columns(%x: memref<24x24xf32, strided<[1, 24]>>, %y: memref<24x24xf32>) {
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : memref<24x24xf32, strided<[1, 24]>>) outs(%y : memref<24x24xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  }
  return
}

// -----

#id = affine_map<(i, j) -> (i, j)>
// Left alone: a row shorter than min-lanes.
// CHECK-LABEL: func.func @too_short
// CHECK: linalg.generic
func.func @too_short(%x: memref<24x2xf32>, %y: memref<24x2xf32>) {
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : memref<24x2xf32>) outs(%y : memref<24x2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.negf %in : f32
    linalg.yield %r : f32
  }
  return
}
