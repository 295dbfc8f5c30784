//===- GradCheck.h - Gradient checks of compiled functions ------*- C++ -*-===//
//
// The harness of the gradient tests: small forward functions with a
// `ternary.gradient` request, written as MLIR text, JIT-compiled through the
// whole pipeline, and their derived gradients compared with central finite
// differences of the compiled forward function on random inputs.
//
//===----------------------------------------------------------------------===//

#ifndef TERNARY_TEST_UNITTESTS_AUTODIFF_GRADCHECK_H
#define TERNARY_TEST_UNITTESTS_AUTODIFF_GRADCHECK_H

#include "Jit.h"

#include <cmath>
#include <functional>
#include <map>
#include <random>
#include <sstream>

namespace ternary_test {

using namespace mlir;
using namespace mlir::ternary;
using ::ternary::DType;
using ::ternary::HostArray;

//===----------------------------------------------------------------------===//
// MLIR text helpers
//===----------------------------------------------------------------------===//

inline std::string tensorType(const std::vector<int64_t> &shape,
                              const std::string &element = "f32") {
  std::string s = "tensor<";
  for (int64_t d : shape)
    s += std::to_string(d) + "x";
  return s + element + ">";
}

inline std::string identityMap(size_t rank) {
  std::string dims;
  for (size_t d = 0; d < rank; ++d)
    dims += (d ? ", d" : "d") + std::to_string(d);
  return "affine_map<(" + dims + ") -> (" + dims + ")>";
}

inline std::string scalarMap(size_t rank) {
  std::string dims;
  for (size_t d = 0; d < rank; ++d)
    dims += (d ? ", d" : "d") + std::to_string(d);
  return "affine_map<(" + dims + ") -> ()>";
}

inline std::string iterators(size_t rank, const std::string &kind) {
  std::string s;
  for (size_t d = 0; d < rank; ++d)
    s += (d ? ", \"" : "\"") + kind + "\"";
  return "[" + s + "]";
}

/// `%out = sum(%v * %r)` as a tensor<f32>: the loss that makes any output's
/// gradient the random tensor %r.
inline std::string weightedSum(const std::string &out, const std::string &v,
                               const std::string &r,
                               const std::vector<int64_t> &shape) {
  std::string t = tensorType(shape);
  std::ostringstream os;
  os << "  %" << out << "_z = arith.constant 0.0 : f32\n"
     << "  %" << out << "_e = tensor.empty() : tensor<f32>\n"
     << "  %" << out << "_f = linalg.fill ins(%" << out << "_z : f32) outs(%"
     << out << "_e : tensor<f32>) -> tensor<f32>\n"
     << "  %" << out << " = linalg.generic {indexing_maps = ["
     << identityMap(shape.size()) << ", " << identityMap(shape.size()) << ", "
     << scalarMap(shape.size())
     << "], iterator_types = " << iterators(shape.size(), "reduction")
     << "} ins(%" << v << ", %" << r << " : " << t << ", " << t << ") outs(%"
     << out << "_f : tensor<f32>) {\n"
     << "  ^bb0(%a: f32, %b: f32, %acc: f32):\n"
     << "    %m = arith.mulf %a, %b : f32\n"
     << "    %s = arith.addf %acc, %m : f32\n"
     << "    linalg.yield %s : f32\n"
     << "  } -> tensor<f32>\n";
  return os.str();
}

/// The body of `elementwise` squaring its input.
inline constexpr const char *kSquare = "    %y = arith.mulf %x_, %x_ : f32\n";

/// `%out = f(%x)` element-wise; `body` computes `%y` from `%x_` (f32).
inline std::string elementwise(const std::string &out, const std::string &x,
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
inline std::string bitLinearLossModule(const std::string &extraArgs,
                                       const std::string &layer,
                                       const std::string &wrt = "0, 1, 2") {
  return "func.func @f(%x: tensor<?x?xf32>, %w: tensor<?x?xf32>, "
         "%b: tensor<?xf32>, %r: tensor<?x?xf32>, " +
         extraArgs +
         ") -> tensor<f32>\n    attributes {ternary.gradient = {name = "
         "\"g\", wrt = array<i64: " +
         wrt + ">}} {\n" + layer + R"(  %z = arith.constant 0.0 : f32
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
  int64_t labelsOf = 0;  ///< > 0: an i64 label tensor with that many classes
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

inline std::string moduleText(const Case &c) {
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
inline std::string subst(std::string text, const Sizes &sizes) {
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
    compareGradients(*compiled, "f", "g", inputs, c.wrt, c.h, c.kinks);
  }

  /// Checks that `gradients` (the loss, then the gradients of arguments
  /// `wrt`) returns `forward`'s loss on `inputs`, and compares every
  /// gradient element (up to 40 a tensor) with a central difference of
  /// step `h` (elements within 2h of a kink are skipped).
  static void compareGradients(CompiledModule &compiled,
                               const std::string &forward,
                               const std::string &gradients,
                               const std::vector<HostArray> &inputs,
                               const std::vector<int64_t> &wrt, double h,
                               const std::vector<double> &kinks = {}) {
    auto loss = [&](const std::vector<HostArray> &in) {
      auto r = compiled.call(forward, in);
      EXPECT_TRUE(bool(r)) << (r ? "" : llvm::toString(r.takeError()));
      return r ? double(scalar((*r)[0])) : NAN;
    };
    auto grads = compiled.call(gradients, inputs);
    ASSERT_TRUE(bool(grads)) << llvm::toString(grads.takeError());
    ASSERT_EQ(grads->size(), wrt.size() + 1);
    double f0 = loss(inputs);
    EXPECT_NEAR(scalar((*grads)[0]), f0, 1e-5 * (1 + std::fabs(f0)));

    for (size_t w = 0; w < wrt.size(); ++w) {
      const HostArray &grad = (*grads)[w + 1];
      size_t index = wrt[w];
      ASSERT_EQ(grad.shape, inputs[index].shape);
      double largest = 0;
      for (int64_t i = 0; i < grad.numElements(); ++i)
        largest = std::max(largest, double(std::fabs(grad.data<float>()[i])));
      int64_t n = inputs[index].numElements();
      int64_t stride = std::max<int64_t>(1, n / 40);
      for (int64_t i = 0; i < n; i += stride) {
        double x = std::fabs(inputs[index].data<float>()[i]);
        if (llvm::any_of(kinks,
                         [&](double k) { return std::fabs(x - k) < 2 * h; }))
          continue;
        std::vector<HostArray> plus = inputs, minus = inputs;
        plus[index].data<float>()[i] += h;
        minus[index].data<float>()[i] -= h;
        double fd = (loss(plus) - loss(minus)) / (2 * h);
        double g = grad.data<float>()[i];
        EXPECT_NEAR(g, fd, 1e-2 * std::fabs(fd) + 2e-3 * std::max(1.0, largest))
            << "d loss / d arg" << index << "[" << i << "]";
      }
    }
  }

  ternary_test::Jit jit;
};

//===----------------------------------------------------------------------===//

} // namespace ternary_test

#endif // TERNARY_TEST_UNITTESTS_AUTODIFF_GRADCHECK_H
