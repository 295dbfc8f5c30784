//===- LibraryRun.h - A run of a library model on a data set ----*- C++ -*-===//
//
// What `ternary-train --model NAME --data SET` trains: the data set loaded
// (lib/Data), the model built for it (lib/Models) with the run's schedule
// length, and the splits as the model's data arguments take them.
//
//===----------------------------------------------------------------------===//

#ifndef TERNARY_TRAINING_LIBRARYRUN_H
#define TERNARY_TRAINING_LIBRARYRUN_H

#include "ternary/Models/Models.h"

namespace mlir {
namespace ternary {

struct LibraryRun {
  OwningOpRef<ModuleOp> module;
  std::vector<::ternary::HostArray> train, eval, test;
  bool fullBatch = false;
  /// Which split `eval` is: "validation", or "test" when the data set has
  /// no validation split.
  std::string evalName = "validation";
  /// The completed configuration (models::configJson).
  std::string configJson;
  /// A corpus: bytes a token of the held-out text (0 otherwise), which
  /// turns nats a token into nats a byte.
  double bytesPerToken = 0;
  /// A corpus: its tokenizer (a language model's --compile writes its
  /// token table).
  std::shared_ptr<const ::ternary::text::Tokenizer> tokenizer;
};

/// Loads `dataName` (a name or directory; `toolDir` locates installed sets),
/// completes `config` for it with the length of `epochs` epochs in batches
/// of `batchSize` (or of `steps` steps when positive), and builds the model
/// in `context`. `test` is empty when the data set has no test split (a
/// corpus).
llvm::Expected<LibraryRun>
prepareLibraryRun(MLIRContext &context, models::ModelConfig config,
                  const std::string &dataName, const std::string &toolDir,
                  int64_t batchSize, unsigned epochs, int64_t steps = 0);

} // namespace ternary
} // namespace mlir

#endif // TERNARY_TRAINING_LIBRARYRUN_H
