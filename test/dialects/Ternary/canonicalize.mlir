// Folders and canonicalisation patterns of the ternary dialect, and what they
// must leave alone.
// RUN: ternary-opt %s -canonicalize -split-input-file | FileCheck %s

// CHECK-LABEL: func @normalize_none_folds
// CHECK-SAME: (%[[X:.*]]: tensor<4x16xf32>)
// CHECK-NEXT: return %[[X]], %[[X]]
func.func @normalize_none_folds(%x: tensor<4x16xf32>) -> (tensor<4x16xf32>, tensor<4x16xf32>) {
  %y = ternary.normalize %x {kind = #ternary.norm<none>} : (tensor<4x16xf32>) -> tensor<4x16xf32>
  %z = ternary.normalize %y {kind = #ternary.norm<none>, eps = 1.0 : f32} : (tensor<4x16xf32>) -> tensor<4x16xf32>
  return %y, %z : tensor<4x16xf32>, tensor<4x16xf32>
}

// -----

// CHECK-LABEL: func @normalize_layer_stays
// CHECK: ternary.normalize %{{.*}} : (tensor<4x16xf32>) -> tensor<4x16xf32>
// CHECK: ternary.normalize %{{.*}} {kind = #ternary.norm<rms>}
// A cast of the shape is not an identity: `none` with a different result
// type stays.
// CHECK: ternary.normalize %{{.*}} {kind = #ternary.norm<none>} : (tensor<4x16xf32>) -> tensor<?x16xf32>
func.func @normalize_layer_stays(%x: tensor<4x16xf32>) -> (tensor<4x16xf32>, tensor<4x16xf32>, tensor<?x16xf32>) {
  %y = ternary.normalize %x : (tensor<4x16xf32>) -> tensor<4x16xf32>
  %z = ternary.normalize %x {kind = #ternary.norm<rms>} : (tensor<4x16xf32>) -> tensor<4x16xf32>
  %c = ternary.normalize %x {kind = #ternary.norm<none>} : (tensor<4x16xf32>) -> tensor<?x16xf32>
  return %y, %z, %c : tensor<4x16xf32>, tensor<4x16xf32>, tensor<?x16xf32>
}

// -----

// The scale of a constant weight is computed at compile time: the median of
// |W| = {0.4, 0.1, 0.3, 0.2} is the lower middle value 0.2, the mean 0.25;
// an all-zero weight gets eps.
// CHECK-LABEL: func @weight_scale_of_constant
// CHECK-DAG: %[[MED:.*]] = arith.constant 2.000000e-01 : f32
// CHECK-DAG: %[[MEAN:.*]] = arith.constant 2.500000e-01 : f32
// CHECK-DAG: %[[EPS:.*]] = arith.constant 9.99999974E-6 : f32
// CHECK: return %[[MED]], %[[MEAN]], %[[EPS]]
func.func @weight_scale_of_constant() -> (f32, f32, f32) {
  %w = arith.constant dense<[[0.4, -0.1], [0.3, -0.2]]> : tensor<2x2xf32>
  %z = arith.constant dense<0.0> : tensor<3x5xf32>
  %g = ternary.weight_scale %w : tensor<2x2xf32>
  %m = ternary.weight_scale %w {method = #ternary.scale<absmean>} : tensor<2x2xf32>
  %e = ternary.weight_scale %z : tensor<3x5xf32>
  return %g, %m, %e : f32, f32, f32
}

// -----

// A constant weight's ternary values are computed at compile time: absmedian
// 0.2, W / 0.2 = {2, -0.5, 1.5, -1} rounds (half to even) and clamps to
// {1, 0, 1, -1}; absmean 0.25: {1.6, -0.4, 1.2, -0.8} -> {1, 0, 1, -1};
// times the scale (a zero is +0, as the lowering's g * float(0)).
// CHECK-LABEL: func @ternarize_constant
// CHECK-DAG: arith.constant dense<{{\[}}[2.000000e-01, 0.000000e+00], [2.000000e-01, -2.000000e-01]]> : tensor<2x2xf32>
// CHECK-DAG: arith.constant dense<{{\[}}[2.500000e-01, 0.000000e+00], [2.500000e-01, -2.500000e-01]]> : tensor<2x2xf32>
// CHECK-NOT: ternary.ternarize
func.func @ternarize_constant() -> (tensor<2x2xf32>, tensor<2x2xf32>) {
  %w = arith.constant dense<[[0.4, -0.1], [0.3, -0.2]]> : tensor<2x2xf32>
  %t = ternary.ternarize %w : tensor<2x2xf32>
  %m = ternary.ternarize %w {method = #ternary.scale<absmean>} : tensor<2x2xf32>
  return %t, %m : tensor<2x2xf32>, tensor<2x2xf32>
}

// -----

// CHECK-LABEL: func @weight_scale_of_argument_stays
// CHECK: ternary.weight_scale
func.func @weight_scale_of_argument_stays(%w: tensor<2x2xf32>) -> f32 {
  %g = ternary.weight_scale %w : tensor<2x2xf32>
  return %g : f32
}

// -----

// W / 0.2 = [0.5, 1.5, -0.5, -2.5, 1, 0] rounds half to even and clamps to
// [0, 1, 0, -1, 1, 0].
// CHECK-LABEL: func @quantize_weights_of_constants
// CHECK: %[[Q:.*]] = arith.constant dense<{{\[}}[0, 1, 0, -1, 1, 0]]> : tensor<1x6xi8>
// CHECK: return %[[Q]]
func.func @quantize_weights_of_constants() -> tensor<1x6xi8> {
  %w = arith.constant dense<[[0.1, 0.3, -0.1, -0.5, 0.2, 0.0]]> : tensor<1x6xf32>
  %g = arith.constant 0.2 : f32
  %q = ternary.quantize_weights %w, %g : tensor<1x6xf32> -> tensor<1x6xi8>
  return %q : tensor<1x6xi8>
}

// -----

// CHECK-LABEL: func @quantize_weights_with_runtime_scale_stays
// CHECK: ternary.quantize_weights
func.func @quantize_weights_with_runtime_scale_stays(%g: f32) -> tensor<1x2xi8> {
  %w = arith.constant dense<[[0.1, 0.3]]> : tensor<1x2xf32>
  %q = ternary.quantize_weights %w, %g : tensor<1x2xf32> -> tensor<1x2xi8>
  return %q : tensor<1x2xi8>
}

// -----

// Frozen weights: scale, quantisation and packing all happen at compile
// time. |W| = {1, 1, 1, 1, 0, 0, 0, 1}: median 1, so W itself is ternary.
// Rows [1, 0, -1, 0] and [0, 0, 0, 1] pack (codes w + 1, two bits each,
// lowest first) to 70 and 149 (-107 as i8).
// CHECK-LABEL: func @frozen_weights_pack_i2
// CHECK: %[[P:.*]] = ternary.packed_constant dense<{{\[}}[70], [-107]]> : tensor<2x1xi8> -> <2x4, i2>
// CHECK-NOT: ternary.pack
// CHECK: return %[[P]]
func.func @frozen_weights_pack_i2() -> !ternary.packed<2x4, i2> {
  %w = arith.constant dense<[[1.0, 0.0, -1.0, 0.0], [0.0, 0.0, 0.0, 1.0]]> : tensor<2x4xf32>
  %g = ternary.weight_scale %w : tensor<2x4xf32>
  %q = ternary.quantize_weights %w, %g : tensor<2x4xf32> -> tensor<2x4xi8>
  %p = ternary.pack %q : tensor<2x4xi8> -> !ternary.packed<2x4, i2>
  return %p : !ternary.packed<2x4, i2>
}

// -----

// Base 3, K = 6: one partial block of s = 2 bytes, weight i + 2j is trit j
// of byte i. Byte 0 holds weights 0, 2, 4 and two padding codes: codes
// [2, 1, 0, 1, 1], v = 193, byte ceil(193 * 256 / 243) = 204 (-52); byte 1
// weights 1, 3, 5: codes [0, 1, 2, 1, 1], v = 49, byte 52.
// CHECK-LABEL: func @pack_base3_constant
// CHECK: ternary.packed_constant dense<{{\[}}[-52, 52]]> : tensor<1x2xi8> -> <1x6, base3>
func.func @pack_base3_constant() -> !ternary.packed<1x6, base3> {
  %w = arith.constant dense<[[1, -1, 0, 0, -1, 1]]> : tensor<1x6xi8>
  %p = ternary.pack %w : tensor<1x6xi8> -> !ternary.packed<1x6, base3>
  return %p : !ternary.packed<1x6, base3>
}

// -----

// A constant that is not ternary has no defined packing: left alone.
// CHECK-LABEL: func @pack_non_ternary_stays
// CHECK: ternary.pack
func.func @pack_non_ternary_stays() -> !ternary.packed<1x2, i2> {
  %w = arith.constant dense<[[2, 0]]> : tensor<1x2xi8>
  %p = ternary.pack %w : tensor<1x2xi8> -> !ternary.packed<1x2, i2>
  return %p : !ternary.packed<1x2, i2>
}

// -----

// CHECK-LABEL: func @unpack_of_constant
// CHECK: %[[W:.*]] = arith.constant dense<{{\[}}[1, -1, 0, 0, -1, 1]]> : tensor<1x6xi8>
// CHECK: return %[[W]]
func.func @unpack_of_constant() -> tensor<1x6xi8> {
  %p = ternary.packed_constant dense<[[-52, 52]]> : tensor<1x2xi8> -> !ternary.packed<1x6, base3>
  %w = ternary.unpack %p : !ternary.packed<1x6, base3> -> tensor<1x6xi8>
  return %w : tensor<1x6xi8>
}

// -----

// CHECK-LABEL: func @unpack_pack
// CHECK-SAME: (%[[W:.*]]: tensor<8x16xi8>, %[[P:.*]]: !ternary.packed<8x16, i2>)
// CHECK-NEXT: return %[[W]], %[[P]]
func.func @unpack_pack(%w: tensor<8x16xi8>, %p: !ternary.packed<8x16, i2>) -> (tensor<8x16xi8>, !ternary.packed<8x16, i2>) {
  %a = ternary.pack %w : tensor<8x16xi8> -> !ternary.packed<8x16, base3>
  %b = ternary.unpack %a : !ternary.packed<8x16, base3> -> tensor<8x16xi8>
  %c = ternary.unpack %p : !ternary.packed<8x16, i2> -> tensor<8x16xi8>
  %d = ternary.pack %c : tensor<8x16xi8> -> !ternary.packed<8x16, i2>
  return %b, %d : tensor<8x16xi8>, !ternary.packed<8x16, i2>
}

// -----

// Re-encoding changes the storage: pack(unpack(p)) to another encoding stays.
// CHECK-LABEL: func @repack_other_encoding_stays
// CHECK: ternary.unpack
// CHECK: ternary.pack
func.func @repack_other_encoding_stays(%p: !ternary.packed<8x16, i2>) -> !ternary.packed<8x16, base3> {
  %c = ternary.unpack %p : !ternary.packed<8x16, i2> -> tensor<8x16xi8>
  %d = ternary.pack %c : tensor<8x16xi8> -> !ternary.packed<8x16, base3>
  return %d : !ternary.packed<8x16, base3>
}

// -----

// CHECK-LABEL: func @rescale_zero_bias
// CHECK: ternary.rescale %{{.*}}, %{{.*}}, %{{.*}} : tensor<4x8xi32>, tensor<4xf32> -> tensor<4x8xf32>
// CHECK: ternary.rescale %{{.*}}, %{{.*}}, %{{.*}} bias %{{.*}} : tensor<4x8xi32>, tensor<4xf32>, tensor<8xf32> -> tensor<4x8xf32>
func.func @rescale_zero_bias(%acc: tensor<4x8xi32>, %a: tensor<4xf32>, %g: f32) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %zero = arith.constant dense<0.0> : tensor<8xf32>
  %one = arith.constant dense<[0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0]> : tensor<8xf32>
  %y = ternary.rescale %acc, %a, %g bias %zero : tensor<4x8xi32>, tensor<4xf32>, tensor<8xf32> -> tensor<4x8xf32>
  %z = ternary.rescale %acc, %a, %g bias %one : tensor<4x8xi32>, tensor<4xf32>, tensor<8xf32> -> tensor<4x8xf32>
  return %y, %z : tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

// CHECK-LABEL: func @bitlinear_zero_bias
// CHECK: ternary.bitlinear %{{.*}}, %{{.*}} : (tensor<4x16xf32>, tensor<8x16xf32>) -> tensor<4x8xf32>
func.func @bitlinear_zero_bias(%x: tensor<4x16xf32>, %w: tensor<8x16xf32>) -> tensor<4x8xf32> {
  %zero = arith.constant dense<0.0> : tensor<8xf32>
  %y = ternary.bitlinear %x, %w bias %zero : (tensor<4x16xf32>, tensor<8x16xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

// gamma = 1 and beta = 0 make layer_affine a plain LayerNorm; any other
// constant keeps the affine form.
// CHECK-LABEL: func @bitlinear_identity_affine
// CHECK: ternary.bitlinear %{{.*}}, %{{.*}} : (tensor<4x16xf32>, tensor<8x16xf32>) -> tensor<4x8xf32>
// CHECK: ternary.bitlinear %{{.*}}, %{{.*}} affine(%{{.*}}, %{{.*}}) {norm = #ternary.norm<layer_affine>}
func.func @bitlinear_identity_affine(%x: tensor<4x16xf32>, %w: tensor<8x16xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %one = arith.constant dense<1.0> : tensor<16xf32>
  %zero = arith.constant dense<0.0> : tensor<16xf32>
  %y = ternary.bitlinear %x, %w affine(%one, %zero) {norm = #ternary.norm<layer_affine>} : (tensor<4x16xf32>, tensor<8x16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<4x8xf32>
  %z = ternary.bitlinear %x, %w affine(%zero, %one) {norm = #ternary.norm<layer_affine>} : (tensor<4x16xf32>, tensor<8x16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<4x8xf32>
  return %y, %z : tensor<4x8xf32>, tensor<4x8xf32>
}
