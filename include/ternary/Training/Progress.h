//===- Progress.h - Progress of training runs -------------------*- C++ -*-===//
//
// What ternary-train shows while it trains: a bar redrawn in place on a
// terminal, or plain lines (ten an epoch), with the loss, items/s and ETA.
//
//===----------------------------------------------------------------------===//

#ifndef TERNARY_TRAINING_PROGRESS_H
#define TERNARY_TRAINING_PROGRESS_H

#include <chrono>
#include <cstdint>
#include <string>

namespace mlir {
namespace ternary {

/// "h:mm:ss".
std::string formatDuration(double seconds);

/// The progress display: a bar redrawn in place on a terminal (or with
/// `bar`), plain lines (ten an epoch) otherwise, nothing with `none`.
class Progress {
public:
  /// `mode`: auto, bar, lines or none.
  explicit Progress(const std::string &mode);

  /// A new epoch of `steps` steps.
  void startEpoch(unsigned epoch, unsigned total, int64_t steps);

  /// Step `step` of the epoch done, on `batchItems` examples.
  void update(int64_t step, int64_t batchItems, double loss);

  /// Ends a bar left mid-line (before a message of the tool).
  void finish();

  /// Seconds since the epoch started.
  double seconds() const;

private:
  bool bar = false, quiet = false, lineOpen = false;
  unsigned epoch = 0, epochs = 0;
  int64_t steps = 0, items = 0;
  std::chrono::steady_clock::time_point start;
};

} // namespace ternary
} // namespace mlir

#endif // TERNARY_TRAINING_PROGRESS_H
