// BitNet b1.58's inference form: absmean weight scale and no normalisation
// inside the layer (the input arrives already normalised), Q = 128.
//
//   build/bin/ternary-opt examples/bitlinear_absmean.mlir
func.func @bitlinear(%x: tensor<?x?xf32>, %w: tensor<?x?xf32>,
                     %b: tensor<?xf32>) -> tensor<?x?xf32> {
  %y = ternary.bitlinear %x, %w bias %b
      {norm = #ternary.norm<none>, scale = #ternary.scale<absmean>}
      : (tensor<?x?xf32>, tensor<?x?xf32>, tensor<?xf32>) -> tensor<?x?xf32>
  return %y : tensor<?x?xf32>
}
