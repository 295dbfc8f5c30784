//===- LibraryRun.cpp - A run of a library model on a data set ------------===//

#include "ternary/Training/LibraryRun.h"

using namespace mlir;
using namespace mlir::ternary;

llvm::Expected<LibraryRun> mlir::ternary::prepareLibraryRun(
    MLIRContext &context, models::ModelConfig config,
    const std::string &dataName, const std::string &toolDir, int64_t batchSize,
    unsigned epochs, int64_t steps) {
  std::string error;
  auto dataset = ::ternary::data::loadDataset(
      dataName, toolDir, models::loadOptions(config), error);
  if (!dataset)
    return llvm::createStringError(error);
  models::DataShape shape = models::shapeOf(*dataset);
  config.totalSteps =
      steps > 0 ? steps : models::stepsOfRun(*dataset, batchSize, epochs);
  auto completed = models::completeConfig(config, shape);
  if (!completed)
    return completed.takeError();
  auto built = models::buildModel(context, *completed, shape);
  if (!built)
    return built.takeError();
  LibraryRun run;
  run.module = std::move(*built);
  run.fullBatch = dataset->fullBatch();
  run.train = models::modelArrays(*completed, std::move(dataset->train));
  run.test = models::modelArrays(*completed, std::move(dataset->test));
  if (dataset->hasValidation()) {
    run.eval = models::modelArrays(*completed, std::move(dataset->validation));
  } else {
    run.eval = run.test;
    run.evalName = "test";
  }
  run.configJson = models::configJson(*completed);
  run.tokenizer = dataset->textTokenizer;
  if (dataset->heldOutTokens > 0)
    run.bytesPerToken =
        double(dataset->heldOutBytes) / double(dataset->heldOutTokens);
  return run;
}
