//===- NonFiniteTest.cpp - The reference under NaN, Inf and extremes ------===//
//
// The rules of docs/numerics.md ("Non-finite values"), case by case, with
// every expected value worked out by hand: a NaN or an infinity reaches the
// output through a NaN scale and is never turned into a finite number by the
// quantisers; denormals, zeros and huge finite values give finite outputs.
//
//===----------------------------------------------------------------------===//

#include "ternary/Reference/BitLinear.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

using namespace ternary::ref;

namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

BitLinearOptions options(NormKind norm, ScaleMethod scale) {
  BitLinearOptions o;
  o.norm = norm;
  o.scale = scale;
  o.q = 128;
  return o;
}

/// y of a 2 x 4 input against a 3 x 4 weight with a bias.
std::vector<float> forward(const std::vector<float> &x,
                           const std::vector<float> &w,
                           const std::vector<float> &b,
                           const BitLinearOptions &opts) {
  BitLinearArgs args;
  args.x = x.data();
  args.w = w.data();
  args.bias = b.data();
  args.rows = 2, args.k = 4, args.n = 3;
  std::vector<float> y(6);
  bitLinearForward(args, opts, y.data());
  return y;
}

const std::vector<float> kX = {1.f, -2.f, 0.5f, 4.f, -1.f, 3.f, 2.f, -0.5f};
const std::vector<float> kW = {0.1f,  -0.2f, 0.f,  0.3f, 0.05f, 0.2f,
                               -0.1f, 0.1f,  0.2f, 0.2f, -0.3f, 0.f};
const std::vector<float> kB = {0.5f, -1.f, 2.f};

TEST(NonFinite, ActivationScaleOfARowWithNaNOrInfIsNaN) {
  for (float bad : {kNaN, kInf, -kInf}) {
    const float x[] = {1.f, bad, 2.f, 0.f};
    int8_t values[4];
    float a;
    quantizeActivations(x, 1, 4, 8, 128, 1e-5f, values, &a);
    EXPECT_TRUE(std::isnan(a)) << bad;
    // sx = 128 / NaN: every product is NaN, and a NaN quantises to 0.
    for (int8_t v : values)
      EXPECT_EQ(v, 0);
  }
}

TEST(NonFinite, WeightScaleWithNaNOrInfIsNaN) {
  for (ScaleMethod method : {ScaleMethod::AbsMean, ScaleMethod::AbsMedian})
    for (float bad : {kNaN, kInf, -kInf}) {
      // Without the rule the median (0.2) would hide the bad element.
      const float w[] = {0.2f, bad, 0.2f, 0.3f, 0.2f};
      EXPECT_TRUE(std::isnan(weightScale(w, 5, method, 1e-5f))) << bad;
    }
  // All NaN: the BitLinear with all-NaN weights.
  const float allNaN[] = {kNaN, kNaN, kNaN};
  EXPECT_TRUE(
      std::isnan(weightScale(allNaN, 3, ScaleMethod::AbsMedian, 1e-5f)));
  // An empty tensor still gets eps.
  EXPECT_EQ(weightScale(nullptr, 0, ScaleMethod::AbsMean, 1e-5f), 1e-5f);
}

TEST(NonFinite, NaNWeightsQuantiseToZero) {
  const float w[] = {0.5f, kNaN, -0.5f};
  int8_t out[3];
  quantizeWeights(w, 3, kNaN, out);
  for (int8_t v : out)
    EXPECT_EQ(v, 0);
  quantizeWeights(w, 3, 0.25f, out);
  EXPECT_EQ(out[0], 1);
  EXPECT_EQ(out[1], 0);
  EXPECT_EQ(out[2], -1);
}

TEST(NonFinite, NaNInOneInputRowMakesOnlyThatRowNaN) {
  for (NormKind norm : {NormKind::None, NormKind::Layer, NormKind::RMS}) {
    BitLinearOptions opts = options(norm, ScaleMethod::AbsMedian);
    std::vector<float> clean = forward(kX, kW, kB, opts);
    std::vector<float> x = kX;
    x[1] = kNaN;
    std::vector<float> y = forward(x, kW, kB, opts);
    for (int j = 0; j < 3; ++j) {
      EXPECT_TRUE(std::isnan(y[j])) << "row 0, column " << j;
      // Rows are independent: the second row is unchanged, bit for bit.
      EXPECT_EQ(y[3 + j], clean[3 + j]) << "row 1, column " << j;
    }
  }
}

TEST(NonFinite, InfiniteInputRowIsNaNNotInf) {
  // Without the rule, norm none would give a = inf, sx = 0, values 0 and
  // y = (0 + b) * inf = +-inf: a number that looks like an overflow.
  BitLinearOptions opts = options(NormKind::None, ScaleMethod::AbsMean);
  std::vector<float> x = kX;
  x[6] = kInf;
  std::vector<float> y = forward(x, kW, kB, opts);
  for (int j = 0; j < 3; ++j)
    EXPECT_TRUE(std::isnan(y[3 + j])) << "column " << j;
  EXPECT_TRUE(std::isfinite(y[0]));
}

TEST(NonFinite, NonFiniteWeightMakesEveryOutputNaN) {
  for (ScaleMethod method : {ScaleMethod::AbsMean, ScaleMethod::AbsMedian})
    for (float bad : {kNaN, -kInf}) {
      std::vector<float> w = kW;
      w[7] = bad;
      std::vector<float> y =
          forward(kX, w, kB, options(NormKind::Layer, method));
      for (float v : y)
        EXPECT_TRUE(std::isnan(v));
    }
}

TEST(NonFinite, NaNBiasMakesItsColumnNaN) {
  std::vector<float> b = kB;
  b[1] = kNaN;
  std::vector<float> y =
      forward(kX, kW, b, options(NormKind::None, ScaleMethod::AbsMean));
  for (int r = 0; r < 2; ++r) {
    EXPECT_TRUE(std::isfinite(y[r * 3]));
    EXPECT_TRUE(std::isnan(y[r * 3 + 1]));
    EXPECT_TRUE(std::isfinite(y[r * 3 + 2]));
  }
}

TEST(NonFinite, DenormalInputsGiveTheScaledBias) {
  // |x| < eps: a = eps, x * (128 / eps) is below 1e-30, every value rounds
  // to 0, so y = b * (g * eps / 128).
  std::vector<float> x(8, std::numeric_limits<float>::denorm_min());
  x[3] = -1e-39f;
  BitLinearOptions opts = options(NormKind::None, ScaleMethod::AbsMean);
  std::vector<float> y = forward(x, kW, kB, opts);
  float g = weightScale(kW.data(), 12, ScaleMethod::AbsMean, 1e-5f);
  for (int r = 0; r < 2; ++r)
    for (int j = 0; j < 3; ++j)
      EXPECT_EQ(y[r * 3 + j], kB[j] * ((g * 1e-5f) / 128.f));
}

TEST(NonFinite, DenormalWeightsAreZeroWithTheEpsScale) {
  std::vector<float> w(12, 1e-40f);
  std::vector<float> y =
      forward(kX, w, kB, options(NormKind::None, ScaleMethod::AbsMedian));
  // g = eps and every w / g is about 1e-35: ternary zero, y = scaled bias.
  for (int r = 0; r < 2; ++r) {
    float a = r == 0 ? 4.f : 3.f;
    for (int j = 0; j < 3; ++j)
      EXPECT_EQ(y[r * 3 + j], kB[j] * ((1e-5f * a) / 128.f));
  }
}

TEST(NonFinite, HugeFiniteInputsStayFinite) {
  // Norm none, |x| up to 1e30: a = 4e30, the values are those of kX / 4e30
  // times 128 (exact: powers of two apart), y = acc * g * a / 128 is about
  // 1e29.
  std::vector<float> x = kX;
  for (float &v : x)
    v *= 1e30f;
  BitLinearOptions opts = options(NormKind::None, ScaleMethod::AbsMean);
  std::vector<float> y = forward(x, kW, kB, opts);
  for (float v : y)
    EXPECT_TRUE(std::isfinite(v)) << v;
}

TEST(NonFinite, OverflowingRescaleFollowsFloatArithmetic) {
  // a = g = 3e38: the factor g * a / 128 overflows to inf, so a non-zero
  // accumulator gives +-inf and a zero one 0 * inf = NaN, as the f32 layer
  // would.
  const float big = 3e38f;
  const float x[] = {big, 0.f};
  const float w[] = {big, 0.f};
  BitLinearArgs args;
  args.x = x, args.w = w, args.rows = 2, args.k = 1, args.n = 1;
  // The median of {3e38} is 3e38.
  BitLinearOptions opts = options(NormKind::None, ScaleMethod::AbsMedian);
  float y[2];
  args.rows = 1;
  bitLinearForward(args, opts, y);
  EXPECT_EQ(y[0], kInf);
  args.x = x + 1; // a zero row: a = eps, finite factor, y = 0
  bitLinearForward(args, opts, y);
  EXPECT_EQ(y[0], 0.f);
}

TEST(NonFinite, GradientsFollowTheScalesTheyAreFactorsOf) {
  // dxh = g (dy . wq), dW = dy^T . (xq a / Q), db = sum dy g a / Q.
  BitLinearArgs args;
  std::vector<float> x = kX, dy(6, 1.f);
  x[1] = kNaN; // row 0: a = NaN
  args.x = x.data(), args.w = kW.data(), args.bias = kB.data();
  args.rows = 2, args.k = 4, args.n = 3;
  BitLinearOptions opts = options(NormKind::None, ScaleMethod::AbsMean);
  BitLinearGrads grads = bitLinearBackward(args, opts, dy.data());
  // g is finite: the input gradient is finite, the NaN row included (the
  // straight-through estimator passes dy . (g wq) to every element).
  for (float v : grads.dx)
    EXPECT_TRUE(std::isfinite(v));
  // Row 0's dequantised activations are NaN: every dW and db is NaN.
  for (float v : grads.dw)
    EXPECT_TRUE(std::isnan(v));
  for (float v : grads.dbias)
    EXPECT_TRUE(std::isnan(v));

  // A NaN weight: g = NaN, so dxh and db are NaN and dW is finite.
  std::vector<float> w = kW;
  w[0] = kNaN;
  args.x = kX.data(), args.w = w.data();
  grads = bitLinearBackward(args, opts, dy.data());
  for (float v : grads.dx)
    EXPECT_TRUE(std::isnan(v));
  for (float v : grads.dw)
    EXPECT_TRUE(std::isfinite(v));
  for (float v : grads.dbias)
    EXPECT_TRUE(std::isnan(v));
}

} // namespace
