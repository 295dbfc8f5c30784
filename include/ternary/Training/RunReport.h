//===- RunReport.h - What a training run reports (metrics.json) -*- C++ -*-===//
//
// The figures of a run that a user compares runs by, written as JSON
// (ternary-train --metrics): the test accuracy at the last epoch (as the
// papers report it), the validation figures where the data has a
// validation split, the parameter count, the time, and one record an
// epoch. Plain C++.
//
//===----------------------------------------------------------------------===//

#ifndef TERNARY_TRAINING_RUNREPORT_H
#define TERNARY_TRAINING_RUNREPORT_H

#include <optional>
#include <string>
#include <vector>

namespace mlir {
namespace ternary {

struct EpochRecord {
  unsigned epoch = 0;
  double trainLoss = 0;
  /// On the validation split, or on the test split when the data has none
  /// (`evaluatedOn` says which).
  std::optional<double> evalLoss, evalAccuracy;
  double seconds = 0; ///< since the run's training started
};

/// An evaluation every N steps (--eval-every).
struct EvalRecord {
  int64_t step = 0;     ///< steps done
  double trainLoss = 0; ///< the mean loss of the steps since the last one
  double evalLoss = 0;  ///< on the split `evaluatedOn` names
  double seconds = 0;   ///< since the run's training started
};

struct RunReport {
  std::string model; ///< the model's name or file
  std::string data;  ///< the data set's name or directory
  /// JSON members of the model's configuration ("" for a model file).
  std::string configJson;
  std::string evaluatedOn = "validation"; ///< or "test"
  int64_t params = 0;
  /// Training and evaluation (not loading the data or compiling the model,
  /// which the runs of several seeds share).
  double seconds = 0;
  std::optional<double> testLoss, testAccuracy;
  std::vector<EpochRecord> epochs;
  std::vector<EvalRecord> evals;
  /// A language model: the report gives the last loss as perplexity too,
  /// and in nats a byte when `bytesPerToken` (bytes a token of the
  /// evaluated text) is known.
  bool languageModel = false;
  double bytesPerToken = 0;

  /// The report as a JSON object (non-finite numbers as null).
  std::string json() const;
  /// Writes json() to `path` (through a temporary file renamed into
  /// place); false with `error` set when it cannot.
  bool write(const std::string &path, std::string &error) const;
};

/// The reports of one run a seed as one JSON object: the model, data and
/// config, `seeds`, `test_accuracy` and `val_accuracy` as {mean, std,
/// values} (std: the sample standard deviation, n - 1), and `runs`, each
/// run's own report.
std::string seedsJson(const std::vector<RunReport> &runs,
                      const std::vector<unsigned> &seeds);

/// "test accuracy over N seeds: mean 0.9712, std 0.0011 (...)\n".
std::string seedsSummary(const std::vector<RunReport> &runs);

/// Draws the loss and accuracy of every epoch into a PNG at `path` with
/// Debian's gnuplot; false with `error` set when it cannot (no gnuplot, no
/// epochs).
bool writeCurves(const RunReport &report, const std::string &path,
                 std::string &error);

} // namespace ternary
} // namespace mlir

#endif // TERNARY_TRAINING_RUNREPORT_H
