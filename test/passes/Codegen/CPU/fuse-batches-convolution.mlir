// Tests --ternary-fuse-batches inside the pipeline, on a convolution layer
// as a user writes it and the gradient autodiff derives from it: which runs
// the derived code holds, and which buffers shrink to one image a task.
// The numbers with and without the pass are compared in
// test/unittests/Codegen/FuseBatchesTest.cpp.
// RUN: ternary-opt %s --ternary-inference-pipeline --mlir-print-ir-after=ternary-fuse-batches -o /dev/null 2>&1 | FileCheck %s

// The forward pass alone: bias, windows, contraction and ReLU run one image
// at a time; the windows and the convolution's output live in the task.
// CHECK-LABEL: func.func @loss
// CHECK: %[[Y:.*]] = memref.alloc(%{{.*}}) {alignment = 64 : i64} : memref<?x16x8x8xf32>
// CHECK: scf.forall (%[[I:.*]]) in
// CHECK-NEXT: %[[CONV:.*]] = memref.alloc(%{{.*}}) {alignment = 64 : i64} : memref<?x16x8x8xf32>
// CHECK-NEXT: %[[COLS:.*]] = memref.alloc(%{{.*}}) {alignment = 64 : i64} : memref<?x8x3x3x8x8xf32>
// CHECK: linalg.broadcast
// CHECK: linalg.generic {{.*}} -> (d0, d1, d2 + d4, d3 + d5)>
// CHECK: linalg.generic {{.*}}["parallel", "parallel", "parallel", "reduction"]
// CHECK: %[[YI:.*]] = memref.subview %[[Y]][%[[I]], 0, 0, 0] [1, 16, 8, 8]
// CHECK: linalg.map {{.*}} outs(%[[YI]]
// CHECK: memref.dealloc %[[CONV]]
// CHECK-NEXT: memref.dealloc %[[COLS]]
// CHECK-NEXT: }
// The gradient: the forward run keeps its windows (the filter gradient,
// summed over the images, reads them later); the ReLU's gradient, the input
// gradient's contraction and its scatter-add form the second run, their
// windows' gradient one image a task; the filter gradient, which stood
// between the ReLU's gradient and the contraction, waits until after it.
// CHECK-LABEL: func.func @g
// CHECK: %[[WINDOWS:.*]] = memref.alloc(%{{.*}}) {alignment = 64 : i64} : memref<?x8x3x3x8x8xf32>
// CHECK: %[[FLAT:.*]] = memref.collapse_shape %[[WINDOWS]]
// CHECK: scf.forall (%[[J:.*]]) in
// CHECK-NOT: memref.alloc
// CHECK: memref.subview %[[WINDOWS]][%[[J]], 0, 0, 0, 0, 0] [1, 8, 3, 3, 8, 8]
// CHECK: scf.forall
// CHECK-NEXT: %[[DCOLS:.*]] = memref.alloc(%{{.*}}) {alignment = 64 : i64} : memref<?x72x64xf32>
// CHECK: linalg.generic {{.*}}["parallel", "parallel", "parallel", "parallel"]
// CHECK: linalg.fill
// CHECK: linalg.generic {{.*}}["parallel", "reduction", "parallel", "parallel"]
// CHECK: linalg.fill
// CHECK: linalg.generic {{.*}} -> (d0, d1, d2 + d4, d3 + d5)>
// CHECK: memref.dealloc %[[DCOLS]]
// CHECK-NEXT: }
// CHECK-NEXT: linalg.fill {{.*}} : memref<16x72xf32>)
// CHECK-NEXT: linalg.generic {{.*}}iterator_types = ["reduction", "parallel", "reduction", "parallel"]
// CHECK-SAME: ins(%[[FLAT]], %{{.*}} : memref<?x72x64xf32>, memref<?x16x64xf32>) outs(%{{.*}} : memref<16x72xf32>)
// CHECK: memref.dealloc %[[WINDOWS]]
func.func @loss(%x: tensor<?x8x10x10xf32>, %w: tensor<16x8x3x3xf32>, %b: tensor<16xf32>, %r: tensor<?x16x8x8xf32>) -> tensor<f32> attributes {ternary.gradient = {name = "g", wrt = array<i64: 0, 1, 2>}} {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %n = tensor.dim %x, %c0 : tensor<?x8x10x10xf32>
  %e = tensor.empty(%n) : tensor<?x16x8x8xf32>
  %init = linalg.broadcast ins(%b : tensor<16xf32>) outs(%e : tensor<?x16x8x8xf32>) dimensions = [0, 2, 3]
  %conv = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<?x8x10x10xf32>, tensor<16x8x3x3xf32>) outs(%init : tensor<?x16x8x8xf32>) -> tensor<?x16x8x8xf32>
  %y = linalg.map ins(%conv : tensor<?x16x8x8xf32>) outs(%e : tensor<?x16x8x8xf32>)
    (%v: f32, %unused: f32) {
      %relu = arith.maximumf %v, %zero : f32
      linalg.yield %relu : f32
    }
  %es = tensor.empty() : tensor<f32>
  %zs = linalg.fill ins(%zero : f32) outs(%es : tensor<f32>) -> tensor<f32>
  %loss = linalg.generic {indexing_maps = [affine_map<(a, b, c, d) -> (a, b, c, d)>, affine_map<(a, b, c, d) -> (a, b, c, d)>, affine_map<(a, b, c, d) -> ()>], iterator_types = ["reduction", "reduction", "reduction", "reduction"]} ins(%y, %r : tensor<?x16x8x8xf32>, tensor<?x16x8x8xf32>) outs(%zs : tensor<f32>) {
  ^bb0(%a: f32, %q: f32, %o: f32):
    %m = arith.mulf %a, %q : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  } -> tensor<f32>
  return %loss : tensor<f32>
}
