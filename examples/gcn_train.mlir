// A 2-layer GCN with BitLinear layers (the papers' node-classification
// model: hidden size 32, authors' defaults absmedian + LayerNorm, AdamW lr
// 0.01), full batch over a graph in CSR form (the normalised adjacency
// D^-1/2 (A + I) D^-1/2):
//
//   logits = A . BitLinear(dropout(relu(A . BitLinear(x, w1, b1))), w2, b2)
//
// and the mean cross-entropy over the labelled nodes (-100 elsewhere).
// @accuracy is the fraction of labelled nodes whose largest logit is their
// class. With Cora (scripts/prepare_cora.py writes the arrays):
//
//   build/bin/ternary-train examples/gcn_train.mlir --full-batch --epochs=100 \
//     --input=@features.npy --input=@adj_indptr.npy --input=@adj_indices.npy \
//     --input=@adj_values.npy --input=@train_labels.npy \
//     --val-input=@features.npy --val-input=@adj_indptr.npy \
//     --val-input=@adj_indices.npy --val-input=@adj_values.npy \
//     --val-input=@test_labels.npy --metric=accuracy
func.func @loss(%x: tensor<?x1433xf32>, %indptr: tensor<?xi64>,
                %indices: tensor<?xi64>, %values: tensor<?xf32>,
                %labels: tensor<?xi64>, %seed: tensor<i64> {ternary.seed},
                %w1: tensor<32x1433xf32> {ternary.name = "w1"},
                %b1: tensor<32xf32> {ternary.name = "b1"},
                %w2: tensor<7x32xf32> {ternary.name = "w2"},
                %b2: tensor<7xf32> {ternary.name = "b2"}) -> tensor<f32>
    attributes {ternary.train_step = #ternary.train_step<name = "train_step",
                                      params = array<i64: 6, 7, 8, 9>,
                                      optimizer = adamw, lr = 0.01,
                                      weight_decay = 5.0e-4,
                                      eval = "eval_step">} {
  %c0 = arith.constant 0 : index
  %s = tensor.extract %seed[] : tensor<i64>
  %h = ternary.bitlinear %x, %w1 bias %b1
      : (tensor<?x1433xf32>, tensor<32x1433xf32>, tensor<32xf32>) -> tensor<?x32xf32>
  %a = ternary.spmm %indptr, %indices, %values, %h
      : (tensor<?xi64>, tensor<?xi64>, tensor<?xf32>, tensor<?x32xf32>) -> tensor<?x32xf32>
  %n = tensor.dim %a, %c0 : tensor<?x32xf32>
  %e = tensor.empty(%n) : tensor<?x32xf32>
  %r = linalg.map ins(%a : tensor<?x32xf32>) outs(%e : tensor<?x32xf32>)
    (%v: f32, %unused: f32) {
      %zero = arith.constant 0.0 : f32
      %relu = arith.maximumf %v, %zero : f32
      linalg.yield %relu : f32
    }
  %d = ternary.dropout %r, %s {p = 0.5} : tensor<?x32xf32>
  %h2 = ternary.bitlinear %d, %w2 bias %b2
      : (tensor<?x32xf32>, tensor<7x32xf32>, tensor<7xf32>) -> tensor<?x7xf32>
  %logits = ternary.spmm %indptr, %indices, %values, %h2
      : (tensor<?xi64>, tensor<?xi64>, tensor<?xf32>, tensor<?x7xf32>) -> tensor<?x7xf32>
  %l = ternary.cross_entropy %logits, %labels
      : (tensor<?x7xf32>, tensor<?xi64>) -> tensor<f32>
  return %l : tensor<f32>
}

// The fraction of labelled nodes (label != -100) whose largest logit is
// their class; the same layers without dropout (evaluation).
func.func @accuracy(%x: tensor<?x1433xf32>, %indptr: tensor<?xi64>,
                    %indices: tensor<?xi64>, %values: tensor<?xf32>,
                    %labels: tensor<?xi64>, %seed: tensor<i64>,
                    %w1: tensor<32x1433xf32>, %b1: tensor<32xf32>,
                    %w2: tensor<7x32xf32>, %b2: tensor<7xf32>) -> tensor<f32> {
  %c0 = arith.constant 0 : index
  %h = ternary.bitlinear %x, %w1 bias %b1
      : (tensor<?x1433xf32>, tensor<32x1433xf32>, tensor<32xf32>) -> tensor<?x32xf32>
  %a = ternary.spmm %indptr, %indices, %values, %h
      : (tensor<?xi64>, tensor<?xi64>, tensor<?xf32>, tensor<?x32xf32>) -> tensor<?x32xf32>
  %n = tensor.dim %a, %c0 : tensor<?x32xf32>
  %e = tensor.empty(%n) : tensor<?x32xf32>
  %r = linalg.map ins(%a : tensor<?x32xf32>) outs(%e : tensor<?x32xf32>)
    (%v: f32, %unused: f32) {
      %zero = arith.constant 0.0 : f32
      %relu = arith.maximumf %v, %zero : f32
      linalg.yield %relu : f32
    }
  %h2 = ternary.bitlinear %r, %w2 bias %b2
      : (tensor<?x32xf32>, tensor<7x32xf32>, tensor<7xf32>) -> tensor<?x7xf32>
  %logits = ternary.spmm %indptr, %indices, %values, %h2
      : (tensor<?xi64>, tensor<?xi64>, tensor<?xf32>, tensor<?x7xf32>) -> tensor<?x7xf32>
  // Row maxima, then per row: 1 when the label's logit reaches the maximum.
  %ninf = arith.constant -3.4e38 : f32
  %em = tensor.empty(%n) : tensor<?xf32>
  %fm = linalg.fill ins(%ninf : f32) outs(%em : tensor<?xf32>) -> tensor<?xf32>
  %max = linalg.reduce ins(%logits : tensor<?x7xf32>) outs(%fm : tensor<?xf32>) dimensions = [1]
    (%v: f32, %acc: f32) {
      %m = arith.maximumf %acc, %v : f32
      linalg.yield %m : f32
    }
  %zero = arith.constant 0.0 : f32
  %e2 = tensor.empty() : tensor<2xf32>
  %counts0 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<2xf32>) -> tensor<2xf32>
  // counts[0]: correct, counts[1]: labelled.
  %counts = linalg.generic {indexing_maps = [affine_map<(r, k) -> (r)>, affine_map<(r, k) -> (r)>, affine_map<(r, k) -> (k)>],
                            iterator_types = ["reduction", "parallel"]}
      ins(%labels, %max : tensor<?xi64>, tensor<?xf32>) outs(%counts0 : tensor<2xf32>) {
    ^bb0(%label: i64, %m: f32, %acc: f32):
      %row = linalg.index 0 : index
      %k = linalg.index 1 : index
      %ignore = arith.constant -100 : i64
      %zero64 = arith.constant 0 : i64
      %kept = arith.cmpi ne, %label, %ignore : i64
      %safe = arith.select %kept, %label, %zero64 : i64
      %col = arith.index_cast %safe : i64 to index
      %z = tensor.extract %logits[%row, %col] : tensor<?x7xf32>
      %hit = arith.cmpf oge, %z, %m : f32
      %c0i = arith.constant 0 : index
      %first = arith.cmpi eq, %k, %c0i : index
      %counted = arith.select %first, %hit, %kept : i1
      %both = arith.andi %counted, %kept : i1
      %one = arith.uitofp %both : i1 to f32
      %sum = arith.addf %acc, %one : f32
      linalg.yield %sum : f32
  } -> tensor<2xf32>
  %c1 = arith.constant 1 : index
  %correct = tensor.extract %counts[%c0] : tensor<2xf32>
  %total = tensor.extract %counts[%c1] : tensor<2xf32>
  %accuracy = arith.divf %correct, %total : f32
  %result = tensor.from_elements %accuracy : tensor<f32>
  return %result : tensor<f32>
}
