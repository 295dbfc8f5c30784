//===- GradCheckTest.cpp - ternary-autodiff against finite differences ----===//
//
// Every differentiable op the training models use, written as a small
// forward function with a `ternary.gradient` request, is JIT-compiled
// through the whole pipeline; the derived gradients are compared with
// central finite differences of the compiled forward function on random
// inputs. BitLinear's straight-through gradient (not a derivative of the
// piecewise-constant forward) is compared with the reference numerics'
// bitLinearBackward instead, on random shapes and every option.
//
//===----------------------------------------------------------------------===//

#include "Jit.h"

#include "ternary/Reference/BitLinear.h"

#include <cmath>
#include <functional>
#include <map>
#include <random>
#include <sstream>

using namespace mlir;
using namespace mlir::ternary;
using ::ternary::DType;
using ::ternary::HostArray;

namespace {

//===----------------------------------------------------------------------===//
// MLIR text helpers
//===----------------------------------------------------------------------===//

std::string tensorType(const std::vector<int64_t> &shape,
                       const std::string &element = "f32") {
  std::string s = "tensor<";
  for (int64_t d : shape)
    s += std::to_string(d) + "x";
  return s + element + ">";
}

std::string identityMap(size_t rank) {
  std::string dims;
  for (size_t d = 0; d < rank; ++d)
    dims += (d ? ", d" : "d") + std::to_string(d);
  return "affine_map<(" + dims + ") -> (" + dims + ")>";
}

std::string scalarMap(size_t rank) {
  std::string dims;
  for (size_t d = 0; d < rank; ++d)
    dims += (d ? ", d" : "d") + std::to_string(d);
  return "affine_map<(" + dims + ") -> ()>";
}

std::string iterators(size_t rank, const std::string &kind) {
  std::string s;
  for (size_t d = 0; d < rank; ++d)
    s += (d ? ", \"" : "\"") + kind + "\"";
  return "[" + s + "]";
}

/// `%out = sum(%v * %r)` as a tensor<f32>: the loss that makes any output's
/// gradient the random tensor %r.
std::string weightedSum(const std::string &out, const std::string &v,
                        const std::string &r,
                        const std::vector<int64_t> &shape) {
  std::string t = tensorType(shape);
  std::ostringstream os;
  os << "  %" << out << "_z = arith.constant 0.0 : f32\n"
     << "  %" << out << "_e = tensor.empty() : tensor<f32>\n"
     << "  %" << out << "_f = linalg.fill ins(%" << out
     << "_z : f32) outs(%" << out << "_e : tensor<f32>) -> tensor<f32>\n"
     << "  %" << out << " = linalg.generic {indexing_maps = ["
     << identityMap(shape.size()) << ", " << identityMap(shape.size()) << ", "
     << scalarMap(shape.size())
     << "], iterator_types = " << iterators(shape.size(), "reduction")
     << "} ins(%" << v << ", %" << r << " : " << t << ", " << t
     << ") outs(%" << out << "_f : tensor<f32>) {\n"
     << "  ^bb0(%a: f32, %b: f32, %acc: f32):\n"
     << "    %m = arith.mulf %a, %b : f32\n"
     << "    %s = arith.addf %acc, %m : f32\n"
     << "    linalg.yield %s : f32\n"
     << "  } -> tensor<f32>\n";
  return os.str();
}

/// The body of `elementwise` squaring its input.
const char *kSquare = "    %y = arith.mulf %x_, %x_ : f32\n";

/// `%out = f(%x)` element-wise; `body` computes `%y` from `%x_` (f32).
std::string elementwise(const std::string &out, const std::string &x,
                        const std::vector<int64_t> &shape,
                        const std::string &body) {
  std::string t = tensorType(shape);
  std::ostringstream os;
  os << "  %" << out << "_e = tensor.empty() : " << t << "\n"
     << "  %" << out << " = linalg.generic {indexing_maps = ["
     << identityMap(shape.size()) << ", " << identityMap(shape.size())
     << "], iterator_types = " << iterators(shape.size(), "parallel")
     << "} ins(%" << x << " : " << t << ") outs(%" << out << "_e : " << t
     << ") {\n"
     << "  ^bb0(%x_: f32, %unused: f32):\n"
     << body << "    linalg.yield %y : f32\n"
     << "  } -> " << t << "\n";
  return os.str();
}

/// `@f(%x, %w, %b, %r, extraArgs) -> sum(y * r)` where `layer` computes %y
/// (a BitLinear layer), with the gradients of arguments `wrt` requested as
/// `@g` (the gradient of y is then r).
std::string bitLinearLossModule(const std::string &extraArgs,
                                const std::string &layer,
                                const std::string &wrt = "0, 1, 2") {
  return "func.func @f(%x: tensor<?x?xf32>, %w: tensor<?x?xf32>, "
         "%b: tensor<?xf32>, %r: tensor<?x?xf32>, " +
         extraArgs +
         ") -> tensor<f32>\n    attributes {ternary.gradient = {name = "
         "\"g\", wrt = array<i64: " +
         wrt + ">}} {\n" +
         layer + R"(  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<f32>
  %zf = linalg.fill ins(%z : f32) outs(%e : tensor<f32>) -> tensor<f32>
  %loss = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> ()>], iterator_types = ["reduction", "reduction"]} ins(%y, %r : tensor<?x?xf32>, tensor<?x?xf32>) outs(%zf : tensor<f32>) {
  ^bb0(%a: f32, %q: f32, %acc: f32):
    %m = arith.mulf %a, %q : f32
    %s2 = arith.addf %acc, %m : f32
    linalg.yield %s2 : f32
  } -> tensor<f32>
  return %loss : tensor<f32>
}
)";
}

//===----------------------------------------------------------------------===//
// The harness
//===----------------------------------------------------------------------===//

struct Arg {
  std::vector<int64_t> shape;
  int64_t labelsOf = 0; ///< > 0: an i64 label tensor with that many classes
  bool ignoreOne = true; ///< labels: make element 1 the ignore index -100
};

/// A forward function `@f(args) -> tensor<f32>` whose gradients with
/// respect to `wrt` are derived into `@g`.
struct Case {
  std::string name;
  std::vector<Arg> args;
  std::vector<int64_t> wrt;
  std::string body; ///< ops computing %loss from %a0, %a1, ...
  double h = 1e-2;  ///< finite-difference step
  /// |x| where the function has a kink (ReLU: 0): elements within 2h of
  /// one are not compared, a central difference straddles the kink there.
  std::vector<double> kinks = {};
};

std::string moduleText(const Case &c) {
  std::ostringstream os;
  os << "func.func @f(";
  for (size_t i = 0; i < c.args.size(); ++i)
    os << (i ? ", " : "") << "%a" << i << ": "
       << tensorType(c.args[i].shape, c.args[i].labelsOf ? "i64" : "f32");
  os << ") -> tensor<f32> attributes {ternary.gradient = {name = \"g\", "
        "wrt = array<i64: ";
  for (size_t i = 0; i < c.wrt.size(); ++i)
    os << (i ? ", " : "") << c.wrt[i];
  os << ">}} {\n" << c.body << "  return %loss : tensor<f32>\n}\n";
  return os.str();
}

/// Sizes drawn for a case, by name ("M", "K", ...).
using Sizes = std::map<std::string, int64_t>;

/// `text` with every `{X}` replaced by sizes[X] and every `{X.f}` by it as
/// an f32 literal.
std::string subst(std::string text, const Sizes &sizes) {
  for (const auto &[name, value] : sizes) {
    for (auto [token, replacement] :
         {std::pair{"{" + name + "}", std::to_string(value)},
          std::pair{"{" + name + ".f}", std::to_string(value) + ".0"}}) {
      size_t pos;
      while ((pos = text.find(token)) != std::string::npos)
        text.replace(pos, token.size(), replacement);
    }
  }
  return text;
}

class GradCheck : public ::testing::Test {
public:
  /// Checks the cases `make` builds for `draws` random draws of the sizes
  /// `names`, each in [lo, hi] (random shapes, most not multiples of the
  /// vector width).
  void checkRandomShapes(const std::vector<std::string> &names, int64_t lo,
                         int64_t hi, std::function<Case(const Sizes &)> make,
                         unsigned draws = 3) {
    std::mt19937 rng(names.size() * 7919 + lo * 31 + hi);
    std::uniform_int_distribution<int64_t> pick(lo, hi);
    for (unsigned d = 0; d < draws; ++d) {
      Sizes sizes;
      std::string trace;
      for (const std::string &n : names) {
        sizes[n] = pick(rng);
        trace += n + "=" + std::to_string(sizes[n]) + " ";
      }
      SCOPED_TRACE(trace);
      check(make(sizes), d + 1);
    }
  }

  std::unique_ptr<CompiledModule> compile(const std::string &text) {
    return jit.compile(text);
  }

  static HostArray random(const Arg &arg, std::mt19937 &rng) {
    if (arg.labelsOf) {
      HostArray a = HostArray::zeros(DType::I64, arg.shape);
      std::uniform_int_distribution<int64_t> pick(0, arg.labelsOf - 1);
      for (int64_t i = 0; i < a.numElements(); ++i)
        a.data<int64_t>()[i] = pick(rng);
      if (arg.ignoreOne && a.numElements() > 1)
        a.data<int64_t>()[1] = -100; // an ignored row
      return a;
    }
    HostArray a = HostArray::zeros(DType::F32, arg.shape);
    std::normal_distribution<float> normal(0.f, 1.f);
    for (int64_t i = 0; i < a.numElements(); ++i)
      a.data<float>()[i] = normal(rng);
    return a;
  }

  static float scalar(const HostArray &a) { return a.data<float>()[0]; }

  /// Compiles `c`, checks that @g returns @f's loss, and compares every
  /// gradient element (up to 40 a tensor) with a central difference.
  void check(const Case &c, unsigned seed = 1) {
    SCOPED_TRACE(c.name);
    std::unique_ptr<CompiledModule> compiled = compile(moduleText(c));
    if (!compiled)
      return;
    std::mt19937 rng(seed);
    std::vector<HostArray> inputs;
    for (const Arg &arg : c.args)
      inputs.push_back(random(arg, rng));
    auto loss = [&](const std::vector<HostArray> &in) {
      auto r = compiled->call("f", in);
      EXPECT_TRUE(bool(r)) << (r ? "" : llvm::toString(r.takeError()));
      return r ? double(scalar((*r)[0])) : NAN;
    };
    auto grads = compiled->call("g", inputs);
    ASSERT_TRUE(bool(grads)) << llvm::toString(grads.takeError());
    ASSERT_EQ(grads->size(), c.wrt.size() + 1);
    double f0 = loss(inputs);
    EXPECT_NEAR(scalar((*grads)[0]), f0, 1e-5 * (1 + std::fabs(f0)));

    for (size_t w = 0; w < c.wrt.size(); ++w) {
      const HostArray &grad = (*grads)[w + 1];
      size_t index = c.wrt[w];
      ASSERT_EQ(grad.shape, inputs[index].shape);
      double largest = 0;
      for (int64_t i = 0; i < grad.numElements(); ++i)
        largest = std::max(largest, double(std::fabs(grad.data<float>()[i])));
      int64_t n = inputs[index].numElements();
      int64_t stride = std::max<int64_t>(1, n / 40);
      for (int64_t i = 0; i < n; i += stride) {
        double x = std::fabs(inputs[index].data<float>()[i]);
        if (llvm::any_of(c.kinks, [&](double k) {
              return std::fabs(x - k) < 2 * c.h;
            }))
          continue;
        std::vector<HostArray> plus = inputs, minus = inputs;
        plus[index].data<float>()[i] += c.h;
        minus[index].data<float>()[i] -= c.h;
        double fd = (loss(plus) - loss(minus)) / (2 * c.h);
        double g = grad.data<float>()[i];
        EXPECT_NEAR(g, fd, 1e-2 * std::fabs(fd) + 2e-3 * std::max(1.0, largest))
            << "d loss / d arg" << index << "[" << i << "]";
      }
    }
  }

  ternary_test::Jit jit;
};

//===----------------------------------------------------------------------===//
// Op-by-op gradient checks
//===----------------------------------------------------------------------===//

TEST_F(GradCheck, LinearWithBias) {
  // y = x W + b (linalg.matmul and a broadcast), loss = sum(y * r).
  checkRandomShapes({"M", "K", "N"}, 1, 19, [](const Sizes &z) {
    int64_t m = z.at("M"), k = z.at("K"), n = z.at("N");
    Case c{"linear", {{{m, k}}, {{k, n}}, {{n}}, {{m, n}}}, {0, 1, 2}, ""};
    c.body = subst(R"(  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<{M}x{N}xf32>
  %zf = linalg.fill ins(%z : f32) outs(%e : tensor<{M}x{N}xf32>) -> tensor<{M}x{N}xf32>
  %xw = linalg.matmul ins(%a0, %a1 : tensor<{M}x{K}xf32>, tensor<{K}x{N}xf32>) outs(%zf : tensor<{M}x{N}xf32>) -> tensor<{M}x{N}xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%xw, %a2 : tensor<{M}x{N}xf32>, tensor<{N}xf32>) outs(%e : tensor<{M}x{N}xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %s = arith.addf %p, %q : f32
    linalg.yield %s : f32
  } -> tensor<{M}x{N}xf32>
)", z) + weightedSum("loss", "y", "a3", {m, n});
    return c;
  });
}

/// An activation applied to inputs of random [R, C] shapes.
void activation(GradCheck *t, const std::string &name, const std::string &body,
                std::vector<double> kinks) {
  t->checkRandomShapes({"R", "C"}, 1, 23, [&](const Sizes &z) {
    std::vector<int64_t> shape = {z.at("R"), z.at("C")};
    Case c{name, {{shape}, {shape}}, {0}, ""};
    c.kinks = kinks;
    c.body = elementwise("y", "a0", shape, body) +
             weightedSum("loss", "y", "a1", shape);
    return c;
  });
}

TEST_F(GradCheck, Activations) {
  const std::pair<const char *, const char *> cases[] = {
      {"relu", "    %zero = arith.constant 0.0 : f32\n"
               "    %y = arith.maximumf %x_, %zero : f32\n"},
      // GELU, tanh approximation.
      {"gelu_tanh",
       "    %c = arith.constant 0.7978845608 : f32\n"
       "    %k = arith.constant 0.044715 : f32\n"
       "    %half = arith.constant 0.5 : f32\n"
       "    %one = arith.constant 1.0 : f32\n"
       "    %x2 = arith.mulf %x_, %x_ : f32\n"
       "    %x3 = arith.mulf %x2, %x_ : f32\n"
       "    %kx3 = arith.mulf %k, %x3 : f32\n"
       "    %in = arith.addf %x_, %kx3 : f32\n"
       "    %arg = arith.mulf %c, %in : f32\n"
       "    %th = math.tanh %arg : f32\n"
       "    %p = arith.addf %one, %th : f32\n"
       "    %hx = arith.mulf %half, %x_ : f32\n"
       "    %y = arith.mulf %hx, %p : f32\n"},
      // GELU, exact (erf).
      {"gelu_erf", "    %r2 = arith.constant 0.7071067812 : f32\n"
                   "    %half = arith.constant 0.5 : f32\n"
                   "    %one = arith.constant 1.0 : f32\n"
                   "    %s = arith.mulf %x_, %r2 : f32\n"
                   "    %e = math.erf %s : f32\n"
                   "    %p = arith.addf %one, %e : f32\n"
                   "    %hx = arith.mulf %half, %x_ : f32\n"
                   "    %y = arith.mulf %hx, %p : f32\n"},
      // SiLU: x / (1 + exp(-x)).
      {"silu", "    %one = arith.constant 1.0 : f32\n"
               "    %n = arith.negf %x_ : f32\n"
               "    %e = math.exp %n : f32\n"
               "    %d = arith.addf %one, %e : f32\n"
               "    %y = arith.divf %x_, %d : f32\n"},
      // softplus log(1 + exp(x)), sqrt(x^2 + 1), |x| * rsqrt(2).
      {"softplus", "    %one = arith.constant 1.0 : f32\n"
                   "    %e = math.exp %x_ : f32\n"
                   "    %d = arith.addf %one, %e : f32\n"
                   "    %y = math.log %d : f32\n"},
      {"sqrt_rsqrt", "    %one = arith.constant 1.0 : f32\n"
                     "    %x2 = arith.mulf %x_, %x_ : f32\n"
                     "    %s = arith.addf %x2, %one : f32\n"
                     "    %r = math.sqrt %s : f32\n"
                     "    %q = math.rsqrt %s : f32\n"
                     "    %y = arith.subf %r, %q : f32\n"},
      {"abs_min", "    %c = arith.constant 0.5 : f32\n"
                  "    %a = math.absf %x_ : f32\n"
                  "    %y = arith.minimumf %a, %c : f32\n"},
  };
  for (auto [name, body] : cases) {
    std::vector<double> kinks;
    if (std::string(name) == "relu")
      kinks = {0.0};
    if (std::string(name) == "abs_min")
      kinks = {0.0, 0.5};
    activation(this, name, body, kinks);
  }
}

TEST_F(GradCheck, SwiGLU) {
  // silu(a) * b, the gated unit of SwiGLU feed-forward layers.
  checkRandomShapes({"R", "C"}, 1, 17, [](const Sizes &z) {
    std::vector<int64_t> shape = {z.at("R"), z.at("C")};
    Case c{"swiglu", {{shape}, {shape}, {shape}}, {0, 1}, ""};
    c.body = subst(R"(  %e = tensor.empty() : tensor<{R}x{C}xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%a0, %a1 : tensor<{R}x{C}xf32>, tensor<{R}x{C}xf32>) outs(%e : tensor<{R}x{C}xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %one = arith.constant 1.0 : f32
    %n = arith.negf %a : f32
    %x = math.exp %n : f32
    %d = arith.addf %one, %x : f32
    %s = arith.divf %a, %d : f32
    %g = arith.mulf %s, %b : f32
    linalg.yield %g : f32
  } -> tensor<{R}x{C}xf32>
)", z) + weightedSum("loss", "y", "a2", shape);
    return c;
  });
}

/// Row statistics and normalisation of an [R, K] input, as generics.
const char *kLayerNorm = R"(  %z = arith.constant 0.0 : f32
  %er = tensor.empty() : tensor<{R}xf32>
  %zr = linalg.fill ins(%z : f32) outs(%er : tensor<{R}xf32>) -> tensor<{R}xf32>
  %sum = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i)>], iterator_types = ["parallel", "reduction"]} ins(%a0 : tensor<{R}x{K}xf32>) outs(%zr : tensor<{R}xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %s = arith.addf %acc, %x : f32
    linalg.yield %s : f32
  } -> tensor<{R}xf32>
  %e = tensor.empty() : tensor<{R}x{K}xf32>
  %c = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%a0, %sum : tensor<{R}x{K}xf32>, tensor<{R}xf32>) outs(%e : tensor<{R}x{K}xf32>) {
  ^bb0(%x: f32, %s: f32, %o: f32):
    %k = arith.constant {K.f} : f32
    %m = arith.divf %s, %k : f32
    %d = arith.subf %x, %m : f32
    linalg.yield %d : f32
  } -> tensor<{R}x{K}xf32>
  %var = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i)>], iterator_types = ["parallel", "reduction"]} ins(%c : tensor<{R}x{K}xf32>) outs(%zr : tensor<{R}xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %sq = arith.mulf %x, %x : f32
    %s = arith.addf %acc, %sq : f32
    linalg.yield %s : f32
  } -> tensor<{R}xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i)>, affine_map<(i, j) -> (j)>, affine_map<(i, j) -> (j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%c, %var, %a1, %a2 : tensor<{R}x{K}xf32>, tensor<{R}xf32>, tensor<{K}xf32>, tensor<{K}xf32>) outs(%e : tensor<{R}x{K}xf32>) {
  ^bb0(%x: f32, %v: f32, %g: f32, %b: f32, %o: f32):
    %k = arith.constant {K.f} : f32
    %eps = arith.constant 1.0e-5 : f32
    %mv = arith.divf %v, %k : f32
    %ve = arith.addf %mv, %eps : f32
    %r = math.rsqrt %ve : f32
    %n = arith.mulf %x, %r : f32
    %ng = arith.mulf %n, %g : f32
    %out = arith.addf %ng, %b : f32
    linalg.yield %out : f32
  } -> tensor<{R}x{K}xf32>
)";

TEST_F(GradCheck, LayerNormAffine) {
  checkRandomShapes({"R", "K"}, 2, 23, [](const Sizes &z) {
    int64_t r = z.at("R"), k = z.at("K");
    Case c{"layernorm", {{{r, k}}, {{k}}, {{k}}, {{r, k}}}, {0, 1, 2}, ""};
    c.body = subst(kLayerNorm, z) + weightedSum("loss", "y", "a3", {r, k});
    return c;
  });
}

TEST_F(GradCheck, RMSNorm) {
  checkRandomShapes({"R", "K"}, 2, 23, [](const Sizes &z) {
    int64_t r = z.at("R"), k = z.at("K");
    Case c{"rmsnorm", {{{r, k}}, {{k}}, {{r, k}}}, {0, 1}, ""};
    c.body = subst(R"(  %z = arith.constant 0.0 : f32
  %er = tensor.empty() : tensor<{R}xf32>
  %zr = linalg.fill ins(%z : f32) outs(%er : tensor<{R}xf32>) -> tensor<{R}xf32>
  %ss = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i)>], iterator_types = ["parallel", "reduction"]} ins(%a0 : tensor<{R}x{K}xf32>) outs(%zr : tensor<{R}xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %sq = arith.mulf %x, %x : f32
    %s = arith.addf %acc, %sq : f32
    linalg.yield %s : f32
  } -> tensor<{R}xf32>
  %e = tensor.empty() : tensor<{R}x{K}xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i)>, affine_map<(i, j) -> (j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%a0, %ss, %a1 : tensor<{R}x{K}xf32>, tensor<{R}xf32>, tensor<{K}xf32>) outs(%e : tensor<{R}x{K}xf32>) {
  ^bb0(%x: f32, %v: f32, %g: f32, %o: f32):
    %k = arith.constant {K.f} : f32
    %eps = arith.constant 1.0e-5 : f32
    %mv = arith.divf %v, %k : f32
    %ve = arith.addf %mv, %eps : f32
    %r = math.rsqrt %ve : f32
    %n = arith.mulf %x, %r : f32
    %out = arith.mulf %n, %g : f32
    linalg.yield %out : f32
  } -> tensor<{R}x{K}xf32>
)", z) + weightedSum("loss", "y", "a2", {r, k});
    return c;
  });
}

/// Multi-head scaled dot-product attention on [H = 2, T = 4, D = 3] with a
/// causal mask (key j > query i is masked) or a padding mask (a [T] constant
/// of 1 = keep, 0 = pad: keys 0, 1, 3 kept, key 2 padding), softmax written
/// out as generics.
std::string attention(bool causal, bool padding) {
  std::string mask;
  if (causal)
    mask += R"(    %i = linalg.index 1 : index
    %j = linalg.index 2 : index
    %future = arith.cmpi ugt, %j, %i : index
    %big = arith.constant -1.0e9 : f32
    %sm = arith.select %future, %big, %sc : f32
)";
  else
    mask += "    %sm = arith.addf %sc, %zero_ : f32\n";
  if (padding)
    mask += R"(    %one = arith.constant 1.0 : f32
    %pad = arith.subf %keep, %one : f32
    %huge = arith.constant 1.0e9 : f32
    %pen = arith.mulf %pad, %huge : f32
    %masked = arith.addf %sm, %pen : f32
)";
  else
    mask += "    %masked = arith.addf %sm, %zero_ : f32\n";
  std::string keep = padding ? "[1.0, 1.0, 0.0, 1.0]" : "1.0";
  return "  %mask = arith.constant dense<" + keep + "> : tensor<4xf32>\n" +
         std::string(R"(  %z = arith.constant 0.0 : f32
  %es = tensor.empty() : tensor<2x4x4xf32>
  %zs = linalg.fill ins(%z : f32) outs(%es : tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  %qk = linalg.generic {indexing_maps = [affine_map<(h, i, j, d) -> (h, i, d)>, affine_map<(h, i, j, d) -> (h, j, d)>, affine_map<(h, i, j, d) -> (h, i, j)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%a0, %a1 : tensor<2x4x3xf32>, tensor<2x4x3xf32>) outs(%zs : tensor<2x4x4xf32>) {
  ^bb0(%q: f32, %k: f32, %acc: f32):
    %m = arith.mulf %q, %k : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<2x4x4xf32>
  %ex = linalg.generic {indexing_maps = [affine_map<(h, i, j) -> (h, i, j)>, affine_map<(h, i, j) -> (j)>, affine_map<(h, i, j) -> (h, i, j)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%qk, %mask : tensor<2x4x4xf32>, tensor<4xf32>) outs(%es : tensor<2x4x4xf32>) {
  ^bb0(%s: f32, %keep: f32, %o: f32):
    %zero_ = arith.constant 0.0 : f32
    %scale = arith.constant 0.5773502692 : f32
    %sc = arith.mulf %s, %scale : f32
)") + mask + R"(    %x = math.exp %masked : f32
    linalg.yield %x : f32
  } -> tensor<2x4x4xf32>
  %er = tensor.empty() : tensor<2x4xf32>
  %zr = linalg.fill ins(%z : f32) outs(%er : tensor<2x4xf32>) -> tensor<2x4xf32>
  %den = linalg.generic {indexing_maps = [affine_map<(h, i, j) -> (h, i, j)>, affine_map<(h, i, j) -> (h, i)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%ex : tensor<2x4x4xf32>) outs(%zr : tensor<2x4xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %s = arith.addf %acc, %x : f32
    linalg.yield %s : f32
  } -> tensor<2x4xf32>
  %p = linalg.generic {indexing_maps = [affine_map<(h, i, j) -> (h, i, j)>, affine_map<(h, i, j) -> (h, i)>, affine_map<(h, i, j) -> (h, i, j)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%ex, %den : tensor<2x4x4xf32>, tensor<2x4xf32>) outs(%es : tensor<2x4x4xf32>) {
  ^bb0(%x: f32, %d: f32, %o: f32):
    %r = arith.divf %x, %d : f32
    linalg.yield %r : f32
  } -> tensor<2x4x4xf32>
  %eo = tensor.empty() : tensor<2x4x3xf32>
  %zo = linalg.fill ins(%z : f32) outs(%eo : tensor<2x4x3xf32>) -> tensor<2x4x3xf32>
  %out = linalg.generic {indexing_maps = [affine_map<(h, i, d, j) -> (h, i, j)>, affine_map<(h, i, d, j) -> (h, j, d)>, affine_map<(h, i, d, j) -> (h, i, d)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%p, %a2 : tensor<2x4x4xf32>, tensor<2x4x3xf32>) outs(%zo : tensor<2x4x3xf32>) {
  ^bb0(%pp: f32, %v: f32, %acc: f32):
    %m = arith.mulf %pp, %v : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<2x4x3xf32>
)" + weightedSum("loss", "out", "a3", {2, 4, 3});
}

TEST_F(GradCheck, CausalAttention) {
  check(Case{"causal attention",
             {{{2, 4, 3}}, {{2, 4, 3}}, {{2, 4, 3}}, {{2, 4, 3}}},
             {0, 1, 2},
             attention(/*causal=*/true, /*padding=*/false)});
}

TEST_F(GradCheck, PaddedAttention) {
  check(Case{"padded attention",
             {{{2, 4, 3}}, {{2, 4, 3}}, {{2, 4, 3}}, {{2, 4, 3}}},
             {0, 1, 2},
             attention(/*causal=*/false, /*padding=*/true)});
}

TEST_F(GradCheck, MeanSquaredError) {
  checkRandomShapes({"R", "C"}, 1, 17, [](const Sizes &z) {
    std::vector<int64_t> shape = {z.at("R"), z.at("C")};
    Sizes with = z;
    with["RC"] = z.at("R") * z.at("C");
    Case c{"mse", {{shape}, {shape}}, {0, 1}, ""};
    c.body = subst(R"(  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<f32>
  %zf = linalg.fill ins(%z : f32) outs(%e : tensor<f32>) -> tensor<f32>
  %sum = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> ()>], iterator_types = ["reduction", "reduction"]} ins(%a0, %a1 : tensor<{R}x{C}xf32>, tensor<{R}x{C}xf32>) outs(%zf : tensor<f32>) {
  ^bb0(%y: f32, %t: f32, %acc: f32):
    %d = arith.subf %y, %t : f32
    %sq = arith.mulf %d, %d : f32
    %s = arith.addf %acc, %sq : f32
    linalg.yield %s : f32
  } -> tensor<f32>
  %loss = linalg.generic {indexing_maps = [affine_map<() -> ()>, affine_map<() -> ()>], iterator_types = []} ins(%sum : tensor<f32>) outs(%e : tensor<f32>) {
  ^bb0(%s: f32, %o: f32):
    %n = arith.constant {RC.f} : f32
    %m = arith.divf %s, %n : f32
    linalg.yield %m : f32
  } -> tensor<f32>
)", with);
    return c;
  });
}

TEST_F(GradCheck, CrossEntropyWithIgnoredRow) {
  checkRandomShapes({"M", "C"}, 2, 19, [](const Sizes &z) {
    int64_t m = z.at("M"), classes = z.at("C");
    return Case{"cross_entropy", {{{m, classes}}, {{m}, classes}}, {0},
                subst(R"(
  %loss = ternary.cross_entropy %a0, %a1 : (tensor<{M}x{C}xf32>, tensor<{M}xi64>) -> tensor<f32>
)", z)};
  });
}

TEST_F(GradCheck, UpstreamSoftmax) {
  // linalg.softmax over the last dimension (decomposed with max subtraction
  // by the pipeline; differentiated by its own rule).
  checkRandomShapes({"R", "C"}, 1, 19, [](const Sizes &z) {
    std::vector<int64_t> shape = {z.at("R"), z.at("C")};
    return Case{"softmax", {{shape}, {shape}}, {0}, subst(R"(
  %e = tensor.empty() : tensor<{R}x{C}xf32>
  %p = linalg.softmax dimension(1) ins(%a0 : tensor<{R}x{C}xf32>) outs(%e : tensor<{R}x{C}xf32>) -> tensor<{R}x{C}xf32>
)", z) + weightedSum("loss", "p", "a1", shape)};
  });
}

TEST_F(GradCheck, SparseAggregation) {
  // A [4, 5] CSR matrix with a repeated column and an empty row, times a
  // dense [5, 3] input (GCN/SGC aggregation).
  Case c{"spmm", {{{5, 3}}, {{4, 3}}}, {0}, R"(
  %indptr = arith.constant dense<[0, 2, 2, 5, 6]> : tensor<5xi64>
  %indices = arith.constant dense<[1, 4, 0, 4, 4, 2]> : tensor<6xi64>
  %values = arith.constant dense<[0.5, -1.0, 2.0, 0.25, 1.5, -0.75]> : tensor<6xf32>
  %h = ternary.spmm %indptr, %indices, %values, %a0 : (tensor<5xi64>, tensor<6xi64>, tensor<6xf32>, tensor<5x3xf32>) -> tensor<4x3xf32>
)" + elementwise("sq", "h", {4, 3}, kSquare) + weightedSum("loss", "sq", "a1", {4, 3})};
  check(c);
}

TEST_F(GradCheck, Dropout) {
  // A fixed seed fixes the mask: the gradient is the same dropout of the
  // output gradient.
  Case c{"dropout", {{{6, 7}}, {{6, 7}}}, {0}, R"(
  %seed = arith.constant 1234 : i64
  %d = ternary.dropout %a0, %seed {p = 0.3} : tensor<6x7xf32>
)" + elementwise("sq", "d", {6, 7}, kSquare) + weightedSum("loss", "sq", "a1", {6, 7})};
  check(c);
}

TEST_F(GradCheck, EmbeddingBagMean) {
  // The WideMLP's input layer: the mean of the embeddings of a padded bag of
  // ids (id 0 is padding), composed from ternary.embedding and generics.
  Case c{"embedding_bag_mean", {{{6, 4}}, {{3, 5}, 6, false}, {{3, 4}}}, {0},
         R"(
  %e = ternary.embedding %a0, %a1 : (tensor<6x4xf32>, tensor<3x5xi64>) -> tensor<3x5x4xf32>
  %z = arith.constant 0.0 : f32
  %es = tensor.empty() : tensor<3x4xf32>
  %zs = linalg.fill ins(%z : f32) outs(%es : tensor<3x4xf32>) -> tensor<3x4xf32>
  %sum = linalg.generic {indexing_maps = [affine_map<(b, l, d) -> (b, l, d)>, affine_map<(b, l, d) -> (b, l)>, affine_map<(b, l, d) -> (b, d)>], iterator_types = ["parallel", "reduction", "parallel"]} ins(%e, %a1 : tensor<3x5x4xf32>, tensor<3x5xi64>) outs(%zs : tensor<3x4xf32>) {
  ^bb0(%x: f32, %id: i64, %acc: f32):
    %zero = arith.constant 0 : i64
    %pad = arith.cmpi eq, %id, %zero : i64
    %zf = arith.constant 0.0 : f32
    %v = arith.select %pad, %zf, %x : f32
    %s = arith.addf %acc, %v : f32
    linalg.yield %s : f32
  } -> tensor<3x4xf32>
  %ec = tensor.empty() : tensor<3xf32>
  %zc = linalg.fill ins(%z : f32) outs(%ec : tensor<3xf32>) -> tensor<3xf32>
  %count = linalg.generic {indexing_maps = [affine_map<(b, l) -> (b, l)>, affine_map<(b, l) -> (b)>], iterator_types = ["parallel", "reduction"]} ins(%a1 : tensor<3x5xi64>) outs(%zc : tensor<3xf32>) {
  ^bb0(%id: i64, %acc: f32):
    %zero = arith.constant 0 : i64
    %kept = arith.cmpi ne, %id, %zero : i64
    %one = arith.uitofp %kept : i1 to f32
    %s = arith.addf %acc, %one : f32
    linalg.yield %s : f32
  } -> tensor<3xf32>
  %mean = linalg.generic {indexing_maps = [affine_map<(b, d) -> (b, d)>, affine_map<(b, d) -> (b)>, affine_map<(b, d) -> (b, d)>], iterator_types = ["parallel", "parallel"]} ins(%sum, %count : tensor<3x4xf32>, tensor<3xf32>) outs(%es : tensor<3x4xf32>) {
  ^bb0(%s: f32, %n: f32, %o: f32):
    %one = arith.constant 1.0 : f32
    %safe = arith.maximumf %n, %one : f32
    %m = arith.divf %s, %safe : f32
    linalg.yield %m : f32
  } -> tensor<3x4xf32>
)" + weightedSum("loss", "mean", "a2", {3, 4})};
  check(c);
}

TEST_F(GradCheck, Conv2dStridedAndPadded) {
  // linalg.conv_2d_nchw_fchw, stride 2, on an input padded by 1 with
  // tensor.pad: the input's gradient is scattered through the window map,
  // the pad's gradient is the inner slice.
  Case c{"conv2d", {{{2, 3, 6, 5}}, {{4, 3, 3, 3}}, {{2, 4, 3, 3}}}, {0, 1},
         R"(
  %z = arith.constant 0.0 : f32
  %p = tensor.pad %a0 low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %z : f32
  } : tensor<2x3x6x5xf32> to tensor<2x3x8x7xf32>
  %e = tensor.empty() : tensor<2x4x3x3xf32>
  %zf = linalg.fill ins(%z : f32) outs(%e : tensor<2x4x3x3xf32>) -> tensor<2x4x3x3xf32>
  %y = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%p, %a1 : tensor<2x3x8x7xf32>, tensor<4x3x3x3xf32>) outs(%zf : tensor<2x4x3x3xf32>) -> tensor<2x4x3x3xf32>
)" + weightedSum("loss", "y", "a2", {2, 4, 3, 3})};
  check(c);
}

TEST_F(GradCheck, MaxAndAvgPooling) {
  // 2x2 windows, stride 2: max pooling routes the gradient to the maximum,
  // average pooling spreads it.
  Case c{"pooling", {{{2, 3, 4, 6}}, {{2, 3, 2, 3}}, {{2, 3, 2, 3}}}, {0}, R"(
  %win = tensor.empty() : tensor<2x2xf32>
  %ninf = arith.constant -3.4e38 : f32
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x3x2x3xf32>
  %mi = linalg.fill ins(%ninf : f32) outs(%e : tensor<2x3x2x3xf32>) -> tensor<2x3x2x3xf32>
  %max = linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%a0, %win : tensor<2x3x4x6xf32>, tensor<2x2xf32>) outs(%mi : tensor<2x3x2x3xf32>) -> tensor<2x3x2x3xf32>
  %si = linalg.fill ins(%z : f32) outs(%e : tensor<2x3x2x3xf32>) -> tensor<2x3x2x3xf32>
  %sum = linalg.pooling_nchw_sum {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%a0, %win : tensor<2x3x4x6xf32>, tensor<2x2xf32>) outs(%si : tensor<2x3x2x3xf32>) -> tensor<2x3x2x3xf32>
  %avg = linalg.generic {indexing_maps = [affine_map<(a, b, c, d) -> (a, b, c, d)>, affine_map<(a, b, c, d) -> (a, b, c, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%sum : tensor<2x3x2x3xf32>) outs(%e : tensor<2x3x2x3xf32>) {
  ^bb0(%s: f32, %o: f32):
    %q = arith.constant 0.25 : f32
    %m = arith.mulf %s, %q : f32
    linalg.yield %m : f32
  } -> tensor<2x3x2x3xf32>
)" + weightedSum("lmax", "max", "a1", {2, 3, 2, 3}) +
                                  weightedSum("lavg", "avg", "a2", {2, 3, 2, 3}) +
                                  R"(
  %loss = linalg.generic {indexing_maps = [affine_map<() -> ()>, affine_map<() -> ()>, affine_map<() -> ()>], iterator_types = []} ins(%lmax, %lavg : tensor<f32>, tensor<f32>) outs(%lmax_e : tensor<f32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %s = arith.addf %p, %q : f32
    linalg.yield %s : f32
  } -> tensor<f32>
)"};
  check(c);
}

TEST_F(GradCheck, Embedding) {
  // Ids repeat (6 positions, 4 rows): their gradients add up.
  Case c{"embedding", {{{4, 5}}, {{2, 3}, 4, false}, {{2, 3, 5}}}, {0}, R"(
  %e = ternary.embedding %a0, %a1 : (tensor<4x5xf32>, tensor<2x3xi64>) -> tensor<2x3x5xf32>
)" + elementwise("sq", "e", {2, 3, 5}, kSquare) + weightedSum("loss", "sq", "a2", {2, 3, 5})};
  check(c);
}

TEST_F(GradCheck, FlattenAndTranspose) {
  Case c{"flatten_transpose", {{{2, 3, 4}}, {{4, 6}}}, {0}, R"(
  %f = tensor.collapse_shape %a0 [[0, 1], [2]] : tensor<2x3x4xf32> into tensor<6x4xf32>
  %e = tensor.empty() : tensor<4x6xf32>
  %t = linalg.transpose ins(%f : tensor<6x4xf32>) outs(%e : tensor<4x6xf32>) permutation = [1, 0]
)" + elementwise("sq", "t", {4, 6}, kSquare) + weightedSum("loss", "sq", "a1", {4, 6})};
  check(c);
}

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
  const BitLinearConfig configs[] = {
      {"layer", "absmedian", 128}, {"layer", "absmean", 127},
      {"none", "absmean", 127},    {"none", "absmedian", 128},
      {"rms", "absmean", 128},     {"rms", "absmedian", 127},
      {"layer_affine", "absmedian", 128},
      {"layer_affine", "absmean", 127},
      {"layer", "absmedian", 128, 0.5f},
      {"rms", "absmean", 127, 0.0f},
      {"layer_affine", "absmedian", 128, 0.25f}};
  std::mt19937 rng(42);
  for (const BitLinearConfig &config : configs) {
    bool affine = std::string(config.norm) == "layer_affine";
    SCOPED_TRACE(std::string(config.norm) + " " + config.scale + " q=" +
                 std::to_string(config.q) +
                 " lambda=" + std::to_string(config.lambda));
    // loss = sum(bitlinear(x, w, b) * r): the gradient of y is r.
    std::ostringstream layer;
    layer << "  %y = ternary.bitlinear %x, %w bias %b"
          << (affine ? " affine(%g, %be)" : "") << " {norm = #ternary.norm<"
          << config.norm << ">, scale = #ternary.scale<" << config.scale
          << ">, q = " << config.q << " : i32, lambda = " << std::fixed
          << config.lambda << " : f32} : (tensor<?x?xf32>, tensor<?x?xf32>, "
          << "tensor<?xf32>"
          << (affine ? ", tensor<?xf32>, tensor<?xf32>" : "")
          << ") -> tensor<?x?xf32>\n";
    std::string text = bitLinearLossModule(
        "%g: tensor<?xf32>, %be: tensor<?xf32>", layer.str(),
        affine ? "0, 1, 2, 4, 5" : "0, 1, 2");
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
      auto ref = ::ternary::ref::bitLinearBackward(args, opts,
                                                   in[3].data<float>());
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
    EXPECT_NEAR((*results)[0].data<float>()[0], loss, 1e-5 * (1 + std::fabs(loss)));
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
      EXPECT_NEAR((*results)[3].data<float>()[j], db, 1e-4 * (1 + std::fabs(db)));
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
      "%lam: f32",
      "  %y = ternary.bitlinear %x, %w bias %b lambda(%lam) : "
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
    auto ref = ::ternary::ref::bitLinearBackward(args, opts, in[3].data<float>());
    for (auto [r, expected] : llvm::enumerate(
             std::vector<const std::vector<float> *>{&ref.dx, &ref.dw,
                                                     &ref.dbias})) {
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
