// Tests passes/Conversion/TernaryToLinalg/Quantization.cpp: normalisation, activation quantisation, weight scales
// (absmedian's search: AbsMedian.cpp)
// (part of --convert-ternary-to-linalg).
// RUN: ternary-opt %s --convert-ternary-to-linalg --canonicalize --cse --split-input-file | FileCheck %s

// Activation quantisation: f32 absmax reduction (maximumf: a NaN stays), the
// eps floor, NaN for a non-finite absmax, then round-half-even of x * (Q / a)
// clamped to [-128, 127], with 0 for a NaN (never fptosi of a NaN).
// CHECK-LABEL: func @quantize_activations
// CHECK-DAG: %[[LO:.*]] = arith.constant -1.280000e+02 : f32
// CHECK-DAG: %[[Q:.*]] = arith.constant 1.270000e+02 : f32
// CHECK-DAG: %[[EPS:.*]] = arith.constant 9.99999974E-6 : f32
// CHECK-DAG: %[[INF:.*]] = arith.constant 0x7F800000 : f32
// CHECK-DAG: %[[NAN:.*]] = arith.constant 0x7FC00000 : f32
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK:   math.absf
// CHECK:   arith.maximumf
// CHECK: linalg.generic
// CHECK:   %[[FL:.*]] = arith.maximumf %{{.*}}, %[[EPS]]
// CHECK:   %[[ABS:.*]] = math.absf %[[FL]]
// CHECK:   %[[FIN:.*]] = arith.cmpf olt, %[[ABS]], %[[INF]]
// CHECK:   arith.select %[[FIN]], %[[FL]], %[[NAN]]
// CHECK: linalg.generic
// CHECK:   %[[SX:.*]] = arith.divf %[[Q]], %{{.*}} : f32
// CHECK:   %[[V:.*]] = arith.mulf %{{.*}}, %[[SX]] : f32
// CHECK:   %[[R:.*]] = math.roundeven %[[V]] : f32
// CHECK:   %[[C:.*]] = arith.maximumf %[[R]], %[[LO]] : f32
// CHECK:   %[[CL:.*]] = arith.minimumf %[[C]], %[[Q]] : f32
// CHECK:   %[[ISNAN:.*]] = arith.cmpf uno, %[[CL]], %[[CL]]
// CHECK:   %[[SEL:.*]] = arith.select %[[ISNAN]], %[[ZERO]], %[[CL]]
// CHECK:   arith.fptosi %[[SEL]] : f32 to i8
func.func @quantize_activations(%x: tensor<4x16xf32>) -> (tensor<4x16xi8>, tensor<4xf32>) {
  %xq, %a = ternary.quantize_activations %x {q = 127 : i32} : tensor<4x16xf32> -> tensor<4x16xi8>, tensor<4xf32>
  return %xq, %a : tensor<4x16xi8>, tensor<4xf32>
}

// -----

// LayerNorm: both sums in f64, their additions `reassoc` (the order does
// not change the f32 they round to; LLVM vectorises them), mean and
// variance rounded once to f32, a row's mean and denominator computed once
// a row; the element-wise step (x - mean) / denominator.
// CHECK-LABEL: func @layer_norm
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<?xf64>)
// CHECK:   arith.extf %{{.*}} : f32 to f64
// CHECK:   arith.addf %{{.*}}, %{{.*}} fastmath<reassoc> : f64
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<?xf64>)
// CHECK:   arith.subf %{{.*}}, %{{.*}} : f64
// CHECK:   arith.addf %{{.*}}, %{{.*}} fastmath<reassoc> : f64
// CHECK: %[[MEAN:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<?xf32>)
// CHECK:   arith.truncf %{{.*}} : f64 to f32
// CHECK: %[[DEN:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<?xf32>)
// CHECK:   arith.truncf %{{.*}} : f64 to f32
// CHECK:   math.sqrt
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %[[MEAN]], %[[DEN]] : tensor<?x?xf32>, tensor<?xf32>, tensor<?xf32>)
// CHECK:   %[[D:.*]] = arith.subf
// CHECK:   arith.divf %[[D]], %{{.*}} : f32
func.func @layer_norm(%x: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %y = ternary.normalize %x : (tensor<?x?xf32>) -> tensor<?x?xf32>
  return %y : tensor<?x?xf32>
}

// -----

// absmedian: a call of one private function a module and count type (i32
// for a static weight of fewer than 2^31 elements), on the weight collapsed
// to one dynamic 1-D tensor; g is NaN when it reports a NaN or an infinity.
// A second weight_scale of the same weight reuses the call (CSE does not
// merge calls). The function: one sweep for the range (a NaN or an infinity
// has the largest |bits|) and the mean bit pattern, then a while loop of
// sweeps that each count |w| below two thresholds and take the nearest
// elements on either side of them (unsigned minima of d = |bits| - t and of
// ~d, which vectorise), until the bracket is one value. Every sweep runs by
// chunks of 2^16 weights, the tasks of an scf.forall, each writing its
// partial results at its index; a reduction over the chunks combines them
// (minima, maxima and sums of integers: any order gives the same).
// CHECK-LABEL: func @absmedian
// CHECK-DAG: %[[NAN:.*]] = arith.constant 0x7FC00000 : f32
// CHECK-DAG: %[[EPS:.*]] = arith.constant 9.99999974E-6 : f32
// CHECK: %[[FLAT:.*]] = tensor.collapse_shape %{{.*}} {{\[}}[0, 1]] : tensor<8x16xf32> into tensor<128xf32>
// CHECK: %[[DYN:.*]] = tensor.cast %[[FLAT]] : tensor<128xf32> to tensor<?xf32>
// CHECK: %[[M:.*]]:2 = call @__ternary_absmedian_i32(%[[DYN]]) : (tensor<?xf32>) -> (i32, i1)
// CHECK-NOT: call
// CHECK: %[[STAT:.*]] = arith.bitcast %[[M]]#0 : i32 to f32
// CHECK: %[[FL:.*]] = arith.maximumf %[[STAT]], %[[EPS]]
// CHECK: %[[G:.*]] = arith.select %[[M]]#1, %[[NAN]], %[[FL]]
// CHECK: return %[[G]], %[[G]]
// CHECK-LABEL: func.func private @__ternary_absmedian_i32(%{{.*}}: tensor<?xf32>) -> (i32, i1)
// CHECK-SAME: llvm.linkage = #llvm.linkage<internal>, passthrough = ["noinline"]
// CHECK-DAG: %[[INFBITS:.*]] = arith.constant 2139095040 : i32
// CHECK: %[[N:.*]] = tensor.dim %arg0, %c0
// CHECK: %[[CHUNKS:.*]] = arith.ceildivui %[[N]], %c65536
// CHECK: %[[PARTS:.*]]:3 = scf.forall (%[[C:.*]]) in (%[[CHUNKS]]) shared_outs({{.*}}) -> (tensor<?xi32>, tensor<?xi32>, tensor<?xi64>)
// CHECK:   %[[SLICE:.*]] = tensor.extract_slice %arg0[%{{.*}}] [%{{.*}}] [1]
// CHECK:   linalg.generic {{.*}} iterator_types = ["reduction"]} ins(%[[SLICE]] : tensor<?xf32>) outs(%{{.*}}, %{{.*}}, %{{.*}} : tensor<i32>, tensor<i32>, tensor<i64>)
// CHECK:     arith.bitcast %{{.*}} : f32 to i32
// CHECK:     arith.andi
// CHECK:     arith.minsi
// CHECK:     arith.maxsi
// CHECK:     arith.addi %{{.*}} : i64
// CHECK:   scf.forall.in_parallel
// CHECK:     tensor.parallel_insert_slice %{{.*}} into %{{.*}}[%[[C]]] [1] [1] : tensor<1xi32> into tensor<?xi32>
// CHECK: %[[RANGE:.*]]:3 = linalg.generic {{.*}} iterator_types = ["reduction"]} ins(%[[PARTS]]#0, %[[PARTS]]#1, %[[PARTS]]#2 : tensor<?xi32>, tensor<?xi32>, tensor<?xi64>) outs(%{{.*}}, %{{.*}}, %{{.*}} : tensor<i32>, tensor<i32>, tensor<i64>)
// CHECK:   arith.minsi
// CHECK:   arith.maxsi
// CHECK:   arith.addi %{{.*}} : i64
// CHECK: %[[HI:.*]] = tensor.extract %[[RANGE]]#1
// CHECK: %[[BAD:.*]] = arith.cmpi sge, %[[HI]], %[[INFBITS]]
// CHECK: %[[LOOP:.*]]:5 = scf.while
// CHECK:   arith.cmpi slt
// CHECK:   scf.condition
// CHECK: } do {
// CHECK:   %[[SWEEP:.*]]:6 = scf.forall
// CHECK:     linalg.generic {{.*}} iterator_types = ["reduction"]} ins(%{{.*}} : tensor<?xf32>) outs({{.*}} : tensor<i32>, tensor<i32>, tensor<i32>, tensor<i32>, tensor<i32>, tensor<i32>)
// CHECK-COUNT-2: arith.minui
// CHECK-NOT: arith.select
// CHECK-COUNT-2: arith.minui
// CHECK:       linalg.yield
// CHECK:     scf.forall.in_parallel
// CHECK:   linalg.generic {{.*}} ins(%[[SWEEP]]#0, %[[SWEEP]]#1, %[[SWEEP]]#2, %[[SWEEP]]#3, %[[SWEEP]]#4, %[[SWEEP]]#5 : {{.*}})
// CHECK-COUNT-2: arith.addi %{{.*}} : i32
// CHECK-COUNT-4: arith.minui %{{.*}} : i32
// CHECK:     linalg.yield
// CHECK:   arith.cmpi sgt
// CHECK:   arith.cmpi sle
// CHECK:   scf.yield
// CHECK: return %[[LOOP]]#0, %[[BAD]] : i32, i1
func.func @absmedian(%w: tensor<8x16xf32>) -> (f32, f32) {
  %g = ternary.weight_scale %w : tensor<8x16xf32>
  %h = ternary.weight_scale %w : tensor<8x16xf32>
  return %g, %h : f32, f32
}

// -----

// A weight of dynamic size counts in i64 (its own function); a 1-D weight
// needs no collapse.
// CHECK-LABEL: func @absmedian_dynamic
// CHECK-NOT: tensor.collapse_shape
// CHECK: call @__ternary_absmedian_i64(%{{.*}}) : (tensor<?xf32>) -> (i32, i1)
// CHECK-LABEL: func.func private @__ternary_absmedian_i64
// CHECK: linalg.generic {{.*}} outs({{.*}} : tensor<i64>, tensor<i64>, tensor<i32>, tensor<i32>, tensor<i32>, tensor<i32>)
func.func @absmedian_dynamic(%w: tensor<?xf32>) -> f32 {
  %g = ternary.weight_scale %w : tensor<?xf32>
  return %g : f32
}

// -----

// absmean: the f64 sum is finite iff every element is, so it alone decides
// whether g is NaN. The sum runs down the columns first (one partial sum a
// column, the column loop innermost: it vectorises), then over them.
// CHECK-LABEL: func @absmean
// CHECK-DAG: %[[INF:.*]] = arith.constant 0x7FF0000000000000 : f64
// CHECK-DAG: %[[NAN:.*]] = arith.constant 0x7FC00000 : f32
// CHECK: %[[COLS:.*]] = linalg.generic {{.*}} iterator_types = ["reduction", "parallel"]} ins(%{{.*}} : tensor<8x16xf32>) outs(%{{.*}} : tensor<16xf64>)
// CHECK:   math.absf %{{.*}} : f64
// CHECK: linalg.generic {{.*}} iterator_types = ["reduction"]} ins(%[[COLS]] : tensor<16xf64>) outs(%{{.*}} : tensor<f64>)
// CHECK:   arith.addf %{{.*}}, %{{.*}} fastmath<reassoc> : f64
// CHECK-NOT: math.absf
// CHECK: %[[SUM:.*]] = tensor.extract
// CHECK: arith.divf %[[SUM]], %{{.*}} : f64
// CHECK: %[[STAT:.*]] = arith.truncf
// CHECK-DAG: %[[BAD:.*]] = arith.cmpf uge, %[[SUM]], %[[INF]]
// CHECK-DAG: %[[FL:.*]] = arith.maximumf %[[STAT]]
// CHECK: arith.select %[[BAD]], %[[NAN]], %[[FL]]
func.func @absmean(%w: tensor<8x16xf32>) -> f32 {
  %g = ternary.weight_scale %w {method = #ternary.scale<absmean>} : tensor<8x16xf32>
  return %g : f32
}

// -----

// A fused normalisation is computed inline in both sweeps (absmax and
// values): the normalised rows are never stored. The row's denominator is
// computed once a row (sum in f64, over K, rounded, + eps, sqrt), not in
// the element-wise sweeps.
// CHECK-LABEL: func @quantize_fused_rms
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<4xf64>)
// CHECK: %[[DEN:.*]] = linalg.generic {{.*}} iterator_types = ["parallel"]} ins(%{{.*}} : tensor<4xf64>) outs(%{{.*}} : tensor<4xf32>)
// CHECK:   arith.divf %{{.*}}, %{{.*}} : f64
// CHECK:   arith.truncf
// CHECK:   math.sqrt
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%{{.*}}, %[[DEN]] : tensor<4x16xf32>, tensor<4xf32>) outs(%{{.*}} : tensor<4xf32>)
// CHECK-NOT: math.sqrt
// CHECK:   math.absf
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %[[DEN]], %{{.*}} : tensor<4x16xf32>, tensor<4xf32>, tensor<4xf32>) outs(%{{.*}} : tensor<4x16xi8>)
// CHECK-NOT: math.sqrt
// CHECK:   math.roundeven
// CHECK-NOT: tensor<4x16xf32>) outs
func.func @quantize_fused_rms(%x: tensor<4x16xf32>) -> (tensor<4x16xi8>, tensor<4xf32>) {
  %xq, %a = ternary.quantize_activations %x {norm = #ternary.norm<rms>} : tensor<4x16xf32> -> tensor<4x16xi8>, tensor<4xf32>
  return %xq, %a : tensor<4x16xi8>, tensor<4xf32>
}

// -----

// QuantizeWeightsLowering: round_half_even(W / g) clamped to [-1, 1], as i8,
// 0 for a NaN.
// CHECK-LABEL: func @quantize_weights
// CHECK-SAME: (%[[W:.*]]: tensor<8x16xf32>, %[[G:.*]]: f32)
// CHECK-DAG: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-DAG: %[[MINUS:.*]] = arith.constant -1.000000e+00 : f32
// CHECK: linalg.generic {{.*}} ins(%[[W]] : tensor<8x16xf32>) outs(%{{.*}} : tensor<8x16xi8>)
// CHECK: %[[V:.*]] = arith.divf %{{.*}}, %[[G]] : f32
// CHECK: %[[R:.*]] = math.roundeven %[[V]] : f32
// CHECK: %[[LO:.*]] = arith.maximumf %[[R]], %[[MINUS]] : f32
// CHECK: %[[HI:.*]] = arith.minimumf %[[LO]], %[[ONE]] : f32
// CHECK: %[[ISNAN:.*]] = arith.cmpf uno, %[[HI]], %[[HI]] : f32
// CHECK: %[[SEL:.*]] = arith.select %[[ISNAN]], %{{.*}}, %[[HI]] : f32
// CHECK: arith.fptosi %[[SEL]] : f32 to i8
func.func @quantize_weights(%w: tensor<8x16xf32>, %g: f32) -> tensor<8x16xi8> {
  %q = ternary.quantize_weights %w, %g : tensor<8x16xf32> -> tensor<8x16xi8>
  return %q : tensor<8x16xi8>
}

// -----

// A dynamic weight may be empty: its scale is eps, not the NaN of 0 / 0.
// CHECK-LABEL: func @weight_scale_dynamic
// CHECK-DAG: %[[EPS:.*]] = arith.constant 9.99999974E-6 : f32
// CHECK: %[[EMPTY:.*]] = arith.cmpi eq, %{{.*}}, %c0_i64 : i64
// CHECK: arith.select %[[EMPTY]], %[[EPS]], %{{.*}} : f32
func.func @weight_scale_dynamic(%w: tensor<?x?xf32>) -> f32 {
  %g = ternary.weight_scale %w {method = #ternary.scale<absmean>} : tensor<?x?xf32>
  return %g : f32
}

// -----

// ternarize: the weight scale (absmean: a sum), the ternary values as i8,
// then g * float(wq).
// CHECK-LABEL: func @ternarize
// CHECK-SAME: (%[[W:.*]]: tensor<8x16xf32>)
// CHECK: linalg.generic {{.*}} ins(%[[W]] : tensor<8x16xf32>)
// CHECK:   math.absf
// CHECK: %[[G:.*]] = arith.truncf %{{.*}} : f64 to f32
// CHECK: %[[WQ:.*]] = linalg.generic {{.*}} ins(%[[W]] : tensor<8x16xf32>) outs(%{{.*}} : tensor<8x16xi8>)
// CHECK:   math.roundeven
// CHECK: linalg.generic {{.*}} ins(%[[WQ]] : tensor<8x16xi8>) outs(%{{.*}} : tensor<8x16xf32>)
// CHECK:   %[[F:.*]] = arith.sitofp %{{.*}} : i8 to f32
// CHECK:   arith.mulf %{{.*}}, %[[F]] : f32
// CHECK-NOT: ternary.
func.func @ternarize(%w: tensor<8x16xf32>) -> tensor<8x16xf32> {
  %t = ternary.ternarize %w {method = #ternary.scale<absmean>} : tensor<8x16xf32>
  return %t : tensor<8x16xf32>
}
