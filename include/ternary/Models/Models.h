//===- Models.h - The papers' architectures as training modules -*- C++ -*-===//
//
// Builds the training module of one of the papers' architectures with MLIR
// builders, sized from the data (features or image shape, classes) and a
// small configuration: precision (32-bit or 1.58-bit), BitLinear's scale,
// normalisation and Q, hidden sizes, dropout, optimiser and schedule. The
// module is what a user would write by hand (examples/mnist_mlp.mlir):
//
//   @loss      the mean cross-entropy of a batch, with the
//              #ternary.train_step request (step @train_step, eval
//              @eval_step) and its parameters named and initialised as
//              PyTorch does;
//   @predict   the logits (the data arguments without the labels, then the
//              parameters): what `ternary-train --export` freezes;
//   @accuracy  the fraction of the batch's labelled examples whose largest
//              logit is their label (the eval step's arguments).
//
//   ModelConfig config;
//   config.architecture = "mlp";
//   auto module = buildModel(context, config, {{1, 28, 28}, 10, false});
//
// docs/models.md describes every architecture and option.
//
//===----------------------------------------------------------------------===//

#ifndef TERNARY_MODELS_MODELS_H
#define TERNARY_MODELS_MODELS_H

#include "ternary/Data/Datasets.h"
#include "ternary/Dialect/Ternary/TernaryDialect.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/Error.h"

#include <optional>
#include <string>
#include <vector>

namespace mlir {
namespace ternary {
namespace models {

/// What a model is asked to be. Unset optionals take the architecture's
/// defaults (`completeConfig`), which follow the papers' authors.
struct ModelConfig {
  /// mlp, cnn, cifar-cnn, gcn, sgc, widemlp, gpt, bert, t5
  std::string architecture;
  bool ternary = true; ///< precision 1.58 (false: 32-bit layers)
  ScaleMethod scale = ScaleMethod::absmedian;
  NormKind norm = NormKind::layer;
  unsigned q = 128;
  /// Linear layers kept 32-bit in a 1.58-bit model, by name (`fc1`,
  /// `conv1`: the parameter names' prefixes); by default none (the
  /// authors: every linear layer is BitLinear).
  std::vector<std::string> floatLayers;
  double hiddenMult = 1.0; ///< multiplies every hidden width
  int64_t depth = 0;       ///< hidden layers of `mlp` (0: default 2)
  int64_t width = 0;       ///< hidden width before hiddenMult (0: default)
  std::optional<double> dropout;
  Optimizer optimizer = Optimizer::adamw;
  std::optional<double> lr, weightDecay;
  std::optional<LRSchedule> schedule;
  int64_t warmupSteps = -1; ///< -1: the schedule's default
  int64_t totalSteps = 0;   ///< steps of the run (cosine and linear decay)
  double minLr = 0.0;

  // Language models (`gpt`, `bert`, `t5`): `depth` is the number of blocks
  // (of each half of `t5`), `width` the model width; unset sizes come from
  // the preset `size`.
  std::string size;  ///< tiny, small, base ("": tiny)
  int64_t heads = 0; ///< attention heads (0: the preset's)
  /// Key/value heads, each shared by heads / kvHeads query heads
  /// (grouped-query attention; 0: one per query head).
  int64_t kvHeads = 0;
  int64_t context = 0;  ///< tokens an example (0: the preset's)
  double mlpMult = 4.0; ///< the MLP's width / the model width
  bool rmsNorm = false; ///< the blocks' norm: RMSNorm, else LayerNorm
  /// The MLP's: gelu, relu2, swiglu, relu2-glu ("": gelu).
  std::string activation;
  bool ternaryHead = false;       ///< the output head BitLinear too
  bool ternaryEmbeddings = false; ///< the embedding tables ternary too
  bool tieEmbeddings = false;     ///< the head is the token embedding table
  bool rotary = false; ///< rotary positions on Q and K, else learned ones
  std::string tokenizer = "char"; ///< char, gpt2, bert (docs/text.md)
};

/// The data a model is sized from.
struct DataShape {
  /// One example: {C, H, W} for images, {F} for a graph's node features,
  /// {L} for text (words a document).
  std::vector<int64_t> example;
  int64_t classes = 0;
  ::ternary::data::DatasetKind kind = ::ternary::data::DatasetKind::Images;
  int64_t vocabulary = 0; ///< text: the ids' range, padding included
};

/// How a corpus must be read for `config`: its tokenizer and the context
/// (the preset's when unset).
::ternary::data::LoadOptions loadOptions(const ModelConfig &config);

/// One architecture of the library.
struct ArchitectureInfo {
  const char *name;
  const char *summary;
  ::ternary::data::DatasetKind data; ///< the data sets it takes
};

/// Every architecture, in the order of docs/models.md.
llvm::ArrayRef<ArchitectureInfo> architectures();

/// The architecture called `name`, or null.
const ArchitectureInfo *findArchitecture(llvm::StringRef name);

/// `config` with the architecture's defaults in every unset field; an error
/// for an unknown architecture, a data set of the wrong kind, or values out
/// of range (each message names the option).
llvm::Expected<ModelConfig> completeConfig(const ModelConfig &config,
                                           const DataShape &data);

/// The training module of `config` (completed) for `data`.
llvm::Expected<OwningOpRef<ModuleOp>> buildModel(MLIRContext &context,
                                                 const ModelConfig &config,
                                                 const DataShape &data);

/// The shape a data set gives its models.
DataShape shapeOf(const ::ternary::data::Dataset &data);

/// The steps of a run of `epochs` over `data`'s training split in batches
/// of `batchSize` (one step an epoch for a graph).
int64_t stepsOfRun(const ::ternary::data::Dataset &data, int64_t batchSize,
                   unsigned epochs);

/// A split's arrays as the model's data arguments take them: images
/// flattened to [N, C*H*W] for the `mlp`, unchanged otherwise.
std::vector<::ternary::HostArray>
modelArrays(const ModelConfig &config, std::vector<::ternary::HostArray> split);

/// `split` with its first array's examples flattened ([N, C, H, W] ->
/// [N, C*H*W]): what a predictor whose first argument is a matrix takes.
std::vector<::ternary::HostArray>
flattenExamples(std::vector<::ternary::HostArray> split);

/// The configuration of a JSON object as `configJson` writes it (the
/// `config` metadata of a library model's checkpoint); an error names a
/// missing or malformed member.
llvm::Expected<ModelConfig> configFromJson(llvm::StringRef json);

/// The configuration as JSON object members (`"architecture": "mlp", ...`),
/// for metrics and checkpoints.
std::string configJson(const ModelConfig &config);

} // namespace models
} // namespace ternary
} // namespace mlir

#endif // TERNARY_MODELS_MODELS_H
