// Tests passes/Conversion/TernaryToLinalg/Products.cpp: integer products and the rescale; a packed product
// without a `kernel` attribute becomes loops (the vector kernels have their
// own test: test/passes/Codegen/CPU/packed-matmul-kernels.mlir)
// (part of --convert-ternary-to-linalg).
// RUN: ternary-opt %s --convert-ternary-to-linalg --canonicalize --cse --split-input-file | FileCheck %s

// Packed weights become their storage in the signature; the product decodes
// them in the loop nest, reading byte (n, block * 64 + within mod s) of the
// storage and taking code (byte >> 2 slot) & 3 with slot = within / s, for
// s = 64 bytes in full blocks of 256 weights.
// CHECK-LABEL: func @matmul_i2
// CHECK-SAME: (%[[X:.*]]: tensor<?x?xi8>, %[[P:.*]]: tensor<?x?xi8>) -> tensor<?x?xi32>
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[X]] : tensor<?x?xi8>)
// CHECK-DAG:   linalg.index 1
// CHECK-DAG:   linalg.index 2
// CHECK:   arith.divui %{{.*}}, %c256
// CHECK:   arith.ceildivui
// CHECK:   tensor.extract %[[P]]
// CHECK:   arith.shrui
// CHECK:   arith.andi
func.func @matmul_i2(%x: tensor<?x?xi8>, %p: !ternary.packed<?x?, i2>) -> tensor<?x?xi32> {
  %acc = ternary.matmul %x, %p : tensor<?x?xi8>, !ternary.packed<?x?, i2> -> tensor<?x?xi32>
  return %acc : tensor<?x?xi32>
}

// -----

// Base 3: blocks of 320 weights; decode with byte arithmetic:
// ((byte * 3^i) & 255) * 3 >> 8.
// CHECK-LABEL: func @matmul_base3
// CHECK-SAME: tensor<32x13xi8>
// CHECK: linalg.generic
// CHECK:   arith.divui %{{.*}}, %c320
// CHECK:   tensor.extract
// CHECK:   arith.andi %{{.*}}, %c255_i32
// CHECK:   arith.shrui %{{.*}}, %c8_i32
func.func @matmul_base3(%x: tensor<4x64xi8>, %p: !ternary.packed<32x64, base3>) -> tensor<4x32xi32> {
  %acc = ternary.matmul %x, %p : tensor<4x64xi8>, !ternary.packed<32x64, base3> -> tensor<4x32xi32>
  return %acc : tensor<4x32xi32>
}

// -----

// Rescale: (sitofp(acc) + b) * ((g * a) / Q).
// CHECK-LABEL: func @rescale
// CHECK-SAME: %[[G:[a-z0-9]+]]: f32
// CHECK: linalg.generic
// CHECK: ^bb0(%[[ACC:.*]]: i32, %[[A:.*]]: f32, %[[B:.*]]: f32, %{{.*}}: f32):
// CHECK:   %[[GA:.*]] = arith.mulf %[[G]], %[[A]] : f32
// CHECK:   %[[F:.*]] = arith.divf %[[GA]], %{{.*}} : f32
// CHECK:   %[[V:.*]] = arith.sitofp %[[ACC]] : i32 to f32
// CHECK:   %[[VB:.*]] = arith.addf %[[V]], %[[B]] : f32
// CHECK:   arith.mulf %[[VB]], %[[F]] : f32
func.func @rescale(%acc: tensor<4x8xi32>, %a: tensor<4xf32>, %g: f32, %b: tensor<8xf32>) -> tensor<4x8xf32> {
  %y = ternary.rescale %acc, %a, %g bias %b : tensor<4x8xi32>, tensor<4xf32>, tensor<8xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

// Without a kernel, matmul_rescale is the product then the rescale.
// CHECK-LABEL: func @matmul_rescale_loops
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<4x8xi32>)
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<4x8xi32>, tensor<4xf32>) outs(%{{.*}} : tensor<4x8xf32>)
func.func @matmul_rescale_loops(%x: tensor<4x16xi8>, %w: tensor<8x16xi8>, %a: tensor<4xf32>, %g: f32) -> tensor<4x8xf32> {
  %y = ternary.matmul_rescale %x, %w, %a, %g : tensor<4x16xi8>, tensor<8x16xi8>, tensor<4xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

// An i8 product that f32 computes exactly (every partial sum an integer
// below 2^24 in magnitude) becomes an f32 contraction, which the f32
// kernel takes, converted back to i32: weights of ternary.quantize_weights
// (in [-1, 1]) up to K = 2^17, other i8 weights up to K = 2^10.
// CHECK-LABEL: func @matmul_exact_in_f32
// CHECK-SAME: (%[[X:.*]]: tensor<?x784xi8>, %[[W:.*]]: tensor<256x784xf32>, %[[G:.*]]: f32, %[[Y:.*]]: tensor<?x1024xi8>, %[[V:.*]]: tensor<8x1024xi8>)
// CHECK: %[[WQ:.*]] = linalg.generic {{.*}} ins(%[[W]] : tensor<256x784xf32>) outs(%{{.*}} : tensor<256x784xi8>)
// CHECK: %[[XF:.*]] = linalg.generic {{.*}} ins(%[[X]] : tensor<?x784xi8>) outs(%{{.*}} : tensor<?x784xf32>)
// CHECK:   arith.sitofp %{{.*}} : i8 to f32
// CHECK: %[[WF:.*]] = linalg.generic {{.*}} ins(%[[WQ]] : tensor<256x784xi8>) outs(%{{.*}} : tensor<256x784xf32>)
// CHECK: %[[P:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[XF]], %[[WF]] : tensor<?x784xf32>, tensor<256x784xf32>) outs(%{{.*}} : tensor<?x256xf32>)
// CHECK:   arith.mulf
// CHECK:   arith.addf
// CHECK: linalg.generic {{.*}} ins(%[[P]] : tensor<?x256xf32>) outs(%{{.*}} : tensor<?x256xi32>)
// CHECK:   arith.fptosi %{{.*}} : f32 to i32
// CHECK: linalg.generic {{.*}} ins(%[[Y]] : tensor<?x1024xi8>) outs(%{{.*}} : tensor<?x1024xf32>)
// CHECK: linalg.generic {{.*}} ins(%[[V]] : tensor<8x1024xi8>) outs(%{{.*}} : tensor<8x1024xf32>)
func.func @matmul_exact_in_f32(%x: tensor<?x784xi8>, %w: tensor<256x784xf32>, %g: f32,
                               %y: tensor<?x1024xi8>, %v: tensor<8x1024xi8>)
    -> (tensor<?x256xi32>, tensor<?x8xi32>) {
  %wq = ternary.quantize_weights %w, %g : tensor<256x784xf32> -> tensor<256x784xi8>
  %a = ternary.matmul %x, %wq : tensor<?x784xi8>, tensor<256x784xi8> -> tensor<?x256xi32>
  %b = ternary.matmul %y, %v : tensor<?x1024xi8>, tensor<8x1024xi8> -> tensor<?x8xi32>
  return %a, %b : tensor<?x256xi32>, tensor<?x8xi32>
}

// -----

// Left in i32: a dynamic K, and i8 weights of unknown origin beyond K = 2^10
// (|x w| up to 2^14: 1025 terms could pass 2^24).
// CHECK-LABEL: func @matmul_stays_integer
// CHECK-NOT: arith.sitofp
// CHECK-NOT: arith.fptosi
// CHECK: return
func.func @matmul_stays_integer(%x: tensor<?x?xi8>, %w: tensor<8x?xi8>,
                                %y: tensor<?x1025xi8>, %v: tensor<8x1025xi8>)
    -> (tensor<?x8xi32>, tensor<?x8xi32>) {
  %a = ternary.matmul %x, %w : tensor<?x?xi8>, tensor<8x?xi8> -> tensor<?x8xi32>
  %b = ternary.matmul %y, %v : tensor<?x1025xi8>, tensor<8x1025xi8> -> tensor<?x8xi32>
  return %a, %b : tensor<?x8xi32>, tensor<?x8xi32>
}
