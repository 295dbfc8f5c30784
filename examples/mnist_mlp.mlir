// MNIST with a 784-256-256-10 BitLinear MLP (authors' defaults: absmedian,
// LayerNorm, Q = 128), ReLU, AdamW (lr 1e-3, weight decay 0.01, cosine
// schedule over one epoch of batch 64), PyTorch's initialisation:
//
//   scripts/fetch_mnist.sh                      # build/data/mnist/*.npy
//   build/bin/ternary-train examples/mnist_mlp.mlir --batch-size=64 --epochs=1 \
//     --input=@build/data/mnist/train_x.npy --input=@build/data/mnist/train_labels.npy \
//     --val-input=@build/data/mnist/test_x.npy --val-input=@build/data/mnist/test_labels.npy \
//     --metric=accuracy --export=mnist.mlir --export-function=predict
func.func @loss(%x: tensor<?x784xf32>, %labels: tensor<?xi64>,
                %w1: tensor<256x784xf32> {ternary.name = "w1"},
                %b1: tensor<256xf32> {ternary.name = "b1"},
                %w2: tensor<256x256xf32> {ternary.name = "w2"},
                %b2: tensor<256xf32> {ternary.name = "b2"},
                %w3: tensor<10x256xf32> {ternary.name = "w3"},
                %b3: tensor<10xf32> {ternary.name = "b3"}) -> tensor<f32>
    attributes {ternary.train_step = #ternary.train_step<name = "train_step",
        params = array<i64: 2, 3, 4, 5, 6, 7>, optimizer = adamw,
        lr = 1.0e-3, weight_decay = 0.01,
        schedule = cosine, warmup_steps = 50,
        total_steps = 938, min_lr = 1.0e-5, eval = "eval_step">} {
  %logits = func.call @predict(%x, %w1, %b1, %w2, %b2, %w3, %b3)
      : (tensor<?x784xf32>, tensor<256x784xf32>, tensor<256xf32>,
         tensor<256x256xf32>, tensor<256xf32>, tensor<10x256xf32>,
         tensor<10xf32>) -> tensor<?x10xf32>
  %loss = ternary.cross_entropy %logits, %labels
      : (tensor<?x10xf32>, tensor<?xi64>) -> tensor<f32>
  return %loss : tensor<f32>
}

// The logits (inference; `--export` binds its parameters).
func.func @predict(%x: tensor<?x784xf32>,
                   %w1: tensor<256x784xf32>, %b1: tensor<256xf32>,
                   %w2: tensor<256x256xf32>, %b2: tensor<256xf32>,
                   %w3: tensor<10x256xf32>, %b3: tensor<10xf32>) -> tensor<?x10xf32> {
  %h1 = ternary.bitlinear %x, %w1 bias %b1
      : (tensor<?x784xf32>, tensor<256x784xf32>, tensor<256xf32>) -> tensor<?x256xf32>
  %r1 = func.call @relu(%h1) : (tensor<?x256xf32>) -> tensor<?x256xf32>
  %h2 = ternary.bitlinear %r1, %w2 bias %b2
      : (tensor<?x256xf32>, tensor<256x256xf32>, tensor<256xf32>) -> tensor<?x256xf32>
  %r2 = func.call @relu(%h2) : (tensor<?x256xf32>) -> tensor<?x256xf32>
  %logits = ternary.bitlinear %r2, %w3 bias %b3
      : (tensor<?x256xf32>, tensor<10x256xf32>, tensor<10xf32>) -> tensor<?x10xf32>
  return %logits : tensor<?x10xf32>
}

func.func private @relu(%h: tensor<?x256xf32>) -> tensor<?x256xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %h, %c0 : tensor<?x256xf32>
  %e = tensor.empty(%n) : tensor<?x256xf32>
  %r = linalg.map ins(%h : tensor<?x256xf32>) outs(%e : tensor<?x256xf32>)
    (%v: f32, %unused: f32) {
      %zero = arith.constant 0.0 : f32
      %m = arith.maximumf %v, %zero : f32
      linalg.yield %m : f32
    }
  return %r : tensor<?x256xf32>
}

// The fraction of the batch whose largest logit is the label.
func.func @accuracy(%x: tensor<?x784xf32>, %labels: tensor<?xi64>,
                    %w1: tensor<256x784xf32>, %b1: tensor<256xf32>,
                    %w2: tensor<256x256xf32>, %b2: tensor<256xf32>,
                    %w3: tensor<10x256xf32>, %b3: tensor<10xf32>) -> tensor<f32> {
  %logits = func.call @predict(%x, %w1, %b1, %w2, %b2, %w3, %b3)
      : (tensor<?x784xf32>, tensor<256x784xf32>, tensor<256xf32>,
         tensor<256x256xf32>, tensor<256xf32>, tensor<10x256xf32>,
         tensor<10xf32>) -> tensor<?x10xf32>
  %c0 = arith.constant 0 : index
  %n = tensor.dim %logits, %c0 : tensor<?x10xf32>
  %ninf = arith.constant -3.4e38 : f32
  %em = tensor.empty(%n) : tensor<?xf32>
  %fm = linalg.fill ins(%ninf : f32) outs(%em : tensor<?xf32>) -> tensor<?xf32>
  %max = linalg.reduce ins(%logits : tensor<?x10xf32>) outs(%fm : tensor<?xf32>) dimensions = [1]
    (%v: f32, %acc: f32) {
      %m = arith.maximumf %acc, %v : f32
      linalg.yield %m : f32
    }
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<f32>
  %f0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<f32>) -> tensor<f32>
  %correct = linalg.generic {indexing_maps = [affine_map<(r) -> (r)>, affine_map<(r) -> (r)>, affine_map<(r) -> ()>],
                             iterator_types = ["reduction"]}
      ins(%labels, %max : tensor<?xi64>, tensor<?xf32>) outs(%f0 : tensor<f32>) {
    ^bb0(%label: i64, %m: f32, %acc: f32):
      %row = linalg.index 0 : index
      %col = arith.index_cast %label : i64 to index
      %z = tensor.extract %logits[%row, %col] : tensor<?x10xf32>
      %hit = arith.cmpf oge, %z, %m : f32
      %one = arith.uitofp %hit : i1 to f32
      %sum = arith.addf %acc, %one : f32
      linalg.yield %sum : f32
  } -> tensor<f32>
  %count = arith.index_cast %n : index to i64
  %countf = arith.sitofp %count : i64 to f32
  %c = tensor.extract %correct[] : tensor<f32>
  %a = arith.divf %c, %countf : f32
  %result = tensor.from_elements %a : tensor<f32>
  return %result : tensor<f32>
}
