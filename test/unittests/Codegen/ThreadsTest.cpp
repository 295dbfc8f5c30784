//===- ThreadsTest.cpp - The same results on every thread count -----------===//
//
// Compiled code splits parallel loops into tasks (scf.forall -> OpenMP): the
// packed kernels' output blocks, the f32 contraction kernel's output tiles,
// --ternary-parallelize's slices of large linalg ops. Each output element
// is computed by the same operations in the same order whatever thread
// runs it, so results must be bit-identical for 1, 2 and 3 threads and
// equal to the single-threaded code (pipeline option parallel=false). The
// models: the benchmark's char transformer and BitLinear MLP (train steps,
// tasks made small with parallel-min-work so that every op is split), and a
// BitLinear layer with packed constant weights (inference, odd sizes).
//
//===----------------------------------------------------------------------===//

#include "TrainSteps.h"

#include <random>
#include <sstream>

using namespace mlir;
using namespace mlir::ternary;
using namespace ternary_test;
using ::ternary::DType;
using ::ternary::HostArray;

namespace {

void checkTrainSteps(const std::string &file, int64_t batch, int64_t classes) {
  SCOPED_TRACE(file);
  ThreadCountGuard guard;
  ternary_test::Jit jit;
  std::optional<TrainStepCase> c = loadTrainStepCase(jit, file, batch, classes);
  ASSERT_TRUE(c);
  InferencePipelineOptions serialOptions, parallelOptions;
  serialOptions.parallel = false;
  parallelOptions.parallelMinWork = 512; // every op of the model splits
  auto serial = jit.compile(c->text, serialOptions);
  auto parallel = jit.compile(c->text, parallelOptions);
  ASSERT_TRUE(serial && parallel);
  std::vector<std::vector<char>> expected = threeSteps(*serial, *c);
  ASSERT_FALSE(expected.empty());
  for (unsigned threads : {1u, 2u, 3u}) {
    setThreadCount(threads);
    EXPECT_TRUE(threeSteps(*parallel, *c) == expected)
        << threads << " threads: results differ from the single-threaded code";
  }
}

TEST(Threads, CharTransformerTrainStepIsTheSameOnEveryThreadCount) {
  checkTrainSteps("char_transformer.mlir", /*batch=*/3, /*classes=*/65);
}

TEST(Threads, BitLinearMLPTrainStepIsTheSameOnEveryThreadCount) {
  checkTrainSteps("mlp_784_256_256_10.mlir", /*batch=*/19, /*classes=*/10);
}

TEST(Threads, MnistCnnTrainStepIsTheSameOnEveryThreadCount) {
  // Convolutions as im2col + contraction: tasks over images and output
  // blocks, the filter gradient's sum over the images in each task.
  checkTrainSteps("mnist_cnn.mlir", /*batch=*/3, /*classes=*/10);
}

/// Inference with packed constant weights: 301 outputs (three blocks of
/// the packed kernel, the last partial), K = 333, 29 rows.
TEST(Threads, PackedBitLinearIsTheSameOnEveryThreadCount) {
  ThreadCountGuard guard;
  const int64_t m = 29, k = 333, n = 301;
  std::mt19937 rng(9);
  std::normal_distribution<float> normal;
  std::ostringstream w;
  w << std::scientific << "dense<[";
  for (int64_t r = 0; r < n; ++r) {
    w << (r ? ", [" : "[");
    for (int64_t c = 0; c < k; ++c)
      w << (c ? ", " : "") << normal(rng);
    w << "]";
  }
  w << "]>";
  std::ostringstream text;
  text << "func.func @f(%x: tensor<?x" << k << "xf32>) -> tensor<?x" << n
       << "xf32> {\n  %w = arith.constant " << w.str() << " : tensor<" << n
       << "x" << k << "xf32>\n"
       << "  %y = ternary.bitlinear %x, %w : (tensor<?x" << k
       << "xf32>, tensor<" << n << "x" << k << "xf32>) -> tensor<?x" << n
       << "xf32>\n"
       << "  return %y : tensor<?x" << n << "xf32>\n}\n";
  ternary_test::Jit jit;
  InferencePipelineOptions serialOptions;
  serialOptions.parallel = false;
  auto serial = jit.compile(text.str(), serialOptions);
  auto parallel = jit.compile(text.str());
  ASSERT_TRUE(serial && parallel);
  HostArray x = HostArray::zeros(DType::F32, {m, k});
  for (int64_t e = 0; e < x.numElements(); ++e)
    x.data<float>()[e] = normal(rng);
  auto expected = serial->call("f", {x});
  ASSERT_TRUE(bool(expected)) << llvm::toString(expected.takeError());
  for (unsigned threads : {1u, 2u, 3u}) {
    setThreadCount(threads);
    auto y = parallel->call("f", {x});
    ASSERT_TRUE(bool(y)) << llvm::toString(y.takeError());
    EXPECT_TRUE((*y)[0].bytes == (*expected)[0].bytes)
        << threads << " threads: results differ from the single-threaded code";
  }
}

} // namespace
