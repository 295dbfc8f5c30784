//===- Trainer.cpp - The training loop around a compiled train step -------===//

#include "ternary/Training/Trainer.h"

#include "ternary/Training/Checkpoint.h"
#include "ternary/Training/Progress.h"

#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <cmath>
#include <fstream>
#include <numeric>
#include <random>

using namespace mlir;
using namespace mlir::ternary;
using ::ternary::DType;

namespace {

/// The warm-up factor of (0-based) step `t` over `warmupSteps` steps (the
/// semantics document's schedule): 2 sigmoid(5 t / N) - 1, then 1.
float warmupLambda(int64_t t, int64_t warmupSteps) {
  if (warmupSteps <= 0 || t >= warmupSteps)
    return 1.0f;
  double x = 5.0 * double(t) / double(warmupSteps);
  return static_cast<float>(2.0 / (1.0 + std::exp(-x)) - 1.0);
}

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
}

} // namespace

TrainState mlir::ternary::freshState(const TrainingModel &model,
                                     std::vector<HostArray> params) {
  TrainState s;
  for (unsigned k = 0; k < model.stateNames.size(); ++k)
    for (const HostArray &p : params)
      s.state.push_back(HostArray::zeros(DType::F32, p.shape));
  s.params = std::move(params);
  s.step = HostArray::zeros(DType::I64, {});
  return s;
}

llvm::Expected<double> mlir::ternary::evaluate(
    CompiledModule &compiled, const TrainingModel &model,
    const std::string &function, const std::vector<HostArray> &data,
    const std::vector<HostArray> &params, bool fullBatch, int64_t batchSize) {
  int64_t examples = fullBatch ? 1 : data[0].shape[0];
  int64_t step = fullBatch ? 1 : batchSize;
  // A batch's mean counts as many times as it has labelled items: its
  // examples, or the labels >= 0 of its last (i64) data array, where some
  // are ignored (-100: a masked language model's unmasked positions).
  auto weightOf = [&](const std::vector<HostArray> &args, int64_t rows) {
    if (model.dataArgs.empty())
      return double(rows);
    const HostArray &labels = args[model.dataArgs.back()];
    if (labels.dtype != DType::I64)
      return double(rows);
    int64_t labelled = 0;
    for (int64_t i = 0; i < labels.numElements(); ++i)
      labelled += labels.data<int64_t>()[i] >= 0;
    return double(labelled);
  };
  double sum = 0, weights = 0;
  for (int64_t begin = 0; begin < examples; begin += step) {
    int64_t end = std::min(examples, begin + step);
    std::vector<int64_t> rows(end - begin);
    std::iota(rows.begin(), rows.end(), begin);
    std::vector<HostArray> args(model.dataArgs.size() + model.seedArgs.size() +
                                model.lambdaArgs.size() + model.params.size());
    for (size_t d = 0; d < model.dataArgs.size(); ++d)
      args[model.dataArgs[d]] = fullBatch ? data[d] : gatherRows(data[d], rows);
    for (unsigned s : model.seedArgs) // unused: evaluation drops nothing
      args[s] = HostArray::zeros(DType::I64, {});
    for (unsigned l : model.lambdaArgs) { // evaluation is quantised
      args[l] = HostArray::zeros(DType::F32, {});
      args[l].data<float>()[0] = 1.0f;
    }
    for (size_t p = 0; p < model.params.size(); ++p)
      args[model.params[p]] = params[p];
    auto result = compiled.call(function, args);
    if (!result)
      return result.takeError();
    double weight = weightOf(args, end - begin);
    if (weight > 0)
      sum += double((*result)[0].data<float>()[0]) * weight;
    weights += weight;
  }
  return weights > 0 ? sum / weights : 0.0;
}

int mlir::ternary::train(CompiledModule &compiled, const TrainingModel &model,
                         const std::vector<HostArray> &data,
                         const std::vector<HostArray> &evalData, TrainState &s,
                         const TrainOptions &o, RunReport &report,
                         std::string &error) {
  auto started = std::chrono::steady_clock::now();
  auto failWith = [&](const llvm::Twine &message) {
    error = message.str();
    return 1;
  };
  auto stopped = [&] { return o.stopSignal && *o.stopSignal; };
  int64_t examples = data[0].shape.empty() ? 1 : data[0].shape[0];
  int64_t batches = o.fullBatch  ? 1
                    : o.dropLast ? examples / o.batchSize
                                 : (examples + o.batchSize - 1) / o.batchSize;
  if (batches == 0)
    return failWith("no complete batch: " + llvm::Twine(examples) +
                    " examples, --batch-size " + llvm::Twine(o.batchSize));
  if (s.resumeBatch >= batches)
    return failWith("checkpoint '" + s.resumedFrom +
                    "' was written after batch " + llvm::Twine(s.resumeBatch) +
                    " of an epoch of " + llvm::Twine(batches) +
                    " batches: resume with the same data and --batch-size");

  // Every step's loss so far (--losses): written with every checkpoint and
  // when the run stops, however it stops, so that nothing is lost.
  std::vector<float> losses;
  auto saveLosses = [&]() -> bool {
    if (o.lossesFile.empty())
      return true;
    HostArray a = HostArray::zeros(DType::F32, {int64_t(losses.size())});
    std::copy(losses.begin(), losses.end(), a.data<float>());
    return ::ternary::writeNpy(o.lossesFile, a, error);
  };
  auto writeCheckpoint = [&](unsigned epochsDone, int64_t batchesDone) -> bool {
    return writeTrainingCheckpoint(o.checkpoint, model, s.params, s.state,
                                   s.step, epochsDone, batchesDone, o.metadata,
                                   error) &&
           saveLosses();
  };

  std::ofstream csv;
  if (!o.stepsCsv.empty()) {
    csv.open(o.stepsCsv, std::ios::trunc);
    if (!csv)
      return failWith("cannot write '" + o.stepsCsv + "'");
    csv << "step,epoch,loss,lr,grad_norm,lambda,examples_per_second\n";
  }
  double bestAccuracy = -1;
  // The training loss since the last --eval-every evaluation.
  double sinceEvalSum = 0;
  int64_t sinceEvalCount = 0;
  Progress display(o.progress);
  int64_t stepsDone = 0;
  bool stop = false;
  for (unsigned epoch = s.firstEpoch; epoch <= o.epochs && !stop; ++epoch) {
    std::vector<int64_t> order(examples);
    std::iota(order.begin(), order.end(), 0);
    if (o.shuffle && !o.fullBatch) {
      std::mt19937 epochRng(o.seed * 1000003u + epoch);
      std::shuffle(order.begin(), order.end(), epochRng);
    }
    // With --max-steps, the bar and its ETA count the steps that will run.
    int64_t epochSteps =
        o.maxSteps > 0 ? std::min<int64_t>(batches, o.maxSteps - stepsDone)
                       : batches;
    display.startEpoch(epoch, o.epochs, epochSteps);
    double lossSum = 0;
    int64_t lossCount = 0, skipped = 0;
    int64_t firstBatch = epoch == s.firstEpoch ? s.resumeBatch : 0;
    int64_t b = firstBatch;
    for (; b < batches; ++b) {
      int64_t begin = b * o.batchSize;
      int64_t end = std::min(examples, begin + o.batchSize);
      std::vector<int64_t> rows(order.begin() + begin, order.begin() + end);
      std::vector<HostArray> batch;
      for (const HostArray &a : data)
        batch.push_back(o.fullBatch ? a : gatherRows(a, rows));
      // Arguments: the loss function's (data and parameters interleaved
      // as declared), then the state, then the step.
      std::vector<HostArray *> args(
          model.dataArgs.size() + model.seedArgs.size() +
          model.lambdaArgs.size() + model.params.size());
      for (size_t d = 0; d < model.dataArgs.size(); ++d)
        args[model.dataArgs[d]] = &batch[d];
      HostArray stepSeed = HostArray::zeros(DType::I64, {});
      stepSeed.data<int64_t>()[0] =
          int64_t(o.seed) * 1000003 + s.step.data<int64_t>()[0];
      for (unsigned s : model.seedArgs)
        args[s] = &stepSeed;
      HostArray stepLambda = HostArray::zeros(DType::F32, {});
      stepLambda.data<float>()[0] =
          warmupLambda(s.step.data<int64_t>()[0], o.lambdaWarmupSteps);
      for (unsigned l : model.lambdaArgs)
        args[l] = &stepLambda;
      for (size_t p = 0; p < model.params.size(); ++p)
        args[model.params[p]] = &s.params[p];
      for (HostArray &buffer : s.state)
        args.push_back(&buffer);
      args.push_back(&s.step);
      int64_t stepNumber = s.step.data<int64_t>()[0] + 1;
      std::vector<HostArray> before;
      if (o.skipNonFinite) {
        before = s.params;
        before.insert(before.end(), s.state.begin(), s.state.end());
        before.push_back(s.step);
      }
      auto stepStarted = std::chrono::steady_clock::now();
      auto result = compiled.callInPlace(model.step, args);
      if (!result)
        return failWith(llvm::toString(result.takeError()));
      float loss = (*result)[0].data<float>()[0];
      // A step that read or made a non-finite value: the loss, or any
      // updated parameter (a NaN gradient reaches every parameter it
      // updates).
      std::string what;
      if (!std::isfinite(loss))
        what = "the loss is " + ::ternary::formatFloat(loss);
      for (size_t p = 0; p < s.params.size() && what.empty(); ++p)
        if (std::string bad = ::ternary::firstNonFinite(s.params[p]);
            !bad.empty())
          what = "parameter '" + model.names[p] + "' holds " + bad +
                 " after the update";
      if (!what.empty()) {
        if (!o.skipNonFinite) {
          display.finish();
          if (!saveLosses())
            return 1;
          return failWith(
              "step " + llvm::Twine(stepNumber) + " (epoch " +
              llvm::Twine(epoch) + ", batch " + llvm::Twine(b + 1) +
              "): " + what + "; stopped" +
              (o.checkpoint.empty()
                   ? std::string()
                   : ", '" + o.checkpoint + "' keeps the last good state") +
              " (--on-nonfinite=skip skips such batches)");
        }
        // Undo the update: parameters, state and counter as before.
        for (size_t p = 0; p < s.params.size(); ++p)
          s.params[p] = before[p];
        for (size_t k = 0; k < s.state.size(); ++k)
          s.state[k] = before[s.params.size() + k];
        s.step = before.back();
        ++skipped;
        llvm::errs() << "ternary-train: step " << stepNumber << ": " << what
                     << "; batch skipped\n";
        continue;
      }
      losses.push_back(loss);
      if (csv.is_open()) {
        double seconds = std::chrono::duration<double>(
                             std::chrono::steady_clock::now() - stepStarted)
                             .count();
        // The step's results after the loss: the learning rate it used
        // and the gradients' global norm before clipping.
        csv << stepNumber << ',' << epoch << ',' << loss << ','
            << (*result)[1].data<double>()[0] << ','
            << (*result)[2].data<float>()[0] << ','
            << stepLambda.data<float>()[0] << ','
            << (seconds > 0 ? double(end - begin) / seconds : 0.0) << '\n';
      }
      lossSum += loss;
      ++lossCount;
      sinceEvalSum += loss;
      ++sinceEvalCount;
      display.update(b + 1 - firstBatch, end - begin, loss);
      ++stepsDone;
      if (o.evalEvery > 0 && !evalData.empty() &&
          stepsDone % o.evalEvery == 0) {
        auto evalLoss = evaluate(compiled, model, model.eval, evalData,
                                 s.params, o.fullBatch, o.batchSize);
        if (!evalLoss)
          return failWith(llvm::toString(evalLoss.takeError()));
        EvalRecord record;
        record.step = s.step.data<int64_t>()[0];
        record.trainLoss = sinceEvalSum / double(sinceEvalCount);
        record.evalLoss = *evalLoss;
        record.seconds = secondsSince(started);
        report.evals.push_back(record);
        sinceEvalSum = 0;
        sinceEvalCount = 0;
        char line[160];
        std::snprintf(line, sizeof(line),
                      "step %lld: train loss %.4f, %s loss %.4f\n",
                      static_cast<long long>(record.step), record.trainLoss,
                      o.evalName.c_str(), record.evalLoss);
        display.finish(); // a bar left mid-line
        llvm::outs() << line;
        llvm::outs().flush();
      }
      bool last = o.maxSteps > 0 && stepsDone >= o.maxSteps;
      if (!o.checkpoint.empty() && b + 1 < batches &&
          (last || stopped() ||
           (o.checkpointEvery > 0 && stepsDone % o.checkpointEvery == 0)))
        if (!writeCheckpoint(epoch - 1, b + 1))
          return 1;
      if (stopped()) {
        if (!o.checkpoint.empty() && b + 1 == batches &&
            !writeCheckpoint(epoch, 0))
          return 1;
        display.finish();
        llvm::errs() << "ternary-train: stopped by signal "
                     << int(*o.stopSignal) << " after step "
                     << s.step.data<int64_t>()[0]
                     << (o.checkpoint.empty()
                             ? std::string()
                             : "; '" + o.checkpoint +
                                   "' holds it (--resume continues)")
                     << "\n";
        if (!saveLosses())
          return 1;
        return 128 + *o.stopSignal;
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
    if (!evalData.empty()) {
      auto loss = evaluate(compiled, model, model.eval, evalData, s.params,
                           o.fullBatch, o.batchSize);
      if (!loss)
        return failWith(llvm::toString(loss.takeError()));
      if (!std::isfinite(*loss)) {
        llvm::outs() << "\n";
        return failWith(
            "epoch " + llvm::Twine(epoch) + ": the validation loss is " +
            ::ternary::formatFloat(*loss) + "; stopped" +
            (o.checkpoint.empty()
                 ? std::string()
                 : ", '" + o.checkpoint + "' keeps the last good state"));
      }
      std::snprintf(line, sizeof(line), ", %s loss %.4f", o.evalName.c_str(),
                    *loss);
      llvm::outs() << line;
      record.evalLoss = *loss;
      for (const std::string &metric : o.metrics) {
        auto value = evaluate(compiled, model, metric, evalData, s.params,
                              o.fullBatch, o.batchSize);
        if (!value)
          return failWith(llvm::toString(value.takeError()));
        std::snprintf(line, sizeof(line), ", %s %s %.4f", o.evalName.c_str(),
                      metric.c_str(), *value);
        llvm::outs() << line;
        if (metric == "accuracy")
          record.evalAccuracy = *value;
      }
    }
    record.seconds = secondsSince(started);
    report.epochs.push_back(record);
    // The best epoch so far by its accuracy: its own checkpoint.
    if (!o.bestCheckpoint.empty() && record.evalAccuracy &&
        *record.evalAccuracy > bestAccuracy) {
      bestAccuracy = *record.evalAccuracy;
      if (!writeTrainingCheckpoint(o.bestCheckpoint, model, s.params, s.state,
                                   s.step, epoch, 0, o.metadata, error))
        return 1;
    }
    llvm::outs() << "\n";
    llvm::outs().flush();

    // A whole epoch: its checkpoint (a run stopped mid-epoch wrote one).
    if (!o.checkpoint.empty() && b >= batches && !writeCheckpoint(epoch, 0))
      return 1;
  }

  if (!saveLosses())
    return 1;
  return 0;
}
