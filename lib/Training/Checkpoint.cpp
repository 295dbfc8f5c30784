//===- Checkpoint.cpp - Checkpoints of training runs ----------------------===//

#include "ternary/Training/Checkpoint.h"
#include "ternary/Support/HostArrays.h"
#include "ternary/Support/Safetensors.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/Twine.h"

#include <set>

using namespace mlir;
using namespace mlir::ternary;
using ::ternary::firstNonFinite;

bool mlir::ternary::writeTrainingCheckpoint(
    const std::string &path, const TrainingModel &model,
    const std::vector<HostArray> &params, const std::vector<HostArray> &state,
    const HostArray &step, unsigned epochsDone, int64_t batchesDone,
    const std::map<std::string, std::string> &metadata, std::string &error) {
  ::ternary::TensorFile file;
  for (size_t i = 0; i < params.size(); ++i)
    file.tensors.emplace_back("param." + model.names[i], params[i]);
  for (unsigned s = 0; s < model.stateNames.size(); ++s)
    for (size_t i = 0; i < params.size(); ++i)
      file.tensors.emplace_back(model.stateNames[s] + "." + model.names[i],
                                state[s * params.size() + i]);
  file.tensors.emplace_back("step", step);
  for (const auto &[key, value] : metadata)
    file.metadata[key] = value;
  file.metadata["epoch"] = std::to_string(epochsDone);
  file.metadata["batch"] = std::to_string(batchesDone);
  return ::ternary::writeSafetensors(path, file, error);
}

bool mlir::ternary::readTrainingCheckpoint(
    const std::string &path, const TrainingModel &m,
    std::vector<HostArray> &params, std::vector<HostArray> &state,
    HostArray &step, unsigned &epochsDone, int64_t &batchesDone,
    std::string &error) {
  auto bad = [&](const llvm::Twine &message) {
    error = message.str();
    return false;
  };

  ::ternary::TensorFile file;
  if (!::ternary::readSafetensors(path, file, error))
    return false;
  std::set<std::string> used;
  auto load = [&](const std::string &name, HostArray &into) -> bool {
    const HostArray *a = file.find(name);
    if (!a || a->shape != into.shape || a->dtype != into.dtype) {
      error = "checkpoint '" + path + "' has no tensor '" + name +
              "' of shape " + into.shapeString() + " and dtype " +
              ::ternary::dtypeName(into.dtype) +
              (a ? std::string(" (it has ") + a->shapeString() + " " +
                       ::ternary::dtypeName(a->dtype) + ")"
                 : std::string()) +
              ": a checkpoint of another model?";
      return false;
    }
    if (std::string what = firstNonFinite(*a); !what.empty()) {
      error = "checkpoint '" + path + "': tensor '" + name + "' holds " + what;
      return false;
    }
    into = *a;
    used.insert(name);
    return true;
  };
  for (size_t i = 0; i < params.size(); ++i) {
    if (!load("param." + m.names[i], params[i]))
      return false;
    for (unsigned s = 0; s < m.stateNames.size(); ++s)
      if (!load(m.stateNames[s] + "." + m.names[i],
                state[s * params.size() + i]))
        return false;
    // AdamW's second moments are averages of squares.
    if (m.stateNames.size() == 2) {
      const HostArray &v = state[params.size() + i];
      for (int64_t e = 0; e < v.numElements(); ++e)
        if (v.data<float>()[e] < 0)
          return bad("checkpoint '" + path + "': tensor '" + m.stateNames[1] +
                     "." + m.names[i] +
                     "' holds a negative second moment at element " +
                     llvm::Twine(e));
    }
  }
  if (!load("step", step))
    return false;
  if (step.data<int64_t>()[0] < 0)
    return bad("checkpoint '" + path + "': the step counter is " +
               llvm::Twine(step.data<int64_t>()[0]) + ", not >= 0");
  for (const auto &[name, array] : file.tensors)
    if (!used.count(name))
      return bad("checkpoint '" + path + "' has a tensor '" + name +
                 "' the model does not have: a checkpoint of another "
                 "model?");
  auto epochText = file.metadata.find("epoch");
  int64_t lastEpoch = -1;
  if (epochText == file.metadata.end() ||
      llvm::StringRef(epochText->second).getAsInteger(10, lastEpoch) ||
      lastEpoch < 0 || lastEpoch > int64_t(1) << 31)
    return bad("checkpoint '" + path + "' has no valid epoch in its metadata" +
               (epochText == file.metadata.end()
                    ? std::string()
                    : " (\"" + epochText->second + "\")"));
  epochsDone = static_cast<unsigned>(lastEpoch);
  // Batches already done in the next epoch (a mid-epoch checkpoint).
  if (auto batchText = file.metadata.find("batch");
      batchText != file.metadata.end() &&
      (llvm::StringRef(batchText->second).getAsInteger(10, batchesDone) ||
       batchesDone < 0))
    return bad("checkpoint '" + path + "' has a bad batch (\"" +
               batchText->second + "\") in its metadata");
  return true;
}
