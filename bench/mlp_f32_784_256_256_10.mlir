// The 32-bit twin of bench/mlp_784_256_256_10.mlir (the papers' baseline):
// the same 784-256-256-10 MLP with plain linear layers (y = x W^T + b, no
// quantisation), ReLU, mean cross-entropy, AdamW (lr 1e-3, weight decay
// 0.01). bench/train-bench.cpp times @train_step at batch 64;
// bench/torch_train_step.py times the same step (torch.nn.Linear).
#xw = affine_map<(m, n, k) -> (m, k)>
#ww = affine_map<(m, n, k) -> (n, k)>
#yw = affine_map<(m, n, k) -> (m, n)>
#mn = affine_map<(m, n) -> (m, n)>
#n = affine_map<(m, n) -> (n)>
func.func @loss(%x: tensor<?x784xf32>, %labels: tensor<?xi64>,
                %w1: tensor<256x784xf32>, %b1: tensor<256xf32>,
                %w2: tensor<256x256xf32>, %b2: tensor<256xf32>,
                %w3: tensor<10x256xf32>, %b3: tensor<10xf32>) -> tensor<f32>
    attributes {ternary.train_step = #ternary.train_step<name = "train_step",
        params = array<i64: 2, 3, 4, 5, 6, 7>, optimizer = adamw,
        lr = 1.0e-3, weight_decay = 0.01, eval = "eval_step">} {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %batch = tensor.dim %x, %c0 : tensor<?x784xf32>
  %e0 = tensor.empty(%batch) : tensor<?x256xf32>
  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<?x256xf32>) -> tensor<?x256xf32>
  %p0 = linalg.generic {indexing_maps = [#xw, #ww, #yw], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w1 : tensor<?x784xf32>, tensor<256x784xf32>) outs(%z0 : tensor<?x256xf32>) {
    ^bb0(%a: f32, %q: f32, %acc: f32):
      %t = arith.mulf %a, %q : f32
      %s = arith.addf %acc, %t : f32
      linalg.yield %s : f32
  } -> tensor<?x256xf32>
  %h0 = linalg.generic {indexing_maps = [#mn, #n, #mn], iterator_types = ["parallel", "parallel"]}
      ins(%p0, %b1 : tensor<?x256xf32>, tensor<256xf32>) outs(%e0 : tensor<?x256xf32>) {
    ^bb0(%v: f32, %bias: f32, %unused: f32):
      %s = arith.addf %v, %bias : f32
      %r = arith.maximumf %s, %zero : f32
      linalg.yield %r : f32
  } -> tensor<?x256xf32>
  %e1 = tensor.empty(%batch) : tensor<?x256xf32>
  %z1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<?x256xf32>) -> tensor<?x256xf32>
  %p1 = linalg.generic {indexing_maps = [#xw, #ww, #yw], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%h0, %w2 : tensor<?x256xf32>, tensor<256x256xf32>) outs(%z1 : tensor<?x256xf32>) {
    ^bb0(%a: f32, %q: f32, %acc: f32):
      %t = arith.mulf %a, %q : f32
      %s = arith.addf %acc, %t : f32
      linalg.yield %s : f32
  } -> tensor<?x256xf32>
  %h1 = linalg.generic {indexing_maps = [#mn, #n, #mn], iterator_types = ["parallel", "parallel"]}
      ins(%p1, %b2 : tensor<?x256xf32>, tensor<256xf32>) outs(%e1 : tensor<?x256xf32>) {
    ^bb0(%v: f32, %bias: f32, %unused: f32):
      %s = arith.addf %v, %bias : f32
      %r = arith.maximumf %s, %zero : f32
      linalg.yield %r : f32
  } -> tensor<?x256xf32>
  %e2 = tensor.empty(%batch) : tensor<?x10xf32>
  %z2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<?x10xf32>) -> tensor<?x10xf32>
  %p2 = linalg.generic {indexing_maps = [#xw, #ww, #yw], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%h1, %w3 : tensor<?x256xf32>, tensor<10x256xf32>) outs(%z2 : tensor<?x10xf32>) {
    ^bb0(%a: f32, %q: f32, %acc: f32):
      %t = arith.mulf %a, %q : f32
      %s = arith.addf %acc, %t : f32
      linalg.yield %s : f32
  } -> tensor<?x10xf32>
  %h2 = linalg.generic {indexing_maps = [#mn, #n, #mn], iterator_types = ["parallel", "parallel"]}
      ins(%p2, %b3 : tensor<?x10xf32>, tensor<10xf32>) outs(%e2 : tensor<?x10xf32>) {
    ^bb0(%v: f32, %bias: f32, %unused: f32):
      %s = arith.addf %v, %bias : f32
      linalg.yield %s : f32
  } -> tensor<?x10xf32>
  %loss = ternary.cross_entropy %h2, %labels
      : (tensor<?x10xf32>, tensor<?xi64>) -> tensor<f32>
  return %loss : tensor<f32>
}
