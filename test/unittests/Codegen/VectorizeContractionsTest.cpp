//===- VectorizeContractionsTest.cpp - f32 contraction kernel vs loops ----===//
//
// --ternary-vectorize-contractions against the scalar loops it replaces
// (the pipeline with vectorize-contractions=false), on random shapes with
// odd sizes: matmul, the linear layer's x . W^T (B packed first), the
// weight gradient's dy^T . x (A transposed), batch_matmul and attention's
// 4-D scores, and the contractions of a convolution written as im2col (a
// filter shared by the images, its gradient summed over them). Both sum
// over k in the same order; the kernel uses fused
// multiply-adds, so each element may differ by the rounding of the
// products: at most 2 K 2^-24 sum_k |a_ik b_kj| (docs/numerics.md).
//
//===----------------------------------------------------------------------===//

#include "Jit.h"

#include "ternary/Support/Npy.h"

#include <cmath>
#include <random>
#include <sstream>

using namespace ternary_test;
using ::ternary::DType;
using ::ternary::HostArray;

namespace {

/// A contraction as a function of two dynamic operands.
struct Case {
  const char *name;
  int rankA, rankB, rankC;
  /// MLIR text of the body computing %c from %a, %b (all dynamic).
  const char *body;
  /// Shapes of a, b and c from the sizes (batch, m, n, k, h).
  std::vector<int64_t> (*shapeA)(int64_t, int64_t, int64_t, int64_t, int64_t);
  std::vector<int64_t> (*shapeB)(int64_t, int64_t, int64_t, int64_t, int64_t);
  std::vector<int64_t> (*shapeC)(int64_t, int64_t, int64_t, int64_t, int64_t);
};

std::string tensor(int rank) {
  std::string s = "tensor<";
  for (int i = 0; i < rank; ++i)
    s += "?x";
  return s + "f32>";
}

/// The module: @f(%a, %b) -> c, with c filled with 0.5 and sized from a and
/// b (not zeros: the kernel moves the fill into its tasks, and a task that
/// missed its block would leave a fresh buffer's zeros, as often as not).
std::string module(const Case &c) {
  std::ostringstream os;
  os << "func.func @f(%a: " << tensor(c.rankA) << ", %b: " << tensor(c.rankB)
     << ") -> " << tensor(c.rankC) << " {\n"
     << "  %init = arith.constant 0.5 : f32\n"
     << c.body << "  return %c : " << tensor(c.rankC) << "\n}\n";
  return os.str();
}

const char *kMatmul = R"(  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %m = tensor.dim %a, %c0 : tensor<?x?xf32>
  %n = tensor.dim %b, %c1 : tensor<?x?xf32>
  %e = tensor.empty(%m, %n) : tensor<?x?xf32>
  %z = linalg.fill ins(%init : f32) outs(%e : tensor<?x?xf32>) -> tensor<?x?xf32>
  %c = linalg.matmul ins(%a, %b : tensor<?x?xf32>, tensor<?x?xf32>) outs(%z : tensor<?x?xf32>) -> tensor<?x?xf32>
)";

// y[m, n] = sum_k x[m, k] W[n, k]: B contiguous along k.
const char *kLinear = R"(  %c0 = arith.constant 0 : index
  %m = tensor.dim %a, %c0 : tensor<?x?xf32>
  %n = tensor.dim %b, %c0 : tensor<?x?xf32>
  %e = tensor.empty(%m, %n) : tensor<?x?xf32>
  %z = linalg.fill ins(%init : f32) outs(%e : tensor<?x?xf32>) -> tensor<?x?xf32>
  %c = linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : tensor<?x?xf32>, tensor<?x?xf32>) outs(%z : tensor<?x?xf32>) {
  ^bb0(%p: f32, %q: f32, %acc: f32):
    %t = arith.mulf %p, %q : f32
    %s = arith.addf %acc, %t : f32
    linalg.yield %s : f32
  } -> tensor<?x?xf32>
)";

// dW[n, k] = sum_m dy[m, n] x[m, k]: A (dy) read transposed.
const char *kWeightGrad = R"(  %c1 = arith.constant 1 : index
  %n = tensor.dim %a, %c1 : tensor<?x?xf32>
  %k = tensor.dim %b, %c1 : tensor<?x?xf32>
  %e = tensor.empty(%n, %k) : tensor<?x?xf32>
  %z = linalg.fill ins(%init : f32) outs(%e : tensor<?x?xf32>) -> tensor<?x?xf32>
  %c = linalg.generic {indexing_maps = [affine_map<(n, k, m) -> (m, n)>, affine_map<(n, k, m) -> (m, k)>, affine_map<(n, k, m) -> (n, k)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : tensor<?x?xf32>, tensor<?x?xf32>) outs(%z : tensor<?x?xf32>) {
  ^bb0(%p: f32, %q: f32, %acc: f32):
    %t = arith.mulf %p, %q : f32
    %s = arith.addf %acc, %t : f32
    linalg.yield %s : f32
  } -> tensor<?x?xf32>
)";

const char *kBatchMatmul = R"(  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %bs = tensor.dim %a, %c0 : tensor<?x?x?xf32>
  %m = tensor.dim %a, %c1 : tensor<?x?x?xf32>
  %n = tensor.dim %b, %c2 : tensor<?x?x?xf32>
  %e = tensor.empty(%bs, %m, %n) : tensor<?x?x?xf32>
  %z = linalg.fill ins(%init : f32) outs(%e : tensor<?x?x?xf32>) -> tensor<?x?x?xf32>
  %c = linalg.batch_matmul ins(%a, %b : tensor<?x?x?xf32>, tensor<?x?x?xf32>) outs(%z : tensor<?x?x?xf32>) -> tensor<?x?x?xf32>
)";

// Attention scores s[b, h, t, u] = sum_d q[b, t, h, d] k[b, u, h, d].
const char *kScores = R"(  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %bs = tensor.dim %a, %c0 : tensor<?x?x?x?xf32>
  %t = tensor.dim %a, %c1 : tensor<?x?x?x?xf32>
  %h = tensor.dim %a, %c2 : tensor<?x?x?x?xf32>
  %u = tensor.dim %b, %c1 : tensor<?x?x?x?xf32>
  %e = tensor.empty(%bs, %h, %t, %u) : tensor<?x?x?x?xf32>
  %z = linalg.fill ins(%init : f32) outs(%e : tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xf32>
  %c = linalg.generic {indexing_maps = [affine_map<(b, h, t, u, d) -> (b, t, h, d)>, affine_map<(b, h, t, u, d) -> (b, u, h, d)>, affine_map<(b, h, t, u, d) -> (b, h, t, u)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%a, %b : tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>) outs(%z : tensor<?x?x?x?xf32>) {
  ^bb0(%p: f32, %q: f32, %acc: f32):
    %t2 = arith.mulf %p, %q : f32
    %s = arith.addf %acc, %t2 : f32
    linalg.yield %s : f32
  } -> tensor<?x?x?x?xf32>
)";

// A convolution as im2col + contraction (--ternary-convolutions-to-
// contractions): a filter shared by every image, out[b, m, n] = sum_k
// w[m, k] col[b, k, n] (a second n dimension, taken one index at a time).
const char *kSharedFilter = R"(  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %bs = tensor.dim %b, %c0 : tensor<?x?x?xf32>
  %m = tensor.dim %a, %c0 : tensor<?x?xf32>
  %n = tensor.dim %b, %c2 : tensor<?x?x?xf32>
  %e = tensor.empty(%bs, %m, %n) : tensor<?x?x?xf32>
  %z = linalg.fill ins(%init : f32) outs(%e : tensor<?x?x?xf32>) -> tensor<?x?x?xf32>
  %c = linalg.generic {indexing_maps = [affine_map<(b, m, n, k) -> (m, k)>, affine_map<(b, m, n, k) -> (b, k, n)>, affine_map<(b, m, n, k) -> (b, m, n)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%a, %b : tensor<?x?xf32>, tensor<?x?x?xf32>) outs(%z : tensor<?x?x?xf32>) {
  ^bb0(%p: f32, %q: f32, %acc: f32):
    %t = arith.mulf %q, %p : f32
    %s = arith.addf %acc, %t : f32
    linalg.yield %s : f32
  } -> tensor<?x?x?xf32>
)";

// Its filter gradient: dw[m, n] = sum_b sum_k dy[b, m, k] col[b, n, k],
// two reductions (the outer one taken one index at a time, in order).
const char *kFilterGrad = R"(  %c1 = arith.constant 1 : index
  %m = tensor.dim %a, %c1 : tensor<?x?x?xf32>
  %n = tensor.dim %b, %c1 : tensor<?x?x?xf32>
  %e = tensor.empty(%m, %n) : tensor<?x?xf32>
  %z = linalg.fill ins(%init : f32) outs(%e : tensor<?x?xf32>) -> tensor<?x?xf32>
  %c = linalg.generic {indexing_maps = [affine_map<(b, m, k, n) -> (b, m, k)>, affine_map<(b, m, k, n) -> (b, n, k)>, affine_map<(b, m, k, n) -> (m, n)>], iterator_types = ["reduction", "parallel", "reduction", "parallel"]} ins(%a, %b : tensor<?x?x?xf32>, tensor<?x?x?xf32>) outs(%z : tensor<?x?xf32>) {
  ^bb0(%p: f32, %q: f32, %acc: f32):
    %t = arith.mulf %p, %q : f32
    %s = arith.addf %acc, %t : f32
    linalg.yield %s : f32
  } -> tensor<?x?xf32>
)";

// The same with the inputs the other way round (as autodiff emits it):
// the output is contiguous along the first input's dimension.
const char *kFilterGradSwapped = R"(  %c1 = arith.constant 1 : index
  %m = tensor.dim %a, %c1 : tensor<?x?x?xf32>
  %n = tensor.dim %b, %c1 : tensor<?x?x?xf32>
  %e = tensor.empty(%m, %n) : tensor<?x?xf32>
  %z = linalg.fill ins(%init : f32) outs(%e : tensor<?x?xf32>) -> tensor<?x?xf32>
  %c = linalg.generic {indexing_maps = [affine_map<(b, m, k, n) -> (b, n, k)>, affine_map<(b, m, k, n) -> (b, m, k)>, affine_map<(b, m, k, n) -> (m, n)>], iterator_types = ["reduction", "parallel", "reduction", "parallel"]} ins(%b, %a : tensor<?x?x?xf32>, tensor<?x?x?xf32>) outs(%z : tensor<?x?xf32>) {
  ^bb0(%q: f32, %p: f32, %acc: f32):
    %t = arith.mulf %q, %p : f32
    %s = arith.addf %acc, %t : f32
    linalg.yield %s : f32
  } -> tensor<?x?xf32>
)";

using Sizes = std::vector<int64_t>;
const Case kCases[] = {
    {"filter_grad_swapped", 3, 3, 2, kFilterGradSwapped,
     [](int64_t b, int64_t m, int64_t, int64_t k, int64_t) {
       return Sizes{b, m, k};
     },
     [](int64_t b, int64_t, int64_t n, int64_t k, int64_t) {
       return Sizes{b, n, k};
     },
     [](int64_t, int64_t m, int64_t n, int64_t, int64_t) {
       return Sizes{m, n};
     }},
    {"shared_filter", 2, 3, 3, kSharedFilter,
     [](int64_t, int64_t m, int64_t, int64_t k, int64_t) {
       return Sizes{m, k};
     },
     [](int64_t b, int64_t, int64_t n, int64_t k, int64_t) {
       return Sizes{b, k, n};
     },
     [](int64_t b, int64_t m, int64_t n, int64_t, int64_t) {
       return Sizes{b, m, n};
     }},
    {"filter_grad", 3, 3, 2, kFilterGrad,
     [](int64_t b, int64_t m, int64_t, int64_t k, int64_t) {
       return Sizes{b, m, k};
     },
     [](int64_t b, int64_t, int64_t n, int64_t k, int64_t) {
       return Sizes{b, n, k};
     },
     [](int64_t, int64_t m, int64_t n, int64_t, int64_t) {
       return Sizes{m, n};
     }},
    {"matmul", 2, 2, 2, kMatmul,
     [](int64_t, int64_t m, int64_t, int64_t k, int64_t) {
       return Sizes{m, k};
     },
     [](int64_t, int64_t, int64_t n, int64_t k, int64_t) {
       return Sizes{k, n};
     },
     [](int64_t, int64_t m, int64_t n, int64_t, int64_t) {
       return Sizes{m, n};
     }},
    {"linear", 2, 2, 2, kLinear,
     [](int64_t, int64_t m, int64_t, int64_t k, int64_t) {
       return Sizes{m, k};
     },
     [](int64_t, int64_t, int64_t n, int64_t k, int64_t) {
       return Sizes{n, k};
     },
     [](int64_t, int64_t m, int64_t n, int64_t, int64_t) {
       return Sizes{m, n};
     }},
    // a = dy [m, n], b = x [m, k], c = dW [n, k] (here "m" is the
    // contraction's reduction: the batch of the layer).
    {"weight_grad", 2, 2, 2, kWeightGrad,
     [](int64_t, int64_t m, int64_t n, int64_t, int64_t) {
       return Sizes{m, n};
     },
     [](int64_t, int64_t m, int64_t, int64_t k, int64_t) {
       return Sizes{m, k};
     },
     [](int64_t, int64_t, int64_t n, int64_t k, int64_t) {
       return Sizes{n, k};
     }},
    {"batch_matmul", 3, 3, 3, kBatchMatmul,
     [](int64_t b, int64_t m, int64_t, int64_t k, int64_t) {
       return Sizes{b, m, k};
     },
     [](int64_t b, int64_t, int64_t n, int64_t k, int64_t) {
       return Sizes{b, k, n};
     },
     [](int64_t b, int64_t m, int64_t n, int64_t, int64_t) {
       return Sizes{b, m, n};
     }},
    {"attention_scores", 4, 4, 4, kScores,
     [](int64_t b, int64_t m, int64_t, int64_t k, int64_t h) {
       return Sizes{b, m, h, k};
     },
     [](int64_t b, int64_t, int64_t n, int64_t k, int64_t h) {
       return Sizes{b, n, h, k};
     },
     [](int64_t b, int64_t m, int64_t n, int64_t, int64_t h) {
       return Sizes{b, h, m, n};
     }},
};

TEST(VectorizeContractions, MatchesTheScalarLoops) {
  Jit jit;
  mlir::ternary::InferencePipelineOptions loops;
  loops.vectorizeContractions = false;
  std::mt19937 rng(5);
  for (const Case &c : kCases) {
    SCOPED_TRACE(c.name);
    std::string text = module(c);
    std::unique_ptr<mlir::ternary::CompiledModule> kernel = jit.compile(text);
    std::unique_ptr<mlir::ternary::CompiledModule> reference =
        jit.compile(text, loops);
    ASSERT_TRUE(kernel && reference);
    // Odd sizes around the tiles (8 x 32 x 4 with AVX-512, 6 x 16 x 4 with
    // AVX2), sizes below one tile, and a few large ones.
    std::uniform_int_distribution<int64_t> small(1, 70), batch(1, 3);
    for (int trial = 0; trial < 8; ++trial) {
      int64_t b = batch(rng), m = small(rng), n = small(rng), k = small(rng),
              h = batch(rng);
      if (trial == 0)
        m = 64, n = 256, k = 97;
      SCOPED_TRACE("b=" + std::to_string(b) + " m=" + std::to_string(m) +
                   " n=" + std::to_string(n) + " k=" + std::to_string(k) +
                   " h=" + std::to_string(h));
      std::vector<HostArray> in = {
          randomNormalArray(c.shapeA(b, m, n, k, h), rng),
          randomNormalArray(c.shapeB(b, m, n, k, h), rng)};
      auto got = kernel->call("f", in);
      auto want = reference->call("f", in);
      ASSERT_TRUE(bool(got)) << llvm::toString(got.takeError());
      ASSERT_TRUE(bool(want)) << llvm::toString(want.takeError());
      const HostArray &g = (*got)[0], &w = (*want)[0];
      ASSERT_EQ(g.shape, c.shapeC(b, m, n, k, h));
      ASSERT_EQ(g.shape, w.shape);
      // The reduction's length is the dimension the shapes do not share.
      std::string name = c.name;
      int64_t reduction =
          name == "weight_grad"                                    ? m
          : name == "filter_grad" || name == "filter_grad_swapped" ? b * k
                                                                   : k;
      float tolerance = 2.f * reduction * std::ldexp(1.f, -24);
      for (int64_t i = 0; i < g.numElements(); ++i) {
        float x = g.data<float>()[i], y = w.data<float>()[i];
        // |sum| <= sum |terms|, about sqrt(K) * |typical term| for
        // N(0, 1) data: bound the terms' sum by K (|a b| has mean 2/pi).
        ASSERT_NEAR(x, y, tolerance * reduction + 1e-6f) << "element " << i;
      }
    }
  }
}

/// A static-shape f32 tensor type.
std::string staticTensor(const Sizes &dims) {
  std::string r = "tensor<";
  for (int64_t d : dims)
    r += std::to_string(d) + "x";
  return r + "f32>";
}

/// @f(%a, %b) -> %c of static shapes: one linalg.generic with `maps` and
/// `iterators` (its text) summing a * b into %c filled with 0.5.
std::string staticContraction(const Sizes &shapeA, const Sizes &shapeB,
                              const Sizes &shapeC, const std::string &maps,
                              const std::string &iterators) {
  std::string a = staticTensor(shapeA), b = staticTensor(shapeB),
              c = staticTensor(shapeC);
  return "func.func @f(%a: " + a + ", %b: " + b + ") -> " + c + " {\n" +
         "  %init = arith.constant 0.5 : f32\n  %e = tensor.empty() : " + c +
         "\n  %z = linalg.fill ins(%init : f32) outs(%e : " + c + ") -> " + c +
         "\n  %c = linalg.generic {indexing_maps = [" + maps +
         "], iterator_types = [" + iterators + "]} ins(%a, %b : " + a + ", " +
         b + ") outs(%z : " + c + ") {\n" +
         "  ^bb0(%p: f32, %q: f32, %acc: f32):\n" +
         "    %t = arith.mulf %p, %q : f32\n" +
         "    %s = arith.addf %acc, %t : f32\n" +
         "    linalg.yield %s : f32\n  } -> " + c + "\n  return %c : " + c +
         "\n}\n";
}

/// The kernel's result of `text` (a staticContraction) on random inputs
/// against the scalar loops', each element within the bound of a sum of
/// `reduction` products (see the top of the file).
void expectKernelMatchesLoops(Jit &jit, const std::string &text,
                              const Sizes &shapeA, const Sizes &shapeB,
                              const Sizes &shapeC, int64_t reduction,
                              std::mt19937 &rng) {
  mlir::ternary::InferencePipelineOptions loops;
  loops.vectorizeContractions = false;
  std::unique_ptr<mlir::ternary::CompiledModule> kernel = jit.compile(text);
  std::unique_ptr<mlir::ternary::CompiledModule> reference =
      jit.compile(text, loops);
  ASSERT_TRUE(kernel && reference);
  std::vector<HostArray> in = {randomNormalArray(shapeA, rng),
                               randomNormalArray(shapeB, rng)};
  auto got = kernel->call("f", in);
  auto want = reference->call("f", in);
  ASSERT_TRUE(bool(got)) << llvm::toString(got.takeError());
  ASSERT_TRUE(bool(want)) << llvm::toString(want.takeError());
  const HostArray &g = (*got)[0], &w = (*want)[0];
  ASSERT_EQ(g.shape, shapeC);
  ASSERT_EQ(w.shape, shapeC);
  float tolerance = 2.f * reduction * std::ldexp(1.f, -24);
  for (int64_t i = 0; i < g.numElements(); ++i)
    ASSERT_NEAR(g.data<float>()[i], w.data<float>()[i],
                tolerance * reduction + 1e-6f)
        << "element " << i;
}

// A filter gradient with static sizes whose second input (the patches) is
// much larger than the first (the output gradient), or whose n is too small
// for a register tile and m is not (the first convolution's, 32 x 9): the
// kernel computes the transposed output (transposeOutputIfCheaper). Against the
// loops, with outer reductions of 1 to 3 images and odd sizes.
TEST(VectorizeContractions, FilterGradientPacksTheSmallerOperand) {
  Jit jit;
  std::mt19937 rng(11);
  struct Shape {
    int64_t b, m, n, k;
  } shapes[] = {{1, 16, 72, 37},
                {3, 19, 97, 65},
                {2, 64, 288, 100},
                // n below the tile, m not: transposed to fill it (with a
                // remainder of k, whose peeled tiles write the block the
                // registers hold across the images)
                {2, 32, 9, 676},
                {3, 45, 3, 33},
                {3, 45, 1, 33},
                {1, 33, 31, 17}};
  for (Shape s : shapes) {
    Sizes a = {s.b, s.m, s.k}, b = {s.b, s.n, s.k}, c = {s.m, s.n};
    SCOPED_TRACE(staticTensor(a) + " " + staticTensor(b));
    std::string text = staticContraction(
        a, b, c,
        "affine_map<(b, m, k, n) -> (b, m, k)>, affine_map<(b, m, k, n) -> "
        "(b, n, k)>, affine_map<(b, m, k, n) -> (m, n)>",
        "\"reduction\", \"parallel\", \"reduction\", \"parallel\"");
    expectKernelMatchesLoops(jit, text, a, b, c, s.b * s.k, rng);
  }
}

// A static m smaller than the register tile is one block of all its rows
// (rowsOfTile): single rows and the query heads of grouped-query attention
// sharing a key/value head, out[g, r, e] = sum_j p[g, r, j] v[j, g, e],
// with n and k around the tiles. Against the loops.
TEST(VectorizeContractions, FewStaticRowsMatchTheScalarLoops) {
  Jit jit;
  std::mt19937 rng(13);
  struct Shape {
    int64_t g, r, e, j;
  } shapes[] = {
      {1, 1, 96, 37}, {5, 4, 128, 128}, {2, 3, 70, 9}, {3, 7, 33, 65}};
  for (Shape s : shapes) {
    Sizes p = {s.g, s.r, s.j}, v = {s.j, s.g, s.e}, o = {s.g, s.r, s.e};
    SCOPED_TRACE(staticTensor(p) + " " + staticTensor(v));
    std::string text = staticContraction(
        p, v, o,
        "affine_map<(g, r, e, j) -> (g, r, j)>, affine_map<(g, r, e, j) -> "
        "(j, g, e)>, affine_map<(g, r, e, j) -> (g, r, e)>",
        "\"parallel\", \"parallel\", \"parallel\", \"reduction\"");
    expectKernelMatchesLoops(jit, text, p, v, o, s.j, rng);
  }
}

/// Static shapes whose m, n or k are not multiples of the register tile
/// (8 x 32 x 4): the remainder tiles are computed as whole tiles with masks
/// (a 10-class head, a weight gradient whose n is 784, odd sizes on every
/// axis), and must give what the scalar loops give.
TEST(VectorizeContractions, MaskedRemaindersMatchTheScalarLoops) {
  Jit jit;
  std::mt19937 rng(17);
  // A linear layer's x . W^T (x [m, k], W [n, k]) and a weight gradient's
  // dy^T . x (dy [k, m], x [k, n]).
  struct Form {
    bool gradient;
    int64_t m, n, k;
  } forms[] = {{false, 64, 10, 256}, {false, 20, 50, 13}, {false, 3, 5, 2},
               {false, 17, 33, 9},   {true, 12, 784, 7},  {true, 10, 45, 6}};
  for (Form f : forms) {
    Sizes a = f.gradient ? Sizes{f.k, f.m} : Sizes{f.m, f.k};
    Sizes b = f.gradient ? Sizes{f.k, f.n} : Sizes{f.n, f.k};
    Sizes c = {f.m, f.n};
    std::string maps =
        f.gradient ? "affine_map<(k, m, n) -> (k, m)>, affine_map<(k, m, n) "
                     "-> (k, n)>, affine_map<(k, m, n) -> (m, n)>"
                   : "affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) "
                     "-> (n, k)>, affine_map<(m, n, k) -> (m, n)>";
    std::string iterators = f.gradient
                                ? "\"reduction\", \"parallel\", \"parallel\""
                                : "\"parallel\", \"parallel\", \"reduction\"";
    SCOPED_TRACE(staticTensor(a) + " " + staticTensor(b) + " -> " +
                 staticTensor(c));
    expectKernelMatchesLoops(jit, staticContraction(a, b, c, maps, iterators),
                             a, b, c, f.k, rng);
  }
}

} // namespace
