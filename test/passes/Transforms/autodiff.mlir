// RUN: ternary-opt %s --ternary-autodiff --split-input-file | FileCheck %s

// The MLP of examples/mlp_train.mlir in small: the loss's seed is 1, the
// cross-entropy's gradient feeds the second layer's STE gradient, ReLU's
// gradient passes where the input is > 0, and the results come in the
// order asked for. The forward function stays, its request consumed.

// CHECK-LABEL: func.func @loss(
// CHECK-NOT: ternary.gradient
// CHECK: return
// CHECK-LABEL: func.func @loss_and_grads(
// CHECK-SAME: %[[X:[^:]*]]: tensor<?x6xf32>, %[[L:[^:]*]]: tensor<?xi64>, %[[W1:[^:]*]]: tensor<5x6xf32>, %[[B1:[^:]*]]: tensor<5xf32>, %[[W2:[^:]*]]: tensor<3x5xf32>, %[[B2:[^:]*]]: tensor<3xf32>)
// CHECK-SAME: -> (tensor<f32>, tensor<?x6xf32>, tensor<5x6xf32>, tensor<5xf32>, tensor<3x5xf32>, tensor<3xf32>)
// CHECK: %[[H:.*]] = ternary.bitlinear %[[X]], %[[W1]] bias %[[B1]]
// CHECK: %[[R:.*]] = linalg.generic
// CHECK: %[[Y:.*]] = ternary.bitlinear %[[R]], %[[W2]] bias %[[B2]]
// CHECK: %[[LOSS:.*]] = ternary.cross_entropy %[[Y]], %[[L]]
// CHECK: %[[ONE:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK: %[[DY:.*]] = ternary.cross_entropy_grad %[[Y]], %[[L]], %[[ONE]]
// CHECK: %[[DR:.*]], %[[DW2:.*]], %[[DB2:.*]] = ternary.bitlinear_grad %[[R]], %[[W2]], %[[DY]]
// (Each element of ReLU's adjoint is written once: it adds to a constant
// zero, not to a zero-filled tensor.)
// CHECK: %[[EMPTY:.*]] = tensor.empty
// CHECK-NOT: linalg.fill
// CHECK: %[[DH:.*]] = linalg.generic {{.*}} ins(%[[H]], %[[DR]] : {{.*}} outs(%[[EMPTY]] :
// CHECK: ^bb0(%[[IN:.*]]: f32, %[[DIN:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[POS:.*]] = arith.cmpf ogt, %[[IN]]
// CHECK: %[[PASS:.*]] = arith.select %[[POS]], %[[DIN]]
// CHECK: arith.addf %cst{{[_0-9]*}}, %[[PASS]]
// CHECK: %[[DX:.*]], %[[DW1:.*]], %[[DB1:.*]] = ternary.bitlinear_grad %[[X]], %[[W1]], %[[DH]]
// CHECK: return %[[LOSS]], %[[DX]], %[[DW1]], %[[DB1]], %[[DW2]], %[[DB2]]
func.func @loss(%x: tensor<?x6xf32>, %labels: tensor<?xi64>,
                %w1: tensor<5x6xf32>, %b1: tensor<5xf32>,
                %w2: tensor<3x5xf32>, %b2: tensor<3xf32>) -> tensor<f32>
    attributes {ternary.gradient = {name = "loss_and_grads", wrt = array<i64: 0, 2, 3, 4, 5>}} {
  %c0 = arith.constant 0 : index
  %h = ternary.bitlinear %x, %w1 bias %b1 : (tensor<?x6xf32>, tensor<5x6xf32>, tensor<5xf32>) -> tensor<?x5xf32>
  %n = tensor.dim %h, %c0 : tensor<?x5xf32>
  %init = tensor.empty(%n) : tensor<?x5xf32>
  %r = linalg.map ins(%h : tensor<?x5xf32>) outs(%init : tensor<?x5xf32>)
    (%v: f32, %unused: f32) {
      %zero = arith.constant 0.0 : f32
      %m = arith.maximumf %v, %zero : f32
      linalg.yield %m : f32
    }
  %y = ternary.bitlinear %r, %w2 bias %b2 : (tensor<?x5xf32>, tensor<3x5xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %l = ternary.cross_entropy %y, %labels : (tensor<?x3xf32>, tensor<?xi64>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// A 32-bit linear layer (linalg.matmul, generalised) with the sum of its
// outputs as the loss. The gradient of A [M, K] in C = A B reduces over N;
// B's over M; the sum's gradient broadcasts the seed back.

// CHECK-DAG: #[[MK:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[KN:.*]] = affine_map<(d0, d1, d2) -> (d2, d1)>
// CHECK-DAG: #[[MN:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @linear_grads(
// CHECK-SAME: -> (tensor<f32>, tensor<4x3xf32>, tensor<3x2xf32>)
// CHECK: %[[C:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: %[[DC:.*]] = linalg.generic {indexing_maps = [#{{.*}}, #{{.*}}], iterator_types = ["parallel", "parallel"]}
// The adjoints read only what their bodies use (B and dC, A and dC): two
// inputs, the shape of the kernels' contractions.
// CHECK: %[[DA:.*]] = linalg.generic {indexing_maps = [#[[KN]], #[[MN]], #[[MK]]], iterator_types = ["parallel", "reduction", "parallel"]}
// CHECK-SAME: ins(%{{.*}}, %[[DC]] : tensor<3x2xf32>, tensor<4x2xf32>) outs(%{{.*}} : tensor<4x3xf32>)
// CHECK: %[[DB:.*]] = linalg.generic {indexing_maps = [#[[MK]], #[[MN]], #[[KN]]], iterator_types = ["reduction", "parallel", "parallel"]}
// CHECK-SAME: ins(%{{.*}}, %[[DC]] : tensor<4x3xf32>, tensor<4x2xf32>) outs(%{{.*}} : tensor<3x2xf32>)
// CHECK: return %{{.*}}, %[[DA]], %[[DB]]
func.func @linear(%a: tensor<4x3xf32>, %b: tensor<3x2xf32>) -> tensor<f32>
    attributes {ternary.gradient = {name = "linear_grads", wrt = array<i64: 0, 1>}} {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x2xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<4x2xf32>) -> tensor<4x2xf32>
  %c = linalg.matmul ins(%a, %b : tensor<4x3xf32>, tensor<3x2xf32>) outs(%z : tensor<4x2xf32>) -> tensor<4x2xf32>
  %s0 = tensor.empty() : tensor<f32>
  %s = linalg.fill ins(%zero : f32) outs(%s0 : tensor<f32>) -> tensor<f32>
  %sum = linalg.reduce ins(%c : tensor<4x2xf32>) outs(%s : tensor<f32>) dimensions = [0, 1]
    (%in: f32, %acc: f32) {
      %t = arith.addf %acc, %in : f32
      linalg.yield %t : f32
    }
  return %sum : tensor<f32>
}

// -----

// A value used twice has its adjoints summed; an argument the loss does not
// depend on gets zeros; a function without a request is left alone.

// CHECK-LABEL: func.func @untouched(
// CHECK-NEXT: return
// CHECK-LABEL: func.func @square_grads(
// CHECK: arith.constant dense<1.000000e+00>
// CHECK: %[[D1:.*]] = linalg.generic
// CHECK: %[[D2:.*]] = linalg.generic
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} ins(%[[D1]], %[[D2]] :
// CHECK: arith.addf
// CHECK: %[[ZERO:.*]] = linalg.fill
// CHECK: return %{{.*}}, %[[SUM]], %[[ZERO]] : tensor<f32>, tensor<3xf32>, tensor<2xf32>
func.func @untouched(%x: tensor<3xf32>) -> tensor<3xf32> {
  return %x : tensor<3xf32>
}
func.func @square(%x: tensor<3xf32>, %unused: tensor<2xf32>) -> tensor<f32>
    attributes {ternary.gradient = {name = "square_grads", wrt = array<i64: 0, 1>}} {
  %zero = arith.constant 0.0 : f32
  %s0 = tensor.empty() : tensor<f32>
  %s = linalg.fill ins(%zero : f32) outs(%s0 : tensor<f32>) -> tensor<f32>
  %sum = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> ()>], iterator_types = ["reduction"]}
      ins(%x, %x : tensor<3xf32>, tensor<3xf32>) outs(%s : tensor<f32>) {
    ^bb0(%p: f32, %q: f32, %acc: f32):
      %m = arith.mulf %p, %q : f32
      %t = arith.addf %acc, %m : f32
      linalg.yield %t : f32
  } -> tensor<f32>
  return %sum : tensor<f32>
}

// -----

// layer_affine: the STE gradient also returns dgamma and dbeta.

// CHECK-LABEL: func.func @affine_grads(
// CHECK: %{{.*}}, %[[DW:.*]], %{{.*}}, %[[DAFF:.*]]:2 = ternary.bitlinear_grad %{{.*}}, %{{.*}}, %{{.*}} affine(%{{.*}}, %{{.*}}) {norm = #ternary.norm<layer_affine>, q = 127 : i32, scale = #ternary.scale<absmean>}
// CHECK: return %{{.*}}, %[[DW]], %[[DAFF]]#0, %[[DAFF]]#1
func.func @affine(%x: tensor<2x8xf32>, %w: tensor<4x8xf32>, %g: tensor<8xf32>, %b: tensor<8xf32>, %labels: tensor<2xi64>) -> tensor<f32>
    attributes {ternary.gradient = {name = "affine_grads", wrt = array<i64: 1, 2, 3>}} {
  %y = ternary.bitlinear %x, %w affine(%g, %b) {norm = #ternary.norm<layer_affine>, q = 127 : i32, scale = #ternary.scale<absmean>} : (tensor<2x8xf32>, tensor<4x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<2x4xf32>
  %l = ternary.cross_entropy %y, %labels : (tensor<2x4xf32>, tensor<2xi64>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// ternarize's gradient is the straight-through estimator: the table's
// gradient is the lookup's, unchanged.
// CHECK-LABEL: func.func @ternary_table_grads(
// CHECK: %[[DT:.*]] = ternary.embedding_grad
// CHECK-NOT: ternary.ternarize
// CHECK: return %{{.*}}, %[[DT]]
func.func @ternary_table(%table: tensor<5x8xf32>, %ids: tensor<2xi64>, %w: tensor<3x8xf32>, %labels: tensor<2xi64>) -> tensor<f32>
    attributes {ternary.gradient = {name = "ternary_table_grads", wrt = array<i64: 0>}} {
  %t = ternary.ternarize %table : tensor<5x8xf32>
  %x = ternary.embedding %t, %ids : (tensor<5x8xf32>, tensor<2xi64>) -> tensor<2x8xf32>
  %y = ternary.bitlinear %x, %w : (tensor<2x8xf32>, tensor<3x8xf32>) -> tensor<2x3xf32>
  %l = ternary.cross_entropy %y, %labels : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// Quantisation warm-up: the gradient op carries lambda.
// CHECK-LABEL: func.func @warmup_grads(
// CHECK: ternary.bitlinear_grad %{{.*}}, %{{.*}}, %{{.*}} {lambda = 2.500000e-01 : f32}
func.func @warmup(%x: tensor<2x8xf32>, %w: tensor<4x8xf32>, %labels: tensor<2xi64>) -> tensor<f32>
    attributes {ternary.gradient = {name = "warmup_grads", wrt = array<i64: 1>}} {
  %y = ternary.bitlinear %x, %w {lambda = 0.25 : f32} : (tensor<2x8xf32>, tensor<4x8xf32>) -> tensor<2x4xf32>
  %l = ternary.cross_entropy %y, %labels : (tensor<2x4xf32>, tensor<2xi64>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// Calls are inlined into the derived function (the callee stays).
// CHECK-LABEL: func.func private @layer(
// CHECK-LABEL: func.func @call_grads(
// CHECK-NOT: call @layer
// CHECK: ternary.cross_entropy_grad
// CHECK: ternary.bitlinear_grad
func.func private @layer(%x: tensor<2x8xf32>, %w: tensor<4x8xf32>) -> tensor<2x4xf32> {
  %y = ternary.bitlinear %x, %w : (tensor<2x8xf32>, tensor<4x8xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}
func.func @call(%x: tensor<2x8xf32>, %w: tensor<4x8xf32>, %labels: tensor<2xi64>) -> tensor<f32>
    attributes {ternary.gradient = {name = "call_grads", wrt = array<i64: 1>}} {
  %y = func.call @layer(%x, %w) : (tensor<2x8xf32>, tensor<4x8xf32>) -> tensor<2x4xf32>
  %l = ternary.cross_entropy %y, %labels : (tensor<2x4xf32>, tensor<2xi64>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// A 2x2 max-pool (stride 2): the input's gradient is scattered through the
// window map; the loops that alone index a dimension of the input (batch,
// channel) stay parallel (different iterations write different elements),
// the others are reductions. Only the terms equal to the maximum get it.
// CHECK-LABEL: func.func @pool_grads(
// CHECK: %[[MAX:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction", "reduction", "reduction", "reduction"]
// CHECK-SAME: outs(%{{.*}} : tensor<2x3x4x4xf32>)
// CHECK: arith.cmpf oeq
// CHECK: arith.select
func.func @pool(%x: tensor<2x3x4x4xf32>) -> tensor<f32>
    attributes {ternary.gradient = {name = "pool_grads", wrt = array<i64: 0>}} {
  %ninf = arith.constant -3.4e38 : f32
  %zero = arith.constant 0.0 : f32
  %win = tensor.empty() : tensor<2x2xf32>
  %e = tensor.empty() : tensor<2x3x2x2xf32>
  %mi = linalg.fill ins(%ninf : f32) outs(%e : tensor<2x3x2x2xf32>) -> tensor<2x3x2x2xf32>
  %p = linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%x, %win : tensor<2x3x4x4xf32>, tensor<2x2xf32>) outs(%mi : tensor<2x3x2x2xf32>) -> tensor<2x3x2x2xf32>
  %s0 = tensor.empty() : tensor<f32>
  %s = linalg.fill ins(%zero : f32) outs(%s0 : tensor<f32>) -> tensor<f32>
  %sum = linalg.reduce ins(%p : tensor<2x3x2x2xf32>) outs(%s : tensor<f32>) dimensions = [0, 1, 2, 3]
    (%in: f32, %acc: f32) {
      %t = arith.addf %acc, %in : f32
      linalg.yield %t : f32
    }
  return %sum : tensor<f32>
}
