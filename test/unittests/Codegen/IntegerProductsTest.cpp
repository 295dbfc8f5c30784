//===- IntegerProductsTest.cpp - i8 products through the f32 kernel -------===//
//
// ternary.matmul on unpacked i8 weights is lowered to an f32 contraction
// (the f32 kernel) where f32 computes it exactly
// (passes/Conversion/TernaryToLinalg/Products.cpp): quantised ternary
// weights up to K = 2^17, other i8 weights up to K = 2^10. These tests
// compare the compiled product with an integer product in C++, bit for bit,
// on random data with odd sizes and at the bounds, where the partial sums
// reach 2^24.
//
//===----------------------------------------------------------------------===//

#include "Jit.h"

#include <random>
#include <sstream>

using namespace ternary_test;
using ::ternary::DType;
using ::ternary::HostArray;

namespace {

/// acc[r, n] = sum_k x[r, k] * w[n, k] in int64.
std::vector<int64_t> integerProduct(const HostArray &x, const HostArray &w) {
  int64_t m = x.shape[0], k = x.shape[1], n = w.shape[0];
  std::vector<int64_t> acc(m * n, 0);
  for (int64_t r = 0; r < m; ++r)
    for (int64_t j = 0; j < n; ++j)
      for (int64_t i = 0; i < k; ++i)
        acc[r * n + j] += int64_t(x.data<int8_t>()[r * k + i]) *
                          int64_t(w.data<int8_t>()[j * k + i]);
  return acc;
}

void expectProduct(const HostArray &got, const HostArray &x,
                   const HostArray &w) {
  std::vector<int64_t> want = integerProduct(x, w);
  ASSERT_EQ(got.shape, (std::vector<int64_t>{x.shape[0], w.shape[0]}));
  for (size_t i = 0; i < want.size(); ++i)
    ASSERT_EQ(int64_t(got.data<int32_t>()[i]), want[i]) << "element " << i;
}

/// @f(x: [?, K] i8, w: [N, K] f32) -> (x . wq^T, wq): the weights quantised
/// by the layer's own ops (absmean), as in a training step.
std::string quantizedModule(int64_t n, int64_t k) {
  std::ostringstream os;
  std::string x = "tensor<?x" + std::to_string(k) + "xi8>";
  std::string wf = "tensor<" + std::to_string(n) + "x" + std::to_string(k);
  os << "func.func @f(%x: " << x << ", %w: " << wf << "xf32>) -> (tensor<?x"
     << n << "xi32>, " << wf << "xi8>) {\n"
     << "  %g = ternary.weight_scale %w {method = #ternary.scale<absmean>} : "
     << wf << "xf32>\n"
     << "  %wq = ternary.quantize_weights %w, %g : " << wf << "xf32> -> " << wf
     << "xi8>\n"
     << "  %acc = ternary.matmul %x, %wq : " << x << ", " << wf
     << "xi8> -> tensor<?x" << n << "xi32>\n"
     << "  return %acc, %wq : tensor<?x" << n << "xi32>, " << wf << "xi8>\n}\n";
  return os.str();
}

/// @f(x: [?, K] i8, w: [N, K] i8) -> x . w^T: weights of unknown origin.
std::string plainModule(int64_t n, int64_t k) {
  std::ostringstream os;
  std::string x = "tensor<?x" + std::to_string(k) + "xi8>";
  std::string w =
      "tensor<" + std::to_string(n) + "x" + std::to_string(k) + "xi8>";
  os << "func.func @f(%x: " << x << ", %w: " << w << ") -> tensor<?x" << n
     << "xi32> {\n"
     << "  %acc = ternary.matmul %x, %w : " << x << ", " << w << " -> tensor<?x"
     << n << "xi32>\n"
     << "  return %acc : tensor<?x" << n << "xi32>\n}\n";
  return os.str();
}

HostArray filledI8(std::vector<int64_t> shape, std::mt19937 &rng, int lo = -128,
                   int hi = 127) {
  HostArray a = HostArray::zeros(DType::I8, shape);
  std::uniform_int_distribution<int> dist(lo, hi);
  for (int64_t i = 0; i < a.numElements(); ++i)
    a.data<int8_t>()[i] = int8_t(dist(rng));
  return a;
}

TEST(IntegerProducts, QuantizedWeightsExactOnRandomShapes) {
  Jit jit;
  std::mt19937 rng(11);
  // Odd sizes around the kernel's tiles, a model's shape, and K = 2^17
  // (the bound).
  const int64_t shapes[][3] = {{1, 1, 1},      {7, 5, 3},     {33, 29, 97},
                               {64, 256, 784}, {3, 17, 4099}, {2, 3, 131072}};
  for (const auto &s : shapes) {
    int64_t m = s[0], n = s[1], k = s[2];
    SCOPED_TRACE("m=" + std::to_string(m) + " n=" + std::to_string(n) +
                 " k=" + std::to_string(k));
    auto compiled = jit.compile(quantizedModule(n, k));
    ASSERT_TRUE(compiled);
    HostArray x = filledI8({m, k}, rng);
    HostArray w = HostArray::zeros(DType::F32, {n, k});
    std::normal_distribution<float> normal(0.f, 1.f);
    for (int64_t i = 0; i < w.numElements(); ++i)
      w.data<float>()[i] = normal(rng);
    if (k == 131072) {
      // Partial sums of 2^24: every x = -128, every weight of one sign.
      for (int64_t i = 0; i < x.numElements(); ++i)
        x.data<int8_t>()[i] = -128;
      for (int64_t i = 0; i < w.numElements(); ++i)
        w.data<float>()[i] = i < k ? -1.f : 1.f;
    }
    auto got = compiled->call("f", {x, w});
    ASSERT_TRUE(bool(got)) << llvm::toString(got.takeError());
    expectProduct((*got)[0], x, (*got)[1]);
    if (k == 131072)
      EXPECT_EQ((*got)[0].data<int32_t>()[0], 1 << 24);
  }
}

TEST(IntegerProducts, AnyI8WeightsExactUpToTheBound) {
  Jit jit;
  std::mt19937 rng(12);
  // K = 1024 goes through f32 (sums below 2^24), K = 1025 stays in i32
  // (sums up to 1025 * 2^14, beyond f32's integers): both must be exact.
  for (int64_t k : {5, 1024, 1025}) {
    SCOPED_TRACE("k=" + std::to_string(k));
    auto compiled = jit.compile(plainModule(9, k));
    ASSERT_TRUE(compiled);
    for (bool extreme : {false, true}) {
      HostArray x = filledI8({6, k}, rng), w = filledI8({9, k}, rng);
      if (extreme) {
        // 1 + (K - 1) * 2^14 per element: 2^24 + 1 at K = 1025, which no
        // f32 holds.
        for (int64_t i = 0; i < x.numElements(); ++i)
          x.data<int8_t>()[i] = i % k == 0 ? 1 : -128;
        for (int64_t i = 0; i < w.numElements(); ++i)
          w.data<int8_t>()[i] = i % k == 0 ? 1 : -128;
      }
      auto got = compiled->call("f", {x, w});
      ASSERT_TRUE(bool(got)) << llvm::toString(got.takeError());
      expectProduct((*got)[0], x, w);
    }
  }
}

} // namespace
