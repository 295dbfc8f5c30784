// RUN: ternary-opt %s -split-input-file -verify-diagnostics

// Every verifier message of the inference ops of the ternary dialect, one
// case a split (the training ops: training-errors.mlir).

//===----------------------------------------------------------------------===//
// ternary.bitlinear
//===----------------------------------------------------------------------===//

func.func @bitlinear_rank0(%x: tensor<f32>, %w: tensor<8x16xf32>) {
  // expected-error @+1 {{'ternary.bitlinear' op input must have rank >= 1 ([..., K]), got rank 0}}
  %y = ternary.bitlinear %x, %w : (tensor<f32>, tensor<8x16xf32>) -> tensor<8xf32>
  return
}

// -----

func.func @bitlinear_weight_rank(%x: tensor<4x16xf32>, %w: tensor<16xf32>) {
  // expected-error @+1 {{'ternary.bitlinear' op weight must be a 2-D tensor [N, K], got rank 1}}
  %y = ternary.bitlinear %x, %w : (tensor<4x16xf32>, tensor<16xf32>) -> tensor<4x8xf32>
  return
}

// -----

func.func @bitlinear_k_mismatch(%x: tensor<4x16xf32>, %w: tensor<8x32xf32>) {
  // expected-error @+1 {{'ternary.bitlinear' op input feature size [16] does not match the weight's K [32] (weight is [N, K])}}
  %y = ternary.bitlinear %x, %w : (tensor<4x16xf32>, tensor<8x32xf32>) -> tensor<4x8xf32>
  return
}

// -----

func.func @bitlinear_bias_shape(%x: tensor<4x16xf32>, %w: tensor<8x16xf32>, %b: tensor<7xf32>) {
  // expected-error @+1 {{'ternary.bitlinear' op bias must have shape [8], got [7]}}
  %y = ternary.bitlinear %x, %w bias %b : (tensor<4x16xf32>, tensor<8x16xf32>, tensor<7xf32>) -> tensor<4x8xf32>
  return
}

// -----

func.func @bitlinear_affine_missing(%x: tensor<4x16xf32>, %w: tensor<8x16xf32>) {
  // expected-error @+1 {{'ternary.bitlinear' op normalisation 'layer_affine' requires gamma and beta operands (affine(%gamma, %beta))}}
  %y = ternary.bitlinear %x, %w {norm = #ternary.norm<layer_affine>} : (tensor<4x16xf32>, tensor<8x16xf32>) -> tensor<4x8xf32>
  return
}

// -----

func.func @bitlinear_affine_not_allowed(%x: tensor<4x16xf32>, %w: tensor<8x16xf32>, %g: tensor<16xf32>) {
  // expected-error @+1 {{'ternary.bitlinear' op gamma and beta are only allowed with normalisation 'layer_affine', not 'layer'}}
  %y = ternary.bitlinear %x, %w affine(%g, %g) : (tensor<4x16xf32>, tensor<8x16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<4x8xf32>
  return
}

// -----

func.func @bitlinear_gamma_shape(%x: tensor<4x16xf32>, %w: tensor<8x16xf32>, %g: tensor<15xf32>, %b: tensor<16xf32>) {
  // expected-error @+1 {{'ternary.bitlinear' op gamma must have shape [16], got [15]}}
  %y = ternary.bitlinear %x, %w affine(%g, %b) {norm = #ternary.norm<layer_affine>} : (tensor<4x16xf32>, tensor<8x16xf32>, tensor<15xf32>, tensor<16xf32>) -> tensor<4x8xf32>
  return
}

// -----

func.func @bitlinear_beta_shape(%x: tensor<4x16xf32>, %w: tensor<8x16xf32>, %g: tensor<16xf32>, %b: tensor<2x16xf32>) {
  // expected-error @+1 {{'ternary.bitlinear' op beta must have shape [16], got [2, 16]}}
  %y = ternary.bitlinear %x, %w affine(%g, %b) {norm = #ternary.norm<layer_affine>} : (tensor<4x16xf32>, tensor<8x16xf32>, tensor<16xf32>, tensor<2x16xf32>) -> tensor<4x8xf32>
  return
}

// -----

func.func @bitlinear_result_shape(%x: tensor<4x16xf32>, %w: tensor<8x16xf32>) {
  // expected-error @+1 {{'ternary.bitlinear' op result must have shape [4, 8], got [4, 7]}}
  %y = ternary.bitlinear %x, %w : (tensor<4x16xf32>, tensor<8x16xf32>) -> tensor<4x7xf32>
  return
}

// -----

func.func @bitlinear_result_rank(%x: tensor<2x4x16xf32>, %w: tensor<8x16xf32>) {
  // expected-error @+1 {{'ternary.bitlinear' op result must have shape [2, 4, 8], got [8, 8]}}
  %y = ternary.bitlinear %x, %w : (tensor<2x4x16xf32>, tensor<8x16xf32>) -> tensor<8x8xf32>
  return
}

// -----

func.func @bitlinear_bits(%x: tensor<4x16xf32>, %w: tensor<8x16xf32>) {
  // expected-error @+1 {{'ternary.bitlinear' op activation bits must be in [2, 8], got 9}}
  %y = ternary.bitlinear %x, %w {act_bits = 9 : i32} : (tensor<4x16xf32>, tensor<8x16xf32>) -> tensor<4x8xf32>
  return
}

// -----

func.func @bitlinear_q(%x: tensor<4x16xf32>, %w: tensor<8x16xf32>) {
  // expected-error @+1 {{'ternary.bitlinear' op q must be 128 or 127 for 8-bit activations, got 100}}
  %y = ternary.bitlinear %x, %w {q = 100 : i32} : (tensor<4x16xf32>, tensor<8x16xf32>) -> tensor<4x8xf32>
  return
}

// -----

func.func @bitlinear_q_for_bits(%x: tensor<4x16xf32>, %w: tensor<8x16xf32>) {
  // expected-error @+1 {{'ternary.bitlinear' op q must be 8 or 7 for 4-bit activations, got 128}}
  %y = ternary.bitlinear %x, %w {act_bits = 4 : i32} : (tensor<4x16xf32>, tensor<8x16xf32>) -> tensor<4x8xf32>
  return
}

// -----

func.func @bitlinear_eps(%x: tensor<4x16xf32>, %w: tensor<8x16xf32>) {
  // expected-error @+1 {{'ternary.bitlinear' op eps must be positive, got 0}}
  %y = ternary.bitlinear %x, %w {eps = 0.0 : f32} : (tensor<4x16xf32>, tensor<8x16xf32>) -> tensor<4x8xf32>
  return
}

// -----

func.func @bitlinear_lambda(%x: tensor<4x16xf32>, %w: tensor<8x16xf32>) {
  // expected-error @+1 {{'ternary.bitlinear' op lambda must be in [0, 1], got 2}}
  %y = ternary.bitlinear %x, %w {lambda = 2.0 : f32} : (tensor<4x16xf32>, tensor<8x16xf32>) -> tensor<4x8xf32>
  return
}

// -----

func.func @bitlinear_element_type(%x: tensor<4x16xf16>, %w: tensor<8x16xf32>) {
  // expected-error @+1 {{'ternary.bitlinear' op operand #0 must be ranked tensor of 32-bit float values, but got 'tensor<4x16xf16>'}}
  %y = ternary.bitlinear %x, %w : (tensor<4x16xf16>, tensor<8x16xf32>) -> tensor<4x8xf32>
  return
}

// -----

func.func @bitlinear_scale_attr(%x: tensor<4x16xf32>, %w: tensor<8x16xf32>) {
  // expected-error @+2 {{expected one of [absmean, absmedian] for statistic of |W| used as the per-tensor weight scale, got: absmax}}
  // expected-error @+1 {{failed to parse Ternary_ScaleMethodAttr parameter 'value' which is to be a `::mlir::ternary::ScaleMethod`}}
  %y = ternary.bitlinear %x, %w {scale = #ternary.scale<absmax>} : (tensor<4x16xf32>, tensor<8x16xf32>) -> tensor<4x8xf32>
  return
}

//===----------------------------------------------------------------------===//
// ternary.normalize
//===----------------------------------------------------------------------===//

// -----

func.func @normalize_result(%x: tensor<4x16xf32>) {
  // expected-error @+1 {{'ternary.normalize' op result must have shape [4, 16], got [4, 15]}}
  %y = ternary.normalize %x : (tensor<4x16xf32>) -> tensor<4x15xf32>
  return
}

// -----

func.func @normalize_affine_on_rms(%x: tensor<4x16xf32>, %g: tensor<16xf32>) {
  // expected-error @+1 {{'ternary.normalize' op gamma and beta are only allowed with normalisation 'layer_affine', not 'rms'}}
  %y = ternary.normalize %x affine(%g, %g) {kind = #ternary.norm<rms>} : (tensor<4x16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<4x16xf32>
  return
}

// -----

func.func @normalize_rank0(%x: tensor<f32>) {
  // expected-error @+1 {{'ternary.normalize' op input must have rank >= 1 ([..., K]), got rank 0}}
  %y = ternary.normalize %x : (tensor<f32>) -> tensor<f32>
  return
}

// -----

func.func @normalize_eps(%x: tensor<4x16xf32>) {
  // expected-error @+1 {{'ternary.normalize' op eps must be positive, got -1}}
  %y = ternary.normalize %x {eps = -1.0 : f32} : (tensor<4x16xf32>) -> tensor<4x16xf32>
  return
}

//===----------------------------------------------------------------------===//
// ternary.weight_scale / ternary.ternarize / ternary.quantize_weights
//===----------------------------------------------------------------------===//

// -----

func.func @weight_scale_eps(%w: tensor<8x16xf32>) {
  // expected-error @+1 {{'ternary.weight_scale' op eps must be positive, got 0}}
  %g = ternary.weight_scale %w {eps = 0.0 : f32} : tensor<8x16xf32>
  return
}

// -----

func.func @ternarize_eps(%w: tensor<8x16xf32>) {
  // expected-error @+1 {{'ternary.ternarize' op eps must be positive, got -1}}
  %t = ternary.ternarize %w {eps = -1.0 : f32} : tensor<8x16xf32>
  return
}

// -----

func.func @ternarize_type(%w: tensor<8x16xf32>) {
  // expected-error @+1 {{'ternary.ternarize' op failed to verify that all of {weight, result} have same type}}
  %t = "ternary.ternarize"(%w) : (tensor<8x16xf32>) -> tensor<16x8xf32>
  return
}

// -----

func.func @quantize_weights_shape(%w: tensor<8x16xf32>, %g: f32) {
  // expected-error @+1 {{'ternary.quantize_weights' op result must have shape [8, 16], got [16, 8]}}
  %q = ternary.quantize_weights %w, %g : tensor<8x16xf32> -> tensor<16x8xi8>
  return
}

// -----

func.func @quantize_weights_type(%w: tensor<8x16xf32>, %g: f32) {
  // expected-error @+1 {{'ternary.quantize_weights' op result #0 must be ranked tensor of 8-bit signless integer values, but got 'tensor<8x16xi32>'}}
  %q = ternary.quantize_weights %w, %g : tensor<8x16xf32> -> tensor<8x16xi32>
  return
}

//===----------------------------------------------------------------------===//
// ternary.quantize_activations
//===----------------------------------------------------------------------===//

// -----

func.func @quantize_activations_values(%x: tensor<4x16xf32>) {
  // expected-error @+1 {{'ternary.quantize_activations' op values must have shape [4, 16], got [4, 8]}}
  %q, %a = ternary.quantize_activations %x : tensor<4x16xf32> -> tensor<4x8xi8>, tensor<4xf32>
  return
}

// -----

func.func @quantize_activations_absmax(%x: tensor<4x16xf32>) {
  // expected-error @+1 {{'ternary.quantize_activations' op absmax must have shape [4], got [4, 1]}}
  %q, %a = ternary.quantize_activations %x : tensor<4x16xf32> -> tensor<4x16xi8>, tensor<4x1xf32>
  return
}

// -----

func.func @quantize_activations_bits(%x: tensor<4x16xf32>) {
  // expected-error @+1 {{'ternary.quantize_activations' op activation bits must be in [2, 8], got 1}}
  %q, %a = ternary.quantize_activations %x {bits = 1 : i32, q = 1 : i32} : tensor<4x16xf32> -> tensor<4x16xi8>, tensor<4xf32>
  return
}

// -----

func.func @quantize_activations_q(%x: tensor<4x16xf32>) {
  // expected-error @+1 {{'ternary.quantize_activations' op q must be 2 or 1 for 2-bit activations, got 3}}
  %q, %a = ternary.quantize_activations %x {bits = 2 : i32, q = 3 : i32} : tensor<4x16xf32> -> tensor<4x16xi8>, tensor<4xf32>
  return
}

// -----

func.func @quantize_activations_eps(%x: tensor<4x16xf32>) {
  // expected-error @+1 {{'ternary.quantize_activations' op eps must be positive, got 0}}
  %q, %a = ternary.quantize_activations %x {eps = 0.0 : f32} : tensor<4x16xf32> -> tensor<4x16xi8>, tensor<4xf32>
  return
}

// -----

func.func @quantize_activations_rank0(%x: tensor<f32>) {
  // expected-error @+1 {{'ternary.quantize_activations' op input must have rank >= 1 ([..., K]), got rank 0}}
  %q, %a = ternary.quantize_activations %x : tensor<f32> -> tensor<i8>, tensor<f32>
  return
}

// -----

func.func @quantize_activations_affine_missing(%x: tensor<4x16xf32>) {
  // expected-error @+1 {{'ternary.quantize_activations' op normalisation 'layer_affine' requires gamma and beta operands (affine(%gamma, %beta))}}
  %q, %a = ternary.quantize_activations %x {norm = #ternary.norm<layer_affine>} : tensor<4x16xf32> -> tensor<4x16xi8>, tensor<4xf32>
  return
}

// -----

func.func @quantize_activations_affine_shape(%x: tensor<4x16xf32>, %g: tensor<8xf32>) {
  // expected-error @+1 {{'ternary.quantize_activations' op gamma must have shape [16], got [8]}}
  %q, %a = ternary.quantize_activations %x affine(%g, %g : tensor<8xf32>, tensor<8xf32>) {norm = #ternary.norm<layer_affine>} : tensor<4x16xf32> -> tensor<4x16xi8>, tensor<4xf32>
  return
}

//===----------------------------------------------------------------------===//
// ternary.matmul
//===----------------------------------------------------------------------===//

// -----

func.func @matmul_weight_rank(%x: tensor<4x16xi8>, %w: tensor<2x8x16xi8>) {
  // expected-error @+1 {{'ternary.matmul' op weight must be a 2-D tensor [N, K], got rank 3}}
  %acc = ternary.matmul %x, %w : tensor<4x16xi8>, tensor<2x8x16xi8> -> tensor<4x8xi32>
  return
}

// -----

func.func @matmul_kernel_auto(%x: tensor<4x16xi8>, %p: !ternary.packed<8x16, i2>) {
  // expected-error @+1 {{'ternary.matmul' op kernel must be a chosen kernel, not auto (auto is an option of --ternary-select-kernels)}}
  %acc = ternary.matmul %x, %p {kernel = #ternary.kernel<auto>} : tensor<4x16xi8>, !ternary.packed<8x16, i2> -> tensor<4x8xi32>
  return
}

// -----

func.func @matmul_kernel_unpacked(%x: tensor<4x16xi8>, %w: tensor<8x16xi8>) {
  // expected-error @+1 {{'ternary.matmul' op kernel avx2 needs 2-D activations and packed weights}}
  %acc = ternary.matmul %x, %w {kernel = #ternary.kernel<avx2>} : tensor<4x16xi8>, tensor<8x16xi8> -> tensor<4x8xi32>
  return
}

// -----

func.func @matmul_rescale_kernel_rank3(%x: tensor<2x4x16xi8>, %p: !ternary.packed<8x16, i2>, %a: tensor<2x4xf32>, %g: f32) {
  // expected-error @+1 {{'ternary.matmul_rescale' op kernel avx512_vnni needs 2-D activations and packed weights}}
  %y = ternary.matmul_rescale %x, %p, %a, %g {kernel = #ternary.kernel<avx512_vnni>} : tensor<2x4x16xi8>, !ternary.packed<8x16, i2>, tensor<2x4xf32> -> tensor<2x4x8xf32>
  return
}

// -----

func.func @matmul_kernel_unknown(%x: tensor<4x16xi8>, %p: !ternary.packed<8x16, i2>) {
  // expected-error @+2 {{expected one of [auto, loops, vector, avx2, avx512_vnni] for kernel of the ternary product with packed weights, got: sse}}
  // expected-error @+1 {{failed to parse Ternary_PackedKernelAttr parameter 'value' which is to be a `::mlir::ternary::PackedKernel`}}
  %acc = ternary.matmul %x, %p {kernel = #ternary.kernel<sse>} : tensor<4x16xi8>, !ternary.packed<8x16, i2> -> tensor<4x8xi32>
  return
}

// -----

func.func @matmul_k_packed(%x: tensor<4x16xi8>, %w: !ternary.packed<8x20, i2>) {
  // expected-error @+1 {{'ternary.matmul' op values feature size [16] does not match the weight's K [20] (weight is [N, K])}}
  %acc = ternary.matmul %x, %w : tensor<4x16xi8>, !ternary.packed<8x20, i2> -> tensor<4x8xi32>
  return
}

// -----

func.func @matmul_result(%x: tensor<4x16xi8>, %w: tensor<8x16xi8>) {
  // expected-error @+1 {{'ternary.matmul' op result must have shape [4, 8], got [4, 16]}}
  %acc = ternary.matmul %x, %w : tensor<4x16xi8>, tensor<8x16xi8> -> tensor<4x16xi32>
  return
}

// -----

func.func @matmul_values_type(%x: tensor<4x16xf32>, %w: tensor<8x16xi8>) {
  // expected-error @+1 {{'ternary.matmul' op operand #0 must be ranked tensor of 8-bit signless integer values, but got 'tensor<4x16xf32>'}}
  %acc = ternary.matmul %x, %w : tensor<4x16xf32>, tensor<8x16xi8> -> tensor<4x8xi32>
  return
}

// -----

func.func @matmul_weight_type(%x: tensor<4x16xi8>, %w: tensor<8x16xf32>) {
  // expected-error @+1 {{'ternary.matmul' op operand #1 must be ternary weights (i8 tensor or !ternary.packed), but got 'tensor<8x16xf32>'}}
  %acc = ternary.matmul %x, %w : tensor<4x16xi8>, tensor<8x16xf32> -> tensor<4x8xi32>
  return
}

// -----

func.func @matmul_rank0(%x: tensor<i8>, %w: tensor<8x16xi8>) {
  // expected-error @+1 {{'ternary.matmul' op values must have rank >= 1 ([..., K]), got rank 0}}
  %acc = ternary.matmul %x, %w : tensor<i8>, tensor<8x16xi8> -> tensor<8xi32>
  return
}

//===----------------------------------------------------------------------===//
// ternary.rescale
//===----------------------------------------------------------------------===//

// -----

func.func @rescale_absmax(%acc: tensor<4x8xi32>, %a: tensor<8xf32>, %g: f32) {
  // expected-error @+1 {{'ternary.rescale' op absmax must have shape [4], got [8]}}
  %y = ternary.rescale %acc, %a, %g : tensor<4x8xi32>, tensor<8xf32> -> tensor<4x8xf32>
  return
}

// -----

func.func @rescale_bias(%acc: tensor<4x8xi32>, %a: tensor<4xf32>, %g: f32, %b: tensor<4xf32>) {
  // expected-error @+1 {{'ternary.rescale' op bias must have shape [8], got [4]}}
  %y = ternary.rescale %acc, %a, %g bias %b : tensor<4x8xi32>, tensor<4xf32>, tensor<4xf32> -> tensor<4x8xf32>
  return
}

// -----

func.func @rescale_result(%acc: tensor<4x8xi32>, %a: tensor<4xf32>, %g: f32) {
  // expected-error @+1 {{'ternary.rescale' op result must have shape [4, 8], got [8, 4]}}
  %y = ternary.rescale %acc, %a, %g : tensor<4x8xi32>, tensor<4xf32> -> tensor<8x4xf32>
  return
}

// -----

func.func @rescale_q(%acc: tensor<4x8xi32>, %a: tensor<4xf32>, %g: f32) {
  // expected-error @+1 {{'ternary.rescale' op q must be positive, got 0}}
  %y = ternary.rescale %acc, %a, %g {q = 0 : i32} : tensor<4x8xi32>, tensor<4xf32> -> tensor<4x8xf32>
  return
}

// -----

func.func @rescale_rank0(%acc: tensor<i32>, %a: tensor<f32>, %g: f32) {
  // expected-error @+1 {{'ternary.rescale' op acc must have rank >= 1 ([..., K]), got rank 0}}
  %y = ternary.rescale %acc, %a, %g : tensor<i32>, tensor<f32> -> tensor<f32>
  return
}

//===----------------------------------------------------------------------===//
// ternary.matmul_rescale
//===----------------------------------------------------------------------===//

// -----

func.func @matmul_rescale_k(%x: tensor<4x16xi8>, %w: !ternary.packed<8x20, i2>, %a: tensor<4xf32>, %g: f32) {
  // expected-error @+1 {{'ternary.matmul_rescale' op values feature size [16] does not match the weight's K [20] (weight is [N, K])}}
  %y = ternary.matmul_rescale %x, %w, %a, %g : tensor<4x16xi8>, !ternary.packed<8x20, i2>, tensor<4xf32> -> tensor<4x8xf32>
  return
}

// -----

func.func @matmul_rescale_result(%x: tensor<4x16xi8>, %w: tensor<8x16xi8>, %a: tensor<4xf32>, %g: f32) {
  // expected-error @+1 {{'ternary.matmul_rescale' op result must have shape [4, 8], got [4, 16]}}
  %y = ternary.matmul_rescale %x, %w, %a, %g : tensor<4x16xi8>, tensor<8x16xi8>, tensor<4xf32> -> tensor<4x16xf32>
  return
}

// -----

func.func @matmul_rescale_absmax(%x: tensor<4x16xi8>, %w: tensor<8x16xi8>, %a: tensor<8xf32>, %g: f32) {
  // expected-error @+1 {{'ternary.matmul_rescale' op absmax must have shape [4], got [8]}}
  %y = ternary.matmul_rescale %x, %w, %a, %g : tensor<4x16xi8>, tensor<8x16xi8>, tensor<8xf32> -> tensor<4x8xf32>
  return
}

// -----

func.func @matmul_rescale_bias(%x: tensor<4x16xi8>, %w: tensor<8x16xi8>, %a: tensor<4xf32>, %g: f32, %b: tensor<4xf32>) {
  // expected-error @+1 {{'ternary.matmul_rescale' op bias must have shape [8], got [4]}}
  %y = ternary.matmul_rescale %x, %w, %a, %g bias %b : tensor<4x16xi8>, tensor<8x16xi8>, tensor<4xf32>, tensor<4xf32> -> tensor<4x8xf32>
  return
}

// -----

func.func @matmul_rescale_q(%x: tensor<4x16xi8>, %w: tensor<8x16xi8>, %a: tensor<4xf32>, %g: f32) {
  // expected-error @+1 {{'ternary.matmul_rescale' op q must be positive, got 0}}
  %y = ternary.matmul_rescale %x, %w, %a, %g {q = 0 : i32} : tensor<4x16xi8>, tensor<8x16xi8>, tensor<4xf32> -> tensor<4x8xf32>
  return
}

//===----------------------------------------------------------------------===//
// ternary.pack / ternary.unpack / ternary.packed_constant
//===----------------------------------------------------------------------===//

// -----

func.func @pack_rank(%w: tensor<2x8x16xi8>) {
  // expected-error @+1 {{'ternary.pack' op input must be a 2-D tensor [N, K], got rank 3}}
  %p = ternary.pack %w : tensor<2x8x16xi8> -> !ternary.packed<8x16, i2>
  return
}

// -----

func.func @pack_shape(%w: tensor<8x15xi8>) {
  // expected-error @+1 {{'ternary.pack' op input shape [8, 15] does not match the packed shape [8, 16]}}
  %p = ternary.pack %w : tensor<8x15xi8> -> !ternary.packed<8x16, i2>
  return
}

// -----

func.func @unpack_shape(%p: !ternary.packed<8x16, base3>) {
  // expected-error @+1 {{'ternary.unpack' op result shape [16, 8] does not match the packed shape [8, 16]}}
  %w = ternary.unpack %p : !ternary.packed<8x16, base3> -> tensor<16x8xi8>
  return
}

// -----

func.func @packed_constant_dynamic() {
  // expected-error @+1 {{'ternary.packed_constant' op result type '!ternary.packed<?x4, i2>' must have a static shape}}
  %p = ternary.packed_constant dense<[[70]]> : tensor<1x1xi8> -> !ternary.packed<?x4, i2>
  return
}

// -----

func.func @packed_constant_storage() {
  // expected-error @+1 {{'ternary.packed_constant' op storage of '!ternary.packed<2x6, i2>' must be 'tensor<2x2xi8>' (2 bytes for 6 weights a row), got 'tensor<2x1xi8>'}}
  %p = ternary.packed_constant dense<[[70], [85]]> : tensor<2x1xi8> -> !ternary.packed<2x6, i2>
  return
}

// -----

func.func @packed_constant_base3_storage() {
  // expected-error @+1 {{'ternary.packed_constant' op storage of '!ternary.packed<1x6, base3>' must be 'tensor<1x2xi8>' (2 bytes for 6 weights a row), got 'tensor<1x3xi8>'}}
  %p = ternary.packed_constant dense<[[1, 2, 3]]> : tensor<1x3xi8> -> !ternary.packed<1x6, base3>
  return
}

// -----

func.func @packed_constant_code3() {
  // expected-error @+1 {{'ternary.packed_constant' op storage is not valid i2 data: a code 3, or padding that is not the zero weight}}
  %p = ternary.packed_constant dense<[[-1]]> : tensor<1x1xi8> -> !ternary.packed<1x4, i2>
  return
}

// -----

func.func @packed_constant_padding() {
  // Byte 0 decodes to five -1 weights; with K = 3 the last two are padding.
  // expected-error @+1 {{'ternary.packed_constant' op storage is not valid base3 data: padding that is not the zero weight}}
  %p = ternary.packed_constant dense<[[0]]> : tensor<1x1xi8> -> !ternary.packed<1x3, base3>
  return
}

//===----------------------------------------------------------------------===//
// !ternary.packed
//===----------------------------------------------------------------------===//

// -----

// expected-error @+1 {{packed ternary weights must have a 2-D shape [N, K], got rank 3}}
func.func @packed_rank(%p: !ternary.packed<2x8x16, i2>) {
  return
}

// -----

// expected-error @+1 {{unknown packed encoding 'i3', expected 'i2' or 'base3'}}
func.func @packed_encoding(%p: !ternary.packed<8x16, i3>) {
  return
}

//===----------------------------------------------------------------------===//
// ternary.dot_bytes
//===----------------------------------------------------------------------===//

// -----

func.func @dot_bytes_ratio(%acc: vector<16xi32>, %a: vector<32xi8>) {
  // expected-error @+1 {{'ternary.dot_bytes' op needs 4 bytes a lane: 16 lanes take 64 bytes, got 32}}
  %r = ternary.dot_bytes %acc, %a, %a {kernel = #ternary.dot_kernel<avx512_vnni>} : vector<16xi32>, vector<32xi8>
  return
}

// -----

func.func @dot_bytes_lanes(%acc: vector<16xi32>, %a: vector<64xi8>) {
  // expected-error @+1 {{'ternary.dot_bytes' op kernel 'avx2' works on 8 lanes, got 16}}
  %r = ternary.dot_bytes %acc, %a, %a {kernel = #ternary.dot_kernel<avx2>} : vector<16xi32>, vector<64xi8>
  return
}

//===----------------------------------------------------------------------===//
// ternary.prefetch
//===----------------------------------------------------------------------===//

// -----

func.func @prefetch_indices(%t: tensor<?x?xi8>, %i: index) {
  // expected-error @+1 {{'ternary.prefetch' op needs one index a dimension: 2 for the source, got 1}}
  ternary.prefetch %t[%i] : tensor<?x?xi8>
  return
}
