//===- FuseBatchesTest.cpp - Batched runs one entry at a time vs whole ----===//
//
// --ternary-fuse-batches against the pipeline without it (fuse-batches =
// false), bit for bit, on random convolution layers with odd sizes,
// strides and dilations: the forward pass (bias, windows, contraction,
// ReLU, one run over the images) and the gradients autodiff derives with
// respect to the input, the filter and the bias (the input gradient's
// contraction and scatter-add, one run; the filter gradient summed over
// the images, outside any run), on 1, 2 and 3 threads; and three train
// steps of the papers' MNIST CNN. The runs compute every element with the
// same operations in the same order, so nothing may change. That the pass fires
// on these modules is checked by
// test/passes/Codegen/CPU/fuse-batches-convolution.mlir.
//
//===----------------------------------------------------------------------===//

#include "ConvolutionShape.h"
#include "SameResults.h"
#include "TrainSteps.h"

#include <random>
#include <sstream>

using namespace ternary_test;
using ::ternary::DType;
using ::ternary::HostArray;

namespace {

using Shape = ConvolutionShape;

/// @f(%x, %w, %b): ReLU(conv(x, w) + b), dynamic batch; @loss(%x, %w, %b,
/// %r) = sum(f * r), whose gradient with respect to x, w and b is @g.
std::string module(const Shape &s) {
  auto t = [](std::initializer_list<int64_t> dims) {
    std::ostringstream os;
    os << "tensor<?";
    for (int64_t d : dims)
      os << "x" << d;
    os << "xf32>";
    return os.str();
  };
  std::string x = t({s.c, s.h, s.w}), y = t({s.f, s.oh(), s.ow()});
  std::ostringstream w;
  w << "tensor<" << s.f << "x" << s.c << "x" << s.kh << "x" << s.kw << "xf32>";
  std::string b = "tensor<" + std::to_string(s.f) + "xf32>";
  std::ostringstream layer;
  layer << "  %c0 = arith.constant 0 : index\n"
        << "  %zero = arith.constant 0.0 : f32\n"
        << "  %n = tensor.dim %x, %c0 : " << x << "\n"
        << "  %e = tensor.empty(%n) : " << y << "\n"
        << "  %init = linalg.broadcast ins(%b : " << b << ") outs(%e : " << y
        << ") dimensions = [0, 2, 3]\n"
        << "  %conv = linalg.conv_2d_nchw_fchw {dilations = dense<"
        << s.dilation << "> : tensor<2xi64>, strides = dense<" << s.stride
        << "> : tensor<2xi64>} ins(%x, %w : " << x << ", " << w.str()
        << ") outs(%init : " << y << ") -> " << y << "\n"
        << "  %y = linalg.map ins(%conv : " << y << ") outs(%e : " << y
        << ")\n    (%v: f32, %unused: f32) {\n"
        << "      %relu = arith.maximumf %v, %zero : f32\n"
        << "      linalg.yield %relu : f32\n    }\n";
  std::ostringstream os;
  os << "func.func @f(%x: " << x << ", %w: " << w.str() << ", %b: " << b
     << ") -> " << y << " {\n"
     << layer.str() << "  return %y : " << y << "\n}\n";
  os << "func.func @loss(%x: " << x << ", %w: " << w.str() << ", %b: " << b
     << ", %r: " << y
     << ") -> tensor<f32> attributes {ternary.gradient = {name = \"g\", wrt "
        "= array<i64: 0, 1, 2>}} {\n"
     << layer.str()
     << "  %es = tensor.empty() : tensor<f32>\n"
        "  %zs = linalg.fill ins(%zero : f32) outs(%es : tensor<f32>) -> "
        "tensor<f32>\n"
        "  %loss = linalg.generic {indexing_maps = [affine_map<(a, b, c, d) "
        "-> (a, b, c, d)>, affine_map<(a, b, c, d) -> (a, b, c, d)>, "
        "affine_map<(a, b, c, d) -> ()>], iterator_types = [\"reduction\", "
        "\"reduction\", \"reduction\", \"reduction\"]} ins(%y, %r : "
     << y << ", " << y
     << ") outs(%zs : tensor<f32>) {\n"
        "  ^bb0(%a: f32, %q: f32, %o: f32):\n"
        "    %m = arith.mulf %a, %q : f32\n"
        "    %s = arith.addf %o, %m : f32\n"
        "    linalg.yield %s : f32\n  } -> tensor<f32>\n"
        "  return %loss : tensor<f32>\n}\n";
  return os.str();
}

TEST(FuseBatches, ConvolutionLayersAndTheirGradientsMatch) {
  ThreadCountGuard guard;
  Jit jit;
  std::mt19937 rng(21);
  std::uniform_int_distribution<int64_t> batch(1, 5), channels(1, 7),
      size(5, 17), window(1, 3), step(1, 2);
  for (int trial = 0; trial < 6; ++trial) {
    Shape s{batch(rng),  channels(rng), size(rng), size(rng), channels(rng),
            window(rng), window(rng),   step(rng), step(rng)};
    if (trial == 0) // the papers' CNN's second convolution, on 3 images
      s = {3, 32, 26, 26, 64, 3, 3, 1, 1};
    SCOPED_TRACE("n=" + std::to_string(s.n) + " c=" + std::to_string(s.c) +
                 " " + std::to_string(s.h) + "x" + std::to_string(s.w) + " f=" +
                 std::to_string(s.f) + " window " + std::to_string(s.kh) + "x" +
                 std::to_string(s.kw) + " stride " + std::to_string(s.stride) +
                 " dilation " + std::to_string(s.dilation));
    mlir::ternary::InferencePipelineOptions on, off;
    off.fuseBatches = false;
    std::string text = module(s);
    CompiledPair pair{jit.compile(text, on), jit.compile(text, off)};
    ASSERT_TRUE(pair.on && pair.off);
    HostArray x = randomNormalArray({s.n, s.c, s.h, s.w}, rng);
    HostArray w = randomNormalArray({s.f, s.c, s.kh, s.kw}, rng);
    HostArray b = randomNormalArray({s.f}, rng);
    HostArray r = randomNormalArray({s.n, s.f, s.oh(), s.ow()}, rng);
    for (unsigned threads : {1u, 2u, 3u}) {
      SCOPED_TRACE(std::to_string(threads) + " threads");
      mlir::ternary::setThreadCount(threads);
      expectSameResults(pair, "f", {x, w, b});
      expectSameResults(pair, "g", {x, w, b, r});
    }
  }
}

/// The papers' MNIST CNN (bench/mnist_cnn.mlir): three train steps with
/// dropout, whose masks are drawn from each element's position (an op
/// reading its batch index must stay whole), on 5 images.
TEST(FuseBatches, MnistCnnTrainStepsMatch) {
  ThreadCountGuard guard;
  Jit jit;
  std::optional<TrainStepCase> c =
      loadTrainStepCase(jit, "mnist_cnn.mlir", /*batch=*/5, /*classes=*/10);
  ASSERT_TRUE(c);
  mlir::ternary::InferencePipelineOptions on, off;
  off.fuseBatches = false;
  auto fused = jit.compile(c->text, on), whole = jit.compile(c->text, off);
  ASSERT_TRUE(fused && whole);
  for (unsigned threads : {1u, 2u}) {
    mlir::ternary::setThreadCount(threads);
    EXPECT_TRUE(threeSteps(*fused, *c) == threeSteps(*whole, *c))
        << threads << " threads: the steps differ with --ternary-fuse-batches";
  }
}

} // namespace
