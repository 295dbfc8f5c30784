//===- VectorizeRowsTest.cpp - Rows of vectors vs the scalar loops --------===//
//
// --ternary-vectorize-rows against the scalar loops it replaces (the
// pipeline with vectorize-rows=false), bit for bit, on random shapes with
// odd sizes: the scatter-add of a convolution's input gradient, element-
// wise ops on short static rows, 2-D poolings (--ternary-generalize-
// pooling: strided rows, overlapping windows, dilations) and their
// gradients (strided rows written back). The poolings are also checked
// against direct loops in C++, bit for bit: a maximum is exact, and a sum
// takes each window's terms in (kh, kw) order in both.
//
//===----------------------------------------------------------------------===//

#include "SameResults.h"

#include <cstring>
#include <random>
#include <sstream>

using namespace ternary_test;
using ::ternary::DType;
using ::ternary::HostArray;

namespace {

using Shape = std::vector<int64_t>;

/// The module compiled with and without the pass.
CompiledPair compileBoth(Jit &jit, const std::string &text) {
  mlir::ternary::InferencePipelineOptions off;
  off.vectorizeRows = false;
  return {jit.compile(text), jit.compile(text, off)};
}

// The input gradient of a convolution as ternary-autodiff derives it from
// the im2col gather: dx[n, c, oh + kh, ow + kw] += col[n, c, kh, kw, oh, ow]
// (all sizes dynamic).
TEST(VectorizeRows, ScatterAddMatchesTheLoops) {
  Jit jit;
  CompiledPair pair = compileBoth(jit, R"(
func.func @f(%col: tensor<?x?x?x?x?x?xf32>, %dx: tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xf32> {
  %r = linalg.generic {indexing_maps = [
      affine_map<(n, c, kh, kw, oh, ow) -> (n, c, kh, kw, oh, ow)>,
      affine_map<(n, c, kh, kw, oh, ow) -> (n, c, oh + kh, ow + kw)>],
    iterator_types = ["parallel", "parallel", "reduction", "reduction", "reduction", "reduction"]}
    ins(%col : tensor<?x?x?x?x?x?xf32>) outs(%dx : tensor<?x?x?x?xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.addf %out, %in : f32
    linalg.yield %s : f32
  } -> tensor<?x?x?x?xf32>
  return %r : tensor<?x?x?x?xf32>
}
)");
  ASSERT_TRUE(pair.on && pair.off);
  std::mt19937 rng(11);
  std::uniform_int_distribution<int64_t> small(1, 4), wide(1, 70);
  for (int trial = 0; trial < 12; ++trial) {
    int64_t n = small(rng), c = small(rng), kh = small(rng), kw = small(rng),
            oh = wide(rng) % 9 + 1, ow = trial ? wide(rng) : 24;
    SCOPED_TRACE("n=" + std::to_string(n) + " c=" + std::to_string(c) +
                 " kh=" + std::to_string(kh) + " kw=" + std::to_string(kw) +
                 " oh=" + std::to_string(oh) + " ow=" + std::to_string(ow));
    expectSameResults(
        pair, "f",
        {randomNormalArray({n, c, kh, kw, oh, ow}, rng),
         randomNormalArray({n, c, oh + kh - 1, ow + kw - 1}, rng)});
  }
}

// Element-wise ops on short static rows (identity maps): rows of any width
// from below a vector to past the short-row limit.
TEST(VectorizeRows, ShortRowsMatchTheLoops) {
  Jit jit;
  std::mt19937 rng(12);
  for (int64_t width : {4, 5, 17, 24, 64, 65}) {
    SCOPED_TRACE("width " + std::to_string(width));
    std::string t = "tensor<?x3x5x" + std::to_string(width) + "xf32>";
    std::string map = "affine_map<(a, b, c, d) -> (a, b, c, d)>";
    CompiledPair pair = compileBoth(
        jit, "func.func @f(%x: " + t + ", %y: " + t + ") -> " + t + " {\n" +
                 "  %r = linalg.generic {indexing_maps = [" + map + ", " + map +
                 ", " + map +
                 "], iterator_types = [\"parallel\", \"parallel\", "
                 "\"parallel\", \"parallel\"]} ins(%x, %y : " +
                 t + ", " + t + ") outs(%x : " + t + ") {\n" +
                 "  ^bb0(%a: f32, %b: f32, %o: f32):\n"
                 "    %zero = arith.constant 0.0 : f32\n"
                 "    %m = arith.mulf %a, %b : f32\n"
                 "    %s = arith.addf %m, %a : f32\n"
                 "    %p = arith.cmpf ogt, %s, %zero : f32\n"
                 "    %r = arith.select %p, %s, %zero : f32\n"
                 "    linalg.yield %r : f32\n  } -> " +
                 t + "\n  return %r : " + t + "\n}\n");
    ASSERT_TRUE(pair.on && pair.off);
    for (int64_t n : {1, 3}) {
      Shape shape = {n, 3, 5, width};
      expectSameResults(
          pair, "f",
          {randomNormalArray(shape, rng), randomNormalArray(shape, rng)});
    }
  }
}

/// A 2-D pooling in NCHW with a window of `win` (dynamic sizes).
struct Pooling {
  const char *op; // pooling_nchw_max or pooling_nchw_sum
  int64_t stride, dilation;
};

/// @f(%x, %w, %init): the pooling of %x over a window shaped as %w into
/// %init; @loss(%x, %w, %init, %r) = sum(pooling * r), whose gradient with
/// respect to %x is @g.
std::string poolingModule(const Pooling &p) {
  std::ostringstream os;
  std::string attrs = std::string("{dilations = dense<") +
                      std::to_string(p.dilation) +
                      "> : tensor<2xi64>, strides = dense<" +
                      std::to_string(p.stride) + "> : tensor<2xi64>}";
  const char *t4 = "tensor<?x?x?x?xf32>";
  os << "func.func @f(%x: " << t4 << ", %w: tensor<?x?xf32>, %init: " << t4
     << ") -> " << t4 << " {\n  %p = linalg." << p.op << " " << attrs
     << " ins(%x, %w : " << t4 << ", tensor<?x?xf32>) outs(%init : " << t4
     << ") -> " << t4 << "\n  return %p : " << t4 << "\n}\n";
  os << "func.func @loss(%x: " << t4 << ", %w: tensor<?x?xf32>, %init: " << t4
     << ", %r: " << t4
     << ") -> tensor<f32> attributes {ternary.gradient = {name = \"g\", wrt "
        "= array<i64: 0>}} {\n  %p = linalg."
     << p.op << " " << attrs << " ins(%x, %w : " << t4
     << ", tensor<?x?xf32>) outs(%init : " << t4 << ") -> " << t4 << "\n"
     << "  %z = arith.constant 0.0 : f32\n"
        "  %e = tensor.empty() : tensor<f32>\n"
        "  %zf = linalg.fill ins(%z : f32) outs(%e : tensor<f32>) -> "
        "tensor<f32>\n"
        "  %loss = linalg.generic {indexing_maps = [affine_map<(a, b, c, d) "
        "-> (a, b, c, d)>, affine_map<(a, b, c, d) -> (a, b, c, d)>, "
        "affine_map<(a, b, c, d) -> ()>], iterator_types = [\"reduction\", "
        "\"reduction\", \"reduction\", \"reduction\"]} ins(%p, %r : "
     << t4 << ", " << t4
     << ") outs(%zf : tensor<f32>) {\n"
        "  ^bb0(%a: f32, %b: f32, %o: f32):\n"
        "    %m = arith.mulf %a, %b : f32\n"
        "    %s = arith.addf %o, %m : f32\n"
        "    linalg.yield %s : f32\n  } -> tensor<f32>\n"
        "  return %loss : tensor<f32>\n}\n";
  return os.str();
}

/// The pooling by direct loops, each window in (kh, kw) order.
HostArray directPooling(const Pooling &p, const HostArray &x, int64_t kh,
                        int64_t kw, const HostArray &init) {
  HostArray out = init;
  int64_t n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
  int64_t oh = init.shape[2], ow = init.shape[3];
  bool max = std::string(p.op) == "pooling_nchw_max";
  for (int64_t b = 0; b < n; ++b)
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t i = 0; i < oh; ++i)
        for (int64_t j = 0; j < ow; ++j) {
          float &acc = out.data<float>()[((b * c + ch) * oh + i) * ow + j];
          for (int64_t u = 0; u < kh; ++u)
            for (int64_t v = 0; v < kw; ++v) {
              float e = x.data<float>()[((b * c + ch) * h + i * p.stride +
                                         u * p.dilation) *
                                            w +
                                        j * p.stride + v * p.dilation];
              acc = max ? std::max(acc, e) : acc + e;
            }
        }
  return out;
}

TEST(VectorizeRows, PoolingsAndTheirGradientsMatch) {
  Jit jit;
  std::mt19937 rng(13);
  std::uniform_int_distribution<int64_t> batch(1, 3), window(1, 3), size(1, 40);
  for (Pooling p :
       {Pooling{"pooling_nchw_max", 2, 1}, Pooling{"pooling_nchw_max", 1, 1},
        Pooling{"pooling_nchw_max", 3, 2}, Pooling{"pooling_nchw_sum", 2, 1}}) {
    SCOPED_TRACE(std::string(p.op) + " stride " + std::to_string(p.stride) +
                 " dilation " + std::to_string(p.dilation));
    CompiledPair pair = compileBoth(jit, poolingModule(p));
    ASSERT_TRUE(pair.on && pair.off);
    for (int trial = 0; trial < 6; ++trial) {
      int64_t n = batch(rng), c = batch(rng), kh = window(rng),
              kw = window(rng), oh = size(rng) % 7 + 1, ow = size(rng);
      if (trial == 0) // the papers' CNN: 2x2 windows of 24x24 images
        kh = kw = 2, oh = ow = 24 / p.stride;
      int64_t h = (oh - 1) * p.stride + (kh - 1) * p.dilation + 1,
              w = (ow - 1) * p.stride + (kw - 1) * p.dilation + 1;
      SCOPED_TRACE("n=" + std::to_string(n) + " c=" + std::to_string(c) +
                   " window " + std::to_string(kh) + "x" + std::to_string(kw) +
                   " out " + std::to_string(oh) + "x" + std::to_string(ow));
      HostArray x = randomNormalArray({n, c, h, w}, rng);
      HostArray win = HostArray::zeros(DType::F32, {kh, kw});
      HostArray init = randomNormalArray({n, c, oh, ow}, rng);
      std::vector<HostArray> out = expectSameResults(pair, "f", {x, win, init});
      ASSERT_EQ(out.size(), 1u);
      HostArray want = directPooling(p, x, kh, kw, init);
      ASSERT_EQ(std::memcmp(out[0].data<float>(), want.data<float>(),
                            4 * want.numElements()),
                0);
      // Max pooling of random values has no ties: its gradient routes each
      // element of r to one input; overlapping windows add.
      expectSameResults(pair, "g",
                        {x, win, init, randomNormalArray({n, c, oh, ow}, rng)});
    }
  }
}

} // namespace
