//===- TrainingModel.h - What a training run reads off a model --*- C++ -*-===//
//
// The training runtime's view of a model module: the loss function with its
// #ternary.train_step request, which of its arguments are parameters, data,
// seeds and warm-up factors, the parameters' names, kinds and types; and
// PyTorch's default initialisation of the parameters.
//
//===----------------------------------------------------------------------===//

#ifndef TERNARY_TRAINING_TRAININGMODEL_H
#define TERNARY_TRAINING_TRAININGMODEL_H

#include "ternary/Support/Npy.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/Support/Error.h"

#include <random>
#include <string>
#include <vector>

namespace mlir {
namespace ternary {

using ::ternary::HostArray;

/// What a training run reads off the loss function's request.
struct TrainingModel {
  std::string loss, step, eval;
  std::vector<int64_t> params;
  std::vector<unsigned> dataArgs;
  /// Arguments marked `ternary.seed` (tensor<i64>): they receive a seed
  /// derived from --seed and the step, for ternary.dropout.
  std::vector<unsigned> seedArgs;
  /// Arguments marked `ternary.lambda` (tensor<f32>): they receive the
  /// quantisation warm-up factor of the step (--lambda-warmup-steps).
  std::vector<unsigned> lambdaArgs;
  std::vector<std::string> names; ///< parameter names
  std::vector<std::string> inits; ///< ternary.init of each ("" if none)
  std::vector<RankedTensorType> paramTypes;
  /// Names of the optimiser state buffers of a parameter, in the train
  /// step's order (TrainStepAttr::getStateNames).
  std::vector<std::string> stateNames;
};

/// The model of the first function of `module` with a #ternary.train_step
/// request (the dialect verified it when the module was parsed); an error
/// when there is none.
llvm::Expected<TrainingModel> readTrainingModel(ModuleOp module);

/// PyTorch's default initialisation of a parameter of kind `kind` (the
/// argument attribute `ternary.init`; by default `linear` for 2-D and more,
/// `bias` for a 1-D parameter after one, `ones` otherwise):
/// - linear / conv (nn.Linear, nn.Conv2d: kaiming_uniform(a = sqrt(5))):
///   U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in = product of dims 1..;
/// - bias: U(-1/sqrt(fan_in), ...) with the fan_in of the weight before it;
/// - embedding (nn.Embedding): N(0, 1);
/// - ones, zeros (norm gains and shifts).
/// `kinds` has one entry per parameter ("" for the default); an error for
/// a parameter of dynamic shape or an unknown kind.
llvm::Expected<std::vector<HostArray>>
initialiseParameters(const TrainingModel &m,
                     const std::vector<std::string> &kinds, std::mt19937 &rng);

/// Random arrays for the data arguments of `m`'s loss in `module`, for
/// benchmarks and tests: f32 values N(0, 1), i64 values (labels, token
/// ids) uniform in [0, classes); every dynamic dimension is `batch`.
std::vector<HostArray> randomTrainingData(ModuleOp module,
                                          const TrainingModel &m, int64_t batch,
                                          int64_t classes, std::mt19937 &rng);

/// The arrays of tool arguments ("@file.npy" or inline values), in order.
llvm::Expected<std::vector<HostArray>>
readArrayArguments(const std::vector<std::string> &specs);

/// Checks a data set (`what`: the flag that gave it): one array per data
/// argument of the loss and, unless the run is full-batch, equal first
/// dimensions (the examples).
llvm::Error checkTrainingData(const TrainingModel &m,
                              const std::vector<HostArray> &data,
                              const char *what, bool fullBatch);

/// Rows `rows` of `a` (along its first dimension), in that order.
HostArray gatherRows(const HostArray &a, const std::vector<int64_t> &rows);

} // namespace ternary
} // namespace mlir

#endif // TERNARY_TRAINING_TRAININGMODEL_H
