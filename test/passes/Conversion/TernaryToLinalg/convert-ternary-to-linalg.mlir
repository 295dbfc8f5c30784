// Tests passes/Conversion/TernaryToLinalg (--convert-ternary-to-linalg): the
// quantisation, product and packing families. A packed product without a
// `kernel` attribute becomes loops here; the vector kernels have their own
// test (test/passes/Codegen/CPU/packed-matmul-kernels.mlir).
// RUN: ternary-opt %s --convert-ternary-to-linalg --canonicalize --cse --split-input-file | FileCheck %s

// Activation quantisation: f32 absmax reduction, the eps floor, then
// round-half-even of x * (Q / a) clamped to [-128, 127].
// CHECK-LABEL: func @quantize_activations
// CHECK-DAG: %[[LO:.*]] = arith.constant -1.280000e+02 : f32
// CHECK-DAG: %[[Q:.*]] = arith.constant 1.270000e+02 : f32
// CHECK-DAG: %[[EPS:.*]] = arith.constant 9.99999974E-6 : f32
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK:   math.absf
// CHECK:   arith.maximumf
// CHECK: linalg.generic
// CHECK:   arith.maximumf %{{.*}}, %[[EPS]]
// CHECK: linalg.generic
// CHECK:   %[[SX:.*]] = arith.divf %[[Q]], %{{.*}} : f32
// CHECK:   %[[V:.*]] = arith.mulf %{{.*}}, %[[SX]] : f32
// CHECK:   %[[R:.*]] = math.roundeven %[[V]] : f32
// CHECK:   %[[C:.*]] = arith.maximumf %[[R]], %[[LO]] : f32
// CHECK:   arith.minimumf %[[C]], %[[Q]] : f32
// CHECK:   arith.fptosi %{{.*}} : f32 to i8
func.func @quantize_activations(%x: tensor<4x16xf32>) -> (tensor<4x16xi8>, tensor<4xf32>) {
  %xq, %a = ternary.quantize_activations %x {q = 127 : i32} : tensor<4x16xf32> -> tensor<4x16xi8>, tensor<4xf32>
  return %xq, %a : tensor<4x16xi8>, tensor<4xf32>
}

// -----

// LayerNorm: both sums in f64, mean and variance rounded once to f32.
// CHECK-LABEL: func @layer_norm
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<?xf64>)
// CHECK:   arith.extf %{{.*}} : f32 to f64
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<?xf64>)
// CHECK:   arith.subf %{{.*}}, %{{.*}} : f64
// CHECK: linalg.generic
// CHECK:   arith.truncf %{{.*}} : f64 to f32
// CHECK:   math.sqrt
func.func @layer_norm(%x: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %y = ternary.normalize %x : (tensor<?x?xf32>) -> tensor<?x?xf32>
  return %y : tensor<?x?xf32>
}

// -----

// The median by bit search: 31 rounds of counting |w| below a candidate.
// CHECK-LABEL: func @absmedian
// CHECK: scf.for %{{.*}} = %c0 to %c31 step %c1 iter_args(%{{.*}} = %c0_i32) -> (i32)
// CHECK:   linalg.generic {{.*}} iterator_types = ["reduction", "reduction"]
// CHECK:     arith.bitcast %{{.*}} : f32 to i32
// CHECK:     arith.cmpi slt
// CHECK: arith.bitcast %{{.*}} : i32 to f32
// CHECK: arith.maxnumf
func.func @absmedian(%w: tensor<8x16xf32>) -> f32 {
  %g = ternary.weight_scale %w : tensor<8x16xf32>
  return %g : f32
}

// -----

// CHECK-LABEL: func @absmean
// CHECK: linalg.generic {{.*}} iterator_types = ["reduction", "reduction"]
// CHECK:   math.absf %{{.*}} : f64
// CHECK: arith.divf %{{.*}}, %{{.*}} : f64
// CHECK: arith.truncf
// CHECK: arith.maxnumf
func.func @absmean(%w: tensor<8x16xf32>) -> f32 {
  %g = ternary.weight_scale %w {method = #ternary.scale<absmean>} : tensor<8x16xf32>
  return %g : f32
}

// -----

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

// Packed constants become their storage; pack of run-time weights a
// tensor.generate that gathers 4 (i2) weights a byte.
// CHECK-LABEL: func @pack_and_constant
// CHECK: arith.constant dense<{{\[}}[70], [-107]]> : tensor<2x1xi8>
// CHECK: tensor.generate
// CHECK-COUNT-4: tensor.extract
// CHECK: tensor.yield
func.func @pack_and_constant(%w: tensor<?x?xi8>) -> (!ternary.packed<2x4, i2>, !ternary.packed<?x?, i2>) {
  %c = ternary.packed_constant dense<[[70], [-107]]> : tensor<2x1xi8> -> !ternary.packed<2x4, i2>
  %p = ternary.pack %w : tensor<?x?xi8> -> !ternary.packed<?x?, i2>
  return %c, %p : !ternary.packed<2x4, i2>, !ternary.packed<?x?, i2>
}

// -----

// A fused normalisation is computed inline in both sweeps (absmax and
// values): the normalised rows are never stored.
// CHECK-LABEL: func @quantize_fused_rms
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<4xf64>)
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%{{.*}}, %{{.*}} : tensor<4x16xf32>, tensor<4xf64>) outs(%{{.*}} : tensor<4xf32>)
// CHECK:   math.sqrt
// CHECK:   math.absf
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<4x16xf32>, tensor<4xf64>, tensor<4xf32>) outs(%{{.*}} : tensor<4x16xi8>)
// CHECK:   math.sqrt
// CHECK:   math.roundeven
// CHECK-NOT: tensor<4x16xf32>) outs
func.func @quantize_fused_rms(%x: tensor<4x16xf32>) -> (tensor<4x16xi8>, tensor<4xf32>) {
  %xq, %a = ternary.quantize_activations %x {norm = #ternary.norm<rms>} : tensor<4x16xf32> -> tensor<4x16xi8>, tensor<4xf32>
  return %xq, %a : tensor<4x16xi8>, tensor<4xf32>
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

// What the pass leaves alone: upstream ops.
// CHECK-LABEL: func @leaves_upstream
// CHECK-NEXT: arith.addf
// CHECK-NEXT: return
func.func @leaves_upstream(%a: f32) -> f32 {
  %b = arith.addf %a, %a : f32
  return %b : f32
}
