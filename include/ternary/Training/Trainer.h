//===- Trainer.h - The training loop around a compiled train step -*- C++ -*-=//
//
// What ternary-train runs once its model, data and parameters are ready:
// epochs of shuffled batches through the compiled train step, progress,
// non-finite checks, evaluation every epoch, checkpoints (every epoch, every
// N steps, the best epoch, on a stop signal), every step's loss, and the
// per-epoch figures of the run's report.
//
//===----------------------------------------------------------------------===//

#ifndef TERNARY_TRAINING_TRAINER_H
#define TERNARY_TRAINING_TRAINER_H

#include "ternary/Runner/Runner.h"
#include "ternary/Training/RunReport.h"
#include "ternary/Training/TrainingModel.h"

#include <csignal>
#include <map>

namespace mlir {
namespace ternary {

/// How a run trains (ternary-train's flags of the same names).
struct TrainOptions {
  int64_t batchSize = 64;
  unsigned epochs = 1;
  int64_t maxSteps = 0; ///< 0: no limit
  bool shuffle = true, fullBatch = false, dropLast = false;
  unsigned seed = 0;
  std::string checkpoint; ///< every epoch, and mid-epoch when stopped
  int64_t checkpointEvery = 0;
  /// Written at each epoch whose `accuracy` metric is the best so far.
  std::string bestCheckpoint;
  std::string lossesFile; ///< every step's loss, .npy
  /// One CSV row a step: step, epoch, loss, learning rate, the gradients'
  /// global norm, the quantisation warm-up factor (lambda), examples a
  /// second.
  std::string stepsCsv;
  /// Also evaluate the loss every N steps (0: at epoch ends only), into
  /// the report's `evals`.
  int64_t evalEvery = 0;
  int64_t lambdaWarmupSteps = 0;
  bool skipNonFinite = false;
  std::string progress = "auto";
  std::vector<std::string> metrics; ///< functions reported every epoch
  std::string evalName = "validation";
  /// Checkpoint metadata besides the position (the model, its config).
  std::map<std::string, std::string> metadata;
  /// Set by a signal handler: the run stops after its current step.
  const volatile std::sig_atomic_t *stopSignal = nullptr;
};

/// What a run trains and where it is: parameters, optimiser state (state
/// buffer s of parameter i at s * params.size() + i), the step counter,
/// and the position to start from (after --resume).
struct TrainState {
  std::vector<HostArray> params, state;
  HostArray step;
  unsigned firstEpoch = 1;
  int64_t resumeBatch = 0;
  std::string resumedFrom; ///< the checkpoint read (for messages)
};

/// The state of a fresh run of `model`: `params`, zero optimiser state and
/// step.
TrainState freshState(const TrainingModel &model,
                      std::vector<HostArray> params);

/// Runs the epochs. Returns 0 when they are done; 1 after a failure
/// (`error` says which); 128 + the signal when a stop signal ended the
/// run (after its checkpoint). Each epoch's figures go to `report.epochs`.
int train(CompiledModule &compiled, const TrainingModel &model,
          const std::vector<HostArray> &data,
          const std::vector<HostArray> &evalData, TrainState &s,
          const TrainOptions &options, RunReport &report, std::string &error);

/// The mean of `function` (the eval step's arguments, a scalar result) over
/// `data` in batches of `batchSize` (whole with `fullBatch`), each batch
/// weighted by its labelled items (the labels >= 0 of its last data array
/// when that is i64, else its examples), with the parameters `params`, no
/// dropout and lambda = 1.
llvm::Expected<double> evaluate(CompiledModule &compiled,
                                const TrainingModel &model,
                                const std::string &function,
                                const std::vector<HostArray> &data,
                                const std::vector<HostArray> &params,
                                bool fullBatch, int64_t batchSize);

} // namespace ternary
} // namespace mlir

#endif // TERNARY_TRAINING_TRAINER_H
