//===- Evaluation.h - ternary-train's evaluation and export -----*- C++ -*-===//
//
// Private to ternary-train: the compiled evaluation of a data set in
// batches, and the export of a trained inference function.
//
//===----------------------------------------------------------------------===//

#ifndef TERNARY_TOOLS_TERNARY_TRAIN_EVALUATION_H
#define TERNARY_TOOLS_TERNARY_TRAIN_EVALUATION_H

#include "ternary/Runner/Runner.h"
#include "ternary/Training/TrainingModel.h"

namespace mlir {
namespace ternary {

/// The inference function `function` of `source` with the trained
/// `params` bound as constants (freezeParameters), alone with what it
/// calls: the module ternary-compile turns into an object file.
llvm::Expected<std::string> exportModule(ModuleOp source,
                                         const std::string &function,
                                         const std::vector<HostArray> &params);

/// The mean of `function` (the eval step's arguments, a scalar result) over
/// `data` in batches of `batchSize` weighted by their size (whole with
/// `fullBatch`), with the parameters `params`, no dropout and lambda = 1.
llvm::Expected<double> evaluate(CompiledModule &compiled,
                                const TrainingModel &model,
                                const std::string &function,
                                const std::vector<HostArray> &data,
                                const std::vector<HostArray> &params,
                                bool fullBatch, int64_t batchSize);

} // namespace ternary
} // namespace mlir

#endif // TERNARY_TOOLS_TERNARY_TRAIN_EVALUATION_H
