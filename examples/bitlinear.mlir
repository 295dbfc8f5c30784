// One BitLinear layer with the defaults of the 1.58-bit papers' authors:
// absmedian weight scale, LayerNorm without parameters, Q = 128 (8-bit
// activations), bias added before the rescale.
//
//   build/bin/ternary-opt examples/bitlinear.mlir
func.func @bitlinear(%x: tensor<?x?xf32>, %w: tensor<?x?xf32>,
                     %b: tensor<?xf32>) -> tensor<?x?xf32> {
  %y = ternary.bitlinear %x, %w bias %b
      : (tensor<?x?xf32>, tensor<?x?xf32>, tensor<?xf32>) -> tensor<?x?xf32>
  return %y : tensor<?x?xf32>
}
