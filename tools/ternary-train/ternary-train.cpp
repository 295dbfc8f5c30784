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
// The loop itself is lib/Training's `train` (Trainer.h); this file reads
// and checks the options, prepares the model, data and parameters, and
// writes a run's outputs.
//
//===----------------------------------------------------------------------===//

#include "TrainToolSupport.h"

#include "ternary/InitAll.h"
#include "ternary/Models/ModelOptions.h"
#include "ternary/Passes/Transforms/FreezeParameters.h"
#include "ternary/Runner/Runner.h"
#include "ternary/Runner/ToolSupport.h"
#include "ternary/Support/Safetensors.h"
#include "ternary/Training/Checkpoint.h"
#include "ternary/Training/Export.h"
#include "ternary/Training/LibraryRun.h"
#include "ternary/Training/Progress.h"
#include "ternary/Training/RunReport.h"
#include "ternary/Training/Trainer.h"
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
static cl::opt<std::string> dataName(
    "data",
    cl::desc("The data set of --model: a name (mnist, "
             "fashion-mnist, cifar10, tinyshakespeare, moby-dick) or a "
             "path (IDX images, a Planetoid graph, a JPEG folder or "
             "its .tar.gz, train.tsv + test.tsv, a text file or a "
             "directory of .txt files)"),
    cl::cat(category));
static cl::opt<std::string>
    outDir("out",
           cl::desc("Write the run into this directory: metrics.json, "
                    "metrics.csv (a row a step), last.safetensors, "
                    "best.safetensors (the best epoch by accuracy), "
                    "curves.png; with --compile model.o and model.h (a "
                    "language model: also decoder.o, decoder.h, tokens.h)"),
           cl::cat(category));
static cl::opt<std::string>
    seeds("seeds",
          cl::desc("Repeat the run for each seed, A-B or A,B,C (default: "
                   "--seed once); with --out, each in DIR/seed-N and the "
                   "mean and standard deviation in DIR/metrics.json"),
          cl::cat(category));
static cl::opt<bool> compileObject(
    "compile",
    cl::desc("With --out: compile the trained --export-function (packed "
             "weights) to model.o and model.h (ternary-compile)"),
    cl::init(false), cl::cat(category));
static cl::opt<std::string>
    configFile("config",
               cl::desc("A JSON object (or flat TOML, .toml) of flags (e.g. "
                        "{\"model\": \"mlp\", "
                        "\"epochs\": 3, \"hidden_mult\": 2}); the command "
                        "line wins over it"),
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
static cl::opt<int64_t>
    steps("steps",
          cl::desc("Train this many steps instead of --epochs (the epochs "
                   "they need; a library model's schedule spans them)"),
          cl::init(0), cl::cat(category));
static cl::opt<int64_t>
    evalEvery("eval-every",
              cl::desc("Also evaluate the loss every N steps (0: at epoch "
                       "ends only); metrics.json lists them as `evals`"),
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

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(argc, argv,
                              "Train a model with its compiled train step\n");
  // From here on, SIGINT and SIGTERM ask the run to stop after its current
  // step (with a checkpoint), however early they come.
  std::signal(SIGINT, onStopSignal);
  std::signal(SIGTERM, onStopSignal);
  if (!configFile.empty())
    if (std::string error; !models::applyConfigFile(configFile, error))
      return fail(error);
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
  if (steps < 0)
    return fail("--steps must be >= 0, got " + llvm::Twine(steps));
  if (evalEvery < 0)
    return fail("--eval-every must be >= 0, got " + llvm::Twine(evalEvery));
  if (lambdaWarmupSteps < 0)
    return fail("--lambda-warmup-steps must be >= 0, got " +
                llvm::Twine(lambdaWarmupSteps));
  std::vector<unsigned> seedList = {seed};
  if (!seeds.empty()) {
    std::string problem;
    seedList = parseSeeds(seeds, problem);
    if (seedList.empty())
      return fail("--seeds: " + problem);
    if (!resume.empty() || !checkpoint.empty() || !paramInputs.empty())
      return fail("--seeds repeats fresh runs: not with --resume, "
                  "--checkpoint or --param");
  }
  if (compileObject && outDir.empty())
    return fail("--compile needs --out (it writes DIR/model.o and "
                "DIR/model.h)");
  if (!outDir.empty())
    if (std::error_code ec = llvm::sys::fs::create_directories(outDir))
      return fail("--out: cannot create '" + outDir + "': " + ec.message());

  std::string error;
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
  OwningOpRef<ModuleOp> module;
  llvm::Expected<std::vector<HostArray>> data = std::vector<HostArray>();
  llvm::Expected<std::vector<HostArray>> valData = std::vector<HostArray>();
  std::vector<HostArray> testData;
  RunReport report;
  std::string evalName = "validation";
  std::shared_ptr<const ::ternary::text::Tokenizer> tokenizer; // a corpus's
  if (libraryModel) {
    // The module and its data from the libraries: the model sized by the
    // data set, the schedule by the run.
    std::string toolDir = ::ternary::data::runningToolDirectory();
    auto config = modelOptions.config(modelName);
    if (!config)
      return fail(llvm::toString(config.takeError()));
    auto run = prepareLibraryRun(tool.context(), *config, dataName, toolDir,
                                 batchSize, epochs, steps);
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
    report.languageModel = bool(run->tokenizer);
    report.bytesPerToken = run->bytesPerToken;
    tokenizer = run->tokenizer;
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

  // The module as built or read, for --export and --compile (compilation
  // consumes it).
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

  TrainOptions options;
  options.batchSize = batchSize;
  options.epochs = epochs;
  options.maxSteps = maxSteps;
  if (steps > 0) {
    // The epochs the steps need; the run stops at the last step.
    int64_t examples = (*data)[0].shape.empty() ? 1 : (*data)[0].shape[0];
    int64_t batches = fullBatch  ? 1
                      : dropLast ? examples / batchSize
                                 : (examples + batchSize - 1) / batchSize;
    options.epochs = unsigned((steps + std::max<int64_t>(1, batches) - 1) /
                              std::max<int64_t>(1, batches));
    options.maxSteps =
        maxSteps > 0 ? std::min<int64_t>(maxSteps, steps) : int64_t(steps);
  }
  options.evalEvery = evalEvery;
  options.shuffle = shuffle;
  options.fullBatch = fullBatch;
  options.dropLast = dropLast;
  options.checkpointEvery = checkpointEvery;
  options.lambdaWarmupSteps = lambdaWarmupSteps;
  options.skipNonFinite = onNonFinite == "skip";
  options.progress = progress;
  options.metrics = metrics;
  options.evalName = evalName;
  options.stopSignal = &stopSignal;
  if (libraryModel)
    options.metadata = {{"model", modelName},
                        {"config", "{" + report.configJson + "}"},
                        {"data", dataName}};
  else
    options.metadata = {{"model", llvm::sys::path::filename(inputFile).str()}};
  // A character vocabulary, so that the checkpoint generates without its
  // corpus (ternary-generate).
  if (tokenizer && tokenizer->kind() == "char")
    options.metadata["vocabulary"] = characterVocabulary(*tokenizer);

  // One run a seed; each writes its outputs (--out DIR/seed-N with
  // several seeds) and adds its report to `runs`.
  std::vector<RunReport> runs;
  std::vector<HostArray> params;
  for (unsigned runSeed : seedList) {
    auto runStarted = std::chrono::steady_clock::now();
    std::string dir = outDir;
    if (seedList.size() > 1)
      llvm::outs() << "seed " << runSeed << ":\n";
    // Without --out nothing is written, whatever the number of seeds.
    if (seedList.size() > 1 && !outDir.empty()) {
      llvm::SmallString<128> sub(outDir);
      llvm::sys::path::append(sub, "seed-" + std::to_string(runSeed));
      dir = sub.str().str();
      if (std::error_code ec = llvm::sys::fs::create_directories(dir))
        return fail("cannot create '" + dir + "': " + ec.message());
    }
    auto inDir = [&](const char *name) {
      llvm::SmallString<128> path(dir);
      llvm::sys::path::append(path, name);
      return path.str().str();
    };
    options.seed = runSeed;
    options.checkpoint = !checkpoint.empty() ? checkpoint.getValue()
                         : dir.empty()       ? std::string()
                                             : inDir("last.safetensors");
    options.bestCheckpoint = dir.empty() ? "" : inDir("best.safetensors");
    options.stepsCsv = dir.empty() ? "" : inDir("metrics.csv");
    options.lossesFile = lossesFile;

    // Parameters (given, or initialised from the seed), optimiser state
    // (zeros) and the step counter; or all of them from --resume.
    std::mt19937 rng(runSeed);
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
    TrainState state = freshState(*model, std::move(params));
    if (!resume.empty()) {
      if (!readTrainingCheckpoint(resume, *model, state.params, state.state,
                                  state.step, state.firstEpoch,
                                  state.resumeBatch, error))
        return fail(error);
      state.firstEpoch += 1;
      state.resumedFrom = resume;
      llvm::errs() << "ternary-train: resumed from '" << resume
                   << "' after epoch " << state.firstEpoch - 1
                   << (state.resumeBatch
                           ? " and " + std::to_string(state.resumeBatch) +
                                 " batches of the next"
                           : std::string())
                   << ", step " << state.step.data<int64_t>()[0] << "\n";
    }

    RunReport run = report;
    if (int status = train(*compiled, *model, *data, *valData, state, options,
                           run, error)) {
      if (status == 1)
        return fail(error);
      return status; // stopped by a signal, checkpoint written
    }
    params = std::move(state.params);

    // A library model's test figures, at the last epoch (as the papers
    // report them); the per-epoch ones when there is no validation split.
    // A corpus has no test split: its figures are the validation split's.
    if (libraryModel && evalName == "test" && !run.epochs.empty()) {
      run.testLoss = run.epochs.back().evalLoss;
      run.testAccuracy = run.epochs.back().evalAccuracy;
    } else if (libraryModel && !testData.empty()) {
      auto loss = evaluate(*compiled, *model, model->eval, testData, params,
                           fullBatch, batchSize);
      if (!loss)
        return fail(llvm::toString(loss.takeError()));
      auto accuracy = evaluate(*compiled, *model, "accuracy", testData, params,
                               fullBatch, batchSize);
      if (!accuracy)
        return fail(llvm::toString(accuracy.takeError()));
      run.testLoss = *loss;
      run.testAccuracy = *accuracy;
      char line[160];
      std::snprintf(line, sizeof(line), "test loss %.4f, test accuracy %.4f\n",
                    *loss, *accuracy);
      llvm::outs() << line;
    }
    for (const HostArray &p : params)
      run.params += p.numElements();
    run.seconds = std::chrono::duration<double>(
                      std::chrono::steady_clock::now() - runStarted)
                      .count();
    if (!dir.empty()) {
      if (!run.write(inDir("metrics.json"), error))
        return fail(error);
      if (!writeCurves(run, inDir("curves.png"), error))
        llvm::errs() << "ternary-train: curves.png not drawn: " << error
                     << "\n";
      if (compileObject) {
        auto exported = exportModule(*source, exportFunction, params);
        if (!exported)
          return fail(llvm::toString(exported.takeError()));
        std::string mlir = inDir("model.mlir");
        if (!writeText(mlir, printed(**exported), error))
          return fail(error);
        std::string toolDir = ::ternary::data::runningToolDirectory();
        if (!compileWithTernaryCompile(toolDir, mlir, inDir("model.o"),
                                       inDir("model.h"), error))
          return fail(error);
        // A decoder: its prefill and decoding steps and token table too.
        if (tokenizer && source->lookupSymbol("decode") &&
            !compileDecoder(toolDir, *source, params, *tokenizer, dir, error))
          return fail(error);
      }
    }
    runs.push_back(std::move(run));
  }

  if (!metricsFile.empty() || (!outDir.empty() && seedList.size() > 1)) {
    std::string path = metricsFile;
    if (path.empty()) {
      llvm::SmallString<128> p(outDir);
      llvm::sys::path::append(p, "metrics.json");
      path = p.str().str();
    }
    std::string text =
        runs.size() == 1 ? runs[0].json() : seedsJson(runs, seedList);
    if (!writeText(path, text, error))
      return fail(error);
  }
  if (runs.size() > 1)
    llvm::outs() << seedsSummary(runs);
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
    auto exported = exportModule(*source, exportFunction, params);
    if (!exported)
      return fail(llvm::toString(exported.takeError()));
    if (!writeText(exportFile, printed(**exported), error))
      return fail(error);
  }
  return 0;
}
