//===- TrainingTest.cpp - Compiled optimisers, schedules and training -----===//
//
// The optimiser ops against plain C++ implementations of PyTorch's update
// rules (AdamW is also checked against PyTorch itself by the lit test
// tools/ternary-train/adamw-fixture.test), the learning-rate schedules
// against their closed forms, global-norm clipping, and a short training
// run of a BitLinear MLP whose loss must fall.
//
//===----------------------------------------------------------------------===//

#include "Jit.h"

#include <cmath>
#include <random>
#include <sstream>

using namespace mlir::ternary;
using ::ternary::DType;
using ::ternary::HostArray;
using ternary_test::randomNormalArray;

namespace {

HostArray scalarI64(int64_t v) {
  HostArray a = HostArray::zeros(DType::I64, {});
  a.data<int64_t>()[0] = v;
  return a;
}

//===----------------------------------------------------------------------===//
// Learning-rate schedules
//===----------------------------------------------------------------------===//

/// The closed forms of #ternary.lr_schedule (W = 10, T = 100, lr = 0.1,
/// min_lr = 0.01).
double expectedLr(const std::string &kind, int64_t t) {
  const double lr = 0.1, minLr = 0.01, w = 10, total = 100;
  double warm = std::min(1.0, (t + 1) / w);
  auto clamp01 = [](double v) { return std::min(1.0, std::max(0.0, v)); };
  if (kind == "constant")
    return lr;
  if (kind == "linear_warmup")
    return lr * warm;
  if (kind == "cosine") {
    if (t < w)
      return lr * warm;
    double p = clamp01((t - w) / (total - w));
    return minLr + (lr - minLr) * (1 + std::cos(M_PI * p)) / 2;
  }
  // two_stage
  double half = 50;
  if (t < half)
    return lr * warm * (1 - 0.5 * clamp01((t - w) / (half - w)));
  return minLr * (1 - clamp01((t - half) / (total - half)));
}

TEST(Training, LearningRateSchedules) {
  ternary_test::Jit jit;
  std::ostringstream text;
  const char *kinds[] = {"constant", "linear_warmup", "cosine", "two_stage"};
  for (const char *kind : kinds)
    text << "func.func @" << kind << "(%t: tensor<i64>) -> tensor<f64> {\n"
         << "  %s = tensor.extract %t[] : tensor<i64>\n"
         << "  %lr = ternary.lr_schedule %s {schedule = #ternary.lr_schedule<"
         << kind
         << ">, lr = 0.1, min_lr = 0.01, warmup_steps = 10 : i64, "
            "total_steps = 100 : i64} : i64\n"
         << "  %r = tensor.from_elements %lr : tensor<f64>\n"
         << "  return %r : tensor<f64>\n}\n";
  auto compiled = jit.compile(text.str());
  ASSERT_TRUE(compiled);
  for (const char *kind : kinds)
    for (int64_t t : {0, 1, 4, 9, 10, 11, 30, 49, 50, 51, 75, 99, 100, 150}) {
      auto r = compiled->call(kind, {scalarI64(t)});
      ASSERT_TRUE(bool(r)) << llvm::toString(r.takeError());
      EXPECT_NEAR((*r)[0].data<double>()[0], expectedLr(kind, t), 1e-12)
          << kind << " at step " << t;
    }
}

//===----------------------------------------------------------------------===//
// SGD and clipping
//===----------------------------------------------------------------------===//

TEST(Training, SGDMomentumAndNesterovMatchPyTorchRule) {
  ternary_test::Jit jit;
  std::ostringstream text;
  for (const char *variant : {"plain", "momentum", "nesterov"}) {
    std::string attrs = std::string(variant) == "plain" ? ""
                        : std::string(variant) == "momentum"
                            ? " {momentum = 0.9}"
                            : " {momentum = 0.9, nesterov = true}";
    text << "func.func @" << variant
         << "(%p: tensor<37xf32>, %g: tensor<37xf32>, %b: tensor<37xf32>) "
            "-> (tensor<37xf32>, tensor<37xf32>) {\n"
         << "  %lr = arith.constant 0.05 : f64\n"
         << "  %wd = arith.constant 0.01 : f64\n"
         << "  %p1, %b1 = ternary.sgd %p, %g, %b, %lr, %wd" << attrs
         << " : tensor<37xf32>, f64\n"
         << "  return %p1, %b1 : tensor<37xf32>, tensor<37xf32>\n}\n";
  }
  auto compiled = jit.compile(text.str());
  ASSERT_TRUE(compiled);
  std::mt19937 rng(3);
  HostArray p = randomNormalArray({37}, rng), g = randomNormalArray({37}, rng),
            b = randomNormalArray({37}, rng);
  for (const char *variant : {"plain", "momentum", "nesterov"}) {
    auto r = compiled->call(variant, {p, g, b});
    ASSERT_TRUE(bool(r)) << llvm::toString(r.takeError());
    for (int i = 0; i < 37; ++i) {
      // torch.optim.SGD (dampening 0), in f32.
      float d = g.data<float>()[i] + p.data<float>()[i] * 0.01f;
      float buf = b.data<float>()[i];
      if (std::string(variant) != "plain") {
        buf = buf * 0.9f + d;
        d = std::string(variant) == "nesterov" ? d + buf * 0.9f : buf;
      }
      float expected = p.data<float>()[i] - d * 0.05f;
      EXPECT_FLOAT_EQ((*r)[0].data<float>()[i], expected) << variant << i;
      EXPECT_FLOAT_EQ((*r)[1].data<float>()[i], buf) << variant << i;
    }
  }
}

TEST(Training, GlobalNormIsTheL2NormOfAllTensors) {
  ternary_test::Jit jit;
  auto compiled = jit.compile(R"(
func.func @clip(%a: tensor<3x4xf32>, %b: tensor<5xf32>) -> tensor<f32> {
  %c = ternary.global_norm %a, %b : tensor<3x4xf32>, tensor<5xf32>
  %r = tensor.from_elements %c : tensor<f32>
  return %r : tensor<f32>
}
)");
  ASSERT_TRUE(compiled);
  std::mt19937 rng(5);
  for (float scale : {0.05f, 1.0f, 10.0f}) {
    HostArray a = randomNormalArray({3, 4}, rng, scale),
              b = randomNormalArray({5}, rng, scale);
    double sq = 0;
    for (const HostArray *t : {&a, &b})
      for (int64_t i = 0; i < t->numElements(); ++i)
        sq += double(t->data<float>()[i]) * t->data<float>()[i];
    float expected = float(std::sqrt(sq));
    auto r = compiled->call("clip", {a, b});
    ASSERT_TRUE(bool(r)) << llvm::toString(r.takeError());
    EXPECT_FLOAT_EQ((*r)[0].data<float>()[0], expected) << "scale " << scale;
  }
}

/// A train step returns the loss, the learning rate it used (the schedule
/// at the counter before the step) and the global norm of the gradients
/// before clipping; the update clips with that norm. The gradients come from
/// a `ternary.gradient` twin of the same loss.
TEST(Training, TrainStepReportsLearningRateAndGradientNorm) {
  ternary_test::Jit jit;
  const char *body = R"(
  %y = ternary.bitlinear %x, %w bias %b : (tensor<8x6xf32>, tensor<4x6xf32>, tensor<4xf32>) -> tensor<8x4xf32>
  %l = ternary.cross_entropy %y, %labels : (tensor<8x4xf32>, tensor<8xi64>) -> tensor<f32>
  return %l : tensor<f32>
}
)";
  std::string signature = "(%x: tensor<8x6xf32>, %labels: tensor<8xi64>, "
                          "%w: tensor<4x6xf32>, %b: tensor<4xf32>) -> "
                          "tensor<f32>\n";
  auto compiled = jit.compile(
      "func.func @twin" + signature +
      "    attributes {ternary.gradient = {name = \"grads\", wrt = "
      "array<i64: 2, 3>}} {" +
      body + "func.func @loss" + signature +
      "    attributes {ternary.train_step = #ternary.train_step<name = "
      "\"train_step\", params = array<i64: 2, 3>, optimizer = sgd, lr = "
      "0.1, momentum = 0.0, schedule = cosine, warmup_steps = 10, "
      "total_steps = 100, min_lr = 0.01, max_grad_norm = 0.5>} {" +
      body);
  ASSERT_TRUE(compiled);
  std::mt19937 rng(3);
  HostArray x = randomNormalArray({8, 6}, rng, 2.0f);
  HostArray labels = HostArray::zeros(DType::I64, {8});
  for (int64_t i = 0; i < 8; ++i)
    labels.data<int64_t>()[i] = i % 4;
  HostArray w = randomNormalArray({4, 6}, rng, 0.5f), b = randomNormalArray({4}, rng, 0.5f);
  HostArray mw = HostArray::zeros(DType::F32, {4, 6}),
            mb = HostArray::zeros(DType::F32, {4});
  HostArray step = scalarI64(0);
  bool clipped = false;
  for (int64_t t = 0; t < 14; ++t) {
    auto g = compiled->call("grads", {x, labels, w, b});
    ASSERT_TRUE(bool(g)) << llvm::toString(g.takeError());
    double sq = 0;
    for (const HostArray &a : {(*g)[1], (*g)[2]})
      for (int64_t i = 0; i < a.numElements(); ++i)
        sq += double(a.data<float>()[i]) * a.data<float>()[i];
    float norm = float(std::sqrt(sq));
    float coef = std::min(1.0f, 0.5f / (norm + 1e-6f));
    clipped |= coef < 1.0f;
    double lr = expectedLr("cosine", t);
    HostArray w0 = w, b0 = b;
    std::vector<HostArray *> args = {&x, &labels, &w, &b, &mw, &mb, &step};
    auto r = compiled->callInPlace("train_step", args);
    ASSERT_TRUE(bool(r)) << llvm::toString(r.takeError());
    ASSERT_EQ(r->size(), 3u);
    EXPECT_FLOAT_EQ((*r)[0].data<float>()[0], (*g)[0].data<float>()[0]);
    EXPECT_EQ((*r)[1].dtype, DType::F64);
    EXPECT_NEAR((*r)[1].data<double>()[0], lr, 1e-12) << "step " << t;
    EXPECT_FLOAT_EQ((*r)[2].data<float>()[0], norm) << "step " << t;
    // SGD without momentum or decay: p - lr * coef * g.
    for (int64_t i = 0; i < w.numElements(); ++i)
      EXPECT_NEAR(w.data<float>()[i],
                  w0.data<float>()[i] -
                      float(lr) * coef * (*g)[1].data<float>()[i],
                  1e-6)
          << "step " << t << " w[" << i << "]";
  }
  EXPECT_TRUE(clipped) << "the steps exercise clipping";
}

//===----------------------------------------------------------------------===//
// Dropout
//===----------------------------------------------------------------------===//

/// The documented mask: kept when the draw u >= p.
bool referenceKeep(uint64_t seed, uint64_t index, float p) {
  return ternary_test::uniformDraw(seed, index) >= p;
}

TEST(Training, DropoutMaskIsSeededAndDocumented) {
  ternary_test::Jit jit;
  auto compiled = jit.compile(R"(
func.func @drop(%x: tensor<?x?xf32>, %seed: tensor<i64>) -> tensor<?x?xf32> {
  %s = tensor.extract %seed[] : tensor<i64>
  %y = ternary.dropout %x, %s {p = 0.3} : tensor<?x?xf32>
  return %y : tensor<?x?xf32>
}
)");
  ASSERT_TRUE(compiled);
  HostArray x = HostArray::zeros(DType::F32, {50, 41});
  for (int64_t i = 0; i < x.numElements(); ++i)
    x.data<float>()[i] = 1.0f + i % 7;
  std::vector<std::vector<float>> outputs;
  for (int64_t seed : {7, 7, 8}) {
    auto r = compiled->call("drop", {x, scalarI64(seed)});
    ASSERT_TRUE(bool(r)) << llvm::toString(r.takeError());
    const float *y = (*r)[0].data<float>();
    int64_t kept = 0;
    for (int64_t i = 0; i < x.numElements(); ++i) {
      bool keep = referenceKeep(seed, i, 0.3f);
      kept += keep;
      EXPECT_EQ(y[i], keep ? x.data<float>()[i] * (1.0f / 0.7f) : 0.0f)
          << "seed " << seed << " element " << i;
    }
    // 2050 draws: the kept fraction is 0.7 within 4 standard deviations.
    EXPECT_NEAR(kept / 2050.0, 0.7, 4 * std::sqrt(0.21 / 2050));
    outputs.emplace_back(y, y + x.numElements());
  }
  EXPECT_EQ(outputs[0], outputs[1]) << "the same seed, the same mask";
  EXPECT_NE(outputs[0], outputs[2]) << "another seed, another mask";
}

//===----------------------------------------------------------------------===//
// A short training run
//===----------------------------------------------------------------------===//

/// Three Gaussian blobs in 16 dimensions, 3 classes, learned by a 16-32-3
/// BitLinear MLP (authors' defaults) with SGD + Nesterov momentum, a cosine
/// schedule with warm-up and global-norm clipping: every generated piece of
/// the train step is on the path.
TEST(Training, LossFallsOnSeparableData) {
  ternary_test::Jit jit;
  auto compiled = jit.compile(R"(
func.func @loss(%x: tensor<?x16xf32>, %labels: tensor<?xi64>,
                %w1: tensor<32x16xf32>, %b1: tensor<32xf32>,
                %w2: tensor<3x32xf32>, %b2: tensor<3xf32>) -> tensor<f32>
    attributes {ternary.train_step = #ternary.train_step<name = "train_step",
        params = array<i64: 2, 3, 4, 5>, optimizer = sgd, lr = 0.1,
        momentum = 0.9, nesterov = true, weight_decay = 1.0e-4,
        schedule = cosine, warmup_steps = 8,
        total_steps = 160, max_grad_norm = 5.0, eval = "eval_step">} {
  %c0 = arith.constant 0 : index
  %h = ternary.bitlinear %x, %w1 bias %b1 : (tensor<?x16xf32>, tensor<32x16xf32>, tensor<32xf32>) -> tensor<?x32xf32>
  %n = tensor.dim %h, %c0 : tensor<?x32xf32>
  %e = tensor.empty(%n) : tensor<?x32xf32>
  %r = linalg.map ins(%h : tensor<?x32xf32>) outs(%e : tensor<?x32xf32>)
    (%v: f32, %unused: f32) {
      %zero = arith.constant 0.0 : f32
      %m = arith.maximumf %v, %zero : f32
      linalg.yield %m : f32
    }
  %y = ternary.bitlinear %r, %w2 bias %b2 : (tensor<?x32xf32>, tensor<3x32xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %l = ternary.cross_entropy %y, %labels : (tensor<?x3xf32>, tensor<?xi64>) -> tensor<f32>
  return %l : tensor<f32>
}
)");
  ASSERT_TRUE(compiled);
  std::mt19937 rng(11);
  const int64_t examples = 256, batch = 32, dims = 16;
  HostArray centers = randomNormalArray({3, dims}, rng, 1.0f);
  HostArray x = HostArray::zeros(DType::F32, {examples, dims});
  HostArray labels = HostArray::zeros(DType::I64, {examples});
  std::normal_distribution<float> noise(0.f, 0.6f);
  for (int64_t i = 0; i < examples; ++i) {
    int64_t c = i % 3;
    labels.data<int64_t>()[i] = c;
    for (int64_t d = 0; d < dims; ++d)
      x.data<float>()[i * dims + d] =
          centers.data<float>()[c * dims + d] + noise(rng);
  }
  auto uniform = [&](std::vector<int64_t> shape, float bound) {
    HostArray a = HostArray::zeros(DType::F32, std::move(shape));
    std::uniform_real_distribution<float> u(-bound, bound);
    for (int64_t i = 0; i < a.numElements(); ++i)
      a.data<float>()[i] = u(rng);
    return a;
  };
  std::vector<HostArray> params = {
      uniform({32, 16}, 0.25f), uniform({32}, 0.25f), uniform({3, 32}, 0.177f),
      uniform({3}, 0.177f)};
  std::vector<HostArray> state;
  for (const HostArray &p : params)
    state.push_back(HostArray::zeros(DType::F32, p.shape));
  HostArray step = scalarI64(0);

  auto evalLoss = [&]() {
    auto r = compiled->call(
        "eval_step", {x, labels, params[0], params[1], params[2], params[3]});
    EXPECT_TRUE(bool(r));
    return r ? (*r)[0].data<float>()[0] : NAN;
  };
  float before = evalLoss();
  for (int epoch = 0; epoch < 20; ++epoch)
    for (int64_t begin = 0; begin < examples; begin += batch) {
      HostArray xb = HostArray::zeros(DType::F32, {batch, dims});
      HostArray lb = HostArray::zeros(DType::I64, {batch});
      std::memcpy(xb.bytes.data(), x.bytes.data() + begin * dims * 4,
                  xb.bytes.size());
      std::memcpy(lb.bytes.data(), labels.bytes.data() + begin * 8,
                  lb.bytes.size());
      std::vector<HostArray *> args = {&xb, &lb};
      for (HostArray &p : params)
        args.push_back(&p);
      for (HostArray &s : state)
        args.push_back(&s);
      args.push_back(&step);
      auto r = compiled->callInPlace("train_step", args);
      ASSERT_TRUE(bool(r)) << llvm::toString(r.takeError());
      ASSERT_TRUE(std::isfinite((*r)[0].data<float>()[0]));
    }
  EXPECT_EQ(step.data<int64_t>()[0], 160) << "the step counter is updated";
  float after = evalLoss();
  EXPECT_LT(after, 0.25f * before) << "loss " << before << " -> " << after;
  EXPECT_LT(after, 0.3f);
}

} // namespace
