//===- VectorizeReductionsTest.cpp - Side-by-side reductions vs loops -----===//
//
// --ternary-vectorize-reductions against the scalar loops it replaces (the
// pipeline with vectorize-reductions=false), bit for bit, on random shapes
// with odd sizes, with 64-byte (AVX-512) and 32-byte (AVX2) vectors: a
// convolution's bias gradient, row sums and products, a variance summed in
// f64 from a broadcast mean. Inputs hold -0.0, infinities and NaN too: the
// padding of a remainder must leave every running value as it is, -0.0
// included.
//
//===----------------------------------------------------------------------===//

#include "SameResults.h"

#include <random>

using namespace ternary_test;
using ::ternary::DType;
using ::ternary::HostArray;

namespace {

using Shape = std::vector<int64_t>;

/// The module compiled with and without the pass; `features` picks the
/// vector width (empty: the host's, 64 bytes on AVX-512).
CompiledPair compileBoth(Jit &jit, const std::string &text,
                         const std::string &features) {
  mlir::ternary::InferencePipelineOptions on, off;
  on.targetFeatures = features;
  off.targetFeatures = features;
  off.vectorizeReductions = false;
  return {jit.compile(text, on), jit.compile(text, off)};
}

/// Random normal values with about one in 16 replaced by -0.0, and, with
/// `nonFinite`, one in 64 by an infinity or NaN.
HostArray randomArray(Shape shape, std::mt19937 &rng, bool nonFinite,
                      float mean = 0.f, float scale = 1.f) {
  HostArray a = randomNormalArray(std::move(shape), rng, scale);
  std::uniform_int_distribution<int> pick(0, 63);
  for (int64_t i = 0; i < a.numElements(); ++i) {
    float &x = a.data<float>()[i];
    x += mean;
    int p = pick(rng);
    if (p < 4)
      x = -0.0f;
    else if (nonFinite && p == 4)
      x = -INFINITY;
    else if (nonFinite && p == 5)
      x = INFINITY;
    else if (nonFinite && p == 6)
      x = NAN;
  }
  return a;
}

/// The vector widths under test: the host's (64 bytes on AVX-512) and
/// AVX2's 32 bytes.
const char *const kFeatures[] = {"", "+avx2,+fma,-avx512f"};

// A convolution's bias gradient, db[c] += dy[n, c, h, w], with the channel
// between reductions; dynamic sizes, then the MNIST CNN's static ones.
TEST(VectorizeReductions, BiasGradientMatchesTheLoops) {
  const std::string dynamicText = R"(
func.func @f(%dy: tensor<?x?x?x?xf32>, %db: tensor<?xf32>) -> tensor<?xf32> {
  %r = linalg.generic {indexing_maps = [
      affine_map<(n, c, h, w) -> (n, c, h, w)>, affine_map<(n, c, h, w) -> (c)>],
    iterator_types = ["reduction", "parallel", "reduction", "reduction"]}
    ins(%dy : tensor<?x?x?x?xf32>) outs(%db : tensor<?xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.addf %out, %in : f32
    linalg.yield %s : f32
  } -> tensor<?xf32>
  return %r : tensor<?xf32>
}
)";
  std::string staticText = dynamicText;
  for (auto [from, to] :
       {std::pair<std::string, std::string>{"?x?x?x?", "?x64x24x24"},
        {"tensor<?xf32>", "tensor<64xf32>"}})
    for (size_t at; (at = staticText.find(from)) != std::string::npos;)
      staticText.replace(at, from.size(), to);
  Jit jit;
  std::mt19937 rng(31);
  for (const char *features : kFeatures) {
    SCOPED_TRACE(std::string("features '") + features + "'");
    CompiledPair dynamicPair = compileBoth(jit, dynamicText, features);
    CompiledPair staticPair = compileBoth(jit, staticText, features);
    ASSERT_TRUE(dynamicPair.on && dynamicPair.off && staticPair.on &&
                staticPair.off);
    std::uniform_int_distribution<int64_t> small(1, 4), wide(1, 40);
    for (int trial = 0; trial < 10; ++trial) {
      int64_t n = small(rng), c = wide(rng), h = small(rng) + 1,
              w = trial ? wide(rng) : 16;
      SCOPED_TRACE("n=" + std::to_string(n) + " c=" + std::to_string(c) +
                   " h=" + std::to_string(h) + " w=" + std::to_string(w));
      expectSameResults(dynamicPair, "f",
                        {randomArray({n, c, h, w}, rng, trial % 2),
                         randomArray({c}, rng, false)});
    }
    expectSameResults(staticPair, "f",
                      {randomArray({3, 64, 24, 24}, rng, false),
                       randomArray({64}, rng, false)});
  }
}

// Row reductions out[r] = combine(out[r], x[r, k]) with each combiner the
// pass takes (a sum, a product), rows of any length from below a vector to
// several.
TEST(VectorizeReductions, EveryCombinerMatchesTheLoops) {
  Jit jit;
  std::mt19937 rng(32);
  for (const char *combine : {"arith.addf", "arith.mulf"}) {
    for (const char *features : kFeatures) {
      SCOPED_TRACE(std::string(combine) + ", features '" + features + "'");
      CompiledPair pair = compileBoth(jit, R"(
func.func @f(%x: tensor<?x?xf32>, %m: tensor<?xf32>) -> tensor<?xf32> {
  %r = linalg.generic {indexing_maps = [
      affine_map<(r, k) -> (r, k)>, affine_map<(r, k) -> (r)>],
    iterator_types = ["parallel", "reduction"]}
    ins(%x : tensor<?x?xf32>) outs(%m : tensor<?xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = )" + std::string(combine) + R"( %in, %out : f32
    linalg.yield %s : f32
  } -> tensor<?xf32>
  return %r : tensor<?xf32>
}
)",
                                      features);
      ASSERT_TRUE(pair.on && pair.off);
      bool product = std::string(combine) == "arith.mulf";
      for (int64_t rows : {1, 7, 16, 37})
        for (int64_t k : {1, 3, 16, 21, 64}) {
          SCOPED_TRACE("rows=" + std::to_string(rows) +
                       " k=" + std::to_string(k));
          // Products of factors near 1, so that they neither vanish nor
          // overflow on the way.
          expectSameResults(
              pair, "f",
              {randomArray({rows, k}, rng, rows % 2, product ? 1.f : 0.f,
                           product ? 0.1f : 1.f),
               randomArray({rows}, rng, false)});
        }
      // Rows of -0.0 only, from running values of -0.0: any padding but
      // the identity (+0.0 for a sum) turns a sum of them into +0.0.
      for (int64_t k : {3, 21}) {
        HostArray x = HostArray::zeros(DType::F32, {5, k}),
                  init = HostArray::zeros(DType::F32, {5});
        for (int64_t i = 0; i < x.numElements(); ++i)
          x.data<float>()[i] = -0.0f;
        for (int64_t i = 0; i < 5; ++i)
          init.data<float>()[i] = -0.0f;
        expectSameResults(pair, "f", {x, init});
      }
    }
  }
}

// A variance summed in f64 from a mean broadcast along the row (an input
// that does not use the innermost loop), rows of a static 10.
TEST(VectorizeReductions, BroadcastInputAndF64SumsMatchTheLoops) {
  Jit jit;
  std::mt19937 rng(33);
  for (const char *features : kFeatures) {
    SCOPED_TRACE(std::string("features '") + features + "'");
    CompiledPair pair = compileBoth(jit, R"(
func.func @f(%x: tensor<?x10xf32>, %mean: tensor<?xf32>, %v: tensor<?xf64>) -> tensor<?xf64> {
  %r = linalg.generic {indexing_maps = [
      affine_map<(r, k) -> (r, k)>, affine_map<(r, k) -> (r)>,
      affine_map<(r, k) -> (r)>],
    iterator_types = ["parallel", "reduction"]}
    ins(%x, %mean : tensor<?x10xf32>, tensor<?xf32>) outs(%v : tensor<?xf64>) {
  ^bb0(%in: f32, %mu: f32, %out: f64):
    %d = arith.subf %in, %mu : f32
    %sq = arith.mulf %d, %d : f32
    %wide = arith.extf %sq : f32 to f64
    %s = arith.addf %out, %wide : f64
    linalg.yield %s : f64
  } -> tensor<?xf64>
  return %r : tensor<?xf64>
}
)",
                                    features);
    ASSERT_TRUE(pair.on && pair.off);
    for (int64_t rows : {1, 5, 8, 19, 40}) {
      SCOPED_TRACE("rows=" + std::to_string(rows));
      HostArray init = HostArray::zeros(DType::F64, {rows});
      std::normal_distribution<double> normal;
      for (int64_t i = 0; i < rows; ++i)
        init.data<double>()[i] = normal(rng);
      expectSameResults(pair, "f",
                        {randomArray({rows, 10}, rng, rows == 19),
                         randomArray({rows}, rng, false), init});
    }
  }
}

} // namespace
