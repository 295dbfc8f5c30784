//===- TernarizeTest.cpp - ternary.ternarize against the reference --------===//
//
// The lowering of ternary.ternarize (passes/Conversion/TernaryToLinalg/
// Quantization.cpp: the weight scale, the ternary values, g * float(wq)),
// compiled through the whole pipeline, against the reference numerics
// (lib/Reference: weightScale, quantizeWeights) bit for bit, on random
// shapes with odd sizes, both scales, and weights with exact ties
// (W / g = +-0.5, +-1.5).
//
//===----------------------------------------------------------------------===//

#include "Jit.h"

#include "ternary/Reference/BitLinear.h"

#include <cstring>
#include <random>
#include <sstream>

using namespace ternary_test;
using ::ternary::DType;
using ::ternary::HostArray;
namespace ref = ::ternary::ref;

namespace {

TEST(Ternarize, MatchesTheReferenceBitForBit) {
  Jit jit;
  std::mt19937 rng(31);
  struct Shape {
    int64_t rows, columns;
  } shapes[] = {{1, 1}, {3, 7}, {65, 64}, {129, 33}, {2, 1000}};
  for (const char *method : {"absmean", "absmedian"})
    for (Shape s : shapes) {
      SCOPED_TRACE(std::string(method) + " " + std::to_string(s.rows) + "x" +
                   std::to_string(s.columns));
      std::string type = "tensor<" + std::to_string(s.rows) + "x" +
                         std::to_string(s.columns) + "xf32>";
      std::ostringstream text;
      text << "func.func @f(%w: " << type << ") -> " << type << " {\n"
           << "  %t = ternary.ternarize %w {method = #ternary.scale<" << method
           << ">} : " << type << "\n  return %t : " << type << "\n}\n";
      std::unique_ptr<mlir::ternary::CompiledModule> compiled =
          jit.compile(text.str());
      ASSERT_TRUE(compiled);
      HostArray w = HostArray::zeros(DType::F32, {s.rows, s.columns});
      std::normal_distribution<float> normal(0.f, 0.3f);
      int64_t n = w.numElements();
      for (int64_t i = 0; i < n; ++i)
        w.data<float>()[i] = normal(rng);
      // Ties: with g the median of |W| (0.25 where most are 0.25),
      // 0.125 / 0.25 = 0.5 and 0.375 / 0.25 = 1.5.
      if (n >= 8)
        for (int64_t i = 0; i < n / 2; ++i)
          w.data<float>()[i] = i % 4 == 0   ? 0.125f
                               : i % 4 == 1 ? -0.375f
                                            : (i % 2 ? 0.25f : -0.25f);
      auto r = compiled->call("f", {w});
      ASSERT_TRUE(bool(r)) << llvm::toString(r.takeError());
      const HostArray &got = (*r)[0];
      ASSERT_EQ(got.shape, w.shape);
      float g = ref::weightScale(w.data<float>(), size_t(n),
                                 std::strcmp(method, "absmean") == 0
                                     ? ref::ScaleMethod::AbsMean
                                     : ref::ScaleMethod::AbsMedian,
                                 1e-5f);
      std::vector<int8_t> q(static_cast<size_t>(n));
      ref::quantizeWeights(w.data<float>(), size_t(n), g, q.data());
      for (int64_t i = 0; i < n; ++i) {
        float want = g * float(q[size_t(i)]);
        float value = got.data<float>()[i];
        ASSERT_EQ(std::memcmp(&value, &want, sizeof(float)), 0)
            << "element " << i << ": " << value << " against " << want;
      }
    }
}

} // namespace
