//===- Layers.h - The layers the architectures are built from ---*- C++ -*-===//
//
// Private to lib/Models: each method emits one layer on tensors whose first
// dimension is the (dynamic) batch or node count, as a user would write it
// in MLIR (linalg on tensors, ternary ops).
//
//===----------------------------------------------------------------------===//

#ifndef TERNARY_LIB_MODELS_LAYERS_H
#define TERNARY_LIB_MODELS_LAYERS_H

#include "ternary/Models/Models.h"

#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "llvm/ADT/SmallPtrSet.h"

namespace mlir {
namespace ternary {
namespace models {

namespace detail {
using utils::IteratorType;
constexpr IteratorType kPar = IteratorType::parallel;
constexpr IteratorType kRed = IteratorType::reduction;
constexpr int64_t kDyn = ShapedType::kDynamic;
/// The body of a contraction's linalg.generic: acc + a * b.
void multiplyAccumulate(OpBuilder &b, Location loc, ValueRange args);
/// An f32 constant (inside a linalg body, say).
Value f32(OpBuilder &b, Location loc, double v);
inline RankedTensorType tensorType(Value v) {
  return cast<RankedTensorType>(v.getType());
}
} // namespace detail

/// The parameters of a graph: its CSR adjacency.
struct Graph {
  Value indptr, indices, values;
};

class Layers {
public:
  Layers(ImplicitLocOpBuilder &b, const ModelConfig &config, bool training,
         Value seed)
      : b(b), config(config), training(training), seed(seed) {}

  /// `x . w^T + bias` for x [n, K], w [N, K]: a BitLinear layer at 1.58
  /// bits (the configured scale, normalisation and Q), a plain f32
  /// contraction at 32 bits or when `w` is one of the float weights.
  Value linear(Value x, Value w, Value bias);
  /// Weights whose layers stay 32-bit (`--float-layers`).
  void keepFloat(Value weight) {
    floatWeights.insert(weight.getAsOpaquePointer());
  }
  /// An embedding table as the model looks it up: its ternary values
  /// (ternary.ternarize with the configured scale) in a 1.58-bit model
  /// with ternary embeddings, the table itself otherwise.
  Value table(Value t);
  /// A 3x3 (any size) stride-1 convolution, NCHW x FCHW, plus bias [F]:
  /// 32-bit in both precisions, as the authors keep convolutions.
  Value conv(Value x, Value w, Value bias);
  /// x [R, D] plus `row` [D] on every row.
  Value addToRows(Value x, Value row);
  /// max(x, 0), element-wise.
  Value relu(Value x);
  /// 2x2 max-pooling with stride 2 over the last two dimensions.
  Value maxPool2(Value x);
  /// [n, d1, d2, ...] -> [n, d1 * d2 * ...].
  Value flatten(Value x);
  /// Dropout with probability p while training (each call its own stream
  /// of the step's seed); the identity otherwise or for p = 0.
  Value dropout(Value x, double p);
  /// The weighted sum of `table`'s rows of each example's `ids` [n, L]
  /// with `weights` [n, L] (a document's word frequencies: the mean of its
  /// word embeddings): [n, D], 32-bit.
  Value embeddingBag(Value table, Value ids, Value weights);
  /// A x (sparse adjacency times dense rows).
  Value propagate(const Graph &graph, Value x);
  /// The mean cross-entropy of logits [n, C] against labels [n] (-100:
  /// ignored).
  Value crossEntropy(Value logits, Value labels);
  /// The fraction of labelled rows (label >= 0) whose label's logit is the
  /// row's largest, as tensor<f32>.
  Value accuracy(Value logits, Value labels);

  // Transformer layers (TransformerLayers.cpp). Token rows are [N*T, D]:
  // the examples' positions one after the other.

  /// The rows of `table` [V, D] for `ids` [N, T] plus the learned
  /// `positions` [T, D] (none when null: rotary positions): [N*T, D],
  /// 32-bit.
  Value embedTokens(Value table, Value positions, Value ids);
  /// The rows of `table` for `ids` [B] plus row `position` (an index) of
  /// `positions` (none when null): [B, D], one decoding step of
  /// embedTokens.
  Value embedToken(Value table, Value positions, Value ids, Value position);
  /// LayerNorm (`rms` false: (x - mean) / sqrt(var + 1e-5) * gain + bias)
  /// or RMSNorm (x / sqrt(mean(x^2) + 1e-5) * gain; `bias` null) of every
  /// row of x [R, D], 32-bit.
  Value norm(Value x, Value gain, Value bias, bool rms);
  /// Multi-head self-attention of rows x [N*T, D] (examples of `context`
  /// positions, `batch` of them: an index value), `heads` heads, the Q, K,
  /// V and output projections through `linear` (no biases); `causal` masks
  /// the positions after each one, `keyMask` (i64 [N, T], 0: padding; null:
  /// none) the padding. With rotary positions (the config's), Q and K are
  /// rotated by their position first. K and V have `kvHeads` heads, each
  /// shared by heads / kvHeads query heads in a row (grouped-query
  /// attention; kvHeads = heads: multi-head attention).
  Value selfAttention(Value x, Value batch, int64_t context, int64_t heads,
                      int64_t kvHeads, Value wq, Value wk, Value wv, Value wo,
                      bool causal, Value keyMask = Value());
  /// Multi-head attention of query rows [N*Tq, D] over key and value rows
  /// [N*Tk, D] (cross-attention when they differ): selfAttention's
  /// computation with `queryLength` and `keyLength` positions; `rotary`
  /// rotates Q and K by their positions (self-attention only).
  Value attention(Value queries, Value keysValues, Value batch,
                  int64_t queryLength, int64_t keyLength, int64_t heads,
                  int64_t kvHeads, Value wq, Value wk, Value wv, Value wo,
                  bool causal, Value keyMask, bool rotary);
  /// One decoding step of the same attention for rows x [B, D] at
  /// `position` (an index): their keys and values are written into block
  /// `layer` of the caches [L, B, T, Dkv] (returned through `keys` and
  /// `values`; Dkv = D / heads * kvHeads), and each row attends to the
  /// positions up to its own.
  Value cachedSelfAttention(Value x, Value position, int64_t layer,
                            int64_t heads, int64_t kvHeads, Value wq, Value wk,
                            Value wv, Value wo, Value &keys, Value &values);
  /// Makes every later self-attention write its keys and values [N, T, Dkv]
  /// (keys rotated, as @decode stores them) into block 0, 1, ... of the
  /// caches [L, N, T, Dkv]: a prefill step's. `keys` and `values` are updated
  /// as blocks are written.
  void captureCaches(Value *keys, Value *values) {
    capturedKeys = keys;
    capturedValues = values;
    capturedBlocks = 0;
  }
  /// x [N, T, H, E] rotated by position (rotary embeddings, GPT-NeoX's
  /// pairing of e with e + E/2, base 10000): a contraction with constant
  /// rotation matrices [T, E, E], so that autodiff needs no new rule.
  Value rotate(Value x);
  /// x [B, H, E] rotated as position `position` (an index < `context`) is.
  Value rotateAt(Value x, Value position, int64_t context);
  /// GELU (erf form), element-wise.
  Value gelu(Value x);
  /// max(x, 0)^2, element-wise.
  Value reluSquared(Value x);
  /// a + b, element-wise.
  Value add(Value a, Value b);
  /// a * b, element-wise.
  Value multiply(Value a, Value b);
  /// SiLU: x / (1 + exp(-x)), element-wise.
  Value silu(Value x);
  /// [N, T, ...] -> [N*T, ...].
  Value flattenPositions(Value x);
  /// The size of `x`'s first dimension, as an index.
  Value batchOf(Value x);

private:
  /// tensor.empty of `type`, with the dynamic first size of `like`.
  Value empty(RankedTensorType type, Value like);
  /// The rotation matrices [context, E, E] of rotary positions.
  Value rotations(int64_t context, int64_t headWidth);
  Value zeros(RankedTensorType type, Value like);
  Value constantF32(float value);

  ImplicitLocOpBuilder &b;
  const ModelConfig &config;
  bool training;
  Value seed;
  int64_t dropouts = 0;
  llvm::SmallPtrSet<void *, 4> floatWeights;
  Value *capturedKeys = nullptr, *capturedValues = nullptr;
  int64_t capturedBlocks = 0;
};

} // namespace models
} // namespace ternary
} // namespace mlir

#endif // TERNARY_LIB_MODELS_LAYERS_H
