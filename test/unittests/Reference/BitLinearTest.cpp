//===- BitLinearTest.cpp - Corner cases of the reference numerics ---------===//
//
// Every expected value here is computed by hand from the semantics document,
// not by the code under test.
//
//===----------------------------------------------------------------------===//

#include "ternary/Reference/BitLinear.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

using namespace ternary::ref;

namespace {

BitLinearOptions noNorm(int q = 128) {
  BitLinearOptions o;
  o.norm = NormKind::None;
  o.q = q;
  return o;
}

//===----------------------------------------------------------------------===//
// Activation quantisation
//===----------------------------------------------------------------------===//

TEST(ActivationQuant, RoundsHalfToEvenAndClampsPlus128) {
  // absmax 128 with Q = 128 makes sx exactly 1, so the products are exact.
  const float x[] = {128.f, 2.5f, -2.5f, 3.5f, 0.5f, -0.5f, 1.5f, -128.f};
  int8_t q[8];
  float a;
  quantizeActivations(x, 1, 8, 8, 128, 1e-5f, q, &a);
  EXPECT_EQ(a, 128.f);
  const int8_t expected[] = {127, 2, -2, 4, 0, 0, 2, -128};
  for (int i = 0; i < 8; ++i)
    EXPECT_EQ(q[i], expected[i]) << "element " << i;
}

TEST(ActivationQuant, Q127IsSymmetric) {
  // absmax 127 with Q = 127: sx = 1, the extremes map to +-127.
  const float x[] = {127.f, -127.f, 0.5f, 1.5f};
  int8_t q[4];
  float a;
  quantizeActivations(x, 1, 4, 8, 127, 1e-5f, q, &a);
  EXPECT_EQ(q[0], 127);
  EXPECT_EQ(q[1], -127);
  EXPECT_EQ(q[2], 0);
  EXPECT_EQ(q[3], 2);
}

TEST(ActivationQuant, Q128ScalesByQOverAbsmax) {
  // absmax 2: sx = 64; 1.0 -> 64, -2.0 -> -128, 2.0 -> 128 -> 127.
  const float x[] = {1.f, -2.f, 2.f, 0.0078125f /* 0.5 / 64 */};
  int8_t q[4];
  float a;
  quantizeActivations(x, 1, 4, 8, 128, 1e-5f, q, &a);
  EXPECT_EQ(a, 2.f);
  EXPECT_EQ(q[0], 64);
  EXPECT_EQ(q[1], -128);
  EXPECT_EQ(q[2], 127);
  EXPECT_EQ(q[3], 0); // 0.5 ties to even 0
}

TEST(ActivationQuant, AllZeroRowUsesEps) {
  const float x[] = {0.f, 0.f, 0.f, 1.f, -1.f, 0.5f};
  int8_t q[6];
  float a[2];
  quantizeActivations(x, 2, 3, 8, 128, 1e-5f, q, a);
  EXPECT_EQ(a[0], 1e-5f);
  EXPECT_EQ(a[1], 1.f);
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(q[i], 0);
  EXPECT_EQ(q[3], 127);
  EXPECT_EQ(q[4], -128);
  EXPECT_EQ(q[5], 64);
}

TEST(ActivationQuant, FourBitRange) {
  // 4 bits: Q = 8, range [-8, 7].
  const float x[] = {1.f, -1.f, 0.3125f /* 2.5 / 8 */};
  int8_t q[3];
  float a;
  quantizeActivations(x, 1, 3, 4, 8, 1e-5f, q, &a);
  EXPECT_EQ(q[0], 7);
  EXPECT_EQ(q[1], -8);
  EXPECT_EQ(q[2], 2);
}

//===----------------------------------------------------------------------===//
// Weight scale and quantisation
//===----------------------------------------------------------------------===//

TEST(WeightScale, EvenCountMedianIsLowerMiddle) {
  const float w[] = {0.4f, -0.1f, 0.3f, -0.2f};
  EXPECT_EQ(weightScale(w, 4, ScaleMethod::AbsMedian, 1e-5f), 0.2f);
}

TEST(WeightScale, OddCountMedian) {
  const float w[] = {-5.f, 0.1f, 3.f, -0.2f, 0.25f};
  EXPECT_EQ(weightScale(w, 5, ScaleMethod::AbsMedian, 1e-5f), 0.25f);
}

TEST(WeightScale, AbsMean) {
  const float w[] = {0.5f, -1.5f, 1.f, -1.f};
  EXPECT_EQ(weightScale(w, 4, ScaleMethod::AbsMean, 1e-5f), 1.f);
}

TEST(WeightScale, AllZeroTensorUsesEps) {
  const float w[] = {0.f, -0.f, 0.f};
  EXPECT_EQ(weightScale(w, 3, ScaleMethod::AbsMean, 1e-5f), 1e-5f);
  EXPECT_EQ(weightScale(w, 3, ScaleMethod::AbsMedian, 1e-5f), 1e-5f);
  EXPECT_EQ(weightScale(w, 0, ScaleMethod::AbsMedian, 1e-5f), 1e-5f);
}

TEST(WeightScale, MedianOfMostlyZerosIsEps) {
  // More than half the weights are zero: the median is 0, floored at eps.
  const float w[] = {0.f, 0.f, 0.f, 3.f};
  EXPECT_EQ(weightScale(w, 4, ScaleMethod::AbsMedian, 1e-5f), 1e-5f);
}

TEST(WeightQuant, TiesToEvenAndClamp) {
  // g = 0.2: 0.1 / 0.2 = 0.5 -> 0, 0.3 / 0.2 = 1.5 -> 2 -> 1,
  // -0.1 / 0.2 = -0.5 -> 0, -0.5 / 0.2 = -2.5 -> -2 -> -1, 0.2 -> 1.
  const float w[] = {0.1f, 0.3f, -0.1f, -0.5f, 0.2f, 0.f};
  int8_t q[6];
  quantizeWeights(w, 6, 0.2f, q);
  const int8_t expected[] = {0, 1, 0, -1, 1, 0};
  for (int i = 0; i < 6; ++i)
    EXPECT_EQ(q[i], expected[i]) << "element " << i;
}

//===----------------------------------------------------------------------===//
// Normalisation
//===----------------------------------------------------------------------===//

TEST(Normalize, LayerNormBiasedVariance) {
  // mean 2.5, biased variance 1.25.
  const float x[] = {1.f, 2.f, 3.f, 4.f};
  float out[4];
  normalize(x, 1, 4, NormKind::Layer, 1e-5f, nullptr, nullptr, out);
  float denom = std::sqrt(1.25f + 1e-5f);
  EXPECT_EQ(out[0], -1.5f / denom);
  EXPECT_EQ(out[3], 1.5f / denom);
}

TEST(Normalize, LayerNormOfConstantRowIsZero) {
  const float x[] = {3.f, 3.f, 3.f};
  float out[3];
  normalize(x, 1, 3, NormKind::Layer, 1e-5f, nullptr, nullptr, out);
  for (float v : out)
    EXPECT_EQ(v, 0.f);
}

TEST(Normalize, RmsNorm) {
  // mean of squares (9 + 16) / 2 = 12.5.
  const float x[] = {3.f, -4.f};
  float out[2];
  normalize(x, 1, 2, NormKind::RMS, 1e-5f, nullptr, nullptr, out);
  float denom = std::sqrt(12.5f + 1e-5f);
  EXPECT_EQ(out[0], 3.f / denom);
  EXPECT_EQ(out[1], -4.f / denom);
}

TEST(Normalize, LayerAffine) {
  const float x[] = {1.f, 3.f};
  const float gamma[] = {2.f, 0.5f}, beta[] = {1.f, -1.f};
  float out[2];
  normalize(x, 1, 2, NormKind::LayerAffine, 1e-5f, gamma, beta, out);
  float v = 1.f / std::sqrt(1.f + 1e-5f);
  EXPECT_EQ(out[0], -v * 2.f + 1.f);
  EXPECT_EQ(out[1], v * 0.5f - 1.f);
}

//===----------------------------------------------------------------------===//
// Whole layer
//===----------------------------------------------------------------------===//

TEST(BitLinear, BiasIsAddedBeforeRescale) {
  // x = [1, -1] (absmax 1, sx = 128), W = [[1, 1], [1, -1]] (g = 1), bias
  // [0.5, -2]: xq = [127, -128], acc = [-1, 255],
  // y = (acc + b) * (1 * 1 / 128).
  const float x[] = {1.f, -1.f};
  const float w[] = {1.f, 1.f, 1.f, -1.f};
  const float b[] = {0.5f, -2.f};
  BitLinearArgs args;
  args.x = x;
  args.w = w;
  args.bias = b;
  args.rows = 1;
  args.k = 2;
  args.n = 2;
  float y[2];
  BitLinearTrace trace;
  bitLinearForward(args, noNorm(), y, &trace);
  EXPECT_EQ(trace.acc[0], -1);
  EXPECT_EQ(trace.acc[1], 255);
  EXPECT_EQ(y[0], (-1.f + 0.5f) / 128.f);
  EXPECT_EQ(y[1], (255.f - 2.f) / 128.f);
}

TEST(BitLinear, Q127Rescale) {
  // x = [2, -1]: absmax 2, sx = 63.5, xq = [127, -64] (63.5 ties to 64).
  // W = [[2, 2]] absmedian 2: wq = [1, 1]; acc = 63; y = 63 * 2 * 2 / 127.
  const float x[] = {2.f, -1.f};
  const float w[] = {2.f, 2.f};
  BitLinearArgs args;
  args.x = x;
  args.w = w;
  args.rows = 1;
  args.k = 2;
  args.n = 1;
  float y;
  BitLinearTrace trace;
  bitLinearForward(args, noNorm(127), &y, &trace);
  EXPECT_EQ(trace.xq[0], 127);
  EXPECT_EQ(trace.xq[1], -64);
  EXPECT_EQ(trace.acc[0], 63);
  EXPECT_EQ(y, 63.f * ((2.f * 2.f) / 127.f));
}

TEST(BitLinear, AllZeroInputRowGivesScaledBias) {
  const float x[] = {0.f, 0.f, 0.f};
  const float w[] = {0.5f, -0.5f, 0.f};
  const float b[] = {3.f};
  BitLinearArgs args;
  args.x = x;
  args.w = w;
  args.bias = b;
  args.rows = 1;
  args.k = 3;
  args.n = 1;
  float y;
  bitLinearForward(args, BitLinearOptions(), &y); // LayerNorm, absmedian
  // xh = 0, a = eps; g = median(0.5, 0.5, 0) = 0.5; y = 3 * (0.5 * eps / 128)
  EXPECT_EQ(y, 3.f * ((0.5f * 1e-5f) / 128.f));
}

TEST(BitLinear, LambdaZeroIsFloatProduct) {
  // lambda = 0, no norm, no bias: y = x . W^T up to float rounding.
  const float x[] = {0.3f, -1.7f, 2.2f};
  const float w[] = {0.4f, 0.1f, -0.9f, -0.2f, 0.05f, 0.6f};
  BitLinearArgs args;
  args.x = x;
  args.w = w;
  args.rows = 1;
  args.k = 3;
  args.n = 2;
  BitLinearOptions opts = noNorm();
  opts.lambda = 0.f;
  float y[2];
  bitLinearForward(args, opts, y);
  EXPECT_NEAR(y[0], 0.3 * 0.4 - 1.7 * 0.1 - 2.2 * 0.9, 1e-5);
  EXPECT_NEAR(y[1], -0.3 * 0.2 - 1.7 * 0.05 + 2.2 * 0.6, 1e-5);
}

//===----------------------------------------------------------------------===//
// Backward pass
//===----------------------------------------------------------------------===//

TEST(BitLinearBackward, StraightThroughByHand) {
  // No norm: dx = dy . (g wq), dW = dy^T . (xq / sx), db = dy * g a / Q.
  const float x[] = {1.f, -1.f};
  const float w[] = {1.f, 1.f, 1.f, -1.f};
  const float b[] = {0.f, 0.f};
  const float dy[] = {1.f, 2.f};
  BitLinearArgs args;
  args.x = x;
  args.w = w;
  args.bias = b;
  args.rows = 1;
  args.k = 2;
  args.n = 2;
  BitLinearGrads g = bitLinearBackward(args, noNorm(), dy);
  // g = 1, wq = W: dx = [1 + 2, 1 - 2].
  EXPECT_FLOAT_EQ(g.dx[0], 3.f);
  EXPECT_FLOAT_EQ(g.dx[1], -1.f);
  // xq / sx = [127, -128] / 128.
  EXPECT_FLOAT_EQ(g.dw[0], 127.f / 128.f);
  EXPECT_FLOAT_EQ(g.dw[1], -1.f);
  EXPECT_FLOAT_EQ(g.dw[2], 2.f * 127.f / 128.f);
  EXPECT_FLOAT_EQ(g.dw[3], -2.f);
  EXPECT_FLOAT_EQ(g.dbias[0], 1.f / 128.f);
  EXPECT_FLOAT_EQ(g.dbias[1], 2.f / 128.f);
}

/// The STE backward equals the exact gradient of the "dequantised" layer with
/// the quantised values frozen: y = norm(x) . (g wq)^T-style linear map plus
/// the scaled bias. With lambda = 0 the layer is differentiable, so central
/// finite differences check the whole chain, including the normalisation.
class LambdaZeroGradCheck : public ::testing::TestWithParam<NormKind> {};

TEST_P(LambdaZeroGradCheck, MatchesFiniteDifferences) {
  std::mt19937 rng(42);
  std::normal_distribution<float> dist(0.f, 1.f);
  const size_t rows = 3, k = 5, n = 4;
  std::vector<double> xd(rows * k), gammaD(k), betaD(k);
  std::vector<float> w(n * k), dy(rows * n);
  for (auto &v : xd)
    v = dist(rng);
  for (auto &v : w)
    v = dist(rng);
  for (auto &v : dy)
    v = dist(rng);
  for (size_t i = 0; i < k; ++i) {
    gammaD[i] = 1.0 + 0.3 * dist(rng);
    betaD[i] = 0.2 * dist(rng);
  }
  BitLinearOptions opts;
  opts.norm = GetParam();
  opts.lambda = 0.f;

  auto lossAt = [&](const std::vector<double> &xv,
                    const std::vector<double> &gv,
                    const std::vector<double> &bv) {
    std::vector<float> xf(xv.begin(), xv.end()), gf(gv.begin(), gv.end()),
        bf(bv.begin(), bv.end()), y(rows * n);
    BitLinearArgs args;
    args.x = xf.data();
    args.w = w.data();
    args.gamma = gf.data();
    args.beta = bf.data();
    args.rows = rows;
    args.k = k;
    args.n = n;
    bitLinearForward(args, opts, y.data());
    double loss = 0;
    for (size_t i = 0; i < y.size(); ++i)
      loss += double(y[i]) * dy[i];
    return loss;
  };

  std::vector<float> xf(xd.begin(), xd.end()), gf(gammaD.begin(), gammaD.end()),
      bf(betaD.begin(), betaD.end());
  BitLinearArgs args;
  args.x = xf.data();
  args.w = w.data();
  args.gamma = gf.data();
  args.beta = bf.data();
  args.rows = rows;
  args.k = k;
  args.n = n;
  BitLinearGrads grads = bitLinearBackward(args, opts, dy.data());

  // The scales a (per row) and g are detached: hold them fixed by keeping
  // the perturbation small enough that absmax rows do not change argmax,
  // and compare against the STE gradient, which treats a as a constant.
  // With lambda = 0, y = (xh sx . W/g + b) g a / Q = xh . W^T: a cancels.
  const double h = 1e-3;
  for (size_t i = 0; i < rows * k; ++i) {
    auto plus = xd, minus = xd;
    plus[i] += h;
    minus[i] -= h;
    double fd =
        (lossAt(plus, gammaD, betaD) - lossAt(minus, gammaD, betaD)) / (2 * h);
    EXPECT_NEAR(grads.dx[i], fd, 2e-2 * (1 + std::fabs(fd))) << "dx " << i;
  }
  if (GetParam() == NormKind::LayerAffine) {
    for (size_t i = 0; i < k; ++i) {
      auto plus = gammaD, minus = gammaD;
      plus[i] += h;
      minus[i] -= h;
      double fd =
          (lossAt(xd, plus, betaD) - lossAt(xd, minus, betaD)) / (2 * h);
      EXPECT_NEAR(grads.dgamma[i], fd, 2e-2 * (1 + std::fabs(fd)))
          << "dgamma " << i;
      plus = betaD;
      minus = betaD;
      plus[i] += h;
      minus[i] -= h;
      fd = (lossAt(xd, gammaD, plus) - lossAt(xd, gammaD, minus)) / (2 * h);
      EXPECT_NEAR(grads.dbeta[i], fd, 2e-2 * (1 + std::fabs(fd)))
          << "dbeta " << i;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllNorms, LambdaZeroGradCheck,
                         ::testing::Values(NormKind::None, NormKind::Layer,
                                           NormKind::LayerAffine,
                                           NormKind::RMS));

TEST(BitLinearBackward, WeightGradIsDequantisedActivations) {
  // dW = dy^T . (xq a / Q) for every option of lambda = 1.
  std::mt19937 rng(7);
  std::normal_distribution<float> dist(0.f, 1.f);
  const size_t rows = 4, k = 6, n = 3;
  std::vector<float> x(rows * k), w(n * k), dy(rows * n);
  for (auto &v : x)
    v = dist(rng);
  for (auto &v : w)
    v = dist(rng);
  for (auto &v : dy)
    v = dist(rng);
  BitLinearArgs args;
  args.x = x.data();
  args.w = w.data();
  args.rows = rows;
  args.k = k;
  args.n = n;
  BitLinearOptions opts;
  BitLinearTrace trace;
  std::vector<float> y(rows * n);
  bitLinearForward(args, opts, y.data(), &trace);
  BitLinearGrads grads = bitLinearBackward(args, opts, dy.data());
  for (size_t j = 0; j < n; ++j)
    for (size_t i = 0; i < k; ++i) {
      double expected = 0;
      for (size_t r = 0; r < rows; ++r)
        expected += double(dy[r * n + j]) * trace.xq[r * k + i] *
                    trace.absmax[r] / 128.0;
      EXPECT_NEAR(grads.dw[j * k + i], expected,
                  1e-5 * (1 + std::fabs(expected)));
    }
}

} // namespace
