//===- Checkpoint.h - Checkpoints of training runs --------------*- C++ -*-===//
//
// The safetensors checkpoints of ternary-train: the parameters
// (`param.NAME`), the optimiser state (`exp_avg.NAME`, ...), the step
// counter, and metadata (`epoch`: whole epochs done, `batch`: batches done
// in the next one; the caller's: `model`, the module's file or the library
// model's name, and for a library model `config` and `data`, what
// ternary-eval rebuilds it from). Written atomically; read back with every
// check a resumed run relies on.
//
//===----------------------------------------------------------------------===//

#ifndef TERNARY_TRAINING_CHECKPOINT_H
#define TERNARY_TRAINING_CHECKPOINT_H

#include "ternary/Training/TrainingModel.h"

#include <map>
#include <string>
#include <vector>

namespace mlir {
namespace ternary {

/// Writes the checkpoint of `model`'s `params`, `state` (state buffer s of
/// parameter i at s * params.size() + i) and `step` after `epochsDone`
/// epochs and `batchesDone` batches of the next, and `metadata`, to
/// `path`, atomically.
bool writeTrainingCheckpoint(
    const std::string &path, const TrainingModel &model,
    const std::vector<HostArray> &params, const std::vector<HostArray> &state,
    const HostArray &step, unsigned epochsDone, int64_t batchesDone,
    const std::map<std::string, std::string> &metadata, std::string &error);

/// Reads a checkpoint into `params`, `state` and `step` (already of the
/// model's shapes) and the position it was written at. Refuses, with the
/// reason in `error`: a file that is not a safetensors checkpoint, tensors
/// the model does not have or lacks (names, shapes, dtypes), non-finite
/// values, negative AdamW second moments, a negative step counter, a
/// missing or bad epoch or batch. Nothing is changed on failure but the
/// outputs.
bool readTrainingCheckpoint(const std::string &path, const TrainingModel &m,
                            std::vector<HostArray> &params,
                            std::vector<HostArray> &state, HostArray &step,
                            unsigned &epochsDone, int64_t &batchesDone,
                            std::string &error);

} // namespace ternary
} // namespace mlir

#endif // TERNARY_TRAINING_CHECKPOINT_H
