// Tests passes/Transforms/ConvolutionsToContractions.cpp
// (--ternary-convolutions-to-contractions); the numbers are tested against
// a direct convolution in test/unittests/Codegen/ConvolutionsTest.cpp.
// RUN: ternary-opt %s --ternary-convolutions-to-contractions --split-input-file | FileCheck %s

// The papers' first convolution (dynamic batch): the windows
// col[n, c, kh, kw, oh, ow] = x[n, c, oh + kh, ow + kw], flattened to
// [n, C*KH*KW, OH*OW]; the filter to [F, C*KH*KW]; the output (here a
// bias broadcast) to [n, F, OH*OW]; out[n, f, p] += w[f, k] * col[n, k, p];
// the result expanded back.
// CHECK-DAG: #[[WIN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2 + d4, d3 + d5)>
// CHECK-DAG: #[[ID6:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3, d4, d5)>
// CHECK-DAG: #[[FK:.*]] = affine_map<(d0, d1, d2, d3) -> (d1, d3)>
// CHECK-DAG: #[[NKP:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>
// CHECK-DAG: #[[NFP:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @conv1(
// CHECK-SAME: %[[X:.*]]: tensor<?x1x28x28xf32>, %[[W:.*]]: tensor<32x1x3x3xf32>, %[[INIT:.*]]: tensor<?x32x26x26xf32>)
// CHECK: %[[N:.*]] = tensor.dim %[[X]], %c0
// CHECK: %[[E:.*]] = tensor.empty(%[[N]]) : tensor<?x1x3x3x26x26xf32>
// CHECK: %[[COL:.*]] = linalg.generic {indexing_maps = [#[[WIN]], #[[ID6]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%[[X]] : tensor<?x1x28x28xf32>) outs(%[[E]] : tensor<?x1x3x3x26x26xf32>)
// CHECK: %[[CF:.*]] = tensor.collapse_shape %[[COL]] {{\[}}[0], [1, 2, 3], [4, 5]] : tensor<?x1x3x3x26x26xf32> into tensor<?x9x676xf32>
// CHECK: %[[WF:.*]] = tensor.collapse_shape %[[W]] {{\[}}[0], [1, 2, 3]] : tensor<32x1x3x3xf32> into tensor<32x9xf32>
// CHECK: %[[OF:.*]] = tensor.collapse_shape %[[INIT]] {{\[}}[0], [1], [2, 3]] : tensor<?x32x26x26xf32> into tensor<?x32x676xf32>
// CHECK: %[[P:.*]] = linalg.generic {indexing_maps = [#[[FK]], #[[NKP]], #[[NFP]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%[[WF]], %[[CF]] : tensor<32x9xf32>, tensor<?x9x676xf32>) outs(%[[OF]] : tensor<?x32x676xf32>)
// CHECK: ^bb0(%[[A:.*]]: f32, %[[B:.*]]: f32, %[[ACC:.*]]: f32):
// CHECK:   %[[M:.*]] = arith.mulf %[[B]], %[[A]] : f32
// CHECK:   %[[S:.*]] = arith.addf %[[ACC]], %[[M]] : f32
// CHECK:   linalg.yield %[[S]] : f32
// CHECK: %[[Y:.*]] = tensor.expand_shape %[[P]] {{\[}}[0], [1], [2, 3]] output_shape [%{{.*}}, 32, 26, 26] : tensor<?x32x676xf32> into tensor<?x32x26x26xf32>
// CHECK: return %[[Y]]
// CHECK-NOT: linalg.conv_2d
func.func @conv1(%x: tensor<?x1x28x28xf32>, %w: tensor<32x1x3x3xf32>, %init: tensor<?x32x26x26xf32>) -> tensor<?x32x26x26xf32> {
  %y = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : tensor<?x1x28x28xf32>, tensor<32x1x3x3xf32>) outs(%init : tensor<?x32x26x26xf32>) -> tensor<?x32x26x26xf32>
  return %y : tensor<?x32x26x26xf32>
}

// -----

// Strides and dilations go into the windows' map: oh * 2 + kh * 3.
// CHECK-DAG: #[[WIN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d4 * 2 + d2 * 3, d5 * 2 + d3 * 3)>
// CHECK-LABEL: func.func @strided_dilated
// CHECK: linalg.generic {indexing_maps = [#[[WIN]], #{{.*}}]{{.*}} outs(%{{.*}} : tensor<2x3x2x2x4x3xf32>)
// CHECK: tensor.collapse_shape %{{.*}} : tensor<2x3x2x2x4x3xf32> into tensor<2x12x12xf32>
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<5x12xf32>, tensor<2x12x12xf32>) outs(%{{.*}} : tensor<2x5x12xf32>)
// CHECK: tensor.expand_shape %{{.*}} output_shape [2, 5, 4, 3] : tensor<2x5x12xf32> into tensor<2x5x4x3xf32>
func.func @strided_dilated(%x: tensor<2x3x11x9xf32>, %w: tensor<5x3x2x2xf32>, %init: tensor<2x5x4x3xf32>) -> tensor<2x5x4x3xf32> {
  %y = linalg.conv_2d_nchw_fchw {dilations = dense<3> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%x, %w : tensor<2x3x11x9xf32>, tensor<5x3x2x2xf32>) outs(%init : tensor<2x5x4x3xf32>) -> tensor<2x5x4x3xf32>
  return %y : tensor<2x5x4x3xf32>
}

// -----

// Left alone: other layouts (NHWC), convolutions on buffers, integer
// convolutions, and everything else.
// CHECK-LABEL: func.func @left_alone
// CHECK: linalg.conv_2d_nhwc_hwcf
// CHECK: linalg.conv_2d_nchw_fchw {{.*}} ins(%{{.*}} : memref<1x2x5x5xf32>, memref<3x2x3x3xf32>)
// CHECK: linalg.conv_2d_nchw_fchw {{.*}} ins(%{{.*}} : tensor<1x2x5x5xi32>, tensor<3x2x3x3xi32>)
// CHECK: linalg.matmul
// CHECK-NOT: linalg.generic
func.func @left_alone(%x: tensor<1x5x5x2xf32>, %w: tensor<3x3x2x4xf32>, %o: tensor<1x3x3x4xf32>,
                      %bx: memref<1x2x5x5xf32>, %bw: memref<3x2x3x3xf32>, %bo: memref<1x3x3x3xf32>,
                      %ix: tensor<1x2x5x5xi32>, %iw: tensor<3x2x3x3xi32>, %io: tensor<1x3x3x3xi32>,
                      %a: tensor<4x4xf32>) -> (tensor<1x3x3x4xf32>, tensor<1x3x3x3xi32>, tensor<4x4xf32>) {
  %y = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : tensor<1x5x5x2xf32>, tensor<3x3x2x4xf32>) outs(%o : tensor<1x3x3x4xf32>) -> tensor<1x3x3x4xf32>
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%bx, %bw : memref<1x2x5x5xf32>, memref<3x2x3x3xf32>) outs(%bo : memref<1x3x3x3xf32>)
  %i = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%ix, %iw : tensor<1x2x5x5xi32>, tensor<3x2x3x3xi32>) outs(%io : tensor<1x3x3x3xi32>) -> tensor<1x3x3x3xi32>
  %m = linalg.matmul ins(%a, %a : tensor<4x4xf32>, tensor<4x4xf32>) outs(%a : tensor<4x4xf32>) -> tensor<4x4xf32>
  return %y, %i, %m : tensor<1x3x3x4xf32>, tensor<1x3x3x3xi32>, tensor<4x4xf32>
}
