//===- TorchFixturesTest.cpp - The reference against PyTorch --------------===//
//
// Compares the reference forward and straight-through backward of BitLinear
// with fixtures written by an independent PyTorch implementation
// (scripts/make_bitlinear_fixtures.py, autograd for the gradients). The
// fixtures are committed; torch is not needed here.
//
//===----------------------------------------------------------------------===//

#include "ternary/Reference/BitLinear.h"
#include "ternary/Support/Npy.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

using namespace ternary;
using namespace ternary::ref;

namespace {

const std::filesystem::path kFixtures = TERNARY_FIXTURES_DIR "/bitlinear";

HostArray load(const std::filesystem::path &dir, const std::string &name) {
  HostArray a;
  std::string error;
  EXPECT_TRUE(readNpy((dir / (name + ".npy")).string(), a, error)) << error;
  EXPECT_EQ(a.dtype, DType::F32) << name;
  return a;
}

std::vector<float> values(const HostArray &a) {
  return std::vector<float>(a.data<float>(), a.data<float>() + a.numElements());
}

/// |got - want| <= tol * max(|want|, 1e-2 * max|want|) element-wise.
void expectClose(const std::vector<float> &got, const HostArray &want,
                 double tol, const std::string &what) {
  ASSERT_EQ(static_cast<int64_t>(got.size()), want.numElements()) << what;
  const float *w = want.data<float>();
  double scale = 0;
  for (int64_t i = 0; i < want.numElements(); ++i)
    scale = std::max(scale, std::fabs(static_cast<double>(w[i])));
  for (size_t i = 0; i < got.size(); ++i) {
    double bound =
        tol * std::max(std::fabs(static_cast<double>(w[i])), 1e-2 * scale);
    EXPECT_NEAR(got[i], w[i], bound) << what << " element " << i;
  }
}

class TorchFixture : public ::testing::TestWithParam<std::string> {};

TEST_P(TorchFixture, ForwardAndStraightThroughBackward) {
  std::filesystem::path dir = kFixtures / GetParam();
  std::ifstream configFile(dir / "config.txt");
  ASSERT_TRUE(configFile) << "missing " << (dir / "config.txt");
  std::map<std::string, std::string> config;
  std::string item;
  while (configFile >> item) {
    size_t eq = item.find('=');
    config[item.substr(0, eq)] = item.substr(eq + 1);
  }
  BitLinearOptions opts;
  const std::map<std::string, NormKind> norms = {
      {"none", NormKind::None},
      {"layer", NormKind::Layer},
      {"layer_affine", NormKind::LayerAffine},
      {"rms", NormKind::RMS}};
  opts.norm = norms.at(config.at("norm"));
  opts.scale = config.at("scale") == "absmean" ? ScaleMethod::AbsMean
                                               : ScaleMethod::AbsMedian;
  opts.q = std::stoi(config.at("q"));
  opts.lambda = std::stof(config.at("lambda"));
  bool bias = config.at("bias") == "1";

  HostArray x = load(dir, "x"), w = load(dir, "w"), gamma = load(dir, "gamma"),
            beta = load(dir, "beta"), dy = load(dir, "dy");
  HostArray b;
  if (bias)
    b = load(dir, "b");
  BitLinearArgs args;
  args.x = x.data<float>();
  args.w = w.data<float>();
  args.bias = bias ? b.data<float>() : nullptr;
  args.gamma = gamma.data<float>();
  args.beta = beta.data<float>();
  args.rows = static_cast<size_t>(x.shape[0]);
  args.k = static_cast<size_t>(x.shape[1]);
  args.n = static_cast<size_t>(w.shape[0]);

  std::vector<float> y(args.rows * args.n);
  bitLinearForward(args, opts, y.data());
  expectClose(y, load(dir, "y"), 1e-5, "y");

  BitLinearGrads grads = bitLinearBackward(args, opts, dy.data<float>());
  expectClose(grads.dx, load(dir, "dx"), 1e-4, "dx");
  expectClose(grads.dw, load(dir, "dw"), 1e-4, "dw");
  if (bias)
    expectClose(grads.dbias, load(dir, "db"), 1e-4, "db");
  if (opts.norm == NormKind::LayerAffine) {
    expectClose(grads.dgamma, load(dir, "dgamma"), 1e-4, "dgamma");
    expectClose(grads.dbeta, load(dir, "dbeta"), 1e-4, "dbeta");
  }
}

INSTANTIATE_TEST_SUITE_P(Torch, TorchFixture,
                         ::testing::Values("authors_default",
                                           "bitnet_inference", "rms_absmean",
                                           "layer_affine",
                                           "warmup_lambda_half"));

} // namespace
