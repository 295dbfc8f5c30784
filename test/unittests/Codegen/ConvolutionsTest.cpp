//===- ConvolutionsTest.cpp - Convolutions as im2col + contraction --------===//
//
// linalg.conv_2d_nchw_fchw compiled through --ternary-convolutions-to-
// contractions (every pipeline runs it) against a direct convolution in
// C++ with the same loop order, on random shapes with odd sizes, strides
// and dilations. With the scalar loops (vectorize-contractions=false) the
// results are the reference's bit for bit: the same products summed in the
// same order over (c, kh, kw). The register-blocked kernel uses fused
// multiply-adds: each element may differ by the rounding of the products,
// at most 2 K 2^-24 sum_k |x w| (docs/numerics.md).
//
//===----------------------------------------------------------------------===//

#include "ConvolutionShape.h"
#include "Jit.h"

#include <cmath>
#include <cstring>
#include <random>
#include <sstream>

using namespace ternary_test;
using ::ternary::DType;
using ::ternary::HostArray;

namespace {

using Shape = ConvolutionShape;

/// @f(%x, %w, %bias): the convolution added to a per-channel bias, as a
/// user writes a convolution layer; dynamic batch.
std::string module(const Shape &s) {
  auto t = [](std::initializer_list<int64_t> dims, bool dynamicFirst) {
    std::ostringstream os;
    os << "tensor<";
    bool first = true;
    for (int64_t d : dims) {
      if (first && dynamicFirst)
        os << "?x";
      else
        os << d << "x";
      first = false;
    }
    os << "f32>";
    return os.str();
  };
  std::string x = t({s.n, s.c, s.h, s.w}, true);
  std::string w = t({s.f, s.c, s.kh, s.kw}, false);
  std::string y = t({s.n, s.f, s.oh(), s.ow()}, true);
  std::ostringstream os;
  os << "func.func @f(%x: " << x << ", %w: " << w << ", %b: tensor<" << s.f
     << "xf32>) -> " << y << " {\n"
     << "  %c0 = arith.constant 0 : index\n"
     << "  %n = tensor.dim %x, %c0 : " << x << "\n"
     << "  %e = tensor.empty(%n) : " << y << "\n"
     << "  %init = linalg.broadcast ins(%b : tensor<" << s.f
     << "xf32>) outs(%e : " << y << ") dimensions = [0, 2, 3]\n"
     << "  %y = linalg.conv_2d_nchw_fchw {dilations = dense<" << s.dilation
     << "> : tensor<2xi64>, strides = dense<" << s.stride
     << "> : tensor<2xi64>} ins(%x, %w : " << x << ", " << w
     << ") outs(%init : " << y << ") -> " << y << "\n"
     << "  return %y : " << y << "\n}\n";
  return os.str();
}

/// The convolution's own loops: y = b + sum over (c, kh, kw) of x * w, in
/// that order, in f32.
HostArray reference(const Shape &s, const HostArray &x, const HostArray &w,
                    const HostArray &b, HostArray &absSum) {
  HostArray y = HostArray::zeros(DType::F32, {s.n, s.f, s.oh(), s.ow()});
  absSum = HostArray::zeros(DType::F32, y.shape);
  const float *xp = x.data<float>(), *wp = w.data<float>(),
              *bp = b.data<float>();
  float *yp = y.data<float>(), *ap = absSum.data<float>();
  for (int64_t n = 0; n < s.n; ++n)
    for (int64_t f = 0; f < s.f; ++f)
      for (int64_t i = 0; i < s.oh(); ++i)
        for (int64_t j = 0; j < s.ow(); ++j) {
          float acc = bp[f], abs = std::fabs(bp[f]);
          for (int64_t c = 0; c < s.c; ++c)
            for (int64_t u = 0; u < s.kh; ++u)
              for (int64_t v = 0; v < s.kw; ++v) {
                float xv =
                    xp[((n * s.c + c) * s.h + i * s.stride + u * s.dilation) *
                           s.w +
                       j * s.stride + v * s.dilation];
                float wv = wp[((f * s.c + c) * s.kh + u) * s.kw + v];
                float product = xv * wv;
                acc = acc + product;
                abs += std::fabs(product);
              }
          int64_t at = ((n * s.f + f) * s.oh() + i) * s.ow() + j;
          yp[at] = acc;
          ap[at] = abs;
        }
  return y;
}

TEST(Convolutions, MatchTheDirectConvolution) {
  Jit jit;
  mlir::ternary::InferencePipelineOptions loops;
  loops.vectorizeContractions = false;
  std::mt19937 rng(11);
  std::uniform_int_distribution<int64_t> batch(1, 3), channels(1, 9),
      filters(1, 40), kernel(1, 4), extra(0, 13), step(1, 2);
  for (int trial = 0; trial < 10; ++trial) {
    Shape s;
    s.n = batch(rng);
    s.c = channels(rng);
    s.f = filters(rng);
    s.kh = kernel(rng);
    s.kw = kernel(rng);
    s.stride = step(rng);
    s.dilation = step(rng);
    s.h = s.dilation * (s.kh - 1) + 1 + extra(rng);
    s.w = s.dilation * (s.kw - 1) + 1 + extra(rng);
    if (trial == 0) // the papers' MNIST CNN's second convolution
      s = {2, 32, 26, 26, 64, 3, 3, 1, 1};
    std::ostringstream name;
    name << "n=" << s.n << " c=" << s.c << " h=" << s.h << " w=" << s.w
         << " f=" << s.f << " k=" << s.kh << "x" << s.kw
         << " stride=" << s.stride << " dilation=" << s.dilation;
    SCOPED_TRACE(name.str());
    std::string text = module(s);
    auto kernelCode = jit.compile(text);
    auto loopCode = jit.compile(text, loops);
    ASSERT_TRUE(kernelCode && loopCode);
    std::vector<HostArray> in = {randomNormalArray({s.n, s.c, s.h, s.w}, rng),
                                 randomNormalArray({s.f, s.c, s.kh, s.kw}, rng),
                                 randomNormalArray({s.f}, rng)};
    HostArray absSum;
    HostArray want = reference(s, in[0], in[1], in[2], absSum);
    auto exact = loopCode->call("f", in);
    auto fused = kernelCode->call("f", in);
    ASSERT_TRUE(bool(exact)) << llvm::toString(exact.takeError());
    ASSERT_TRUE(bool(fused)) << llvm::toString(fused.takeError());
    ASSERT_EQ((*exact)[0].shape, want.shape);
    ASSERT_EQ((*fused)[0].shape, want.shape);
    EXPECT_EQ(0, std::memcmp((*exact)[0].data<float>(), want.data<float>(),
                             want.numElements() * sizeof(float)))
        << "the scalar code differs from the direct convolution";
    float k = static_cast<float>(s.c * s.kh * s.kw);
    for (int64_t i = 0; i < want.numElements(); ++i) {
      float tolerance =
          2.f * k * std::ldexp(1.f, -24) * absSum.data<float>()[i];
      ASSERT_NEAR((*fused)[0].data<float>()[i], want.data<float>()[i],
                  tolerance + 1e-6f)
          << "element " << i;
    }
  }
}

} // namespace
