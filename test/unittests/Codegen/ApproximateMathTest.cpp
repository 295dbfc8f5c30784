//===- ApproximateMathTest.cpp - erf and exp polynomials against libm -----===//
//
// --ternary-approximate-math replaces f32 math.erf and math.exp with MLIR's
// polynomial approximations (passes/Codegen/ApproximateMath.cpp). Compiled
// through the whole pipeline, both are checked against the correctly
// rounded value (libm in double, rounded to float) on a dense sweep of
// their useful range plus random values: erf within 4 ulp or 2^-30
// absolute (erf is near 0 at 0, where a relative bound is meaningless),
// exp within 2 ulp where the result is a normal float up to x = 88, 8
// ulp on the last stretch before overflow at 88.72 (measured: erf 4, exp 1
// and 5).
// Special values: erf(+-0) = 0 (the sign of a zero is not kept), erf(+-inf)
// = +-1, exp(-inf) = 0, exp(+inf) = +inf, exp(0) = 1, overflow to +inf;
// results below the smallest normal float (x < -87.34) are within that
// float of the true value (0 from about -88 on, no gradual underflow); NaN
// gives NaN. The loop is vectorised with a scalar remainder: the same
// values at every offset check that both give the same bits.
//
//===----------------------------------------------------------------------===//

#include "Jit.h"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>

using namespace ternary_test;
using ::ternary::DType;
using ::ternary::HostArray;

namespace {

/// Distance in units in the last place between two finite floats.
int64_t ulps(float a, float b) {
  auto key = [](float f) {
    int32_t i;
    std::memcpy(&i, &f, 4);
    return i < 0 ? int64_t(INT32_MIN) - i : int64_t(i);
  };
  return std::llabs(key(a) - key(b));
}

std::unique_ptr<mlir::ternary::CompiledModule> compileBoth(Jit &jit) {
  return jit.compile("func.func @f(%x: tensor<?xf32>) -> (tensor<?xf32>, "
                     "tensor<?xf32>) {\n"
                     "  %e = math.erf %x : tensor<?xf32>\n"
                     "  %x2 = math.exp %x : tensor<?xf32>\n"
                     "  return %e, %x2 : tensor<?xf32>, tensor<?xf32>\n}\n");
}

TEST(ApproximateMath, ErfAndExpWithinAFewUlpOfLibm) {
  Jit jit;
  auto compiled = compileBoth(jit);
  ASSERT_TRUE(compiled);
  std::vector<float> xs;
  for (float x = -12.f; x <= 12.f; x += 1.f / 1024)
    xs.push_back(x);
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> wide(-87.f, 88.f);
  for (int i = 0; i < 20000; ++i)
    xs.push_back(wide(rng));
  // Around exp's underflow to subnormal (-87.34) and overflow (88.72).
  for (float x = -87.6f; x <= -87.0f; x += 1.f / 4096)
    xs.push_back(x);
  for (float x = 88.5f; x <= 89.f; x += 1.f / 4096)
    xs.push_back(x);
  // Tiny magnitudes (subnormal included) around 0.
  for (int e = -149; e <= -1; ++e) {
    xs.push_back(std::ldexp(1.f, e));
    xs.push_back(-std::ldexp(1.3f, e));
  }
  HostArray x = HostArray::zeros(DType::F32, {int64_t(xs.size())});
  std::memcpy(x.data<float>(), xs.data(), xs.size() * 4);
  auto r = compiled->call("f", {x});
  ASSERT_TRUE(bool(r)) << llvm::toString(r.takeError());
  int64_t worstErf = 0, worstExp = 0;
  for (size_t i = 0; i < xs.size(); ++i) {
    float v = xs[i];
    float erf = (*r)[0].data<float>()[i], exp = (*r)[1].data<float>()[i];
    float wantErf = float(std::erf(double(v)));
    float wantExp = float(std::exp(double(v)));
    int64_t e1 = ulps(erf, wantErf);
    if (std::fabs(double(erf) - double(wantErf)) > std::ldexp(1.0, -30)) {
      EXPECT_LE(e1, 4) << "erf(" << v << ") = " << erf << ", libm " << wantErf;
      worstErf = std::max(worstErf, e1);
    }
    if (wantExp < std::numeric_limits<float>::min()) {
      EXPECT_LE(std::fabs(exp - wantExp), std::numeric_limits<float>::min())
          << "exp(" << v << ")";
      continue;
    }
    if (std::isinf(wantExp)) {
      EXPECT_EQ(exp, wantExp) << "exp(" << v << ")";
      continue;
    }
    // The error grows on the last half unit before overflow.
    int64_t e2 = ulps(exp, wantExp);
    EXPECT_LE(e2, v <= 88.f ? 2 : 8)
        << "exp(" << v << ") = " << exp << ", libm " << wantExp;
    worstExp = std::max(worstExp, e2);
  }
  std::printf("worst: erf %lld ulp, exp %lld ulp\n", (long long)worstErf,
              (long long)worstExp);
}

TEST(ApproximateMath, SpecialValuesAreExact) {
  Jit jit;
  auto compiled = compileBoth(jit);
  ASSERT_TRUE(compiled);
  const float inf = std::numeric_limits<float>::infinity();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::vector<float> xs = {0.f,   -0.f,   inf,  -inf,  nan,
                           100.f, -100.f, 89.f, -104.f};
  HostArray x = HostArray::zeros(DType::F32, {int64_t(xs.size())});
  std::memcpy(x.data<float>(), xs.data(), xs.size() * 4);
  auto r = compiled->call("f", {x});
  ASSERT_TRUE(bool(r)) << llvm::toString(r.takeError());
  const float *erf = (*r)[0].data<float>(), *exp = (*r)[1].data<float>();
  EXPECT_EQ(erf[0], 0.f);
  EXPECT_EQ(erf[1], 0.f);
  EXPECT_EQ(erf[2], 1.f);
  EXPECT_EQ(erf[3], -1.f);
  EXPECT_TRUE(std::isnan(erf[4]));
  EXPECT_EQ(exp[0], 1.f);
  EXPECT_EQ(exp[1], 1.f);
  EXPECT_EQ(exp[2], inf);
  EXPECT_EQ(exp[3], 0.f);
  EXPECT_TRUE(std::isnan(exp[4]));
  EXPECT_EQ(exp[5], inf);
  EXPECT_EQ(exp[6], 0.f); // 3.7e-44 would be subnormal.
  EXPECT_EQ(exp[7], inf);
  EXPECT_EQ(exp[8], 0.f);
}

TEST(ApproximateMath, VectorAndRemainderAgree) {
  Jit jit;
  auto compiled = compileBoth(jit);
  ASSERT_TRUE(compiled);
  std::mt19937 rng(9);
  std::uniform_real_distribution<float> dist(-6.f, 6.f);
  std::vector<float> base(37);
  for (float &v : base)
    v = dist(rng);
  // The same values at every offset of a 37-element array: each lands in
  // the vector body at some offsets and in the remainder at others.
  std::vector<HostArray> first;
  for (int64_t n = 37; n >= 1; --n) {
    HostArray x = HostArray::zeros(DType::F32, {n});
    std::memcpy(x.data<float>(), base.data() + (37 - n), size_t(n) * 4);
    auto r = compiled->call("f", {x});
    ASSERT_TRUE(bool(r)) << llvm::toString(r.takeError());
    if (n == 37) {
      first = std::move(*r);
      continue;
    }
    for (int result : {0, 1})
      for (int64_t i = 0; i < n; ++i)
        EXPECT_EQ(std::memcmp(&(*r)[result].data<float>()[i],
                              &first[result].data<float>()[i + 37 - n], 4),
                  0)
            << "result " << result << ", size " << n << ", element " << i;
  }
}

} // namespace
