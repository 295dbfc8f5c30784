//===- TrainSteps.h - A few train steps of a benchmark model ----*- C++ -*-===//
//
// For the tests that compare two compilations of a whole train step (on
// several thread counts, with a code-generation step on and off): a model
// of bench/ with random parameters and data, and what three steps from the
// same start leave, as bytes.
//
//===----------------------------------------------------------------------===//

#ifndef TERNARY_TEST_UNITTESTS_CODEGEN_TRAINSTEPS_H
#define TERNARY_TEST_UNITTESTS_CODEGEN_TRAINSTEPS_H

#include "Jit.h"

#include "ternary/Runner/Threads.h"
#include "ternary/Training/TrainingModel.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/Support/MemoryBuffer.h"

#include <optional>
#include <random>

namespace ternary_test {

/// Restores the thread count a test changed.
struct ThreadCountGuard {
  int saved = mlir::ternary::threadCount();
  ~ThreadCountGuard() { mlir::ternary::setThreadCount(saved); }
};

/// A model of bench/, its train step's signature, random parameters
/// (PyTorch's initialisation) and a random batch.
struct TrainStepCase {
  std::string text;
  mlir::ternary::TrainingModel model;
  std::vector<::ternary::HostArray> params, data;
};

/// Loads bench/`file` with `batch` examples of `classes` classes; a test
/// failure and nothing when it cannot.
inline std::optional<TrainStepCase> loadTrainStepCase(Jit &jit,
                                                      const std::string &file,
                                                      int64_t batch,
                                                      int64_t classes) {
  auto text =
      llvm::MemoryBuffer::getFile(std::string(TERNARY_BENCH_DIR) + "/" + file);
  if (!text) {
    ADD_FAILURE() << "cannot read " << file;
    return std::nullopt;
  }
  mlir::MLIRContext context(jit.dialects());
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>((*text)->getBuffer(), &context);
  if (!module) {
    ADD_FAILURE() << "cannot parse " << file;
    return std::nullopt;
  }
  auto model = mlir::ternary::readTrainingModel(*module);
  if (!model) {
    ADD_FAILURE() << llvm::toString(model.takeError());
    return std::nullopt;
  }
  std::mt19937 rng(5);
  auto params = mlir::ternary::initialiseParameters(*model, model->inits, rng);
  if (!params) {
    ADD_FAILURE() << llvm::toString(params.takeError());
    return std::nullopt;
  }
  std::vector<::ternary::HostArray> data =
      mlir::ternary::randomTrainingData(*module, *model, batch, classes, rng);
  return TrainStepCase{(*text)->getBuffer().str(), std::move(*model),
                       std::move(*params), std::move(data)};
}

/// What three train steps from the same start leave: every loss, every
/// parameter and optimiser state, as bytes.
inline std::vector<std::vector<char>>
threeSteps(mlir::ternary::CompiledModule &compiled, const TrainStepCase &c) {
  using ::ternary::DType;
  using ::ternary::HostArray;
  const mlir::ternary::TrainingModel &m = c.model;
  std::vector<HostArray> params = c.params, state;
  for (size_t s = 0; s < m.stateNames.size(); ++s)
    for (const HostArray &p : params)
      state.push_back(HostArray::zeros(DType::F32, p.shape));
  HostArray step = HostArray::zeros(DType::I64, {});
  std::vector<HostArray> inputs = c.data;
  std::vector<std::vector<char>> out;
  for (int s = 0; s < 3; ++s) {
    // Dropout seeds: the step's number, the same for every compilation.
    HostArray seed = HostArray::zeros(DType::I64, {});
    seed.data<int64_t>()[0] = 7 + s;
    std::vector<HostArray *> args(m.dataArgs.size() + m.seedArgs.size() +
                                  m.params.size());
    for (size_t d = 0; d < m.dataArgs.size(); ++d)
      args[m.dataArgs[d]] = &inputs[d];
    for (size_t p = 0; p < m.params.size(); ++p)
      args[m.params[p]] = &params[p];
    for (unsigned r : m.seedArgs)
      args[r] = &seed;
    for (HostArray &st : state)
      args.push_back(&st);
    args.push_back(&step);
    auto loss = compiled.callInPlace(m.step, args);
    if (!loss) {
      ADD_FAILURE() << llvm::toString(loss.takeError());
      return out;
    }
    out.push_back((*loss)[0].bytes);
  }
  for (const HostArray &p : params)
    out.push_back(p.bytes);
  for (const HostArray &st : state)
    out.push_back(st.bytes);
  return out;
}

} // namespace ternary_test

#endif // TERNARY_TEST_UNITTESTS_CODEGEN_TRAINSTEPS_H
