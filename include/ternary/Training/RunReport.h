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
  double seconds = 0; ///< since the run started
};

struct RunReport {
  std::string model; ///< the model's name or file
  std::string data;  ///< the data set's name or directory
  /// JSON members of the model's configuration ("" for a model file).
  std::string configJson;
  std::string evaluatedOn = "validation"; ///< or "test"
  int64_t params = 0;
  double seconds = 0;
  std::optional<double> testLoss, testAccuracy;
  std::vector<EpochRecord> epochs;

  /// The report as a JSON object (non-finite numbers as null).
  std::string json() const;
  /// Writes json() to `path` (through a temporary file renamed into
  /// place); false with `error` set when it cannot.
  bool write(const std::string &path, std::string &error) const;
};

} // namespace ternary
} // namespace mlir

#endif // TERNARY_TRAINING_RUNREPORT_H
