// PyTorch's default initialisation, by kind (`ternary.init`, or inferred:
// linear for 2-D, bias after a weight): nn.Linear's U(+-1/sqrt(fan_in)) for
// the weight and its bias (fan_in 20: bound 0.2236), N(0, 1) for an
// embedding, ones and zeros for a norm's gain and shift. --epochs=0 saves
// the initial values; @absmax reads them back.
// RUN: rm -rf %t && mkdir -p %t
// RUN: ternary-train %s --input=@%fixtures/training/mlp/x.npy --input=@%fixtures/training/mlp/labels.npy --epochs=0 --seed=3 --save-params=%t/p
// RUN: ternary-run %s --function=absmax --input=@%t/p/w1.npy | FileCheck %s --check-prefix=LINEAR
// RUN: ternary-run %s --function=absmax1 --input=@%t/p/b1.npy | FileCheck %s --check-prefix=BIAS
// RUN: ternary-run %s --function=absmax --input=@%t/p/emb.npy | FileCheck %s --check-prefix=NORMAL
// RUN: ternary-run %s --function=absmax1 --input=@%t/p/gain.npy | FileCheck %s --check-prefix=ONES
// RUN: ternary-run %s --function=absmax1 --input=@%t/p/shift.npy | FileCheck %s --check-prefix=ZEROS
// RUN: ternary-train %s --input=@%fixtures/training/mlp/x.npy --input=@%fixtures/training/mlp/labels.npy --epochs=0 --seed=3 --save-params=%t/q
// RUN: ternary-npy-compare %t/q/w1.npy %t/p/w1.npy --rtol=0
// RUN: not ternary-train %S/Inputs/bad-init.mlir --input=@%fixtures/training/mlp/x.npy --input=@%fixtures/training/mlp/labels.npy --epochs=0 2>&1 | FileCheck %s --check-prefix=BAD

// LINEAR: f32=0.2{{[0-2][0-9]*$}}
// BIAS: f32=0.{{(0|1|2[0-2])[0-9]*$}}
// NORMAL: f32={{[1-9]\.[0-9]+}}
// ONES: f32=1
// ZEROS: f32=0
// BAD: ternary-train: parameter 'w': unknown ternary.init 'xavier' (linear, conv, bias, embedding, ones, zeros)

func.func @loss(%x: tensor<?x20xf32>, %labels: tensor<?xi64>,
                %emb: tensor<12x20xf32> {ternary.name = "emb", ternary.init = "embedding"},
                %gain: tensor<20xf32> {ternary.name = "gain", ternary.init = "ones"},
                %shift: tensor<20xf32> {ternary.name = "shift", ternary.init = "zeros"},
                %w1: tensor<4x20xf32> {ternary.name = "w1"},
                %b1: tensor<4xf32> {ternary.name = "b1"}) -> tensor<f32>
    attributes {ternary.train_step = #ternary.train_step<name = "train_step",
                                      params = array<i64: 2, 3, 4, 5, 6>>} {
  %y = ternary.bitlinear %x, %w1 bias %b1 affine(%gain, %shift) {norm = #ternary.norm<layer_affine>}
      : (tensor<?x20xf32>, tensor<4x20xf32>, tensor<4xf32>, tensor<20xf32>, tensor<20xf32>) -> tensor<?x4xf32>
  %l = ternary.cross_entropy %y, %labels : (tensor<?x4xf32>, tensor<?xi64>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @absmax(%a: tensor<?x?xf32>) -> tensor<f32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<f32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<f32>) -> tensor<f32>
  %m = linalg.reduce ins(%a : tensor<?x?xf32>) outs(%f : tensor<f32>) dimensions = [0, 1]
    (%v: f32, %acc: f32) {
      %abs = math.absf %v : f32
      %mx = arith.maximumf %acc, %abs : f32
      linalg.yield %mx : f32
    }
  return %m : tensor<f32>
}

func.func @absmax1(%a: tensor<?xf32>) -> tensor<f32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<f32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<f32>) -> tensor<f32>
  %m = linalg.reduce ins(%a : tensor<?xf32>) outs(%f : tensor<f32>) dimensions = [0]
    (%v: f32, %acc: f32) {
      %abs = math.absf %v : f32
      %mx = arith.maximumf %acc, %abs : f32
      linalg.yield %mx : f32
    }
  return %m : tensor<f32>
}
