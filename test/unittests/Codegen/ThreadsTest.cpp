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

#include "Jit.h"

#include "ternary/Runner/Threads.h"
#include "ternary/Training/TrainingModel.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/Support/MemoryBuffer.h"

#include <random>
#include <sstream>

using namespace mlir;
using namespace mlir::ternary;
using ::ternary::DType;
using ::ternary::HostArray;

namespace {

/// Restores the thread count a test changed.
struct ThreadCountGuard {
  int saved = threadCount();
  ~ThreadCountGuard() { setThreadCount(saved); }
};

/// What three train steps from the same start leave: every loss, every
/// parameter and optimiser state, as bytes.
std::vector<std::vector<char>> threeSteps(CompiledModule &compiled,
                                          const TrainingModel &m,
                                          const std::vector<HostArray> &data,
                                          std::vector<HostArray> params) {
  std::vector<HostArray> state;
  for (size_t s = 0; s < m.stateNames.size(); ++s)
    for (const HostArray &p : params)
      state.push_back(HostArray::zeros(DType::F32, p.shape));
  HostArray step = HostArray::zeros(DType::I64, {});
  std::vector<HostArray> inputs = data;
  std::vector<std::vector<char>> out;
  for (int s = 0; s < 3; ++s) {
    // Dropout seeds: the step's number, the same for every thread count.
    HostArray seed = HostArray::zeros(DType::I64, {});
    seed.data<int64_t>()[0] = 7 + s;
    std::vector<HostArray *> args(m.dataArgs.size() + m.seedArgs.size() +
                                  m.params.size());
    for (size_t d = 0; d < m.dataArgs.size(); ++d)
      args[m.dataArgs[d]] = &inputs[d];
    for (size_t p = 0; p < m.params.size(); ++p)
      args[m.params[p]] = &params[p];
    for (unsigned r : m.seedArgs)
      args[r] = &seed;
    for (HostArray &st : state)
      args.push_back(&st);
    args.push_back(&step);
    auto loss = compiled.callInPlace(m.step, args);
    if (!loss) {
      ADD_FAILURE() << llvm::toString(loss.takeError());
      return out;
    }
    out.push_back((*loss)[0].bytes);
  }
  for (const HostArray &p : params)
    out.push_back(p.bytes);
  for (const HostArray &st : state)
    out.push_back(st.bytes);
  return out;
}

void checkTrainSteps(const std::string &file, int64_t batch, int64_t classes) {
  SCOPED_TRACE(file);
  ThreadCountGuard guard;
  auto text =
      llvm::MemoryBuffer::getFile(std::string(TERNARY_BENCH_DIR) + "/" + file);
  ASSERT_TRUE(bool(text)) << file;
  ternary_test::Jit jit;
  MLIRContext context(jit.dialects());
  OwningOpRef<ModuleOp> module =
      parseSourceString<ModuleOp>((*text)->getBuffer(), &context);
  ASSERT_TRUE(module);
  auto model = readTrainingModel(*module);
  ASSERT_TRUE(bool(model)) << llvm::toString(model.takeError());
  std::mt19937 rng(5);
  auto params = initialiseParameters(*model, model->inits, rng);
  ASSERT_TRUE(bool(params)) << llvm::toString(params.takeError());
  std::vector<HostArray> data =
      randomTrainingData(*module, *model, batch, classes, rng);

  InferencePipelineOptions serialOptions, parallelOptions;
  serialOptions.parallel = false;
  parallelOptions.parallelMinWork = 512; // every op of the model splits
  auto serial = jit.compile((*text)->getBuffer().str(), serialOptions);
  auto parallel = jit.compile((*text)->getBuffer().str(), parallelOptions);
  ASSERT_TRUE(serial && parallel);
  std::vector<std::vector<char>> expected =
      threeSteps(*serial, *model, data, *params);
  ASSERT_FALSE(expected.empty());
  for (unsigned threads : {1u, 2u, 3u}) {
    setThreadCount(threads);
    EXPECT_TRUE(threeSteps(*parallel, *model, data, *params) == expected)
        << threads << " threads: results differ from the single-threaded code";
  }
}

TEST(Threads, CharTransformerTrainStepIsTheSameOnEveryThreadCount) {
  checkTrainSteps("char_transformer.mlir", /*batch=*/3, /*classes=*/65);
}

TEST(Threads, BitLinearMLPTrainStepIsTheSameOnEveryThreadCount) {
  checkTrainSteps("mlp_784_256_256_10.mlir", /*batch=*/19, /*classes=*/10);
}

/// Inference with packed constant weights: 301 outputs (three blocks of
/// the packed kernel, the last partial), K = 333, 29 rows.
TEST(Threads, MnistCnnTrainStepIsTheSameOnEveryThreadCount) {
  // Convolutions as im2col + contraction: tasks over images and output
  // blocks, the filter gradient's sum over the images in each task.
  checkTrainSteps("mnist_cnn.mlir", /*batch=*/3, /*classes=*/10);
}

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
