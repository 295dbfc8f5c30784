// RUN: ternary-opt %s --ternary-autodiff -split-input-file -verify-diagnostics

// expected-error @+1 {{'func.func' op 'ternary.gradient' must be {name = "NAME", wrt = array<i64: ...>}}}
func.func @bad_request(%x: tensor<3xf32>) -> tensor<f32> attributes {ternary.gradient = {name = "g"}} {
  %c = arith.constant dense<0.0> : tensor<f32>
  return %c : tensor<f32>
}

// -----

// expected-error @+1 {{'func.func' op ternary-autodiff: argument #2 to differentiate does not exist (the function has 1 arguments)}}
func.func @no_such_argument(%x: tensor<3xf32>) -> tensor<f32> attributes {ternary.gradient = {name = "g", wrt = array<i64: 2>}} {
  %c = arith.constant dense<0.0> : tensor<f32>
  return %c : tensor<f32>
}

// -----

// expected-error @+1 {{'func.func' op ternary-autodiff: argument #0 must be a float tensor to be differentiated, got 'tensor<3xi64>'}}
func.func @integer_argument(%x: tensor<3xi64>) -> tensor<f32> attributes {ternary.gradient = {name = "g", wrt = array<i64: 0>}} {
  %c = arith.constant dense<0.0> : tensor<f32>
  return %c : tensor<f32>
}

// -----

// expected-error @+1 {{'func.func' op ternary-autodiff needs a function returning one scalar loss, got 2 results}}
func.func @two_results(%x: tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>) attributes {ternary.gradient = {name = "g", wrt = array<i64: 0>}} {
  return %x, %x : tensor<3xf32>, tensor<3xf32>
}

// -----

// expected-error @+1 {{'func.func' op ternary-autodiff needs the loss as f32 or tensor<f32>, got 'tensor<3xf32>'}}
func.func @not_scalar(%x: tensor<3xf32>) -> tensor<3xf32> attributes {ternary.gradient = {name = "g", wrt = array<i64: 0>}} {
  return %x : tensor<3xf32>
}

// -----

// expected-error @+1 {{'func.func' op ternary-autodiff: the gradient function 'taken' already exists}}
func.func @name_taken(%x: tensor<3xf32>) -> tensor<f32> attributes {ternary.gradient = {name = "taken", wrt = array<i64: 0>}} {
  %c = arith.constant dense<0.0> : tensor<f32>
  return %c : tensor<f32>
}
func.func @taken() {
  return
}

// -----

func.func @rank3(%x: tensor<2x3x8xf32>, %w: tensor<4x8xf32>, %labels: tensor<6xi64>) -> tensor<f32> attributes {ternary.gradient = {name = "g", wrt = array<i64: 1>}} {
  // expected-error @+1 {{'ternary.bitlinear' op ternary-autodiff differentiates 2-D inputs ([M, K]) only, got rank 3}}
  %y = ternary.bitlinear %x, %w : (tensor<2x3x8xf32>, tensor<4x8xf32>) -> tensor<2x3x4xf32>
  %f = tensor.collapse_shape %y [[0, 1], [2]] : tensor<2x3x4xf32> into tensor<6x4xf32>
  %l = ternary.cross_entropy %f, %labels : (tensor<6x4xf32>, tensor<6xi64>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

func.func private @helper(tensor<2x4xf32>) -> tensor<2x4xf32>
func.func @call(%x: tensor<2x4xf32>, %labels: tensor<2xi64>) -> tensor<f32> attributes {ternary.gradient = {name = "g", wrt = array<i64: 0>}} {
  // expected-error @+1 {{'func.call' op cannot be differentiated: the callee has no body}}
  %y = func.call @helper(%x) : (tensor<2x4xf32>) -> tensor<2x4xf32>
  %l = ternary.cross_entropy %y, %labels : (tensor<2x4xf32>, tensor<2xi64>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

func.func @no_rule(%x: tensor<4xf32>) -> tensor<f32> attributes {ternary.gradient = {name = "g", wrt = array<i64: 0>}} {
  %c0 = arith.constant 0 : index
  // expected-error @+1 {{'tensor.extract_slice' op has no derivative rule in ternary-autodiff}}
  %s = tensor.extract_slice %x[0] [1] [1] : tensor<4xf32> to tensor<1xf32>
  %r = tensor.collapse_shape %s [] : tensor<1xf32> into tensor<f32>
  return %r : tensor<f32>
}

// -----

#id = affine_map<(d0) -> (d0)>
#scalar = affine_map<(d0) -> ()>
func.func @product_reduction(%x: tensor<4xf32>, %init: tensor<f32>) -> tensor<f32> attributes {ternary.gradient = {name = "g", wrt = array<i64: 0>}} {
  // expected-error @+1 {{'linalg.generic' op ternary-autodiff differentiates reductions that are sums (yield %out + ...) or maxima (yield max(%out, ...)) only}}
  %m = linalg.generic {indexing_maps = [#id, #scalar], iterator_types = ["reduction"]} ins(%x : tensor<4xf32>) outs(%init : tensor<f32>) {
    ^bb0(%a: f32, %acc: f32):
      %t = arith.mulf %acc, %a : f32
      linalg.yield %t : f32
  } -> tensor<f32>
  return %m : tensor<f32>
}

// -----

#id = affine_map<(d0) -> (d0)>
#scalar = affine_map<(d0) -> ()>
func.func @no_scalar_rule(%x: tensor<4xf32>, %init: tensor<f32>) -> tensor<f32> attributes {ternary.gradient = {name = "g", wrt = array<i64: 0>}} {
  %m = linalg.generic {indexing_maps = [#id, #scalar], iterator_types = ["reduction"]} ins(%x : tensor<4xf32>) outs(%init : tensor<f32>) {
    ^bb0(%a: f32, %acc: f32):
      // expected-error @+1 {{'math.sin' op has no derivative rule in ternary-autodiff (inside a linalg.generic body)}}
      %s = math.sin %a : f32
      %t = arith.addf %acc, %s : f32
      linalg.yield %t : f32
  } -> tensor<f32>
  return %m : tensor<f32>
}

// -----

#id = affine_map<(d0) -> (d0)>
#scalar = affine_map<(d0) -> ()>
func.func @captured(%x: tensor<4xf32>, %t: tensor<4xf32>, %init: tensor<f32>) -> tensor<f32> attributes {ternary.gradient = {name = "g", wrt = array<i64: 0, 1>}} {
  %m = linalg.generic {indexing_maps = [#id, #scalar], iterator_types = ["reduction"]} ins(%x : tensor<4xf32>) outs(%init : tensor<f32>) {
    ^bb0(%a: f32, %acc: f32):
      %i = linalg.index 0 : index
      // expected-error @+1 {{'tensor.extract' op reads a float value from outside its linalg.generic: ternary-autodiff needs it as an input of the generic}}
      %b = tensor.extract %t[%i] : tensor<4xf32>
      %p = arith.mulf %a, %b : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
  } -> tensor<f32>
  return %m : tensor<f32>
}
