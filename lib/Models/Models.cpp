//===- Models.cpp - The papers' architectures as training modules ---------===//
//
// A configuration completed with an architecture's defaults and checked
// against the data, and the module of a row of the table
// (Architectures.cpp): the three functions every model has (@loss with its
// train-step request, @predict, @accuracy) from the row's parameters and
// forward pass.
//
//===----------------------------------------------------------------------===//

#include "ternary/Models/Models.h"

#include "Architectures.h"

#include "ternary/Dialect/Ternary/TernaryOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"

#include <cmath>
#include <functional>

using namespace mlir;
using namespace mlir::ternary;
using namespace mlir::ternary::models;
namespace {

using Kind = ::ternary::data::DatasetKind;

const char *describe(Kind kind) {
  switch (kind) {
  case Kind::Images:
    return "an image data set";
  case Kind::Graph:
    return "a graph data set (a Planetoid directory)";
  case Kind::Text:
    return "a text data set (train.tsv and test.tsv)";
  case Kind::Corpus:
    return "a text corpus (a text file, a directory of .txt files, "
           "tinyshakespeare, moby-dick)";
  }
  return "";
}

llvm::Error error(const llvm::Twine &message) {
  return llvm::createStringError(message);
}

} // namespace

llvm::ArrayRef<ArchitectureInfo> mlir::ternary::models::architectures() {
  static const std::vector<ArchitectureInfo> infos = [] {
    std::vector<ArchitectureInfo> v;
    for (const Architecture &a : allArchitectures())
      v.push_back(a.info);
    return v;
  }();
  return infos;
}

const ArchitectureInfo *
mlir::ternary::models::findArchitecture(llvm::StringRef name) {
  const Architecture *a = find(name);
  return a ? &a->info : nullptr;
}

llvm::Expected<ModelConfig>
mlir::ternary::models::completeConfig(const ModelConfig &config,
                                      const DataShape &data) {
  const Architecture *arch = find(config.architecture);
  if (!arch) {
    std::string names;
    for (const Architecture &a : allArchitectures())
      names += std::string(names.empty() ? "" : ", ") + a.info.name;
    return error("unknown model '" + config.architecture +
                 "' (models: " + names + ")");
  }
  if (arch->info.data != data.kind)
    return error(llvm::Twine("model '") + arch->info.name + "' takes " +
                 describe(arch->info.data) + ", not " + describe(data.kind));
  if (data.classes < 2)
    return error("the data has " + llvm::Twine(data.classes) +
                 " classes; a classifier needs at least 2");
  if (data.example.size() != (arch->info.data == Kind::Images ? 3u : 1u) ||
      (data.kind == Kind::Text && data.vocabulary < 2))
    return error("unexpected example shape for model '" + config.architecture +
                 "'");
  ModelConfig c = config;
  if (data.kind == Kind::Corpus) {
    const TransformerPreset *preset = findPreset(c.size);
    if (!preset)
      return error("--size must be tiny, small or base, got '" + c.size + "'");
    if (c.depth == 0)
      c.depth = preset->blocks;
    if (c.heads == 0)
      c.heads = preset->heads;
    if (c.context == 0)
      c.context = preset->context;
    if (c.heads < 0)
      return error("--heads must be positive, got " + llvm::Twine(c.heads));
    if (c.kvHeads == 0)
      c.kvHeads = c.heads;
    if (c.kvHeads < 0 || c.heads % c.kvHeads != 0)
      return error("--kv-heads must divide the " + llvm::Twine(c.heads) +
                   " heads, got " + llvm::Twine(c.kvHeads));
    if (c.context != data.example[0])
      return error("the data was cut into examples of " +
                   llvm::Twine(data.example[0]) + " tokens, the model has " +
                   llvm::Twine(c.context) + " positions");
    int64_t width = std::max<int64_t>(
        1,
        std::llround((c.width > 0 ? c.width : preset->width) * c.hiddenMult));
    if (width % c.heads != 0)
      return error("the model width " + llvm::Twine(width) +
                   " is not a multiple of the " + llvm::Twine(c.heads) +
                   " heads (--width, --hidden-mult, --heads)");
    if (!(c.mlpMult > 0) || !std::isfinite(c.mlpMult))
      return error("--mlp-mult must be a positive number, got " +
                   llvm::formatv("{0}", llvm::format("%g", c.mlpMult)));
    if (c.rotary && (width / c.heads) % 2 != 0)
      return error("rotary positions need an even head width, got " +
                   llvm::Twine(width / c.heads) + " (--width / --heads)");
    if (!c.activation.empty() && c.activation != "gelu" &&
        c.activation != "relu2" && c.activation != "swiglu" &&
        c.activation != "relu2-glu")
      return error(
          "--activation must be gelu, relu2, swiglu or relu2-glu, got '" +
          c.activation + "'");
  }
  if (c.depth == 0)
    c.depth = 2;
  if (c.depth < 0)
    return error("--depth must be positive, got " + llvm::Twine(c.depth));
  if (c.width < 0)
    return error("--width must be positive, got " + llvm::Twine(c.width));
  if (!(c.hiddenMult > 0) || !std::isfinite(c.hiddenMult))
    return error("--hidden-mult must be a positive number, got " +
                 llvm::formatv("{0}", llvm::format("%g", c.hiddenMult)));
  if (!c.dropout)
    c.dropout = arch->dropout;
  if (!(*c.dropout >= 0 && *c.dropout < 1))
    return error("--dropout must be in [0, 1), got " +
                 llvm::formatv("{0}", llvm::format("%g", *c.dropout)));
  if (!c.lr)
    c.lr = c.optimizer == Optimizer::sgd ? arch->lr * 10 : arch->lr;
  if (!(*c.lr > 0) || !std::isfinite(*c.lr))
    return error("--lr must be a positive number, got " +
                 llvm::formatv("{0}", llvm::format("%g", *c.lr)));
  if (!c.weightDecay)
    c.weightDecay = arch->weightDecay;
  if (!(*c.weightDecay >= 0))
    return error("--weight-decay must be >= 0");
  if (!c.schedule)
    c.schedule = arch->decays && c.totalSteps > 0 ? LRSchedule::cosine
                                                  : LRSchedule::constant;
  if (c.warmupSteps < 0)
    c.warmupSteps = *c.schedule == LRSchedule::constant
                        ? 0
                        : std::min<int64_t>(50, c.totalSteps / 10);
  // Layers kept 32-bit must be linear layers of the model (a weight matrix
  // consumed by a linear layer; convolutions and embeddings are 32-bit
  // already).
  std::vector<std::string> linearLayers;
  for (const ParamSpec &p : arch->params(c, data))
    if (p.shape.size() == 2 && p.init.empty())
      linearLayers.push_back(layerOf(p.name));
  for (const std::string &layer : c.floatLayers)
    if (!llvm::is_contained(linearLayers, layer))
      return error("--float-layers: model '" + c.architecture +
                   "' has no linear layer '" + layer + "' (its linear " +
                   "layers: " + llvm::join(linearLayers, ", ") + ")");
  if (c.q != 127 && c.q != 128)
    return error("--q must be 127 or 128, got " + llvm::Twine(c.q));
  if (c.architecture == "cnn" && (data.example[1] < 6 || data.example[2] < 6))
    return error("model 'cnn' needs images of at least 6x6 pixels");
  if (c.architecture == "cifar-cnn" &&
      (data.example[1] < 22 || data.example[2] < 22))
    return error("model 'cifar-cnn' needs images of at least 22x22 pixels");
  return c;
}

::ternary::data::LoadOptions
mlir::ternary::models::loadOptions(const ModelConfig &config) {
  ::ternary::data::LoadOptions options;
  options.tokenizer = config.tokenizer;
  const Architecture *arch = find(config.architecture);
  options.objective = arch ? arch->objective : "next";
  const TransformerPreset *preset = findPreset(config.size);
  options.context = config.context > 0 ? config.context
                    : preset           ? preset->context
                                       : 0;
  return options;
}

llvm::Expected<OwningOpRef<ModuleOp>> mlir::ternary::models::buildModel(
    MLIRContext &context, const ModelConfig &requested, const DataShape &data) {
  auto completed = completeConfig(requested, data);
  if (!completed)
    return completed.takeError();
  const ModelConfig &config = *completed;
  const Architecture &arch = *find(config.architecture);
  context.loadDialect<TernaryDialect, arith::ArithDialect, func::FuncDialect,
                      linalg::LinalgDialect, tensor::TensorDialect>();

  Location loc =
      FileLineColLoc::get(&context, "model:" + config.architecture, 0, 0);
  OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
  ImplicitLocOpBuilder b(loc, &context);
  b.setInsertionPointToEnd(module->getBody());
  Type f32 = b.getF32Type(), i64 = b.getI64Type();
  constexpr int64_t dyn = ShapedType::kDynamic;

  // The data arguments (labels last) and the parameters.
  SmallVector<Type> dataTypes;
  Type labelsType = RankedTensorType::get({dyn}, i64);
  if (arch.info.data == Kind::Corpus) {
    for (int64_t positions : arch.textInputs(config))
      dataTypes.push_back(RankedTensorType::get({dyn, positions}, i64));
    labelsType = dataTypes.back(); // a label a position of the last
  } else if (arch.info.data == Kind::Text) {
    dataTypes = {RankedTensorType::get({dyn, data.example[0]}, i64),
                 RankedTensorType::get({dyn, data.example[0]}, f32)};
  } else if (arch.info.data == Kind::Graph) {
    dataTypes = {RankedTensorType::get({dyn, data.example[0]}, f32),
                 RankedTensorType::get({dyn}, i64),
                 RankedTensorType::get({dyn}, i64),
                 RankedTensorType::get({dyn}, f32)};
  } else if (config.architecture == "mlp") {
    dataTypes = {RankedTensorType::get({dyn, product(data.example)}, f32)};
  } else {
    dataTypes = {RankedTensorType::get(
        {dyn, data.example[0], data.example[1], data.example[2]}, f32)};
  }
  bool seeded = *config.dropout > 0 || config.architecture == "cnn" ||
                config.architecture == "cifar-cnn";
  std::vector<ParamSpec> specs = arch.params(config, data);
  SmallVector<Type> paramTypes;
  for (const ParamSpec &p : specs)
    paramTypes.push_back(RankedTensorType::get(p.shape, f32));
  Forward forward = arch.forward(config, data);
  auto scalarF32 = RankedTensorType::get({}, f32);

  // @loss(data..., labels, [seed], params...) and @accuracy (the same
  // arguments, no dropout), @predict(data..., params...).
  SmallVector<Type> lossInputs(dataTypes);
  lossInputs.push_back(labelsType);
  if (seeded)
    lossInputs.push_back(RankedTensorType::get({}, i64));
  unsigned firstParam = lossInputs.size();
  lossInputs.append(paramTypes);
  SmallVector<Type> predictInputs(dataTypes);
  predictInputs.append(paramTypes);
  auto logitsType = RankedTensorType::get({dyn, data.classes}, f32);

  auto makeFunction = [&](StringRef name, ArrayRef<Type> inputs, Type result) {
    auto fn =
        func::FuncOp::create(b, name, b.getFunctionType(inputs, {result}));
    b.setInsertionPointToStart(fn.addEntryBlock());
    return fn;
  };
  auto body = [&](func::FuncOp fn, bool training) {
    ValueRange args = fn.getArguments();
    Value seed = seeded && training ? args[dataTypes.size() + 1] : Value();
    ValueRange params = args.take_back(specs.size());
    Layers layers = layersFor(b, config, specs, params, training, seed);
    Value logits = forward(layers, args.take_front(dataTypes.size()), params);
    return std::pair{std::move(layers), logits};
  };

  // A language model's logits are one row a position: its labels too.
  auto labelsOf = [&](Layers &layers, func::FuncOp fn) {
    Value labels = fn.getArgument(dataTypes.size());
    return arch.info.data == Kind::Corpus ? layers.flattenPositions(labels)
                                          : labels;
  };
  func::FuncOp loss = makeFunction("loss", lossInputs, scalarF32);
  {
    auto [layers, logits] = body(loss, /*training=*/true);
    Value l = layers.crossEntropy(logits, labelsOf(layers, loss));
    func::ReturnOp::create(b, l);
  }
  for (auto [i, spec] : llvm::enumerate(specs)) {
    loss.setArgAttr(firstParam + i, "ternary.name", b.getStringAttr(spec.name));
    if (!spec.init.empty())
      loss.setArgAttr(firstParam + i, "ternary.init",
                      b.getStringAttr(spec.init));
  }
  if (seeded)
    loss.setArgAttr(dataTypes.size() + 1, "ternary.seed", b.getUnitAttr());

  SmallVector<int64_t> paramIndices;
  for (unsigned i = 0; i < specs.size(); ++i)
    paramIndices.push_back(firstParam + i);
  std::string diagnostics;
  TrainStepAttr request;
  {
    ScopedDiagnosticHandler handler(&context, [&](Diagnostic &d) {
      diagnostics += d.str();
      return success();
    });
    request = TrainStepAttr::getChecked(
        [&] { return emitError(loc); }, &context, llvm::StringRef("train_step"),
        b.getDenseI64ArrayAttr(paramIndices), llvm::StringRef("eval_step"),
        config.optimizer, llvm::APFloat(*config.lr), *config.schedule,
        config.warmupSteps, config.totalSteps, llvm::APFloat(config.minLr),
        llvm::APFloat(*config.weightDecay), llvm::APFloat(0.9),
        llvm::APFloat(0.999), llvm::APFloat(1e-8),
        llvm::APFloat(config.optimizer == Optimizer::sgd ? 0.9 : 0.0), false,
        llvm::APFloat(0.0));
  }
  if (!request)
    return error("the optimiser settings are invalid: " + diagnostics);
  loss->setAttr("ternary.train_step", request);

  b.setInsertionPointToEnd(module->getBody());
  func::FuncOp predict = makeFunction("predict", predictInputs, logitsType);
  {
    auto [layers, logits] = body(predict, /*training=*/false);
    func::ReturnOp::create(b, logits);
  }

  // A decoder's @decode and @prefill (Decoding.cpp).
  if (arch.decode)
    buildDecodingSteps(b, *module, arch, config, data, specs, paramTypes,
                       forward);

  b.setInsertionPointToEnd(module->getBody());
  func::FuncOp accuracy = makeFunction("accuracy", lossInputs, scalarF32);
  {
    auto [layers, logits] = body(accuracy, /*training=*/false);
    func::ReturnOp::create(b,
                           layers.accuracy(logits, labelsOf(layers, accuracy)));
  }

  if (failed(verify(*module)))
    return error("internal error: the built module of '" + config.architecture +
                 "' does not verify");
  return module;
}
