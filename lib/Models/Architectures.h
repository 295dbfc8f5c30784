//===- Architectures.h - The model library's table of models ----*- C++ -*-===//
//
// Private to lib/Models: what an architecture of the library is (its
// defaults, its parameters, its forward pass) and the table of them
// (Architectures.cpp). Models.cpp assembles a module from a row.
//
//===----------------------------------------------------------------------===//

#ifndef TERNARY_LIB_MODELS_ARCHITECTURES_H
#define TERNARY_LIB_MODELS_ARCHITECTURES_H

#include "Layers.h"

#include <functional>

namespace mlir {
namespace ternary {
namespace models {

/// A parameter: its name (PyTorch's), shape and initialisation kind (""
/// for the default: linear for matrices, bias after them).
struct ParamSpec {
  std::string name;
  std::vector<int64_t> shape;
  std::string init;
};

/// The logits from the data values (without the labels) and the
/// parameters, in the order the specs gave them.
using Forward =
    std::function<Value(Layers &, ValueRange data, ValueRange params)>;

/// One decoding step of a language model: the logits [B, V] of tokens [B]
/// at `position` (an index), the key and value caches [L, B, T, D] updated
/// in place of `keys` and `values`.
using DecodeStep =
    std::function<Value(Layers &, Value tokens, Value position, Value &keys,
                        Value &values, ValueRange params)>;

/// A row of the table.
struct Architecture {
  ArchitectureInfo info;
  double lr, weightDecay, dropout;
  bool decays;          ///< cosine schedule over the run by default
  int64_t defaultWidth; ///< hidden width (before hiddenMult)
  std::function<std::vector<ParamSpec>(const ModelConfig &, const DataShape &)>
      params;
  std::function<Forward(const ModelConfig &, const DataShape &)> forward;
  /// Language models: one decoding step with a key/value cache (@decode).
  std::function<DecodeStep(const ModelConfig &)> decode = nullptr;
  /// Language models: what the corpus is read for (LoadOptions::objective)
  /// and the positions of each data array before the labels (i64 [N, T_i];
  /// the labels have the last's).
  const char *objective = "next";
  std::function<std::vector<int64_t>(const ModelConfig &)> textInputs = nullptr;
};

/// Every architecture, in the order of docs/models.md.
llvm::ArrayRef<Architecture> allArchitectures();

/// The architecture called `name`, or null.
const Architecture *find(llvm::StringRef name);

/// The layer of a parameter: its name without the last component
/// (`fc1.weight` -> `fc1`, `blocks.0.attn.q.weight` -> `blocks.0.attn.q`).
std::string layerOf(llvm::StringRef parameter);

/// A language model's sizes (`--size`).
struct TransformerPreset {
  const char *name;
  int64_t blocks, width, heads, context;
};
/// The preset called `name` ("" is `tiny`), or null.
const TransformerPreset *findPreset(llvm::StringRef name);

/// The product of `dims`.
int64_t product(llvm::ArrayRef<int64_t> dims);

/// The layers of a function whose parameters are `params` (in the order of
/// `specs`): the linear layers `config` keeps 32-bit (--float-layers)
/// marked.
Layers layersFor(ImplicitLocOpBuilder &b, const ModelConfig &config,
                 llvm::ArrayRef<ParamSpec> specs, ValueRange params,
                 bool training = false, Value seed = Value());

/// A decoder's decoding step @decode and prefill step @prefill, appended to
/// `module` (Decoding.cpp): `forward` is its forward pass, `paramTypes`
/// the types of its parameters `specs`.
void buildDecodingSteps(ImplicitLocOpBuilder &b, ModuleOp module,
                        const Architecture &arch, const ModelConfig &config,
                        const DataShape &data, llvm::ArrayRef<ParamSpec> specs,
                        llvm::ArrayRef<Type> paramTypes,
                        const Forward &forward);

} // namespace models
} // namespace ternary
} // namespace mlir

#endif // TERNARY_LIB_MODELS_ARCHITECTURES_H
