// Tests passes/Transforms/PackWeights.cpp (--ternary-pack-weights).
// RUN: ternary-opt %s --ternary-pack-weights --split-input-file | FileCheck %s --check-prefixes=CHECK,I2
// RUN: ternary-opt %s --ternary-pack-weights=encoding=base3 --split-input-file | FileCheck %s --check-prefixes=CHECK,B3
// RUN: ternary-opt %s --ternary-pack-weights=runtime-weights=true --split-input-file | FileCheck %s --check-prefix=RUNTIME

// Rows [1, 0, -1, 0, 1] and [0, 0, 0, 1, -1], K = 5. i2: a partial block of
// two bytes, weight i + 2j in byte i, slot j: row 0 bytes [2 | 0<<2 | 2<<4
// | 1<<6 = 98, 1 | 1<<2 | 1<<4 | 1<<6 = 85], row 1 [1 | 1<<2 | 0<<4 | 1<<6
// = 69, 1 | 2<<2 | 1<<4 | 1<<6 = 89]. base3: one byte, codes [2, 1, 0, 1,
// 2] -> v = 194 -> ceil(194 * 256 / 243) = 205 (-51), [1, 1, 1, 2, 0] ->
// v = 123 -> 130 (-126).
// CHECK-LABEL: func @constant_weights
// I2: %[[P:.*]] = ternary.packed_constant dense<{{\[}}[98, 85], [69, 89]]> : tensor<2x2xi8> -> <2x5, i2>
// B3: %[[P:.*]] = ternary.packed_constant dense<{{\[}}[-51], [-126]]> : tensor<2x1xi8> -> <2x5, base3>
// I2: ternary.matmul %{{.*}}, %[[P]] : tensor<3x5xi8>, !ternary.packed<2x5, i2> -> tensor<3x2xi32>
// B3: ternary.matmul %{{.*}}, %[[P]] : tensor<3x5xi8>, !ternary.packed<2x5, base3> -> tensor<3x2xi32>
func.func @constant_weights(%x: tensor<3x5xi8>) -> tensor<3x2xi32> {
  %w = arith.constant dense<[[1, 0, -1, 0, 1], [0, 0, 0, 1, -1]]> : tensor<2x5xi8>
  %acc = ternary.matmul %x, %w : tensor<3x5xi8>, tensor<2x5xi8> -> tensor<3x2xi32>
  return %acc : tensor<3x2xi32>
}

// -----

// Weights computed at run time, and constants that are not ternary, stay.
// CHECK-LABEL: func @leaves_non_constants
// CHECK-NOT: ternary.pack
// CHECK: ternary.matmul %{{.*}}, %{{.*}} : tensor<3x2xi8>, tensor<1x2xi8> -> tensor<3x1xi32>
// CHECK: ternary.matmul %{{.*}}, %{{.*}} : tensor<3x2xi8>, tensor<1x2xi8> -> tensor<3x1xi32>
func.func @leaves_non_constants(%x: tensor<3x2xi8>, %w: tensor<1x2xi8>) -> (tensor<3x1xi32>, tensor<3x1xi32>) {
  %bad = arith.constant dense<[[2, 0]]> : tensor<1x2xi8>
  %a = ternary.matmul %x, %w : tensor<3x2xi8>, tensor<1x2xi8> -> tensor<3x1xi32>
  %b = ternary.matmul %x, %bad : tensor<3x2xi8>, tensor<1x2xi8> -> tensor<3x1xi32>
  return %a, %b : tensor<3x1xi32>, tensor<3x1xi32>
}

// -----

// Already packed weights stay as they are.
// CHECK-LABEL: func @already_packed
// CHECK: ternary.matmul %{{.*}}, %{{.*}} : tensor<3x4xi8>, !ternary.packed<1x4, base3>
func.func @already_packed(%x: tensor<3x4xi8>, %p: !ternary.packed<1x4, base3>) -> tensor<3x1xi32> {
  %a = ternary.matmul %x, %p : tensor<3x4xi8>, !ternary.packed<1x4, base3> -> tensor<3x1xi32>
  return %a : tensor<3x1xi32>
}

// -----

// Weights quantised at run time are packed only with runtime-weights.
// CHECK-LABEL: func @quantized_at_run_time
// CHECK-NOT: ternary.pack
// RUNTIME-LABEL: func @quantized_at_run_time
// RUNTIME: %[[Q:.*]] = ternary.quantize_weights
// RUNTIME: %[[P:.*]] = ternary.pack %[[Q]] : tensor<?x?xi8> -> <?x?, i2>
// RUNTIME: ternary.matmul %{{.*}}, %[[P]] : tensor<?x?xi8>, !ternary.packed<?x?, i2> -> tensor<?x?xi32>
// An i8 argument may hold any value: never packed.
// RUNTIME: ternary.matmul %{{.*}}, %arg2 : tensor<?x?xi8>, tensor<?x?xi8> -> tensor<?x?xi32>
func.func @quantized_at_run_time(%x: tensor<?x?xi8>, %w: tensor<?x?xf32>, %raw: tensor<?x?xi8>) -> (tensor<?x?xi32>, tensor<?x?xi32>) {
  %g = ternary.weight_scale %w : tensor<?x?xf32>
  %q = ternary.quantize_weights %w, %g : tensor<?x?xf32> -> tensor<?x?xi8>
  %a = ternary.matmul %x, %q : tensor<?x?xi8>, tensor<?x?xi8> -> tensor<?x?xi32>
  %b = ternary.matmul %x, %raw : tensor<?x?xi8>, tensor<?x?xi8> -> tensor<?x?xi32>
  return %a, %b : tensor<?x?xi32>, tensor<?x?xi32>
}

// -----

// With runtime-weights, rows known to be shorter than one 64-byte block of
// the kernels (K < 256 for i2) stay unpacked; K = 256 is packed.
// RUNTIME-LABEL: func @short_rows
// RUNTIME: %[[Q1:.*]] = ternary.quantize_weights %arg1
// RUNTIME-NOT: ternary.pack %[[Q1]]
// RUNTIME: ternary.matmul %arg0, %[[Q1]] : tensor<?x255xi8>, tensor<8x255xi8> -> tensor<?x8xi32>
// RUNTIME: %[[Q2:.*]] = ternary.quantize_weights %arg3
// RUNTIME: %[[P2:.*]] = ternary.pack %[[Q2]] : tensor<8x256xi8> -> <8x256, i2>
// RUNTIME: ternary.matmul %arg2, %[[P2]] : tensor<?x256xi8>, !ternary.packed<8x256, i2> -> tensor<?x8xi32>
func.func @short_rows(%x1: tensor<?x255xi8>, %w1: tensor<8x255xf32>, %x2: tensor<?x256xi8>, %w2: tensor<8x256xf32>) -> (tensor<?x8xi32>, tensor<?x8xi32>) {
  %g1 = ternary.weight_scale %w1 : tensor<8x255xf32>
  %q1 = ternary.quantize_weights %w1, %g1 : tensor<8x255xf32> -> tensor<8x255xi8>
  %a = ternary.matmul %x1, %q1 : tensor<?x255xi8>, tensor<8x255xi8> -> tensor<?x8xi32>
  %g2 = ternary.weight_scale %w2 : tensor<8x256xf32>
  %q2 = ternary.quantize_weights %w2, %g2 : tensor<8x256xf32> -> tensor<8x256xi8>
  %b = ternary.matmul %x2, %q2 : tensor<?x256xi8>, tensor<8x256xi8> -> tensor<?x8xi32>
  return %a, %b : tensor<?x8xi32>, tensor<?x8xi32>
}
