//===- BitLinear.cpp - Reference numerics of BitLinear --------------------===//
//
// Straightforward scalar loops: clarity over speed. See BitLinear.h for the
// conventions every function follows.
//
//===----------------------------------------------------------------------===//

#include "ternary/Reference/BitLinear.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>

namespace ternary {
namespace ref {

namespace {
/// Round half to even, whatever the caller's rounding mode was set to by
/// default (the default mode of C and C++ is round to nearest even).
float roundHalfEven(float v) { return std::nearbyint(v); }

/// clamp(round_half_even(v), lo, hi) as an integer; a NaN quantises to 0
/// (its scale is NaN too, so the layer's output is NaN whatever it is).
int8_t roundClamp(float v, float lo, float hi) {
  if (std::isnan(v))
    return 0;
  return static_cast<int8_t>(std::min(std::max(roundHalfEven(v), lo), hi));
}

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
} // namespace

float weightScale(const float *w, size_t count, ScaleMethod method, float eps) {
  if (count == 0)
    return eps;
  // A NaN or an infinity makes the scale NaN, whatever the statistic: the
  // whole layer's output is then NaN, as the f32 layer's would be.
  for (size_t i = 0; i < count; ++i)
    if (!std::isfinite(w[i]))
      return kNaN;
  float stat;
  if (method == ScaleMethod::AbsMean) {
    double sum = 0;
    for (size_t i = 0; i < count; ++i)
      sum += std::fabs(static_cast<double>(w[i]));
    stat = static_cast<float>(sum / static_cast<double>(count));
  } else {
    std::vector<float> mags(count);
    for (size_t i = 0; i < count; ++i)
      mags[i] = std::fabs(w[i]);
    // The lower of the two middle values for an even count.
    auto mid = mags.begin() + static_cast<std::ptrdiff_t>((count - 1) / 2);
    std::nth_element(mags.begin(), mid, mags.end());
    stat = *mid;
  }
  return std::max(stat, eps);
}

void quantizeWeights(const float *w, size_t count, float g, int8_t *out) {
  for (size_t i = 0; i < count; ++i)
    out[i] = roundClamp(w[i] / g, -1.f, 1.f);
}

void normalize(const float *x, size_t rows, size_t k, NormKind kind, float eps,
               const float *gamma, const float *beta, float *out) {
  for (size_t r = 0; r < rows; ++r) {
    const float *xr = x + r * k;
    float *outr = out + r * k;
    if (kind == NormKind::None || k == 0) {
      std::copy(xr, xr + k, outr);
      continue;
    }
    if (kind == NormKind::RMS) {
      double sumSq = 0;
      for (size_t i = 0; i < k; ++i)
        sumSq += static_cast<double>(xr[i]) * xr[i];
      float ms = static_cast<float>(sumSq / static_cast<double>(k));
      float denom = std::sqrt(ms + eps);
      for (size_t i = 0; i < k; ++i)
        outr[i] = xr[i] / denom;
      continue;
    }
    double sum = 0;
    for (size_t i = 0; i < k; ++i)
      sum += xr[i];
    double meanD = sum / static_cast<double>(k);
    double sumSq = 0;
    for (size_t i = 0; i < k; ++i) {
      double d = xr[i] - meanD;
      sumSq += d * d;
    }
    float mean = static_cast<float>(meanD);
    float var = static_cast<float>(sumSq / static_cast<double>(k));
    float denom = std::sqrt(var + eps);
    for (size_t i = 0; i < k; ++i) {
      float v = (xr[i] - mean) / denom;
      if (kind == NormKind::LayerAffine) {
        float scaled = v * gamma[i]; // no fused multiply-add
        v = scaled + beta[i];
      }
      outr[i] = v;
    }
  }
}

void quantizeActivations(const float *x, size_t rows, size_t k, int bits, int q,
                         float eps, int8_t *values, float *absmax) {
  const float lo = -std::ldexp(1.f, bits - 1);
  const float hi = std::ldexp(1.f, bits - 1) - 1.f;
  for (size_t r = 0; r < rows; ++r) {
    const float *xr = x + r * k;
    float a = 0;
    bool finite = true;
    for (size_t i = 0; i < k; ++i) {
      finite = finite && std::isfinite(xr[i]);
      a = std::max(a, std::fabs(xr[i]));
    }
    // A row with a NaN or an infinity gets a NaN scale (and a NaN output).
    a = finite ? std::max(a, eps) : kNaN;
    absmax[r] = a;
    float sx = static_cast<float>(q) / a;
    for (size_t i = 0; i < k; ++i)
      values[r * k + i] = roundClamp(xr[i] * sx, lo, hi);
  }
}

void ternaryMatmul(const int8_t *values, const int8_t *w, size_t rows, size_t n,
                   size_t k, int32_t *acc) {
  for (size_t r = 0; r < rows; ++r)
    for (size_t j = 0; j < n; ++j) {
      int32_t sum = 0;
      for (size_t i = 0; i < k; ++i)
        sum += static_cast<int32_t>(values[r * k + i]) * w[j * k + i];
      acc[r * n + j] = sum;
    }
}

void rescale(const int32_t *acc, const float *absmax, float g,
             const float *bias, size_t rows, size_t n, int q, float *y) {
  for (size_t r = 0; r < rows; ++r) {
    float factor = (g * absmax[r]) / static_cast<float>(q);
    for (size_t j = 0; j < n; ++j) {
      float v = static_cast<float>(acc[r * n + j]);
      if (bias)
        v = v + bias[j];
      y[r * n + j] = v * factor;
    }
  }
}

void bitLinearForward(const BitLinearArgs &args, const BitLinearOptions &opts,
                      float *y, BitLinearTrace *trace) {
  BitLinearTrace local;
  BitLinearTrace &t = trace ? *trace : local;
  const size_t rows = args.rows, k = args.k, n = args.n;

  t.xh.assign(rows * k, 0.f);
  normalize(args.x, rows, k, opts.norm, opts.eps, args.gamma, args.beta,
            t.xh.data());
  t.xq.assign(rows * k, 0);
  t.absmax.assign(rows, 0.f);
  quantizeActivations(t.xh.data(), rows, k, opts.actBits, opts.q, opts.eps,
                      t.xq.data(), t.absmax.data());
  t.g = weightScale(args.w, n * k, opts.scale, opts.eps);
  t.wq.assign(n * k, 0);
  quantizeWeights(args.w, n * k, t.g, t.wq.data());
  t.acc.assign(rows * n, 0);
  ternaryMatmul(t.xq.data(), t.wq.data(), rows, n, k, t.acc.data());
  t.xMix.clear();
  t.wMix.clear();

  if (opts.lambda == 1.0f) {
    rescale(t.acc.data(), t.absmax.data(), t.g, args.bias, rows, n, opts.q, y);
    return;
  }

  // Warm-up: blend each quantiser's input and output in the integer domain.
  const float lambda = opts.lambda;
  t.xMix.resize(rows * k);
  for (size_t r = 0; r < rows; ++r) {
    float sx = static_cast<float>(opts.q) / t.absmax[r];
    for (size_t i = 0; i < k; ++i) {
      float v = t.xh[r * k + i] * sx;
      t.xMix[r * k + i] = v + lambda * (t.xq[r * k + i] - v);
    }
  }
  t.wMix.resize(n * k);
  for (size_t i = 0; i < n * k; ++i) {
    float v = args.w[i] / t.g;
    t.wMix[i] = v + lambda * (t.wq[i] - v);
  }
  for (size_t r = 0; r < rows; ++r) {
    float factor = (t.g * t.absmax[r]) / static_cast<float>(opts.q);
    for (size_t j = 0; j < n; ++j) {
      double dot = 0;
      for (size_t i = 0; i < k; ++i)
        dot += static_cast<double>(t.xMix[r * k + i]) * t.wMix[j * k + i];
      float v = static_cast<float>(dot);
      if (args.bias)
        v = v + args.bias[j];
      y[r * n + j] = v * factor;
    }
  }
}

BitLinearGrads bitLinearBackward(const BitLinearArgs &args,
                                 const BitLinearOptions &opts,
                                 const float *dy) {
  const size_t rows = args.rows, k = args.k, n = args.n;
  BitLinearTrace t;
  std::vector<float> y(rows * n);
  bitLinearForward(args, opts, y.data(), &t);

  // The operands of the product in the integer domain.
  std::vector<float> xOp(rows * k), wOp(n * k);
  if (t.xMix.empty()) {
    std::copy(t.xq.begin(), t.xq.end(), xOp.begin());
    std::copy(t.wq.begin(), t.wq.end(), wOp.begin());
  } else {
    xOp = t.xMix;
    wOp = t.wMix;
  }

  // y[r, j] = (sum_i xOp[r, i] wOp[j, i] + b[j]) * g a_r / Q. Straight
  // through the quantisers with the scales detached, the gradients are
  // those of the dequantised operands (xOp a_r / Q and wOp g), written in
  // that form so that a NaN scale reaches exactly the gradients it is a
  // factor of (docs/numerics.md, "Non-finite values"): a NaN weight scale
  // makes dxh and db NaN, a NaN activation scale makes dW and db NaN.
  BitLinearGrads grads;
  std::vector<double> dxh(rows * k, 0.0);
  grads.dw.assign(n * k, 0.f);
  std::vector<double> dw(n * k, 0.0), db(n, 0.0);
  for (size_t r = 0; r < rows; ++r) {
    double factor = static_cast<double>(t.g) * t.absmax[r] / opts.q;
    double xScale = static_cast<double>(t.absmax[r]) / opts.q;
    for (size_t j = 0; j < n; ++j) {
      double d = dy[r * n + j];
      db[j] += d * factor;
      for (size_t i = 0; i < k; ++i) {
        dxh[r * k + i] += d * wOp[j * k + i];
        dw[j * k + i] += d * xScale * xOp[r * k + i];
      }
    }
  }
  for (double &v : dxh)
    v *= t.g;
  for (size_t i = 0; i < n * k; ++i)
    grads.dw[i] = static_cast<float>(dw[i]);
  if (args.bias) {
    grads.dbias.resize(n);
    for (size_t j = 0; j < n; ++j)
      grads.dbias[j] = static_cast<float>(db[j]);
  }

  // Through the normalisation.
  grads.dx.assign(rows * k, 0.f);
  if (opts.norm == NormKind::None) {
    for (size_t i = 0; i < rows * k; ++i)
      grads.dx[i] = static_cast<float>(dxh[i]);
    return grads;
  }
  std::vector<float> xhat(rows * k);
  NormKind plain =
      opts.norm == NormKind::LayerAffine ? NormKind::Layer : opts.norm;
  normalize(args.x, rows, k, plain, opts.eps, nullptr, nullptr, xhat.data());
  if (opts.norm == NormKind::LayerAffine) {
    std::vector<double> dgamma(k, 0.0), dbeta(k, 0.0);
    for (size_t r = 0; r < rows; ++r)
      for (size_t i = 0; i < k; ++i) {
        double d = dxh[r * k + i];
        dgamma[i] += d * xhat[r * k + i];
        dbeta[i] += d;
        dxh[r * k + i] = d * args.gamma[i];
      }
    grads.dgamma.assign(dgamma.begin(), dgamma.end());
    grads.dbeta.assign(dbeta.begin(), dbeta.end());
  }
  for (size_t r = 0; r < rows; ++r) {
    const float *xr = args.x + r * k;
    double sum = 0, sumSq = 0;
    for (size_t i = 0; i < k; ++i)
      sum += xr[i];
    double mean = sum / k;
    for (size_t i = 0; i < k; ++i)
      sumSq += plain == NormKind::RMS ? double(xr[i]) * xr[i]
                                      : (xr[i] - mean) * (xr[i] - mean);
    double denom = std::sqrt(sumSq / k + opts.eps);
    double meanD = 0, meanDX = 0;
    for (size_t i = 0; i < k; ++i) {
      meanD += dxh[r * k + i];
      meanDX += dxh[r * k + i] * xhat[r * k + i];
    }
    meanD /= k;
    meanDX /= k;
    for (size_t i = 0; i < k; ++i) {
      double d = dxh[r * k + i] - meanDX * xhat[r * k + i];
      if (plain == NormKind::Layer)
        d -= meanD;
      grads.dx[r * k + i] = static_cast<float>(d / denom);
    }
  }
  return grads;
}

} // namespace ref
} // namespace ternary
