// Tests passes/Transforms/GeneralizePooling.cpp
// (--ternary-generalize-pooling); the numbers are tested against direct
// pooling loops in test/unittests/Codegen/VectorizeRowsTest.cpp and the
// gradients by finite differences in test/unittests/Autodiff/GradCheckTest.cpp.
// RUN: ternary-opt %s --split-input-file --ternary-generalize-pooling | FileCheck %s

// The papers' pooling: loops (n, c, oh, kh, kw, ow), the window's two
// loops reductions between the output's rows and its columns.
// CHECK-DAG: #[[X:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2 * 2 + d3, d5 * 2 + d4)>
// CHECK-DAG: #[[W:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d3, d4)>
// CHECK-DAG: #[[O:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d5)>
// CHECK-LABEL: func.func @max(
// CHECK-SAME: %[[IN:.*]]: tensor<?x64x24x24xf32>, %[[INIT:.*]]: tensor<?x64x12x12xf32>)
// CHECK: %[[WIN:.*]] = tensor.empty() : tensor<2x2xf32>
// CHECK: %[[P:.*]] = linalg.generic {indexing_maps = [#[[X]], #[[W]], #[[O]]], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "parallel"]} ins(%[[IN]], %[[WIN]] : tensor<?x64x24x24xf32>, tensor<2x2xf32>) outs(%[[INIT]] : tensor<?x64x12x12xf32>)
// CHECK: ^bb0(%[[V:.*]]: f32, %{{.*}}: f32, %[[ACC:.*]]: f32):
// CHECK:   %[[M:.*]] = arith.maximumf %[[ACC]], %[[V]] : f32
// CHECK:   linalg.yield %[[M]] : f32
// CHECK: return %[[P]]
func.func @max(%x: tensor<?x64x24x24xf32>, %init: tensor<?x64x12x12xf32>) -> tensor<?x64x12x12xf32> {
  %win = tensor.empty() : tensor<2x2xf32>
  %p = linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%x, %win : tensor<?x64x24x24xf32>, tensor<2x2xf32>) outs(%init : tensor<?x64x12x12xf32>) -> tensor<?x64x12x12xf32>
  return %p : tensor<?x64x12x12xf32>
}

// -----

// Strides and dilations carry over into the maps.
// CHECK-DAG: #[[X:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2 * 3 + d3 * 2, d5 * 3 + d4 * 2)>
// CHECK-LABEL: func.func @sum(
// CHECK: linalg.generic {indexing_maps = [#[[X]], {{.*}}], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "parallel"]}
// CHECK:   arith.addf
func.func @sum(%x: tensor<1x3x11x11xf32>, %init: tensor<1x3x3x3xf32>) -> tensor<1x3x3x3xf32> {
  %win = tensor.empty() : tensor<3x3xf32>
  %p = linalg.pooling_nchw_sum {dilations = dense<2> : tensor<2xi64>, strides = dense<3> : tensor<2xi64>}
      ins(%x, %win : tensor<1x3x11x11xf32>, tensor<3x3xf32>) outs(%init : tensor<1x3x3x3xf32>) -> tensor<1x3x3x3xf32>
  return %p : tensor<1x3x3x3xf32>
}

// -----

// Left alone: NHWC (its innermost loop is the channels already).
// CHECK-LABEL: func.func @nhwc(
// CHECK: linalg.pooling_nhwc_max
func.func @nhwc(%x: tensor<1x24x24x64xf32>, %init: tensor<1x12x12x64xf32>) -> tensor<1x12x12x64xf32> {
  %win = tensor.empty() : tensor<2x2xf32>
  %p = linalg.pooling_nhwc_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%x, %win : tensor<1x24x24x64xf32>, tensor<2x2xf32>) outs(%init : tensor<1x12x12x64xf32>) -> tensor<1x12x12x64xf32>
  return %p : tensor<1x12x12x64xf32>
}

// -----

// Left alone: poolings on buffers (after bufferization).
// CHECK-LABEL: func.func @buffers(
// CHECK: linalg.pooling_nchw_max
func.func @buffers(%x: memref<1x64x24x24xf32>, %win: memref<2x2xf32>, %out: memref<1x64x12x12xf32>) {
  linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%x, %win : memref<1x64x24x24xf32>, memref<2x2xf32>) outs(%out : memref<1x64x12x12xf32>)
  return
}
