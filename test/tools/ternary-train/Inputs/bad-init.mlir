// An unknown initialisation kind (input of init.mlir).
func.func @loss(%x: tensor<?x20xf32>, %labels: tensor<?xi64>,
                %w: tensor<4x20xf32> {ternary.name = "w", ternary.init = "xavier"}) -> tensor<f32>
    attributes {ternary.train_step = #ternary.train_step<name = "train_step", params = array<i64: 2>>} {
  %y = ternary.bitlinear %x, %w : (tensor<?x20xf32>, tensor<4x20xf32>) -> tensor<?x4xf32>
  %l = ternary.cross_entropy %y, %labels : (tensor<?x4xf32>, tensor<?xi64>) -> tensor<f32>
  return %l : tensor<f32>
}
