//===- BitLinear.h - Reference numerics of BitLinear ------------*- C++ -*-===//
//
// A plain C++ implementation of the project's BitLinear semantics
// (docs/bitlinear-semantics.md), independent of MLIR. It is the oracle of the
// differential tests and the constant folder of the `ternary` dialect.
//
// Conventions:
// - Tensors are row-major float/int buffers; an input [..., K] is viewed as
//   `rows` x K, a weight as N x K.
// - Rounding is round half to even (std::nearbyint in the default mode).
// - Sums (means, variances) are accumulated in double and rounded once to
//   float, so the result does not depend on the summation order.
// - The final rescale is evaluated as (float(acc) + b) * ((g * a) / Q) in
//   float, left to right.
//
//===----------------------------------------------------------------------===//

#ifndef TERNARY_REFERENCE_BITLINEAR_H
#define TERNARY_REFERENCE_BITLINEAR_H

#include <cstddef>
#include <cstdint>
#include <vector>

namespace ternary {
namespace ref {

/// Per-tensor weight scale statistic.
enum class ScaleMethod { AbsMean, AbsMedian };

/// Row normalisation before activation quantisation.
enum class NormKind { None, Layer, LayerAffine, RMS };

/// The attributes of one BitLinear layer (defaults: the papers' authors').
struct BitLinearOptions {
  ScaleMethod scale = ScaleMethod::AbsMedian;
  NormKind norm = NormKind::Layer;
  int actBits = 8;     ///< activation bits, 2..8
  int q = 128;         ///< 2^(bits-1) or 2^(bits-1) - 1
  float eps = 1e-5f;   ///< normalisation epsilon and floor of both scales
  float lambda = 1.0f; ///< quantisation warm-up factor in [0, 1]
};

/// g = max(stat(|w|), eps) over `count` elements; eps for an empty tensor
/// and NaN when any element is NaN or infinite (docs/numerics.md,
/// "Non-finite values").
float weightScale(const float *w, size_t count, ScaleMethod method, float eps);

/// out = clamp(round_half_even(w / g), -1, 1); 0 where w / g is NaN.
void quantizeWeights(const float *w, size_t count, float g, int8_t *out);

/// Normalises each of `rows` rows of length k into `out` (may alias `x`).
/// `gamma` and `beta` (length k) are read only for LayerAffine.
void normalize(const float *x, size_t rows, size_t k, NormKind kind, float eps,
               const float *gamma, const float *beta, float *out);

/// Per-row absmax quantisation: absmax[r] = max(max|x_r|, eps), NaN when
/// the row holds a NaN or an infinity; values = clamp(round_half_even(x *
/// (q / absmax)), -2^(bits-1), 2^(bits-1) - 1), 0 where that is NaN.
void quantizeActivations(const float *x, size_t rows, size_t k, int bits, int q,
                         float eps, int8_t *values, float *absmax);

/// acc[r, n] = sum_k values[r, k] * w[n, k], exactly.
void ternaryMatmul(const int8_t *values, const int8_t *w, size_t rows, size_t n,
                   size_t k, int32_t *acc);

/// y[r, n] = (float(acc[r, n]) + bias[n]) * ((g * absmax[r]) / q); `bias`
/// may be null.
void rescale(const int32_t *acc, const float *absmax, float g,
             const float *bias, size_t rows, size_t n, int q, float *y);

/// The operands of one BitLinear layer: x [rows, k], w [n, k], optional
/// bias [n], gamma and beta [k] (LayerAffine only).
struct BitLinearArgs {
  const float *x = nullptr;
  const float *w = nullptr;
  const float *bias = nullptr;
  const float *gamma = nullptr;
  const float *beta = nullptr;
  size_t rows = 0, k = 0, n = 0;
};

/// Intermediate values of a forward pass, kept for the backward pass and
/// for tests that check the integer path.
struct BitLinearTrace {
  std::vector<float> xh;     ///< normalised input [rows, k]
  std::vector<float> absmax; ///< per-row activation absmax [rows]
  std::vector<int8_t> xq;    ///< quantised activations [rows, k]
  float g = 0;               ///< weight scale
  std::vector<int8_t> wq;    ///< ternary weights [n, k]
  std::vector<int32_t> acc;  ///< integer accumulators [rows, n]
  /// With lambda != 1: the blended operands of the product in the integer
  /// domain, x~ = v + lambda (q(v) - v) with v = xh * sx, and w~ likewise
  /// with v = w / g. Empty when lambda == 1.
  std::vector<float> xMix, wMix;
};

/// The forward pass: y [rows, n]. Fills `trace` when it is non-null.
void bitLinearForward(const BitLinearArgs &args, const BitLinearOptions &opts,
                      float *y, BitLinearTrace *trace = nullptr);

/// Gradients of a BitLinear layer under the straight-through estimator.
struct BitLinearGrads {
  std::vector<float> dx;     ///< [rows, k]
  std::vector<float> dw;     ///< [n, k]
  std::vector<float> dbias;  ///< [n] (empty without bias)
  std::vector<float> dgamma; ///< [k] (LayerAffine only)
  std::vector<float> dbeta;  ///< [k] (LayerAffine only)
};

/// The backward pass for the output gradient `dy` [rows, n]: identity STE
/// through both quantisers (no clipping mask), no gradient through the
/// scales a and g, and through the normalisation into x.
BitLinearGrads bitLinearBackward(const BitLinearArgs &args,
                                 const BitLinearOptions &opts, const float *dy);

} // namespace ref
} // namespace ternary

#endif // TERNARY_REFERENCE_BITLINEAR_H
