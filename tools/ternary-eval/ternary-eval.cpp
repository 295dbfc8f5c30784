//===- ternary-eval.cpp - Run a trained predictor over a test set ---------===//
//
// Compiles a trained model's predictor as it is deployed (parameters bound
// as constants, weights packed at compile time by the inference pipeline:
// the code of ternary-compile's object file, JIT-compiled for this CPU) and
// runs it over a data set's test split: accuracy and examples a second.
//
//   ternary-eval run/best.safetensors            # a library model's checkpoint
//   ternary-eval run/model.mlir --data mnist     # an exported predictor
//
// A checkpoint of `ternary-train --model` records the model, its
// configuration and its data set, so it needs nothing else (--data
// overrides the data set); an exported module (`--export`, `--compile`'s
// model.mlir) needs --data and evaluates its function @predict.
//
//===----------------------------------------------------------------------===//

#include "ternary/Models/Models.h"
#include "ternary/Runner/Runner.h"
#include "ternary/Runner/ToolSupport.h"
#include "ternary/Support/Safetensors.h"
#include "ternary/Training/Export.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <numeric>

using namespace mlir;
using namespace mlir::ternary;
using ::ternary::DType;
using ::ternary::HostArray;
namespace cl = llvm::cl;

static cl::OptionCategory category("ternary-eval options");
static cl::opt<std::string>
    inputFile(cl::Positional, cl::Required,
              cl::desc("<checkpoint.safetensors | predictor.mlir>"),
              cl::cat(category));
static cl::opt<std::string>
    dataName("data",
             cl::desc("The data set whose test split is evaluated (default: "
                      "the checkpoint's)"),
             cl::cat(category));
static cl::opt<int64_t> batchSize("batch-size",
                                  cl::desc("Examples a call of the predictor"),
                                  cl::init(256), cl::cat(category));
static cl::opt<std::string>
    function("function", cl::desc("The predictor of an exported module"),
             cl::init("predict"), cl::cat(category));
static ThreadsOption threads(category);

static int fail(const llvm::Twine &message) {
  llvm::errs() << "ternary-eval: " << message << "\n";
  return 1;
}

namespace {

/// The frozen predictor of a library model's checkpoint, and its data set.
llvm::Expected<OwningOpRef<ModuleOp>>
predictorOfCheckpoint(MLIRContext &context, const std::string &path,
                      const std::string &toolDir, std::string &data,
                      models::ModelConfig &config) {
  ::ternary::TensorFile file;
  std::string error;
  if (!::ternary::readSafetensors(path, file, error))
    return llvm::createStringError(error);
  auto configText = file.metadata.find("config");
  auto dataText = file.metadata.find("data");
  if (configText == file.metadata.end())
    return llvm::createStringError(
        "'" + path +
        "' is not a checkpoint of a library model (no 'config' in its "
        "metadata): export the predictor (ternary-train --export) and give "
        "that with --data");
  auto parsed = models::configFromJson(configText->second);
  if (!parsed)
    return parsed.takeError();
  config = *parsed;
  if (data.empty()) {
    if (dataText == file.metadata.end())
      return llvm::createStringError(
          "'" + path + "' does not name its data set: give --data");
    data = dataText->second;
  }
  auto dataset = ::ternary::data::loadDataset(data, toolDir, error);
  if (!dataset)
    return llvm::createStringError(error);
  auto module = models::buildModel(context, config, models::shapeOf(*dataset));
  if (!module)
    return module.takeError();
  // The parameters, in the order of @predict's trailing arguments (the
  // loss's parameter order).
  auto loss = (**module).lookupSymbol<func::FuncOp>("loss");
  std::vector<HostArray> params;
  for (unsigned i = 0; i < loss.getNumArguments(); ++i) {
    auto name = loss.getArgAttrOfType<StringAttr>(i, "ternary.name");
    if (!name)
      continue;
    const HostArray *p = file.find("param." + name.str());
    if (!p)
      return llvm::createStringError("'" + path + "' has no parameter '" +
                                     name.str() + "' of model '" +
                                     config.architecture + "'");
    params.push_back(*p);
  }
  return exportModule(**module, "predict", params);
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(argc, argv,
                              "Run a trained predictor over a test set\n");
  if (batchSize <= 0)
    return fail("--batch-size must be positive");
  if (std::string error; !threads.apply(error))
    return fail(error);
  static int anchor;
  std::string toolDir = llvm::sys::path::parent_path(
                            llvm::sys::fs::getMainExecutable(argv[0], &anchor))
                            .str();

  ToolContext tool;
  std::string error, data = dataName;
  models::ModelConfig config;
  OwningOpRef<ModuleOp> module;
  if (llvm::StringRef(inputFile).ends_with(".safetensors")) {
    auto predictor =
        predictorOfCheckpoint(tool.context(), inputFile, toolDir, data, config);
    if (!predictor)
      return fail(llvm::toString(predictor.takeError()));
    module = std::move(*predictor);
  } else {
    if (data.empty())
      return fail("--data is required with an exported predictor");
    module = tool.parse(inputFile, error);
    if (!module)
      return error.empty() ? 1 : fail(error);
    if (!module->lookupSymbol(function))
      return fail("'" + inputFile + "' has no function @" + function);
    config.architecture = "";
  }
  auto dataset = ::ternary::data::loadDataset(data, toolDir, error);
  if (!dataset)
    return fail(error);

  auto compiled = CompiledModule::compile(std::move(module),
                                          InferencePipelineOptions(), {});
  if (!compiled)
    return fail(llvm::toString(compiled.takeError()));

  // The test split: every array but the labels goes to the predictor
  // (images flattened when its first argument is a matrix).
  std::vector<HostArray> test = dataset->test;
  HostArray labels = test.back();
  test.pop_back();
  const std::string &name = llvm::StringRef(inputFile).ends_with(".safetensors")
                                ? std::string("predict")
                                : function.getValue();
  if (config.architecture == "mlp" ||
      (config.architecture.empty() && !dataset->fullBatch()))
    test = models::modelArrays(
        config.architecture.empty() ? models::ModelConfig{"mlp"} : config,
        std::move(test));
  int64_t examples = labels.shape[0];
  int64_t step = dataset->fullBatch() ? examples : batchSize;
  // One call before the timed ones: the first touches the code and the
  // packed weights (page faults), which a deployed model pays once.
  {
    std::vector<int64_t> rows(std::min(step, examples));
    std::iota(rows.begin(), rows.end(), 0);
    std::vector<HostArray> args;
    for (const HostArray &a : test)
      args.push_back(dataset->fullBatch() ? a : gatherRows(a, rows));
    if (auto warm = compiled->call(name, args); !warm)
      return fail(llvm::toString(warm.takeError()));
  }
  int64_t correct = 0, counted = 0;
  double seconds = 0;
  for (int64_t begin = 0; begin < examples; begin += step) {
    int64_t end = std::min(examples, begin + step);
    std::vector<HostArray> args;
    std::vector<int64_t> rows(end - begin);
    std::iota(rows.begin(), rows.end(), begin);
    for (const HostArray &a : test)
      args.push_back(dataset->fullBatch() ? a : gatherRows(a, rows));
    auto started = std::chrono::steady_clock::now();
    auto result = compiled->call(name, args);
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                             started)
                   .count();
    if (!result)
      return fail(llvm::toString(result.takeError()));
    const HostArray &logits = (*result)[0];
    if (logits.shape.size() != 2 || logits.dtype != DType::F32 ||
        logits.shape[0] != end - begin)
      return fail("@" + name + " returned " + logits.shapeString() +
                  ", not logits [examples, classes]");
    int64_t classes = logits.shape[1];
    for (int64_t r = 0; r < end - begin; ++r) {
      int64_t label = labels.data<int64_t>()[begin + r];
      if (label < 0)
        continue; // a node outside the split
      const float *row = logits.data<float>() + r * classes;
      int64_t best = std::max_element(row, row + classes) - row;
      correct += best == label;
      ++counted;
    }
  }
  char line[200];
  std::snprintf(line, sizeof(line),
                "accuracy %.4f on %lld test examples, %.0f examples/s "
                "(batch %lld, %.3f s in the predictor)\n",
                counted ? double(correct) / counted : 0.0,
                static_cast<long long>(counted),
                seconds > 0 ? counted / seconds : 0.0,
                static_cast<long long>(std::min(step, examples)), seconds);
  llvm::outs() << line;
  return 0;
}
