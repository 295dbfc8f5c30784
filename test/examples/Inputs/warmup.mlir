// The layer of test/examples/warmup.test (an input, not a test).
func.func @forward(%x: tensor<?x?xf32>, %w: tensor<?x?xf32>, %b: tensor<?xf32>) -> tensor<?x?xf32> {
  %y = ternary.bitlinear %x, %w bias %b {lambda = 0.5 : f32}
      : (tensor<?x?xf32>, tensor<?x?xf32>, tensor<?xf32>) -> tensor<?x?xf32>
  return %y : tensor<?x?xf32>
}

func.func @loss(%x: tensor<?x?xf32>, %w: tensor<?x?xf32>, %b: tensor<?xf32>, %dy: tensor<?x?xf32>) -> tensor<f32>
    attributes {ternary.gradient = {name = "grads", wrt = array<i64: 0, 1, 2>}} {
  %y = ternary.bitlinear %x, %w bias %b {lambda = 0.5 : f32}
      : (tensor<?x?xf32>, tensor<?x?xf32>, tensor<?xf32>) -> tensor<?x?xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<f32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<f32>) -> tensor<f32>
  %l = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> ()>], iterator_types = ["reduction", "reduction"]} ins(%y, %dy : tensor<?x?xf32>, tensor<?x?xf32>) outs(%z : tensor<f32>) {
  ^bb0(%a: f32, %d: f32, %acc: f32):
    %m = arith.mulf %a, %d : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<f32>
  return %l : tensor<f32>
}
