//===- BitLinearGradTest.cpp - BitLinear's STE against the reference ------===//
//
// BitLinear's straight-through gradient (not a derivative of the
// piecewise-constant forward) compiled through the whole pipeline and
// compared with the reference numerics' bitLinearBackward, on random shapes
// and every option: normalisations, scales, Q, warm-up lambda (attribute and
// run-time operand), stochastic rounding.
//
//===----------------------------------------------------------------------===//

#include "GradCheck.h"

#include "ternary/Reference/BitLinear.h"

using namespace ternary_test;

namespace {

//===----------------------------------------------------------------------===//
// BitLinear: the straight-through gradient against the reference
//===----------------------------------------------------------------------===//

struct BitLinearConfig {
  const char *norm;
  const char *scale;
  int q;
  float lambda = 1.0f; ///< quantisation warm-up
};

TEST_F(GradCheck, BitLinearSTEMatchesReference) {
  // Every normalisation and scale, both Q, and the warm-up (lambda < 1,
  // whose forward is lowered in f32 with the blended operands).
  const BitLinearConfig configs[] = {{"layer", "absmedian", 128},
                                     {"layer", "absmean", 127},
                                     {"none", "absmean", 127},
                                     {"none", "absmedian", 128},
                                     {"rms", "absmean", 128},
                                     {"rms", "absmedian", 127},
                                     {"layer_affine", "absmedian", 128},
                                     {"layer_affine", "absmean", 127},
                                     {"layer", "absmedian", 128, 0.5f},
                                     {"rms", "absmean", 127, 0.0f},
                                     {"layer_affine", "absmedian", 128, 0.25f}};
  std::mt19937 rng(42);
  for (const BitLinearConfig &config : configs) {
    bool affine = std::string(config.norm) == "layer_affine";
    SCOPED_TRACE(std::string(config.norm) + " " + config.scale +
                 " q=" + std::to_string(config.q) +
                 " lambda=" + std::to_string(config.lambda));
    // loss = sum(bitlinear(x, w, b) * r): the gradient of y is r.
    std::ostringstream layer;
    layer << "  %y = ternary.bitlinear %x, %w bias %b"
          << (affine ? " affine(%g, %be)" : "") << " {norm = #ternary.norm<"
          << config.norm << ">, scale = #ternary.scale<" << config.scale
          << ">, q = " << config.q << " : i32, lambda = " << std::fixed
          << config.lambda << " : f32} : (tensor<?x?xf32>, tensor<?x?xf32>, "
          << "tensor<?xf32>" << (affine ? ", tensor<?xf32>, tensor<?xf32>" : "")
          << ") -> tensor<?x?xf32>\n";
    std::string text =
        bitLinearLossModule("%g: tensor<?xf32>, %be: tensor<?xf32>",
                            layer.str(), affine ? "0, 1, 2, 4, 5" : "0, 1, 2");
    std::unique_ptr<CompiledModule> compiled = compile(text);
    ASSERT_TRUE(compiled);
    for (int trial = 0; trial < 6; ++trial) {
      std::uniform_int_distribution<int64_t> rowsDist(1, 9), kDist(1, 70),
          nDist(1, 40);
      int64_t m = rowsDist(rng), k = kDist(rng), n = nDist(rng);
      SCOPED_TRACE("M=" + std::to_string(m) + " K=" + std::to_string(k) +
                   " N=" + std::to_string(n));
      // x, w, b, r, gamma, beta.
      std::vector<HostArray> in = {
          GradCheck::random({{m, k}}, rng), GradCheck::random({{n, k}}, rng),
          GradCheck::random({{n}}, rng),    GradCheck::random({{m, n}}, rng),
          GradCheck::random({{k}}, rng),    GradCheck::random({{k}}, rng)};
      for (int64_t i = 0; i < n * k; ++i)
        in[1].data<float>()[i] *= 0.1f;
      auto results = compiled->call("g", in);
      ASSERT_TRUE(bool(results)) << llvm::toString(results.takeError());

      ::ternary::ref::BitLinearArgs args;
      args.x = in[0].data<float>();
      args.w = in[1].data<float>();
      args.bias = in[2].data<float>();
      args.gamma = affine ? in[4].data<float>() : nullptr;
      args.beta = affine ? in[5].data<float>() : nullptr;
      args.rows = m, args.k = k, args.n = n;
      ::ternary::ref::BitLinearOptions opts;
      std::string norm = config.norm;
      opts.norm = norm == "none"    ? ::ternary::ref::NormKind::None
                  : norm == "rms"   ? ::ternary::ref::NormKind::RMS
                  : norm == "layer" ? ::ternary::ref::NormKind::Layer
                                    : ::ternary::ref::NormKind::LayerAffine;
      opts.scale = std::string(config.scale) == "absmean"
                       ? ::ternary::ref::ScaleMethod::AbsMean
                       : ::ternary::ref::ScaleMethod::AbsMedian;
      opts.q = config.q;
      opts.lambda = config.lambda;
      auto ref =
          ::ternary::ref::bitLinearBackward(args, opts, in[3].data<float>());
      // The loss: sum(y * r) with the reference forward.
      std::vector<float> y(m * n);
      ::ternary::ref::bitLinearForward(args, opts, y.data());
      double loss = 0;
      for (int64_t i = 0; i < m * n; ++i)
        loss += double(y[i]) * in[3].data<float>()[i];
      EXPECT_NEAR((*results)[0].data<float>()[0], loss,
                  1e-4 * (1 + std::fabs(loss)));
      std::vector<std::pair<const char *, const std::vector<float> *>> want = {
          {"dx", &ref.dx}, {"dw", &ref.dw}, {"db", &ref.dbias}};
      if (affine) {
        want.push_back({"dgamma", &ref.dgamma});
        want.push_back({"dbeta", &ref.dbeta});
      }
      ASSERT_EQ(results->size(), want.size() + 1);
      for (size_t r = 0; r < want.size(); ++r) {
        const HostArray &got = (*results)[r + 1];
        const std::vector<float> &expected = *want[r].second;
        ASSERT_EQ(size_t(got.numElements()), expected.size()) << want[r].first;
        double largest = 0;
        for (float v : expected)
          largest = std::max(largest, double(std::fabs(v)));
        for (size_t i = 0; i < expected.size(); ++i)
          ASSERT_NEAR(got.data<float>()[i], expected[i],
                      1e-4 * std::fabs(expected[i]) + 1e-6 * largest)
              << want[r].first << "[" << i << "]";
      }
    }
  }
}

TEST_F(GradCheck, BitLinearStochasticRounding) {
  // sample(%seed): wq = sign(W / g) * [|W / g| >= u], u the documented draw
  // of (seed, weight index); the forward and the STE gradients use them.
  std::unique_ptr<CompiledModule> compiled = compile(bitLinearLossModule(
      "%seed: tensor<i64>",
      "  %s = tensor.extract %seed[] : tensor<i64>\n"
      "  %y = ternary.bitlinear %x, %w bias %b sample(%s) {norm = "
      "#ternary.norm<none>} : (tensor<?x?xf32>, tensor<?x?xf32>, "
      "tensor<?xf32>, i64) -> tensor<?x?xf32>\n"));
  ASSERT_TRUE(compiled);
  namespace ref = ::ternary::ref;
  std::mt19937 rng(21);
  const int64_t m = 4, k = 29, n = 9;
  for (int64_t seed : {3, 4}) {
    std::vector<HostArray> in = {random({{m, k}}, rng), random({{n, k}}, rng),
                                 random({{n}}, rng), random({{m, n}}, rng)};
    HostArray s = HostArray::zeros(DType::I64, {});
    s.data<int64_t>()[0] = seed;
    in.push_back(s);
    auto results = compiled->call("g", in);
    ASSERT_TRUE(bool(results)) << llvm::toString(results.takeError());

    const float *x = in[0].data<float>(), *w = in[1].data<float>(),
                *b = in[2].data<float>(), *r = in[3].data<float>();
    float g = ref::weightScale(w, n * k, ref::ScaleMethod::AbsMedian, 1e-5f);
    std::vector<int8_t> wq(n * k), xq(m * k);
    int zeros = 0;
    for (int64_t i = 0; i < n * k; ++i) {
      float v = w[i] / g;
      bool keep = std::fabs(v) >= ternary_test::uniformDraw(seed, i);
      wq[i] = keep ? (v > 0) - (v < 0) : 0;
      zeros += wq[i] == 0;
    }
    EXPECT_GT(zeros, 0);
    std::vector<float> absmax(m), y(m * n);
    ref::quantizeActivations(x, m, k, 8, 128, 1e-5f, xq.data(), absmax.data());
    std::vector<int32_t> acc(m * n);
    ref::ternaryMatmul(xq.data(), wq.data(), m, n, k, acc.data());
    ref::rescale(acc.data(), absmax.data(), g, b, m, n, 128, y.data());
    double loss = 0;
    for (int64_t i = 0; i < m * n; ++i)
      loss += double(y[i]) * r[i];
    EXPECT_NEAR((*results)[0].data<float>()[0], loss,
                1e-5 * (1 + std::fabs(loss)));
    // Straight-through: dx = g r wq, dW = sum_rows r (a / Q) xq,
    // db = sum_rows r g a / Q.
    for (int64_t row = 0; row < m; ++row)
      for (int64_t c = 0; c < k; ++c) {
        double dx = 0;
        for (int64_t j = 0; j < n; ++j)
          dx += double(r[row * n + j]) * wq[j * k + c];
        EXPECT_NEAR((*results)[1].data<float>()[row * k + c], g * dx,
                    1e-4 * (1 + std::fabs(g * dx)));
      }
    for (int64_t j = 0; j < n; ++j) {
      double db = 0;
      for (int64_t row = 0; row < m; ++row)
        db += double(r[row * n + j]) * g * absmax[row] / 128;
      EXPECT_NEAR((*results)[3].data<float>()[j], db,
                  1e-4 * (1 + std::fabs(db)));
      for (int64_t c = 0; c < k; ++c) {
        double dw = 0;
        for (int64_t row = 0; row < m; ++row)
          dw += double(r[row * n + j]) * absmax[row] / 128 * xq[row * k + c];
        EXPECT_NEAR((*results)[2].data<float>()[j * k + c], dw,
                    1e-4 * (1 + std::fabs(dw)));
      }
    }
  }
}

TEST_F(GradCheck, BitLinearRunTimeLambdaMatchesReference) {
  // lambda as an f32 operand (a warm-up schedule's value of the step).
  std::unique_ptr<CompiledModule> compiled = compile(bitLinearLossModule(
      "%lam: f32", "  %y = ternary.bitlinear %x, %w bias %b lambda(%lam) : "
                   "(tensor<?x?xf32>, tensor<?x?xf32>, tensor<?xf32>, f32) -> "
                   "tensor<?x?xf32>\n"));
  ASSERT_TRUE(compiled);
  std::mt19937 rng(9);
  const int64_t m = 5, k = 37, n = 11;
  for (float lambda : {0.0f, 0.3f, 0.9f, 1.0f}) {
    SCOPED_TRACE("lambda " + std::to_string(lambda));
    std::vector<HostArray> in = {random({{m, k}}, rng), random({{n, k}}, rng),
                                 random({{n}}, rng), random({{m, n}}, rng)};
    HostArray lam = HostArray::zeros(DType::F32, {});
    lam.data<float>()[0] = lambda;
    in.push_back(lam);
    auto results = compiled->call("g", in);
    ASSERT_TRUE(bool(results)) << llvm::toString(results.takeError());
    ::ternary::ref::BitLinearArgs args;
    args.x = in[0].data<float>();
    args.w = in[1].data<float>();
    args.bias = in[2].data<float>();
    args.rows = m, args.k = k, args.n = n;
    ::ternary::ref::BitLinearOptions opts;
    opts.lambda = lambda;
    auto ref =
        ::ternary::ref::bitLinearBackward(args, opts, in[3].data<float>());
    for (auto [r, expected] :
         llvm::enumerate(std::vector<const std::vector<float> *>{
             &ref.dx, &ref.dw, &ref.dbias})) {
      const HostArray &got = (*results)[r + 1];
      double largest = 0;
      for (float v : *expected)
        largest = std::max(largest, double(std::fabs(v)));
      for (size_t i = 0; i < expected->size(); ++i)
        ASSERT_NEAR(got.data<float>()[i], (*expected)[i],
                    1e-4 * std::fabs((*expected)[i]) + 1e-6 * largest)
            << "result " << r + 1 << " [" << i << "]";
    }
  }
}

} // namespace
