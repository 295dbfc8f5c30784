// Round trip of every operation, attribute and type: print, parse again and
// get the same IR, in the custom and in the generic form.
// RUN: ternary-opt %s | ternary-opt | FileCheck %s
// RUN: ternary-opt %s --mlir-print-op-generic | ternary-opt | FileCheck %s

// CHECK-LABEL: func @bitlinear_defaults
// CHECK-SAME: (%[[X:.*]]: tensor<?x?xf32>, %[[W:.*]]: tensor<?x?xf32>, %[[B:.*]]: tensor<?xf32>)
// The defaults (absmedian, layer, 8 bits, q = 128, eps = 1e-5, lambda = 1)
// are not printed.
// CHECK: ternary.bitlinear %[[X]], %[[W]] bias %[[B]] : (tensor<?x?xf32>, tensor<?x?xf32>, tensor<?xf32>) -> tensor<?x?xf32>
func.func @bitlinear_defaults(%x: tensor<?x?xf32>, %w: tensor<?x?xf32>, %b: tensor<?xf32>) -> tensor<?x?xf32> {
  %y = ternary.bitlinear %x, %w bias %b : (tensor<?x?xf32>, tensor<?x?xf32>, tensor<?xf32>) -> tensor<?x?xf32>
  return %y : tensor<?x?xf32>
}

// CHECK-LABEL: func @bitlinear_all_attributes
// CHECK: ternary.bitlinear %{{.*}}, %{{.*}} affine(%{{.*}}, %{{.*}}) {act_bits = 4 : i32, eps = 9.99999997E-7 : f32, lambda = 5.000000e-01 : f32, norm = #ternary.norm<layer_affine>, q = 7 : i32, scale = #ternary.scale<absmean>} : (tensor<2x3x16xf32>, tensor<8x16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<2x3x8xf32>
func.func @bitlinear_all_attributes(%x: tensor<2x3x16xf32>, %w: tensor<8x16xf32>, %g: tensor<16xf32>, %be: tensor<16xf32>) -> tensor<2x3x8xf32> {
  %y = ternary.bitlinear %x, %w affine(%g, %be) {act_bits = 4 : i32, eps = 1.0e-6 : f32, lambda = 0.5 : f32, norm = #ternary.norm<layer_affine>, q = 7 : i32, scale = #ternary.scale<absmean>} : (tensor<2x3x16xf32>, tensor<8x16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<2x3x8xf32>
  return %y : tensor<2x3x8xf32>
}

// CHECK-LABEL: func @bitlinear_rms_bias_affine
// CHECK: ternary.bitlinear %{{.*}}, %{{.*}} bias %{{.*}} affine(%{{.*}}, %{{.*}}) {norm = #ternary.norm<layer_affine>}
// CHECK: ternary.bitlinear %{{.*}}, %{{.*}} {norm = #ternary.norm<rms>, q = 127 : i32} : (tensor<16xf32>, tensor<8x16xf32>) -> tensor<8xf32>
func.func @bitlinear_rms_bias_affine(%x: tensor<16xf32>, %w: tensor<8x16xf32>, %b: tensor<8xf32>, %g: tensor<16xf32>) -> (tensor<8xf32>, tensor<8xf32>) {
  %y = ternary.bitlinear %x, %w bias %b affine(%g, %g) {norm = #ternary.norm<layer_affine>} : (tensor<16xf32>, tensor<8x16xf32>, tensor<8xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<8xf32>
  %z = ternary.bitlinear %x, %w {norm = #ternary.norm<rms>, q = 127 : i32} : (tensor<16xf32>, tensor<8x16xf32>) -> tensor<8xf32>
  return %y, %z : tensor<8xf32>, tensor<8xf32>
}

// CHECK-LABEL: func @decomposed
func.func @decomposed(%x: tensor<4x16xf32>, %w: tensor<8x16xf32>, %b: tensor<8xf32>, %g: tensor<16xf32>) -> tensor<4x8xf32> {
  // CHECK: %[[XH:.*]] = ternary.normalize %{{.*}} : (tensor<4x16xf32>) -> tensor<4x16xf32>
  %xh = ternary.normalize %x : (tensor<4x16xf32>) -> tensor<4x16xf32>
  // CHECK: ternary.normalize %{{.*}} {eps = 9.99999997E-7 : f32, kind = #ternary.norm<rms>} : (tensor<4x16xf32>) -> tensor<4x16xf32>
  %xr = ternary.normalize %x {kind = #ternary.norm<rms>, eps = 1.0e-6 : f32} : (tensor<4x16xf32>) -> tensor<4x16xf32>
  // CHECK: ternary.normalize %{{.*}} affine(%{{.*}}, %{{.*}}) {kind = #ternary.norm<layer_affine>} : (tensor<4x16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<4x16xf32>
  %xa = ternary.normalize %x affine(%g, %g) {kind = #ternary.norm<layer_affine>} : (tensor<4x16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<4x16xf32>
  // CHECK: %[[XQ:.*]], %[[A:.*]] = ternary.quantize_activations %[[XH]] : tensor<4x16xf32> -> tensor<4x16xi8>, tensor<4xf32>
  %xq, %a = ternary.quantize_activations %xh : tensor<4x16xf32> -> tensor<4x16xi8>, tensor<4xf32>
  // CHECK: ternary.quantize_activations %{{.*}} {bits = 4 : i32, eps = 1.000000e-03 : f32, q = 7 : i32} : tensor<4x16xf32> -> tensor<4x16xi8>, tensor<4xf32>
  %xq4, %a4 = ternary.quantize_activations %xh {bits = 4 : i32, q = 7 : i32, eps = 1.0e-3 : f32} : tensor<4x16xf32> -> tensor<4x16xi8>, tensor<4xf32>
  // CHECK: ternary.quantize_activations %{{.*}} {norm = #ternary.norm<rms>} : tensor<4x16xf32> -> tensor<4x16xi8>, tensor<4xf32>
  %xqr, %ar = ternary.quantize_activations %x {norm = #ternary.norm<rms>} : tensor<4x16xf32> -> tensor<4x16xi8>, tensor<4xf32>
  // CHECK: ternary.quantize_activations %{{.*}} affine(%{{.*}}, %{{.*}} : tensor<16xf32>, tensor<16xf32>) {norm = #ternary.norm<layer_affine>} : tensor<4x16xf32> -> tensor<4x16xi8>, tensor<4xf32>
  %xqa, %aa = ternary.quantize_activations %x affine(%g, %g : tensor<16xf32>, tensor<16xf32>) {norm = #ternary.norm<layer_affine>} : tensor<4x16xf32> -> tensor<4x16xi8>, tensor<4xf32>
  // CHECK: %[[G:.*]] = ternary.weight_scale %{{.*}} : tensor<8x16xf32>
  %s = ternary.weight_scale %w : tensor<8x16xf32>
  // CHECK: ternary.weight_scale %{{.*}} {eps = 1.000000e-03 : f32, method = #ternary.scale<absmean>} : tensor<8x16xf32>
  %s2 = ternary.weight_scale %w {method = #ternary.scale<absmean>, eps = 1.0e-3 : f32} : tensor<8x16xf32>
  // CHECK: ternary.ternarize %{{.*}} : tensor<8x16xf32>
  %t = ternary.ternarize %w : tensor<8x16xf32>
  // CHECK: ternary.ternarize %{{.*}} {eps = 1.000000e-03 : f32, method = #ternary.scale<absmean>} : tensor<8x16xf32>
  %t2 = ternary.ternarize %w {method = #ternary.scale<absmean>, eps = 1.0e-3 : f32} : tensor<8x16xf32>
  // CHECK: %[[WQ:.*]] = ternary.quantize_weights %{{.*}}, %[[G]] : tensor<8x16xf32> -> tensor<8x16xi8>
  %wq = ternary.quantize_weights %w, %s : tensor<8x16xf32> -> tensor<8x16xi8>
  // CHECK: %[[P:.*]] = ternary.pack %[[WQ]] : tensor<8x16xi8> -> <8x16, base3>
  %p = ternary.pack %wq : tensor<8x16xi8> -> !ternary.packed<8x16, base3>
  // CHECK: ternary.matmul %[[XQ]], %[[P]] : tensor<4x16xi8>, !ternary.packed<8x16, base3> -> tensor<4x8xi32>
  %acc = ternary.matmul %xq, %p : tensor<4x16xi8>, !ternary.packed<8x16, base3> -> tensor<4x8xi32>
  // CHECK: ternary.matmul %[[XQ]], %[[P]] {kernel = #ternary.kernel<avx512_vnni>} : tensor<4x16xi8>, !ternary.packed<8x16, base3> -> tensor<4x8xi32>
  %acck = ternary.matmul %xq, %p {kernel = #ternary.kernel<avx512_vnni>} : tensor<4x16xi8>, !ternary.packed<8x16, base3> -> tensor<4x8xi32>
  // CHECK: %[[ACC:.*]] = ternary.matmul %[[XQ]], %[[WQ]] : tensor<4x16xi8>, tensor<8x16xi8> -> tensor<4x8xi32>
  %acc2 = ternary.matmul %xq, %wq : tensor<4x16xi8>, tensor<8x16xi8> -> tensor<4x8xi32>
  // CHECK: ternary.rescale %[[ACC]], %[[A]], %[[G]] bias %{{.*}} : tensor<4x8xi32>, tensor<4xf32>, tensor<8xf32> -> tensor<4x8xf32>
  %y = ternary.rescale %acc2, %a, %s bias %b : tensor<4x8xi32>, tensor<4xf32>, tensor<8xf32> -> tensor<4x8xf32>
  // CHECK: ternary.rescale %[[ACC]], %[[A]], %[[G]] {q = 127 : i32} : tensor<4x8xi32>, tensor<4xf32> -> tensor<4x8xf32>
  %y2 = ternary.rescale %acc2, %a, %s {q = 127 : i32} : tensor<4x8xi32>, tensor<4xf32> -> tensor<4x8xf32>
  // CHECK: ternary.matmul_rescale %[[XQ]], %[[P]], %[[A]], %[[G]] bias %{{.*}} {q = 127 : i32} : tensor<4x16xi8>, !ternary.packed<8x16, base3>, tensor<4xf32>, tensor<8xf32> -> tensor<4x8xf32>
  %f = ternary.matmul_rescale %xq, %p, %a, %s bias %b {q = 127 : i32} : tensor<4x16xi8>, !ternary.packed<8x16, base3>, tensor<4xf32>, tensor<8xf32> -> tensor<4x8xf32>
  // CHECK: ternary.matmul_rescale %[[XQ]], %[[WQ]], %[[A]], %[[G]] : tensor<4x16xi8>, tensor<8x16xi8>, tensor<4xf32> -> tensor<4x8xf32>
  %f2 = ternary.matmul_rescale %xq, %wq, %a, %s : tensor<4x16xi8>, tensor<8x16xi8>, tensor<4xf32> -> tensor<4x8xf32>
  // CHECK: ternary.unpack %[[P]] : <8x16, base3> -> tensor<8x16xi8>
  %u = ternary.unpack %p : !ternary.packed<8x16, base3> -> tensor<8x16xi8>
  return %y : tensor<4x8xf32>
}

// CHECK-LABEL: func @packed_types
// CHECK-SAME: !ternary.packed<?x?, i2>
// CHECK-SAME: !ternary.packed<4096x?, base3>
func.func @packed_types(%a: !ternary.packed<?x?, i2>, %b: !ternary.packed<4096x?, base3>, %x: tensor<?x?xi8>) -> tensor<?x4096xi32> {
  // CHECK: ternary.matmul %{{.*}}, %{{.*}} : tensor<?x?xi8>, !ternary.packed<4096x?, base3> -> tensor<?x4096xi32>
  %acc = ternary.matmul %x, %b : tensor<?x?xi8>, !ternary.packed<4096x?, base3> -> tensor<?x4096xi32>
  return %acc : tensor<?x4096xi32>
}

// CHECK-LABEL: func @packed_constant
// CHECK: ternary.packed_constant dense<{{\[}}[70], [-107]]> : tensor<2x1xi8> -> <2x4, i2>
// CHECK: ternary.packed_constant dense<{{\[}}[-52, 52]]> : tensor<1x2xi8> -> <1x6, base3>
func.func @packed_constant() -> (!ternary.packed<2x4, i2>, !ternary.packed<1x6, base3>) {
  %p = ternary.packed_constant dense<[[70], [-107]]> : tensor<2x1xi8> -> !ternary.packed<2x4, i2>
  %q = ternary.packed_constant dense<[[-52, 52]]> : tensor<1x2xi8> -> !ternary.packed<1x6, base3>
  return %p, %q : !ternary.packed<2x4, i2>, !ternary.packed<1x6, base3>
}

// CHECK-LABEL: func @dot_bytes
// CHECK: ternary.dot_bytes %{{.*}}, %{{.*}}, %{{.*}} {kernel = #ternary.dot_kernel<avx512_vnni>} : vector<16xi32>, vector<64xi8>
// CHECK: ternary.dot_bytes %{{.*}}, %{{.*}}, %{{.*}} {kernel = #ternary.dot_kernel<avx2>} : vector<8xi32>, vector<32xi8>
func.func @dot_bytes(%acc: vector<16xi32>, %a: vector<64xi8>, %acc2: vector<8xi32>, %b: vector<32xi8>) -> (vector<16xi32>, vector<8xi32>) {
  %r = ternary.dot_bytes %acc, %a, %a {kernel = #ternary.dot_kernel<avx512_vnni>} : vector<16xi32>, vector<64xi8>
  %s = ternary.dot_bytes %acc2, %b, %b {kernel = #ternary.dot_kernel<avx2>} : vector<8xi32>, vector<32xi8>
  return %r, %s : vector<16xi32>, vector<8xi32>
}

// CHECK-LABEL: func @prefetch
// CHECK: ternary.prefetch %{{.*}}[%{{.*}}, %{{.*}}] : tensor<?x?xi8>
// CHECK: ternary.prefetch %{{.*}}[%{{.*}}] : tensor<16xf32>
func.func @prefetch(%t: tensor<?x?xi8>, %u: tensor<16xf32>, %i: index) {
  ternary.prefetch %t[%i, %i] : tensor<?x?xi8>
  ternary.prefetch %u[%i] : tensor<16xf32>
  return
}

// The enum attributes on their own.
// CHECK-LABEL: func @enum_attributes
// CHECK-SAME: ternary.dot_kernels = [#ternary.dot_kernel<avx2>, #ternary.dot_kernel<avx512_vnni>]
// CHECK-SAME: ternary.encodings = [#ternary.encoding<i2>, #ternary.encoding<base3>]
// CHECK-SAME: ternary.norms = [#ternary.norm<none>, #ternary.norm<layer>, #ternary.norm<layer_affine>, #ternary.norm<rms>]
// CHECK-SAME: ternary.scales = [#ternary.scale<absmean>, #ternary.scale<absmedian>]
func.func @enum_attributes() attributes {
    ternary.scales = [#ternary.scale<absmean>, #ternary.scale<absmedian>],
    ternary.norms = [#ternary.norm<none>, #ternary.norm<layer>, #ternary.norm<layer_affine>, #ternary.norm<rms>],
    ternary.encodings = [#ternary.encoding<i2>, #ternary.encoding<base3>],
    ternary.dot_kernels = [#ternary.dot_kernel<avx2>, #ternary.dot_kernel<avx512_vnni>]} {
  return
}

// CHECK-LABEL: func @bitlinear_grad
// CHECK: ternary.bitlinear_grad %{{.*}}, %{{.*}}, %{{.*}} : (tensor<?x64xf32>, tensor<32x64xf32>, tensor<?x32xf32>) -> (tensor<?x64xf32>, tensor<32x64xf32>, tensor<32xf32>)
// CHECK: ternary.bitlinear_grad %{{.*}}, %{{.*}}, %{{.*}} affine(%{{.*}}, %{{.*}}) {norm = #ternary.norm<layer_affine>, q = 127 : i32, scale = #ternary.scale<absmean>} : (tensor<4x16xf32>, tensor<8x16xf32>, tensor<4x8xf32>, tensor<16xf32>, tensor<16xf32>) -> (tensor<4x16xf32>, tensor<8x16xf32>, tensor<8xf32>, tensor<16xf32>, tensor<16xf32>)
// CHECK: %[[WS:.*]] = ternary.weight_scale
// CHECK: ternary.bitlinear_grad %{{.*}}, %{{.*}}, %{{.*}} weight_scale(%[[WS]]) : (tensor<?x64xf32>, tensor<32x64xf32>, tensor<?x32xf32>, f32) -> (tensor<?x64xf32>, tensor<32x64xf32>, tensor<32xf32>)
func.func @bitlinear_grad(%x: tensor<?x64xf32>, %w: tensor<32x64xf32>, %dy: tensor<?x32xf32>,
                          %x2: tensor<4x16xf32>, %w2: tensor<8x16xf32>, %dy2: tensor<4x8xf32>,
                          %g: tensor<16xf32>, %b: tensor<16xf32>) {
  %dx, %dw, %db = ternary.bitlinear_grad %x, %w, %dy : (tensor<?x64xf32>, tensor<32x64xf32>, tensor<?x32xf32>) -> (tensor<?x64xf32>, tensor<32x64xf32>, tensor<32xf32>)
  %r:5 = ternary.bitlinear_grad %x2, %w2, %dy2 affine(%g, %b) {norm = #ternary.norm<layer_affine>, q = 127 : i32, scale = #ternary.scale<absmean>} : (tensor<4x16xf32>, tensor<8x16xf32>, tensor<4x8xf32>, tensor<16xf32>, tensor<16xf32>) -> (tensor<4x16xf32>, tensor<8x16xf32>, tensor<8xf32>, tensor<16xf32>, tensor<16xf32>)
  %ws = ternary.weight_scale %w : tensor<32x64xf32>
  %dx3, %dw3, %db3 = ternary.bitlinear_grad %x, %w, %dy weight_scale(%ws) : (tensor<?x64xf32>, tensor<32x64xf32>, tensor<?x32xf32>, f32) -> (tensor<?x64xf32>, tensor<32x64xf32>, tensor<32xf32>)
  return
}

// CHECK-LABEL: func @cross_entropy
// CHECK: ternary.cross_entropy %{{.*}}, %{{.*}} : (tensor<?x10xf32>, tensor<?xi64>) -> tensor<f32>
// CHECK: ternary.cross_entropy %{{.*}}, %{{.*}} {ignore_index = 0 : i64} : (tensor<?x10xf32>, tensor<?xi64>) -> tensor<f32>
// CHECK: ternary.cross_entropy_grad %{{.*}}, %{{.*}}, %{{.*}} : (tensor<?x10xf32>, tensor<?xi64>, tensor<f32>) -> tensor<?x10xf32>
func.func @cross_entropy(%z: tensor<?x10xf32>, %l: tensor<?xi64>) -> tensor<?x10xf32> {
  %loss = ternary.cross_entropy %z, %l : (tensor<?x10xf32>, tensor<?xi64>) -> tensor<f32>
  %loss0 = ternary.cross_entropy %z, %l {ignore_index = 0} : (tensor<?x10xf32>, tensor<?xi64>) -> tensor<f32>
  %dz = ternary.cross_entropy_grad %z, %l, %loss : (tensor<?x10xf32>, tensor<?xi64>, tensor<f32>) -> tensor<?x10xf32>
  return %dz : tensor<?x10xf32>
}

// CHECK-LABEL: func @optimizers
// CHECK: ternary.adamw %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : tensor<4x8xf32>, f64, i64
// CHECK: ternary.adamw %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {beta1 = 8.000000e-01 : f64, beta2 = 0.98999999999999999 : f64, eps = 9.9999999999999995E-7 : f64} : tensor<?xf32>, f64, i64
// CHECK: ternary.sgd %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {momentum = 9.000000e-01 : f64, nesterov = true} : tensor<4x8xf32>, f64
// CHECK: ternary.lr_schedule %{{.*}} {lr = 1.000000e-03 : f64, schedule = #ternary.lr_schedule<cosine>, total_steps = 100 : i64, warmup_steps = 10 : i64} : i64
// CHECK: ternary.lr_schedule %{{.*}} {lr = 1.000000e-02 : f64, schedule = #ternary.lr_schedule<constant>} : i64
// CHECK: ternary.global_norm %{{.*}}, %{{.*}} : tensor<4x8xf32>, tensor<?xf32>
func.func @optimizers(%p: tensor<4x8xf32>, %g: tensor<4x8xf32>, %v: tensor<?xf32>, %lr: f64, %wd: f64, %t: i64) {
  %p1, %m1, %v1 = ternary.adamw %p, %g, %p, %g, %lr, %wd, %t : tensor<4x8xf32>, f64, i64
  %p2, %m2, %v2 = ternary.adamw %v, %v, %v, %v, %lr, %wd, %t {beta1 = 0.8, beta2 = 0.99, eps = 1.0e-6} : tensor<?xf32>, f64, i64
  %p3, %b3 = ternary.sgd %p, %g, %p, %lr, %wd {momentum = 0.9, nesterov = true} : tensor<4x8xf32>, f64
  %l1 = ternary.lr_schedule %t {schedule = #ternary.lr_schedule<cosine>, lr = 1.0e-3, warmup_steps = 10 : i64, total_steps = 100 : i64} : i64
  %l2 = ternary.lr_schedule %t {schedule = #ternary.lr_schedule<constant>, lr = 1.0e-2} : i64
  %n = ternary.global_norm %g, %v : tensor<4x8xf32>, tensor<?xf32>
  return
}

// CHECK-LABEL: func @embedding
// CHECK: ternary.embedding %{{.*}}, %{{.*}} : (tensor<65x16xf32>, tensor<?x8xi64>) -> tensor<?x8x16xf32>
// CHECK: ternary.embedding_grad %{{.*}}, %{{.*}}, %{{.*}} : (tensor<65x16xf32>, tensor<?x8xi64>, tensor<?x8x16xf32>) -> tensor<65x16xf32>
func.func @embedding(%t: tensor<65x16xf32>, %ids: tensor<?x8xi64>) -> tensor<65x16xf32> {
  %e = ternary.embedding %t, %ids : (tensor<65x16xf32>, tensor<?x8xi64>) -> tensor<?x8x16xf32>
  %g = ternary.embedding_grad %t, %ids, %e : (tensor<65x16xf32>, tensor<?x8xi64>, tensor<?x8x16xf32>) -> tensor<65x16xf32>
  return %g : tensor<65x16xf32>
}

// CHECK-LABEL: func @spmm
// CHECK: ternary.spmm %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : (tensor<5xi64>, tensor<?xi64>, tensor<?xf32>, tensor<7x16xf32>) -> tensor<4x16xf32>
// CHECK: ternary.spmm_transpose %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : (tensor<5xi64>, tensor<?xi64>, tensor<?xf32>, tensor<4x16xf32>, tensor<7x16xf32>) -> tensor<7x16xf32>
func.func @spmm(%p: tensor<5xi64>, %i: tensor<?xi64>, %v: tensor<?xf32>, %x: tensor<7x16xf32>) -> tensor<7x16xf32> {
  %h = ternary.spmm %p, %i, %v, %x : (tensor<5xi64>, tensor<?xi64>, tensor<?xf32>, tensor<7x16xf32>) -> tensor<4x16xf32>
  %g = ternary.spmm_transpose %p, %i, %v, %h, %x : (tensor<5xi64>, tensor<?xi64>, tensor<?xf32>, tensor<4x16xf32>, tensor<7x16xf32>) -> tensor<7x16xf32>
  return %g : tensor<7x16xf32>
}

// CHECK-LABEL: func @dropout
// CHECK: ternary.dropout %{{.*}}, %{{.*}} {p = 5.000000e-01 : f64} : tensor<?x16xf32>
func.func @dropout(%x: tensor<?x16xf32>, %s: i64) -> tensor<?x16xf32> {
  %y = ternary.dropout %x, %s {p = 0.5} : tensor<?x16xf32>
  return %y : tensor<?x16xf32>
}

// CHECK-LABEL: func @runtime_lambda
// CHECK: ternary.bitlinear %{{.*}}, %{{.*}} bias %{{.*}} lambda(%{{.*}}) : (tensor<?x16xf32>, tensor<8x16xf32>, tensor<8xf32>, f32) -> tensor<?x8xf32>
// CHECK: ternary.bitlinear_grad %{{.*}}, %{{.*}}, %{{.*}} lambda(%{{.*}}) : (tensor<?x16xf32>, tensor<8x16xf32>, tensor<?x8xf32>, f32) -> (tensor<?x16xf32>, tensor<8x16xf32>, tensor<8xf32>)
func.func @runtime_lambda(%x: tensor<?x16xf32>, %w: tensor<8x16xf32>, %b: tensor<8xf32>, %l: f32) -> tensor<?x16xf32> {
  %y = ternary.bitlinear %x, %w bias %b lambda(%l) : (tensor<?x16xf32>, tensor<8x16xf32>, tensor<8xf32>, f32) -> tensor<?x8xf32>
  %dx, %dw, %db = ternary.bitlinear_grad %x, %w, %y lambda(%l) : (tensor<?x16xf32>, tensor<8x16xf32>, tensor<?x8xf32>, f32) -> (tensor<?x16xf32>, tensor<8x16xf32>, tensor<8xf32>)
  return %dx : tensor<?x16xf32>
}

// CHECK-LABEL: func @stochastic_rounding
// CHECK: ternary.bitlinear %{{.*}}, %{{.*}} sample(%{{.*}}) : (tensor<?x16xf32>, tensor<8x16xf32>, i64) -> tensor<?x8xf32>
// CHECK: ternary.bitlinear_grad %{{.*}}, %{{.*}}, %{{.*}} lambda(%{{.*}}) sample(%{{.*}}) : (tensor<?x16xf32>, tensor<8x16xf32>, tensor<?x8xf32>, f32, i64) -> (tensor<?x16xf32>, tensor<8x16xf32>, tensor<8xf32>)
func.func @stochastic_rounding(%x: tensor<?x16xf32>, %w: tensor<8x16xf32>, %s: i64, %l: f32) -> tensor<?x16xf32> {
  %y = ternary.bitlinear %x, %w sample(%s) : (tensor<?x16xf32>, tensor<8x16xf32>, i64) -> tensor<?x8xf32>
  %dx, %dw, %db = ternary.bitlinear_grad %x, %w, %y lambda(%l) sample(%s) : (tensor<?x16xf32>, tensor<8x16xf32>, tensor<?x8xf32>, f32, i64) -> (tensor<?x16xf32>, tensor<8x16xf32>, tensor<8xf32>)
  return %dx : tensor<?x16xf32>
}

// The train-step contract: every key, read back to the same values (numbers
// exactly), and the defaults left out when printed.
// CHECK-LABEL: func @train_step_request
// CHECK-SAME: ternary.train_step = #ternary.train_step<name = "step", params = array<i64: 0, 1>, eval = "eval", optimizer = sgd, lr = 1.000000e-01, schedule = two_stage, warmup_steps = 5, total_steps = 100, min_lr = 1.000000e-03, weight_decay = 5.000000e-04, beta1 = 8.000000e-01, beta2 = 0.98999999999999999, eps = 9.9999999999999995E-7, momentum = 9.000000e-01, nesterov = true, max_grad_norm = 2.500000e-01>
func.func @train_step_request(%w: tensor<3xf32>, %b: tensor<3xf32>) -> tensor<f32>
    attributes {ternary.train_step = #ternary.train_step<
        max_grad_norm = 0.25, nesterov = true, momentum = 0.9, eps = 1.0e-6,
        beta2 = 0.99, beta1 = 0.8, weight_decay = 5.0e-4, min_lr = 1.0e-3,
        total_steps = 100, warmup_steps = 5, schedule = two_stage, lr = 0.1,
        optimizer = sgd, eval = "eval", params = array<i64: 0, 1>,
        name = "step">} {
  %c = arith.constant dense<0.0> : tensor<f32>
  return %c : tensor<f32>
}

// CHECK-LABEL: func @train_step_defaults
// CHECK-SAME: ternary.train_step = #ternary.train_step<name = "step", params = array<i64: 0>, lr = 3.000000e-04>
func.func @train_step_defaults(%w: tensor<3xf32>) -> tensor<f32>
    attributes {ternary.train_step = #ternary.train_step<name = "step",
        params = array<i64: 0>, lr = 3.0e-4, optimizer = adamw, beta1 = 0.9,
        schedule = constant, nesterov = false>} {
  %c = arith.constant dense<0.0> : tensor<f32>
  return %c : tensor<f32>
}
