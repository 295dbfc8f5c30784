//===- train-bench.cpp - Compiled train steps (Google Benchmark) ----------===//
//
// Times one compiled training step (forward, STE backward, AdamW, in place)
// of the models in bench/*.mlir at their benchmark batch, on random data
// and PyTorch-initialised parameters. bench/torch_train_step.py times the
// same steps in PyTorch; bench/compare-train-step.sh runs both and prints
// the ratio. The arguments: the batch; the code (0: f32 contractions as
// scalar loops, single-threaded code; 1: the register-blocked f32 kernel,
// single-threaded code, pipeline option parallel=false; 2: the same with
// tasks on OpenMP threads, the default pipeline), for A/B ratios in one run;
// the threads of the compiled code (the OpenMP runtime's setting).
// Machines of this kind are noisy: compare medians of interleaved runs,
//
//   build/bin/ternary-train-bench --benchmark_repetitions=5 \
//     --benchmark_enable_random_interleaving=true \
//     --benchmark_report_aggregates_only=true
//
//===----------------------------------------------------------------------===//

#include "ternary/InitAll.h"
#include "ternary/Runner/Runner.h"
#include "ternary/Runner/Threads.h"
#include "ternary/Runner/ToolSupport.h"
#include "ternary/Training/TrainingModel.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/Support/raw_ostream.h"

#include <benchmark/benchmark.h>

#include <random>

using namespace mlir;
using namespace mlir::ternary;
using ::ternary::DType;
using ::ternary::HostArray;

namespace {

/// A compiled model with its training state, kept for the whole run.
struct Model {
  std::unique_ptr<ToolContext> tool;
  std::unique_ptr<CompiledModule> module;
  std::vector<HostArray> data, params, state;
  /// The step's arguments in order: data, parameters, dropout seeds (a
  /// fixed seed) and warm-up factors (1: full quantisation).
  std::vector<HostArray *> args;
  HostArray seed = HostArray::zeros(DType::I64, {});
  HostArray lambda = HostArray::zeros(DType::F32, {});
  TrainingModel model;
  HostArray step = HostArray::zeros(DType::I64, {});
};

std::map<std::string, Model> &models() {
  static std::map<std::string, Model> all;
  return all;
}

/// The compiled code a benchmark's second argument names.
enum class Code { loops = 0, vectorized = 1, parallel = 2 };

Model &load(const std::string &file, int64_t batch, int64_t classes,
            Code code) {
  Model &m = models()[file + " " + std::to_string(int(code))];
  if (m.module)
    return m;
  m.tool = std::make_unique<ToolContext>();
  std::string error;
  OwningOpRef<ModuleOp> module =
      m.tool->parse(std::string(TERNARY_BENCH_DIR) + "/" + file, error);
  if (!module) {
    llvm::errs() << error << "\n";
    std::exit(1);
  }
  // Random data, PyTorch's initialisation (nn.Linear's for the weights).
  auto model = readTrainingModel(*module);
  if (!model) {
    llvm::errs() << llvm::toString(model.takeError()) << "\n";
    std::exit(1);
  }
  m.model = *model;
  std::mt19937 rng(0);
  m.data = randomTrainingData(*module, *model, batch, classes, rng);
  auto params = initialiseParameters(*model, model->inits, rng);
  if (!params) {
    llvm::errs() << llvm::toString(params.takeError()) << "\n";
    std::exit(1);
  }
  m.params = std::move(*params);
  for (int s = 0; s < 2; ++s) // AdamW moments
    for (const HostArray &p : m.params)
      m.state.push_back(HostArray::zeros(DType::F32, p.shape));
  InferencePipelineOptions options;
  options.vectorizeContractions = code != Code::loops;
  options.parallel = code == Code::parallel;
  auto compiled = CompiledModule::compile(std::move(module), options, {});
  if (!compiled) {
    llvm::errs() << llvm::toString(compiled.takeError()) << "\n";
    std::exit(1);
  }
  m.module = std::make_unique<CompiledModule>(std::move(*compiled));
  return m;
}

/// The step's arguments as ternary-train passes them: data, parameters,
/// seeds and warm-up factors each at its position in the loss's signature
/// (also the eval step's arguments), then the optimiser state and the step
/// counter.
std::vector<HostArray *> &stepArguments(Model &m) {
  std::vector<HostArray *> &args = m.args;
  if (!args.empty())
    return args;
  const TrainingModel &tm = m.model;
  args.resize(tm.dataArgs.size() + tm.seedArgs.size() + tm.lambdaArgs.size() +
              tm.params.size());
  for (size_t d = 0; d < tm.dataArgs.size(); ++d)
    args[tm.dataArgs[d]] = &m.data[d];
  for (size_t p = 0; p < tm.params.size(); ++p)
    args[tm.params[p]] = &m.params[p];
  m.seed.data<int64_t>()[0] = 1234;
  for (unsigned s : tm.seedArgs)
    args[s] = &m.seed;
  m.lambda.data<float>()[0] = 1.0f;
  for (unsigned l : tm.lambdaArgs)
    args[l] = &m.lambda;
  for (HostArray &s : m.state)
    args.push_back(&s);
  args.push_back(&m.step);
  return args;
}

/// Times `function` of the model on `args`; the first call (which also
/// JIT-compiles the code) is left out.
void timeCalls(benchmark::State &state, Model &m, const std::string &function,
               const std::vector<HostArray *> &args, int64_t batch) {
  if (auto first = m.module->callInPlace(function, args); !first) {
    state.SkipWithError(llvm::toString(first.takeError()).c_str());
    return;
  }
  for (auto _ : state) {
    auto loss = m.module->callInPlace(function, args);
    benchmark::DoNotOptimize(loss);
  }
  state.SetItemsProcessed(state.iterations() * batch);
  state.counters["threads"] = threadCount();
}

void trainStep(benchmark::State &state, const char *file, int64_t classes) {
  int64_t batch = state.range(0);
  Model &m = load(file, batch, classes, Code(state.range(1)));
  setThreadCount(state.range(2));
  timeCalls(state, m, "train_step", stepArguments(m), batch);
}

/// The forward pass alone: the model's eval step (the loss on the batch,
/// latent weights quantised at run time, no dropout), on the train step's
/// data and parameters.
void evalStep(benchmark::State &state, const char *file, int64_t classes) {
  int64_t batch = state.range(0);
  Model &m = load(file, batch, classes, Code(state.range(1)));
  setThreadCount(state.range(2));
  std::vector<HostArray *> &all = stepArguments(m);
  const TrainingModel &tm = m.model;
  size_t count = tm.dataArgs.size() + tm.seedArgs.size() +
                 tm.lambdaArgs.size() + tm.params.size();
  std::vector<HostArray *> args(all.begin(), all.begin() + count);
  timeCalls(state, m, tm.eval, args, batch);
}

/// A benchmarked model: its file in bench/, classes of its random labels,
/// batch, and whether the scalar-loop and single-threaded variants of its
/// train step are timed too (code 0 and 1).
struct BenchModel {
  const char *file;
  int64_t classes, batch;
  bool variants;
};

const BenchModel kModels[] = {
    {"mlp_784_256_256_10.mlir", 10, 64, true},
    // Its 32-bit twin (plain linear layers).
    {"mlp_f32_784_256_256_10.mlir", 10, 64, true},
    // scripts/gen_char_transformer.py --vocab 65 --context 64 --dim 128
    // --heads 4 --hidden 512: batch 16 sequences of 64 characters.
    {"char_transformer.mlir", 65, 16, true},
    // scripts/gen_char_transformer.py --vocab 65 --context 256 --dim 384
    // --heads 6 --hidden 1536 --blocks 6: a 6-block decoder of 10.8M
    // parameters, batch 8 sequences of 256 characters (seconds a step).
    {"char_decoder_6x384.mlir", 65, 8, false},
    // The papers' MNIST CNN (32-bit convolutions, BitLinear classifier).
    {"mnist_cnn.mlir", 10, 64, true},
};

/// trainStep/MODEL/BATCH/CODE/THREADS and evalStep/MODEL/BATCH/2/THREADS
/// for every model (the default code on 1 and 2 threads; the other codes
/// on 1 thread where the model asks for them).
void registerBenchmarks() {
  for (const BenchModel &m : kModels) {
    std::string stem = m.file;
    stem = stem.substr(0, stem.size() - 5); // without ".mlir"
    std::string train = "trainStep/" + stem, eval = "evalStep/" + stem;
    auto *trainRows = benchmark::RegisterBenchmark(train.c_str(), trainStep,
                                                   m.file, m.classes);
    trainRows->Args({m.batch, 2, 1})->Args({m.batch, 2, 2});
    if (m.variants)
      trainRows->Args({m.batch, 1, 1})->Args({m.batch, 0, 1});
    trainRows->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(eval.c_str(), evalStep, m.file, m.classes)
        ->Args({m.batch, 2, 1})
        ->Args({m.batch, 2, 2})
        ->Unit(benchmark::kMillisecond);
  }
}

} // namespace

int main(int argc, char **argv) {
  registerBenchmarks();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  models().clear(); // JIT engines before LLVM's globals
  return 0;
}
