//===- AbsMedianTest.cpp - absmedian's selection against the reference ----===//
//
// ternary.weight_scale with method absmedian lowers to a search that narrows
// a bracket by counting sweeps (passes/Conversion/TernaryToLinalg/
// AbsMedian.cpp: selectAbsMedian). Its answer must be the reference's
// lower median of |W| (lib/Reference) bit for bit, whatever the data: here
// compiled through the whole pipeline on distributions chosen to stress each
// way of narrowing (smooth ones, heavy tails, clumps of equal values, most
// elements zero, subnormals, two far-apart modes, a handful of values),
// sizes from 1 to 2^17 + 3 (odd and even counts), static shapes (i32 counts)
// and dynamic ones (i64 counts), and NaN or infinities (the scale is NaN).
// The sweeps run by chunks of 2^16 weights, the tasks of threads: several
// chunks, a short last one, on 1 and 2 threads give the same bits.
//
//===----------------------------------------------------------------------===//

#include "Jit.h"

#include "ternary/Reference/BitLinear.h"
#include "ternary/Runner/Threads.h"

#include <cmath>
#include <cstring>
#include <functional>
#include <random>
#include <sstream>

using namespace ternary_test;
using ::ternary::DType;
using ::ternary::HostArray;
namespace ref = ::ternary::ref;

namespace {

using Generator = std::function<float(std::mt19937 &)>;

struct Distribution {
  const char *name;
  Generator next;
};

std::vector<Distribution> distributions() {
  auto uniform = [](float lo, float hi) {
    return [=](std::mt19937 &g) {
      return std::uniform_real_distribution<float>(lo, hi)(g);
    };
  };
  auto normal = [](float sd) {
    return [=](std::mt19937 &g) {
      return std::normal_distribution<float>(0.f, sd)(g);
    };
  };
  return {
      {"uniform", uniform(-0.05f, 0.05f)},
      {"normal", normal(0.02f)},
      {"lognormal",
       [](std::mt19937 &g) {
         return std::lognormal_distribution<float>(-4.f, 2.f)(g);
       }},
      {"cauchy",
       [](std::mt19937 &g) {
         return std::cauchy_distribution<float>(0.f, 1.f)(g);
       }},
      {"60% zeros",
       [n = normal(1.f)](std::mt19937 &g) {
         return std::uniform_real_distribution<float>()(g) < 0.6f ? 0.f : n(g);
       }},
      {"40% zeros, some -0",
       [n = normal(1.f)](std::mt19937 &g) {
         float u = std::uniform_real_distribution<float>()(g);
         return u < 0.2f ? 0.f : u < 0.4f ? -0.f : n(g);
       }},
      {"three values",
       [](std::mt19937 &g) {
         return 0.1f * float(1 + std::uniform_int_distribution<int>(0, 2)(g));
       }},
      {"all equal", [](std::mt19937 &) { return -0.5f; }},
      {"ternary-like",
       [n = normal(1e-3f)](std::mt19937 &g) {
         int v = std::uniform_int_distribution<int>(-1, 1)(g);
         return 0.03f * float(v) + n(g);
       }},
      {"subnormal", uniform(-1e-39f, 1e-39f)},
      {"two modes",
       [n = normal(1e-4f), m = normal(1e-3f)](std::mt19937 &g) {
         return std::uniform_int_distribution<int>(0, 1)(g) ? n(g) : 1.f + m(g);
       }},
      {"huge and tiny",
       [](std::mt19937 &g) {
         int e = std::uniform_int_distribution<int>(-140, 127)(g);
         return std::ldexp(1.5f, e);
       }},
  };
}

std::string module(const std::string &type) {
  std::ostringstream text;
  text << "func.func @f(%w: " << type << ") -> f32 {\n"
       << "  %g = ternary.weight_scale %w {method = "
          "#ternary.scale<absmedian>} : "
       << type << "\n  return %g : f32\n}\n";
  return text.str();
}

float compiledScale(mlir::ternary::CompiledModule &compiled,
                    const HostArray &w) {
  auto r = compiled.call("f", {w});
  EXPECT_TRUE(bool(r)) << llvm::toString(r.takeError());
  if (!r)
    return 0.f;
  return (*r)[0].data<float>()[0];
}

void expectSameBits(float got, float want) {
  EXPECT_EQ(std::memcmp(&got, &want, sizeof(float)), 0)
      << got << " against " << want;
}

TEST(AbsMedian, MatchesTheReferenceOnEveryDistribution) {
  Jit jit;
  std::mt19937 rng(7);
  struct Shape {
    int64_t rows, columns;
  } shapes[] = {{1, 1},   {1, 2},   {1, 3},     {7, 1},    {8, 8},
                {3, 333}, {64, 40}, {256, 257}, {512, 256}};
  std::unique_ptr<mlir::ternary::CompiledModule> dynamic =
      jit.compile(module("tensor<?xf32>"));
  ASSERT_TRUE(dynamic);
  for (Shape s : shapes) {
    std::string type = "tensor<" + std::to_string(s.rows) + "x" +
                       std::to_string(s.columns) + "xf32>";
    std::unique_ptr<mlir::ternary::CompiledModule> compiled =
        jit.compile(module(type));
    ASSERT_TRUE(compiled);
    for (const Distribution &d : distributions()) {
      SCOPED_TRACE(std::string(d.name) + " " + type);
      HostArray w = HostArray::zeros(DType::F32, {s.rows, s.columns});
      int64_t n = w.numElements();
      for (int64_t i = 0; i < n; ++i)
        w.data<float>()[i] = d.next(rng);
      float want = ref::weightScale(w.data<float>(), size_t(n),
                                    ref::ScaleMethod::AbsMedian, 1e-5f);
      expectSameBits(compiledScale(*compiled, w), want);
      // The same elements as a dynamic 1-D tensor: i64 counts.
      HostArray flat = HostArray::zeros(DType::F32, {n});
      std::memcpy(flat.data<float>(), w.data<float>(), size_t(n) * 4);
      expectSameBits(compiledScale(*dynamic, flat), want);
    }
  }
}

TEST(AbsMedian, ChunksOnEveryThreadCountGiveTheReference) {
  Jit jit;
  std::unique_ptr<mlir::ternary::CompiledModule> compiled =
      jit.compile(module("tensor<?xf32>"));
  ASSERT_TRUE(compiled);
  int saved = mlir::ternary::threadCount();
  std::mt19937 rng(11);
  // Four chunks, the last of 3 weights; five, the last of 2^16 - 1.
  for (int64_t n : {3 * 65536 + 3, 5 * 65536 - 1}) {
    for (const Distribution &d : distributions()) {
      SCOPED_TRACE(std::string(d.name) + " " + std::to_string(n));
      HostArray w = HostArray::zeros(DType::F32, {n});
      for (int64_t i = 0; i < n; ++i)
        w.data<float>()[i] = d.next(rng);
      float want = ref::weightScale(w.data<float>(), size_t(n),
                                    ref::ScaleMethod::AbsMedian, 1e-5f);
      for (int threads : {1, 2}) {
        mlir::ternary::setThreadCount(threads);
        expectSameBits(compiledScale(*compiled, w), want);
      }
    }
  }
  mlir::ternary::setThreadCount(saved);
}

TEST(AbsMedian, NaNOrInfinityGivesNaNAndEmptyGivesEps) {
  Jit jit;
  std::unique_ptr<mlir::ternary::CompiledModule> compiled =
      jit.compile(module("tensor<?xf32>"));
  ASSERT_TRUE(compiled);
  for (float bad : {NAN, INFINITY, -INFINITY}) {
    for (int64_t at : {0, 4, 8}) {
      HostArray w = HostArray::zeros(DType::F32, {9});
      for (int64_t i = 0; i < 9; ++i)
        w.data<float>()[i] = 0.1f * float(i + 1);
      w.data<float>()[at] = bad;
      EXPECT_TRUE(std::isnan(compiledScale(*compiled, w)))
          << bad << " at " << at;
    }
  }
  HostArray empty = HostArray::zeros(DType::F32, {0});
  expectSameBits(compiledScale(*compiled, empty), 1e-5f);
}

} // namespace
