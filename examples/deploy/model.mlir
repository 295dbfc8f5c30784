// The model compiled ahead of time by examples/deploy (see README.md there).
//
// @bitlinear: BitNet b1.58's inference form (absmean, no normalisation),
//   latent f32 weights as an argument.
// @bitlinear_packed: the same layer with weights already quantised and
//   packed (2 bits a weight, the packed ABI): the program packs ternary
//   weights with ternary_pack() and passes the weight scale g.
func.func @bitlinear(%x: tensor<?x?xf32>, %w: tensor<?x?xf32>,
                     %b: tensor<?xf32>) -> tensor<?x?xf32> {
  %y = ternary.bitlinear %x, %w bias %b
      {norm = #ternary.norm<none>, scale = #ternary.scale<absmean>}
      : (tensor<?x?xf32>, tensor<?x?xf32>, tensor<?xf32>) -> tensor<?x?xf32>
  return %y : tensor<?x?xf32>
}

func.func @bitlinear_packed(%x: tensor<?x?xf32>,
                            %w: !ternary.packed<?x?, i2>, %g: f32,
                            %b: tensor<?xf32>) -> tensor<?x?xf32> {
  %xq, %a = ternary.quantize_activations %x
      : tensor<?x?xf32> -> tensor<?x?xi8>, tensor<?xf32>
  %acc = ternary.matmul %xq, %w
      : tensor<?x?xi8>, !ternary.packed<?x?, i2> -> tensor<?x?xi32>
  %y = ternary.rescale %acc, %a, %g bias %b
      : tensor<?x?xi32>, tensor<?xf32>, tensor<?xf32> -> tensor<?x?xf32>
  return %y : tensor<?x?xf32>
}
