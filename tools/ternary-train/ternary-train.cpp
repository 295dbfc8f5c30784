//===- ternary-train.cpp - Train a model with its compiled train step -----===//
//
// Runs the training loop of a model whose loss function carries a
// `ternary.train_step` request (see --ternary-train-step): the train step
// (loss, gradients, optimiser update, in place) and the evaluation step are
// compiled; this tool initialises or loads the parameters, batches and
// shuffles the data, shows progress, evaluates every epoch, writes
// checkpoints (safetensors, atomically) and resumes from them, and exports
// the trained parameters (.npy, or an inference function with the
// parameters as constants, for ternary-compile).
//
//   ternary-train model.mlir --input=@x.npy --input=@labels.npy \
//       --val-input=@xv.npy --val-input=@lv.npy --batch-size=64 --epochs=3 \
//       --checkpoint=ckpt.safetensors --export=trained.mlir \
//       --export-function=predict
//
// or, with a model of the library (lib/Models) and a data set by name or
// directory, which then give the module and its data (and the test
// accuracy at the end, with --metrics the run's figures as JSON):
//
//   ternary-train --model mlp --data mnist --metrics m.json
//
// The data inputs are the loss function's arguments that are not
// parameters, in order; their first dimension indexes the examples. An
// argument marked {ternary.seed} (tensor<i64>) is not data: every step
// passes it a new seed (for ternary.dropout); one marked {ternary.lambda}
// (tensor<f32>) gets the step's quantisation warm-up factor.
//
// Over 600 lines: it is the one place that reads the run's ~30 options and
// checks each before any training; the loop's parts that need no option
// live in lib/Training and Evaluation.cpp.
//
//===----------------------------------------------------------------------===//

#include "Evaluation.h"

#include "ternary/InitAll.h"
#include "ternary/Models/ModelOptions.h"
#include "ternary/Passes/Transforms/FreezeParameters.h"
#include "ternary/Runner/Runner.h"
#include "ternary/Runner/ToolSupport.h"
#include "ternary/Support/Safetensors.h"
#include "ternary/Training/Checkpoint.h"
#include "ternary/Training/LibraryRun.h"
#include "ternary/Training/Progress.h"
#include "ternary/Training/RunReport.h"
#include "ternary/Training/TrainingModel.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <cmath>
#include <csignal>
#include <cstring>
#include <numeric>
#include <random>
#include <set>
#include <unistd.h>

using namespace mlir;
using namespace mlir::ternary;
using ::ternary::DType;
using ::ternary::HostArray;
namespace cl = llvm::cl;

static cl::OptionCategory category("ternary-train options");
static cl::opt<std::string> inputFile(cl::Positional, cl::Optional,
                                      cl::desc("<model.mlir>"),
                                      cl::cat(category));
static cl::opt<std::string>
    modelName("model",
              cl::desc("Train a model of the library instead of a file "
                       "(ternary-model --list shows them); needs --data"),
              cl::cat(category));
static cl::opt<std::string>
    dataName("data",
             cl::desc("The data set of --model: a name (mnist, "
                      "fashion-mnist) or a directory (IDX images, a "
                      "Planetoid graph)"),
             cl::cat(category));
static cl::opt<std::string>
    metricsFile("metrics",
                cl::desc("Write the run's figures (test accuracy, per-epoch "
                         "losses, parameters, seconds) as JSON here"),
                cl::cat(category));
static cl::list<std::string>
    inputs("input",
           cl::desc("Training data for the loss function's non-parameter "
                    "arguments, in order: @file.npy (first dim = examples)"),
           cl::cat(category));
static cl::list<std::string>
    valInputs("val-input",
              cl::desc("Validation data, like --input (evaluated every "
                       "epoch with the eval function)"),
              cl::cat(category));
static cl::list<std::string>
    paramInputs("param",
                cl::desc("Initial value of each parameter, in order "
                         "(@file.npy or inline); default: PyTorch's "
                         "initialisation, seeded"),
                cl::cat(category));
static cl::opt<int64_t> batchSize("batch-size", cl::desc("Examples a step"),
                                  cl::init(64), cl::cat(category));
static cl::opt<unsigned> epochs("epochs", cl::desc("Passes over the data"),
                                cl::init(1), cl::cat(category));
static cl::opt<int64_t>
    maxSteps("max-steps", cl::desc("Stop after this many steps (0: no limit)"),
             cl::init(0), cl::cat(category));
static cl::opt<bool> shuffle("shuffle",
                             cl::desc("Shuffle the examples every epoch"),
                             cl::init(true), cl::cat(category));
static cl::opt<bool> fullBatch(
    "full-batch",
    cl::desc("One step an epoch on the whole --input arrays (not batched, "
             "not shuffled, first dimensions free: graphs)"),
    cl::init(false), cl::cat(category));
static cl::list<std::string>
    metrics("metric",
            cl::desc("A function of the module with the eval step's arguments "
                     "returning a scalar (e.g. accuracy), reported on the "
                     "validation data every epoch"),
            cl::cat(category));
static cl::opt<bool> dropLast("drop-last",
                              cl::desc("Skip an epoch's last partial batch"),
                              cl::init(false), cl::cat(category));
static cl::opt<unsigned> seed("seed",
                              cl::desc("Seed of initialisation and shuffling"),
                              cl::init(0), cl::cat(category));
static cl::opt<std::string>
    checkpoint("checkpoint",
               cl::desc("Write a safetensors checkpoint here every epoch"),
               cl::cat(category));
static cl::opt<int64_t> checkpointEvery(
    "checkpoint-every",
    cl::desc("Also write the --checkpoint every N steps (0: at epoch ends "
             "only); a run stopped by --max-steps, SIGINT or SIGTERM writes "
             "one before it exits, and --resume continues mid-epoch"),
    cl::init(0), cl::cat(category));
static cl::opt<std::string>
    resume("resume", cl::desc("Resume from a checkpoint of this tool"),
           cl::cat(category));
static cl::opt<std::string>
    saveParams("save-params",
               cl::desc("Write the trained parameters as NAME.npy here"),
               cl::cat(category));
static cl::opt<std::string>
    lossesFile("losses",
               cl::desc("Write every step's loss to this .npy (at every "
                        "checkpoint and when the run stops)"),
               cl::cat(category));
static cl::opt<std::string>
    exportFile("export",
               cl::desc("Write the --export-function with the trained "
                        "parameters as constants to this .mlir"),
               cl::cat(category));
static cl::opt<std::string> exportFunction(
    "export-function",
    cl::desc("The inference function to export; its last arguments are the "
             "parameters, in order"),
    cl::init("predict"), cl::cat(category));
static cl::opt<int64_t> lambdaWarmupSteps(
    "lambda-warmup-steps",
    cl::desc("Quantisation warm-up: arguments marked {ternary.lambda} get "
             "2 * sigmoid(5 * step / N) - 1 for the first N steps, then 1 "
             "(0: always 1)"),
    cl::init(0), cl::cat(category));
static cl::opt<std::string> onNonFinite(
    "on-nonfinite",
    cl::desc("When a step's loss or updated parameters are NaN or infinite: "
             "stop (exit 1, the last checkpoint kept) or skip (the batch's "
             "update undone; costs a copy of parameters and state a step)"),
    cl::init("stop"), cl::cat(category));
static cl::opt<std::string>
    progress("progress",
             cl::desc("Progress display: auto (bar on a terminal), bar, "
                      "lines, none"),
             cl::init("auto"), cl::cat(category));

/// The signal that asked the run to stop (SIGINT, SIGTERM), 0 while none.
static volatile std::sig_atomic_t stopSignal = 0;
static void onStopSignal(int signal) { stopSignal = signal; }

static ThreadsOption threads(category);
static models::ModelOptions modelOptions(category);

static int fail(const llvm::Twine &message) {
  llvm::errs() << "ternary-train: " << message << "\n";
  return 1;
}

namespace {

/// The warm-up factor of (0-based) step `t` (the semantics document's
/// schedule).
float warmupLambda(int64_t t) {
  if (lambdaWarmupSteps <= 0 || t >= lambdaWarmupSteps)
    return 1.0f;
  double x = 5.0 * double(t) / double(lambdaWarmupSteps);
  return static_cast<float>(2.0 / (1.0 + std::exp(-x)) - 1.0);
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(argc, argv,
                              "Train a model with its compiled train step\n");
  // From here on, SIGINT and SIGTERM ask the run to stop after its current
  // step (with a checkpoint), however early they come.
  std::signal(SIGINT, onStopSignal);
  std::signal(SIGTERM, onStopSignal);
  if (batchSize <= 0)
    return fail("--batch-size must be positive");
  if (std::string error; !threads.apply(error))
    return fail(error);
  if (progress != "auto" && progress != "bar" && progress != "lines" &&
      progress != "none")
    return fail("--progress must be auto, bar, lines or none");
  // Output places are checked before any training: a run must not fail
  // after an hour because of a typo in a path.
  for (auto [flag, path] : {std::pair{"--checkpoint", &checkpoint},
                            {"--save-params", &saveParams},
                            {"--losses", &lossesFile},
                            {"--export", &exportFile},
                            {"--metrics", &metricsFile}}) {
    if (path->empty())
      continue;
    llvm::SmallString<128> parent(llvm::sys::path::parent_path(*path));
    if (parent.empty())
      parent = ".";
    if (!llvm::sys::fs::is_directory(parent))
      return fail(std::string(flag) + ": the directory '" + parent.str().str() +
                  "' does not exist");
  }
  if (onNonFinite != "stop" && onNonFinite != "skip")
    return fail("--on-nonfinite must be stop or skip");
  if (checkpointEvery < 0)
    return fail("--checkpoint-every must be >= 0, got " +
                llvm::Twine(checkpointEvery));
  if (checkpointEvery > 0 && checkpoint.empty())
    return fail("--checkpoint-every needs --checkpoint");
  if (maxSteps < 0)
    return fail("--max-steps must be >= 0, got " + llvm::Twine(maxSteps));
  if (lambdaWarmupSteps < 0)
    return fail("--lambda-warmup-steps must be >= 0, got " +
                llvm::Twine(lambdaWarmupSteps));

  auto started = std::chrono::steady_clock::now();
  auto secondsSince = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                         started)
        .count();
  };
  bool libraryModel = !modelName.empty();
  if (libraryModel == !inputFile.empty())
    return fail(libraryModel
                    ? "give a model file or --model, not both"
                    : "no model: give a model file, or --model NAME --data "
                      "SET");
  if (libraryModel != !dataName.empty())
    return fail(libraryModel ? "--model needs --data (a data set name or "
                               "directory)"
                             : "--data needs --model (a model file takes its "
                               "data from --input)");
  if (libraryModel && (!inputs.empty() || !valInputs.empty()))
    return fail("--model takes its data from --data, not --input or "
                "--val-input");

  ToolContext tool;
  std::string error;
  OwningOpRef<ModuleOp> module;
  llvm::Expected<std::vector<HostArray>> data = std::vector<HostArray>();
  llvm::Expected<std::vector<HostArray>> valData = std::vector<HostArray>();
  std::vector<HostArray> testData;
  RunReport report;
  std::string evalName = "validation";
  if (libraryModel) {
    // The module and its data from the libraries: the model sized by the
    // data set, the schedule by the run.
    std::string toolDir = llvm::sys::path::parent_path(
                              llvm::sys::fs::getMainExecutable(
                                  argv[0], reinterpret_cast<void *>(&fail)))
                              .str();
    auto config = modelOptions.config(modelName);
    if (!config)
      return fail(llvm::toString(config.takeError()));
    auto run = prepareLibraryRun(tool.context(), *config, dataName, toolDir,
                                 batchSize, epochs);
    if (!run)
      return fail(llvm::toString(run.takeError()));
    module = std::move(run->module);
    fullBatch = run->fullBatch;
    *data = std::move(run->train);
    *valData = std::move(run->eval);
    testData = std::move(run->test);
    evalName = run->evalName;
    if (!llvm::is_contained(metrics, "accuracy"))
      metrics.push_back("accuracy");
    report.configJson = run->configJson;
    report.model = modelName;
    report.data = dataName;
  } else {
    module = tool.parse(inputFile, error);
    if (!module)
      return error.empty() ? 1 : fail(error);
    data = readArrayArguments(inputs);
    if (!data)
      return fail(llvm::toString(data.takeError()));
    valData = readArrayArguments(valInputs);
    if (!valData)
      return fail(llvm::toString(valData.takeError()));
    report.model = inputFile;
  }
  report.evaluatedOn = evalName;
  auto model = readTrainingModel(*module);
  if (!model)
    return fail(llvm::toString(model.takeError()));
  if (llvm::Error e = checkTrainingData(*model, *data, "--input", fullBatch))
    return fail(llvm::toString(std::move(e)));
  if (!valData->empty())
    if (llvm::Error e =
            checkTrainingData(*model, *valData, "--val-input", fullBatch))
      return fail(llvm::toString(std::move(e)));
  if (!valData->empty() && (*valData)[0].shape.size() > 0 &&
      (*valData)[0].shape[0] == 0 && !fullBatch)
    return fail("--val-input: the validation set has no examples");
  if (!valData->empty() && model->eval.empty())
    return fail("--val-input needs an eval function (eval = \"...\" in the "
                "ternary.train_step request)");

  // Parameters, optimiser state (zeros) and the step counter.
  std::mt19937 rng(seed);
  std::vector<HostArray> params;
  if (!paramInputs.empty()) {
    auto given = readArrayArguments(paramInputs);
    if (!given)
      return fail(llvm::toString(given.takeError()));
    if (given->size() != model->params.size())
      return fail("the model has " + llvm::Twine(model->params.size()) +
                  " parameters, got " + llvm::Twine(given->size()) +
                  " --param");
    params = std::move(*given);
  } else {
    auto init = initialiseParameters(*model, model->inits, rng);
    if (!init)
      return fail(llvm::toString(init.takeError()));
    params = std::move(*init);
  }
  std::vector<HostArray> state;
  for (unsigned s = 0; s < model->stateNames.size(); ++s)
    for (const HostArray &p : params)
      state.push_back(HostArray::zeros(DType::F32, p.shape));
  HostArray step = HostArray::zeros(DType::I64, {});
  unsigned firstEpoch = 1;
  int64_t resumeBatch = 0;
  if (!resume.empty()) {
    if (!readTrainingCheckpoint(resume, *model, params, state, step, firstEpoch,
                                resumeBatch, error))
      return fail(error);
    firstEpoch += 1;
    llvm::errs() << "ternary-train: resumed from '" << resume
                 << "' after epoch " << firstEpoch - 1
                 << (resumeBatch ? " and " + std::to_string(resumeBatch) +
                                       " batches of the next"
                                 : std::string())
                 << ", step " << step.data<int64_t>()[0] << "\n";
  }

  // The module as built or read, for --export (compilation consumes it).
  OwningOpRef<ModuleOp> source = module->clone();
  auto compiled = CompiledModule::compile(std::move(module),
                                          InferencePipelineOptions(), {});
  if (!compiled)
    return fail(llvm::toString(compiled.takeError()));

  for (const std::string &metric : metrics)
    if (!llvm::is_contained(compiled->functionNames(), metric))
      return fail("--metric: the module has no public function @" + metric);
  if (!metrics.empty() && valData->empty())
    return fail("--metric needs --val-input");

  int64_t examples = (*data)[0].shape.empty() ? 1 : (*data)[0].shape[0];
  int64_t batches = fullBatch  ? 1
                    : dropLast ? examples / batchSize
                               : (examples + batchSize - 1) / batchSize;
  if (batches == 0)
    return fail("no complete batch: " + llvm::Twine(examples) +
                " examples, --batch-size " + llvm::Twine(batchSize));
  if (resumeBatch >= batches)
    return fail("checkpoint '" + resume + "' was written after batch " +
                llvm::Twine(resumeBatch) + " of an epoch of " +
                llvm::Twine(batches) +
                " batches: resume with the same data and --batch-size");

  // Every step's loss so far (--losses): written with every checkpoint and
  // when the run stops, however it stops, so that nothing is lost.
  std::vector<float> losses;
  auto saveLosses = [&]() -> bool {
    if (lossesFile.empty())
      return true;
    HostArray a = HostArray::zeros(DType::F32, {int64_t(losses.size())});
    std::copy(losses.begin(), losses.end(), a.data<float>());
    return ::ternary::writeNpy(lossesFile, a, error);
  };
  auto writeCheckpoint = [&](unsigned epochsDone, int64_t batchesDone) -> bool {
    return writeTrainingCheckpoint(
               checkpoint, *model, params, state, step, epochsDone, batchesDone,
               llvm::sys::path::filename(inputFile).str(), error) &&
           saveLosses();
  };

  Progress display(progress);
  int64_t stepsDone = 0;
  bool stop = false;
  for (unsigned epoch = firstEpoch; epoch <= epochs && !stop; ++epoch) {
    std::vector<int64_t> order(examples);
    std::iota(order.begin(), order.end(), 0);
    if (shuffle && !fullBatch) {
      std::mt19937 epochRng(seed * 1000003u + epoch);
      std::shuffle(order.begin(), order.end(), epochRng);
    }
    // With --max-steps, the bar and its ETA count the steps that will run.
    int64_t epochSteps = maxSteps > 0
                             ? std::min<int64_t>(batches, maxSteps - stepsDone)
                             : batches;
    display.startEpoch(epoch, epochs, epochSteps);
    double lossSum = 0;
    int64_t lossCount = 0, skipped = 0;
    int64_t firstBatch = epoch == firstEpoch ? resumeBatch : 0;
    int64_t b = firstBatch;
    for (; b < batches; ++b) {
      int64_t begin = b * batchSize;
      int64_t end = std::min(examples, begin + batchSize);
      std::vector<int64_t> rows(order.begin() + begin, order.begin() + end);
      std::vector<HostArray> batch;
      for (const HostArray &a : *data)
        batch.push_back(fullBatch ? a : gatherRows(a, rows));
      // Arguments: the loss function's (data and parameters interleaved
      // as declared), then the state, then the step.
      std::vector<HostArray *> args(
          model->dataArgs.size() + model->seedArgs.size() +
          model->lambdaArgs.size() + model->params.size());
      for (size_t d = 0; d < model->dataArgs.size(); ++d)
        args[model->dataArgs[d]] = &batch[d];
      HostArray stepSeed = HostArray::zeros(DType::I64, {});
      stepSeed.data<int64_t>()[0] =
          int64_t(seed) * 1000003 + step.data<int64_t>()[0];
      for (unsigned s : model->seedArgs)
        args[s] = &stepSeed;
      HostArray stepLambda = HostArray::zeros(DType::F32, {});
      stepLambda.data<float>()[0] = warmupLambda(step.data<int64_t>()[0]);
      for (unsigned l : model->lambdaArgs)
        args[l] = &stepLambda;
      for (size_t p = 0; p < model->params.size(); ++p)
        args[model->params[p]] = &params[p];
      for (HostArray &s : state)
        args.push_back(&s);
      args.push_back(&step);
      int64_t stepNumber = step.data<int64_t>()[0] + 1;
      std::vector<HostArray> before;
      if (onNonFinite == "skip") {
        before = params;
        before.insert(before.end(), state.begin(), state.end());
        before.push_back(step);
      }
      auto result = compiled->callInPlace(model->step, args);
      if (!result)
        return fail(llvm::toString(result.takeError()));
      float loss = (*result)[0].data<float>()[0];
      // A step that read or made a non-finite value: the loss, or any
      // updated parameter (a NaN gradient reaches every parameter it
      // updates).
      std::string what;
      if (!std::isfinite(loss))
        what = "the loss is " + ::ternary::formatFloat(loss);
      for (size_t p = 0; p < params.size() && what.empty(); ++p)
        if (std::string bad = ::ternary::firstNonFinite(params[p]);
            !bad.empty())
          what = "parameter '" + model->names[p] + "' holds " + bad +
                 " after the update";
      if (!what.empty()) {
        if (onNonFinite == "stop") {
          display.finish();
          if (!saveLosses())
            return fail(error);
          return fail("step " + llvm::Twine(stepNumber) + " (epoch " +
                      llvm::Twine(epoch) + ", batch " + llvm::Twine(b + 1) +
                      "): " + what + "; stopped" +
                      (checkpoint.empty() ? std::string()
                                          : ", '" + checkpoint.getValue() +
                                                "' keeps the last good state") +
                      " (--on-nonfinite=skip skips such batches)");
        }
        // Undo the update: parameters, state and counter as before.
        for (size_t p = 0; p < params.size(); ++p)
          params[p] = before[p];
        for (size_t k = 0; k < state.size(); ++k)
          state[k] = before[params.size() + k];
        step = before.back();
        ++skipped;
        llvm::errs() << "ternary-train: step " << stepNumber << ": " << what
                     << "; batch skipped\n";
        continue;
      }
      losses.push_back(loss);
      lossSum += loss;
      ++lossCount;
      display.update(b + 1 - firstBatch, end - begin, loss);
      ++stepsDone;
      bool last = maxSteps > 0 && stepsDone >= maxSteps;
      if (!checkpoint.empty() && b + 1 < batches &&
          (last || stopSignal ||
           (checkpointEvery > 0 && stepsDone % checkpointEvery == 0)))
        if (!writeCheckpoint(epoch - 1, b + 1))
          return fail(error);
      if (stopSignal) {
        if (!checkpoint.empty() && b + 1 == batches &&
            !writeCheckpoint(epoch, 0))
          return fail(error);
        display.finish();
        llvm::errs() << "ternary-train: stopped by signal " << int(stopSignal)
                     << " after step " << step.data<int64_t>()[0]
                     << (checkpoint.empty()
                             ? std::string()
                             : "; '" + checkpoint.getValue() +
                                   "' holds it (--resume continues)")
                     << "\n";
        if (!saveLosses())
          return fail(error);
        return 128 + stopSignal;
      }
      if (last) {
        stop = true;
        ++b;
        break;
      }
    }
    char line[160];
    EpochRecord record;
    record.epoch = epoch;
    record.trainLoss = lossSum / std::max<int64_t>(1, lossCount);
    std::snprintf(line, sizeof(line), "epoch %u: train loss %.4f", epoch,
                  record.trainLoss);
    llvm::outs() << line;
    if (skipped)
      llvm::outs() << " (" << skipped << " batches skipped)";
    if (!valData->empty()) {
      auto loss = evaluate(*compiled, *model, model->eval, *valData, params,
                           fullBatch, batchSize);
      if (!loss)
        return fail(llvm::toString(loss.takeError()));
      if (!std::isfinite(*loss)) {
        llvm::outs() << "\n";
        return fail("epoch " + llvm::Twine(epoch) +
                    ": the validation loss is " +
                    ::ternary::formatFloat(*loss) + "; stopped" +
                    (checkpoint.empty() ? std::string()
                                        : ", '" + checkpoint.getValue() +
                                              "' keeps the last good state"));
      }
      std::snprintf(line, sizeof(line), ", %s loss %.4f", evalName.c_str(),
                    *loss);
      llvm::outs() << line;
      record.evalLoss = *loss;
      for (const std::string &metric : metrics) {
        auto value = evaluate(*compiled, *model, metric, *valData, params,
                              fullBatch, batchSize);
        if (!value)
          return fail(llvm::toString(value.takeError()));
        std::snprintf(line, sizeof(line), ", %s %s %.4f", evalName.c_str(),
                      metric.c_str(), *value);
        llvm::outs() << line;
        if (metric == "accuracy")
          record.evalAccuracy = *value;
      }
    }
    record.seconds = secondsSince();
    report.epochs.push_back(record);
    llvm::outs() << "\n";
    llvm::outs().flush();

    // A whole epoch: its checkpoint (a run stopped mid-epoch wrote one).
    if (!checkpoint.empty() && b >= batches && !writeCheckpoint(epoch, 0))
      return fail(error);
  }

  if (!saveLosses())
    return fail(error);
  // A library model's test figures, at the last epoch (as the papers
  // report them); the same as the per-epoch ones when there is no
  // validation split.
  if (libraryModel && evalName == "test" && !report.epochs.empty()) {
    report.testLoss = report.epochs.back().evalLoss;
    report.testAccuracy = report.epochs.back().evalAccuracy;
  } else if (libraryModel) {
    auto loss = evaluate(*compiled, *model, model->eval, testData, params,
                         fullBatch, batchSize);
    auto accuracy = evaluate(*compiled, *model, "accuracy", testData, params,
                             fullBatch, batchSize);
    if (!loss)
      return fail(llvm::toString(loss.takeError()));
    if (!accuracy)
      return fail(llvm::toString(accuracy.takeError()));
    report.testLoss = *loss;
    report.testAccuracy = *accuracy;
    char line[160];
    std::snprintf(line, sizeof(line), "test loss %.4f, test accuracy %.4f\n",
                  *loss, *accuracy);
    llvm::outs() << line;
  }
  for (const HostArray &p : params)
    report.params += p.numElements();
  report.seconds = secondsSince();
  if (!metricsFile.empty() && !report.write(metricsFile, error))
    return fail(error);
  if (!saveParams.empty()) {
    // The folder itself may be new; its parent was checked at the start.
    if (std::error_code ec = llvm::sys::fs::create_directory(saveParams))
      return fail("cannot create '" + saveParams + "': " + ec.message());
    for (size_t i = 0; i < params.size(); ++i) {
      llvm::SmallString<128> path(saveParams);
      llvm::sys::path::append(path, model->names[i] + ".npy");
      if (!::ternary::writeNpy(path.str().str(), params[i], error))
        return fail(error);
    }
  }
  if (!exportFile.empty()) {
    auto text = exportModule(*source, exportFunction, params);
    if (!text)
      return fail(llvm::toString(text.takeError()));
    std::error_code ec;
    llvm::raw_fd_ostream os(exportFile, ec);
    if (ec)
      return fail("cannot write '" + exportFile + "': " + ec.message());
    os << *text;
  }
  return 0;
}
