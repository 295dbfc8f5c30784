//===- GradCheckTest.cpp - ternary-autodiff against finite differences ----===//
//
// Every differentiable op the training models use, written as a small
// forward function with a `ternary.gradient` request, is JIT-compiled
// through the whole pipeline; the derived gradients are compared with
// central finite differences of the compiled forward function on random
// inputs (the harness is GradCheck.h). BitLinear's straight-through
// gradient is checked in BitLinearGradTest.cpp.
//
//===----------------------------------------------------------------------===//

#include "GradCheck.h"

#include "ternary/Dialect/Ternary/AdjointOpInterface.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

using namespace ternary_test;

namespace {

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
)",
                   z) +
             weightedSum("loss", "y", "a3", {m, n});
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
      {"gelu_tanh", "    %c = arith.constant 0.7978845608 : f32\n"
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
)",
                   z) +
             weightedSum("loss", "y", "a2", shape);
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
)",
                   z) +
             weightedSum("loss", "y", "a2", {r, k});
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
)") + mask +
         R"(    %x = math.exp %masked : f32
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
)",
                   with);
    return c;
  });
}

TEST_F(GradCheck, CrossEntropyWithIgnoredRow) {
  checkRandomShapes({"M", "C"}, 2, 19, [](const Sizes &z) {
    int64_t m = z.at("M"), classes = z.at("C");
    return Case{"cross_entropy",
                {{{m, classes}}, {{m}, classes}},
                {0},
                subst(R"(
  %loss = ternary.cross_entropy %a0, %a1 : (tensor<{M}x{C}xf32>, tensor<{M}xi64>) -> tensor<f32>
)",
                      z)};
  });
}

TEST_F(GradCheck, UpstreamSoftmax) {
  // linalg.softmax over the last dimension (decomposed with max subtraction
  // by the pipeline; differentiated by its own rule).
  checkRandomShapes({"R", "C"}, 1, 19, [](const Sizes &z) {
    std::vector<int64_t> shape = {z.at("R"), z.at("C")};
    return Case{"softmax",
                {{shape}, {shape}},
                {0},
                subst(R"(
  %e = tensor.empty() : tensor<{R}x{C}xf32>
  %p = linalg.softmax dimension(1) ins(%a0 : tensor<{R}x{C}xf32>) outs(%e : tensor<{R}x{C}xf32>) -> tensor<{R}x{C}xf32>
)",
                      z) +
                    weightedSum("loss", "p", "a1", shape)};
  });
}

TEST_F(GradCheck, SparseAggregation) {
  // A [4, 5] CSR matrix with a repeated column and an empty row, times a
  // dense [5, 3] input (GCN/SGC aggregation).
  Case c{"spmm",
         {{{5, 3}}, {{4, 3}}},
         {0},
         R"(
  %indptr = arith.constant dense<[0, 2, 2, 5, 6]> : tensor<5xi64>
  %indices = arith.constant dense<[1, 4, 0, 4, 4, 2]> : tensor<6xi64>
  %values = arith.constant dense<[0.5, -1.0, 2.0, 0.25, 1.5, -0.75]> : tensor<6xf32>
  %h = ternary.spmm %indptr, %indices, %values, %a0 : (tensor<5xi64>, tensor<6xi64>, tensor<6xf32>, tensor<5x3xf32>) -> tensor<4x3xf32>
)" + elementwise("sq", "h", {4, 3}, kSquare) +
             weightedSum("loss", "sq", "a1", {4, 3})};
  check(c);
}

TEST_F(GradCheck, Dropout) {
  // A fixed seed fixes the mask: the gradient is the same dropout of the
  // output gradient.
  Case c{"dropout",
         {{{6, 7}}, {{6, 7}}},
         {0},
         R"(
  %seed = arith.constant 1234 : i64
  %d = ternary.dropout %a0, %seed {p = 0.3} : tensor<6x7xf32>
)" + elementwise("sq", "d", {6, 7}, kSquare) +
             weightedSum("loss", "sq", "a1", {6, 7})};
  check(c);
}

TEST_F(GradCheck, EmbeddingBagMean) {
  // The WideMLP's input layer: the mean of the embeddings of a padded bag of
  // ids (id 0 is padding), composed from ternary.embedding and generics.
  Case c{"embedding_bag_mean",
         {{{6, 4}}, {{3, 5}, 6, false}, {{3, 4}}},
         {0},
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
  Case c{"conv2d",
         {{{2, 3, 6, 5}}, {{4, 3, 3, 3}}, {{2, 4, 3, 3}}},
         {0, 1},
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
  Case c{"pooling",
         {{{2, 3, 4, 6}}, {{2, 3, 2, 3}}, {{2, 3, 2, 3}}},
         {0},
         R"(
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
  Case c{"embedding",
         {{{4, 5}}, {{2, 3}, 4, false}, {{2, 3, 5}}},
         {0},
         R"(
  %e = ternary.embedding %a0, %a1 : (tensor<4x5xf32>, tensor<2x3xi64>) -> tensor<2x3x5xf32>
)" + elementwise("sq", "e", {2, 3, 5}, kSquare) +
             weightedSum("loss", "sq", "a2", {2, 3, 5})};
  check(c);
}

TEST_F(GradCheck, FlattenAndTranspose) {
  Case c{"flatten_transpose",
         {{{2, 3, 4}}, {{4, 6}}},
         {0},
         R"(
  %f = tensor.collapse_shape %a0 [[0, 1], [2]] : tensor<2x3x4xf32> into tensor<6x4xf32>
  %e = tensor.empty() : tensor<4x6xf32>
  %t = linalg.transpose ins(%f : tensor<6x4xf32>) outs(%e : tensor<4x6xf32>) permutation = [1, 0]
)" + elementwise("sq", "t", {4, 6}, kSquare) +
             weightedSum("loss", "sq", "a1", {4, 6})};
  check(c);
}

TEST_F(GradCheck, ElementwiseOpsOnTensors) {
  // arith and math ops applied to whole tensors (not inside a generic):
  // their external models build the same rules element-wise.
  checkRandomShapes({"R", "C"}, 1, 17, [](const Sizes &z) {
    std::vector<int64_t> shape = {z.at("R"), z.at("C")};
    Case c{"tensor_ops", {{shape}, {shape}, {shape}}, {0, 1}, ""};
    std::string t = tensorType(shape);
    c.body = "  %p = arith.mulf %a0, %a1 : " + t + "\n" +
             "  %q = math.tanh %p : " + t + "\n" +
             "  %mx = arith.maximumf %q, %a0 : " + t + "\n" +
             "  %y = arith.subf %mx, %a1 : " + t + "\n" +
             weightedSum("loss", "y", "a2", shape);
    return c;
  });
}

/// A rule defined outside the project for an op without one (math.sin):
/// d sin(x) = cos(x). The model is what a user of the library writes.
struct SinAdjoint
    : public AdjointOpInterface::ExternalModel<SinAdjoint, math::SinOp> {
  FailureOr<SmallVector<Value>>
  buildOperandAdjoints(Operation *op, OpBuilder &b,
                       ArrayRef<Value> resultAdjoints, ArrayRef<bool>) const {
    auto sin = cast<math::SinOp>(op);
    Value cos = math::CosOp::create(b, op->getLoc(), sin.getOperand());
    return SmallVector<Value>{
        arith::MulFOp::create(b, op->getLoc(), resultAdjoints[0], cos)};
  }
};

TEST_F(GradCheck, RuleBroughtByAnExternalModel) {
  std::vector<int64_t> shape = {3, 5};
  Case c{"sin", {{shape}, {shape}}, {0}, ""};
  c.body = elementwise("y", "a0", shape, "    %y = math.sin %x_ : f32\n") +
           weightedSum("loss", "y", "a1", shape);
  {
    // Without a rule, the derivation names the op.
    ternary_test::Jit bare;
    MLIRContext ctx(bare.dialects());
    OwningOpRef<ModuleOp> module =
        parseSourceString<ModuleOp>(moduleText(c), &ctx);
    ASSERT_TRUE(module);
    std::string diagnostics;
    ScopedDiagnosticHandler handler(&ctx, [&](Diagnostic &d) {
      diagnostics += d.str();
      return success();
    });
    auto compiled = CompiledModule::compile(std::move(module),
                                            InferencePipelineOptions(), {});
    EXPECT_FALSE(bool(compiled));
    if (!compiled)
      llvm::consumeError(compiled.takeError());
    EXPECT_NE(diagnostics.find("'math.sin' op has no derivative rule in "
                               "ternary-autodiff (inside a linalg.generic "
                               "body)"),
              std::string::npos)
        << diagnostics;
  }
  // With the model registered, the gradient is cos(x) * r.
  jit.dialects().addExtension(+[](MLIRContext *ctx, math::MathDialect *) {
    math::SinOp::attachInterface<SinAdjoint>(*ctx);
  });
  check(c);
}

} // namespace
