//===- ModelOptions.h - The model library's command-line options -*- C++ -*-=//
//
// The options that configure a model of the library, shared by the tools
// that build one (ternary-model, ternary-train --model): declare a
// ModelOptions in the tool's option category, then read `config()` after
// the command line is parsed.
//
//===----------------------------------------------------------------------===//

#ifndef TERNARY_MODELS_MODELOPTIONS_H
#define TERNARY_MODELS_MODELOPTIONS_H

#include "ternary/Models/Models.h"

#include "llvm/Support/CommandLine.h"

namespace mlir {
namespace ternary {
namespace models {

class ModelOptions {
public:
  explicit ModelOptions(llvm::cl::OptionCategory &category);
  /// The configuration the flags ask for (architecture from `name`); an
  /// error names the flag whose value is wrong.
  llvm::Expected<ModelConfig> config(const std::string &name) const;

private:
  llvm::cl::opt<std::string> precision, scale, norm, optimizer, schedule;
  llvm::cl::list<std::string> floatLayers;
  llvm::cl::opt<unsigned> q;
  llvm::cl::opt<double> hiddenMult, dropout, lr, weightDecay, minLr;
  llvm::cl::opt<int64_t> depth, width, warmupSteps;
  // Language models.
  llvm::cl::opt<std::string> size, blockNorm, activation, tokenizer, positions;
  llvm::cl::opt<int64_t> heads, kvHeads, context;
  llvm::cl::opt<double> mlpMult;
  llvm::cl::opt<bool> ternaryHead, ternaryEmbeddings, tieEmbeddings;
};

/// Applies the JSON object in `path` (or, for a `.toml` file, its flat TOML
/// `key = value` lines) as command-line flags: each key names a
/// registered option of the tool (`_` or `-` between words: `hidden_mult`,
/// `batch-size`), its value a string, number or boolean (a list for an
/// option given several times). An option given on the command line keeps
/// its value. False with `error` set for an unreadable file, malformed
/// JSON, an unknown key or a value the option refuses.
bool applyConfigFile(const std::string &path, std::string &error);

} // namespace models
} // namespace ternary
} // namespace mlir

#endif // TERNARY_MODELS_MODELOPTIONS_H
