//===- NonFiniteGradTest.cpp - BitLinear training under NaN and Inf -------===//
//
// The property test of the training numerics under non-finite and extreme
// values (docs/numerics.md, "Non-finite values"): a BitLinear loss and its
// straight-through gradients, compiled through the whole pipeline, against
// the reference (lib/Reference) on inputs holding NaN, infinities,
// denormals, zeros and huge magnitudes. A NaN must come out exactly where
// the reference has one, in the loss and in every gradient, and in
// particular a NaN anywhere in x or W must make the loss NaN (it once gave a
// finite loss with NaN gradients, so a trainer saw nothing wrong).
//
//===----------------------------------------------------------------------===//

#include "GradCheck.h"

#include "ternary/Reference/BitLinear.h"

#include <limits>

using namespace ternary_test;
namespace ref = ::ternary::ref;

namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

/// What one argument of a case holds.
enum class Fill { Ordinary, OneNaN, OneInf, AllNaN, Denormal, Zero, Huge };

const char *fillName(Fill f) {
  switch (f) {
  case Fill::Ordinary:
    return "ordinary";
  case Fill::OneNaN:
    return "one NaN";
  case Fill::OneInf:
    return "one -inf";
  case Fill::AllNaN:
    return "all NaN";
  case Fill::Denormal:
    return "denormal";
  case Fill::Zero:
    return "zero";
  case Fill::Huge:
    return "huge";
  }
  return "";
}

void fill(HostArray &a, Fill f, std::mt19937 &rng) {
  float *v = a.data<float>();
  int64_t count = a.numElements();
  std::uniform_int_distribution<int64_t> at(0, count - 1);
  switch (f) {
  case Fill::Ordinary:
    return;
  case Fill::OneNaN:
    v[at(rng)] = kNaN;
    return;
  case Fill::OneInf:
    v[at(rng)] = -kInf;
    return;
  case Fill::AllNaN:
    std::fill(v, v + count, kNaN);
    return;
  case Fill::Denormal:
    for (int64_t i = 0; i < count; ++i)
      v[i] *= 1e-39f;
    return;
  case Fill::Zero:
    std::fill(v, v + count, 0.f);
    return;
  case Fill::Huge:
    for (int64_t i = 0; i < count; ++i)
      v[i] *= 1e12f;
    return;
  }
}

bool anyNonFinite(const HostArray &a) {
  for (int64_t i = 0; i < a.numElements(); ++i)
    if (!std::isfinite(a.data<float>()[i]))
      return true;
  return false;
}

/// NaN exactly where `expected` has one; elsewhere equal within the
/// tolerance of BitLinearGradTest (infinities exactly).
void expectSameValues(const char *what, const HostArray &got,
                      const std::vector<float> &expected) {
  ASSERT_EQ(size_t(got.numElements()), expected.size()) << what;
  double largest = 0;
  for (float v : expected)
    if (std::isfinite(v))
      largest = std::max(largest, double(std::fabs(v)));
  for (size_t i = 0; i < expected.size(); ++i) {
    float g = got.data<float>()[i], e = expected[i];
    ASSERT_EQ(std::isnan(g), std::isnan(e))
        << what << "[" << i << "]: " << g << " against " << e;
    if (std::isnan(e))
      continue;
    if (!std::isfinite(e)) {
      ASSERT_EQ(g, e) << what << "[" << i << "]";
      continue;
    }
    ASSERT_NEAR(g, e, 1e-4 * std::fabs(e) + 1e-6 * largest)
        << what << "[" << i << "]";
  }
}

struct Config {
  const char *norm;
  ref::NormKind kind;
  const char *scale;
  ref::ScaleMethod method;
};

TEST_F(GradCheck, BitLinearNonFiniteMatchesReference) {
  const Config configs[] = {
      {"none", ref::NormKind::None, "absmean", ref::ScaleMethod::AbsMean},
      {"none", ref::NormKind::None, "absmedian", ref::ScaleMethod::AbsMedian},
      {"layer", ref::NormKind::Layer, "absmedian", ref::ScaleMethod::AbsMedian},
      {"rms", ref::NormKind::RMS, "absmean", ref::ScaleMethod::AbsMean}};
  const Fill fills[] = {Fill::Ordinary, Fill::OneNaN,   Fill::OneInf,
                        Fill::AllNaN,   Fill::Denormal, Fill::Zero,
                        Fill::Huge};
  std::mt19937 rng(7);
  for (const Config &config : configs) {
    SCOPED_TRACE(std::string(config.norm) + " " + config.scale);
    std::ostringstream layer;
    layer << "  %y = ternary.bitlinear %x, %w bias %b {norm = #ternary.norm<"
          << config.norm << ">, scale = #ternary.scale<" << config.scale
          << ">} : (tensor<?x?xf32>, tensor<?x?xf32>, tensor<?xf32>) -> "
          << "tensor<?x?xf32>\n";
    std::unique_ptr<CompiledModule> compiled =
        compile(bitLinearLossModule("%unused: tensor<f32>", layer.str()));
    ASSERT_TRUE(compiled);
    // Every fill of x against every fill of W (the bias ordinary), then a
    // NaN bias.
    for (Fill fx : fills)
      for (Fill fw : fills)
        for (bool nanBias : {false, true}) {
          if (nanBias && (fx != Fill::Ordinary || fw != Fill::Ordinary))
            continue;
          SCOPED_TRACE(std::string("x ") + fillName(fx) + ", W " +
                       fillName(fw) + (nanBias ? ", NaN bias" : ""));
          const int64_t m = 5, k = 23, n = 7;
          std::vector<HostArray> in = {
              random({{m, k}}, rng), random({{n, k}}, rng), random({{n}}, rng),
              random({{m, n}}, rng), HostArray::zeros(DType::F32, {})};
          for (int64_t i = 0; i < n * k; ++i)
            in[1].data<float>()[i] *= 0.1f;
          fill(in[0], fx, rng);
          fill(in[1], fw, rng);
          if (nanBias)
            in[2].data<float>()[3] = kNaN;
          auto results = compiled->call("g", in);
          ASSERT_TRUE(bool(results)) << llvm::toString(results.takeError());

          ref::BitLinearArgs args;
          args.x = in[0].data<float>();
          args.w = in[1].data<float>();
          args.bias = in[2].data<float>();
          args.rows = m, args.k = k, args.n = n;
          ref::BitLinearOptions opts;
          opts.norm = config.kind;
          opts.scale = config.method;
          std::vector<float> y(m * n);
          ref::bitLinearForward(args, opts, y.data());
          ref::BitLinearGrads grads =
              ref::bitLinearBackward(args, opts, in[3].data<float>());

          double loss = 0;
          for (int64_t i = 0; i < m * n; ++i)
            loss += double(y[i]) * in[3].data<float>()[i];
          float got = (*results)[0].data<float>()[0];
          // What the user relies on: a NaN or an infinity in x or W (or a NaN
          // bias) is never hidden by the quantisers.
          if (anyNonFinite(in[0]) || anyNonFinite(in[1]) || nanBias) {
            EXPECT_TRUE(std::isnan(got)) << "loss " << got;
          }
          EXPECT_EQ(std::isnan(got), std::isnan(loss))
              << "loss " << got << " against " << loss;
          if (std::isfinite(loss))
            EXPECT_NEAR(got, loss, 1e-4 * (1 + std::fabs(loss)));
          ASSERT_EQ(results->size(), 4u);
          expectSameValues("dx", (*results)[1], grads.dx);
          expectSameValues("dw", (*results)[2], grads.dw);
          expectSameValues("db", (*results)[3], grads.dbias);
        }
  }
}

} // namespace
