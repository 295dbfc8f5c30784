//===- Models.cpp - The papers' architectures as training modules ---------===//
//
// Each architecture is a row of `kArchitectures`: its defaults, its
// parameters (names and shapes from the data and the configuration) and
// its forward pass (the logits, built from Layers). `buildModel` assembles
// the three functions every model has (@loss with its train-step request,
// @predict, @accuracy) from those two.
//
//===----------------------------------------------------------------------===//

#include "ternary/Models/Models.h"

#include "Layers.h"

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

struct Architecture {
  ArchitectureInfo info;
  double lr, weightDecay, dropout;
  bool decays;          ///< cosine schedule over the run by default
  int64_t defaultWidth; ///< hidden width (before hiddenMult)
  std::function<std::vector<ParamSpec>(const ModelConfig &, const DataShape &)>
      params;
  std::function<Forward(const ModelConfig &, const DataShape &)> forward;
};

using Kind = ::ternary::data::DatasetKind;

const char *describe(Kind kind) {
  switch (kind) {
  case Kind::Images:
    return "an image data set";
  case Kind::Graph:
    return "a graph data set (a Planetoid directory)";
  case Kind::Text:
    return "a text data set (train.tsv and test.tsv)";
  }
  return "";
}

int64_t product(llvm::ArrayRef<int64_t> dims) {
  int64_t p = 1;
  for (int64_t d : dims)
    p *= d;
  return p;
}

/// The hidden width of `config` (its width or the default, times the
/// multiplier, at least 1).
int64_t hidden(const ModelConfig &config, int64_t defaultWidth) {
  int64_t width = config.width > 0 ? config.width : defaultWidth;
  return std::max<int64_t>(1, std::llround(width * config.hiddenMult));
}

void linearParams(std::vector<ParamSpec> &specs, const std::string &name,
                  int64_t out, int64_t in) {
  specs.push_back({name + ".weight", {out, in}, ""});
  specs.push_back({name + ".bias", {out}, ""});
}

const Architecture kArchitectures[] = {
    {{"mlp",
      "multi-layer perceptron on flattened images (784-256-256-10 on "
      "MNIST): BitLinear, ReLU, BitLinear, ReLU, BitLinear",
      Kind::Images},
     1e-3,
     0.01,
     0.0,
     true,
     256,
     [](const ModelConfig &c, const DataShape &d) {
       std::vector<ParamSpec> specs;
       int64_t in = product(d.example), width = hidden(c, 256);
       for (int64_t l = 0; l < c.depth; ++l, in = width)
         linearParams(specs, "fc" + std::to_string(l + 1), width, in);
       linearParams(specs, "fc" + std::to_string(c.depth + 1), d.classes, in);
       return specs;
     },
     [](const ModelConfig &c, const DataShape &) -> Forward {
       return [c](Layers &l, ValueRange data, ValueRange p) {
         Value h = data[0];
         for (int64_t i = 0; i < c.depth; ++i)
           h = l.dropout(l.relu(l.linear(h, p[2 * i], p[2 * i + 1])),
                         *c.dropout);
         return l.linear(h, p[2 * c.depth], p[2 * c.depth + 1]);
       };
     }},
    {{"cnn",
      "the authors' MNIST CNN: 3x3 conv 32, ReLU, 3x3 conv 64, ReLU, "
      "2x2 max-pool, dropout 0.25, BitLinear 128, ReLU, dropout, "
      "BitLinear (convolutions 32-bit)",
      Kind::Images},
     1e-3,
     0.01,
     0.5,
     true,
     128,
     [](const ModelConfig &c, const DataShape &d) {
       std::vector<ParamSpec> specs;
       int64_t channels = d.example[0];
       specs.push_back({"conv1.weight", {32, channels, 3, 3}, "conv"});
       specs.push_back({"conv1.bias", {32}, ""});
       specs.push_back({"conv2.weight", {64, 32, 3, 3}, "conv"});
       specs.push_back({"conv2.bias", {64}, ""});
       int64_t flat = 64 * ((d.example[1] - 4) / 2) * ((d.example[2] - 4) / 2);
       int64_t width = hidden(c, 128);
       linearParams(specs, "fc1", width, flat);
       linearParams(specs, "fc2", d.classes, width);
       return specs;
     },
     [](const ModelConfig &c, const DataShape &) -> Forward {
       return [c](Layers &l, ValueRange data, ValueRange p) {
         Value h = l.relu(l.conv(data[0], p[0], p[1]));
         h = l.relu(l.conv(h, p[2], p[3]));
         h = l.flatten(l.dropout(l.maxPool2(h), 0.25));
         h = l.dropout(l.relu(l.linear(h, p[4], p[5])), *c.dropout);
         return l.linear(h, p[6], p[7]);
       };
     }},
    {{"cifar-cnn",
      "a small CNN for CIFAR-10: 3 blocks of 3x3 conv (32, 64, 128), ReLU, "
      "2x2 max-pool; dropout 0.25, BitLinear 256, ReLU, dropout, BitLinear "
      "(convolutions 32-bit)",
      Kind::Images},
     1e-3,
     0.01,
     0.5,
     true,
     256,
     [](const ModelConfig &c, const DataShape &d) {
       std::vector<ParamSpec> specs;
       int64_t channels = d.example[0], h = d.example[1], w = d.example[2];
       int64_t widths[] = {32, 64, 128};
       for (int b = 0; b < 3; ++b) {
         std::string name = "conv" + std::to_string(b + 1);
         specs.push_back(
             {name + ".weight", {widths[b], channels, 3, 3}, "conv"});
         specs.push_back({name + ".bias", {widths[b]}, ""});
         channels = widths[b];
         h = (h - 2) / 2;
         w = (w - 2) / 2;
       }
       int64_t width = hidden(c, 256);
       linearParams(specs, "fc1", width, channels * h * w);
       linearParams(specs, "fc2", d.classes, width);
       return specs;
     },
     [](const ModelConfig &c, const DataShape &) -> Forward {
       return [c](Layers &l, ValueRange data, ValueRange p) {
         Value h = data[0];
         for (int b = 0; b < 3; ++b)
           h = l.maxPool2(l.relu(l.conv(h, p[2 * b], p[2 * b + 1])));
         h = l.flatten(l.dropout(h, 0.25));
         h = l.dropout(l.relu(l.linear(h, p[6], p[7])), *c.dropout);
         return l.linear(h, p[8], p[9]);
       };
     }},
    {{"gcn",
      "2-layer graph convolutional network (Kipf and Welling): "
      "A BitLinear(dropout(ReLU(A BitLinear(x)))), hidden 32",
      Kind::Graph},
     0.01,
     5e-4,
     0.5,
     false,
     32,
     [](const ModelConfig &c, const DataShape &d) {
       std::vector<ParamSpec> specs;
       int64_t width = hidden(c, 32);
       linearParams(specs, "conv1", width, d.example[0]);
       linearParams(specs, "conv2", d.classes, width);
       return specs;
     },
     [](const ModelConfig &c, const DataShape &) -> Forward {
       return [c](Layers &l, ValueRange data, ValueRange p) {
         Graph g{data[1], data[2], data[3]};
         Value h = l.relu(l.propagate(g, l.linear(data[0], p[0], p[1])));
         h = l.dropout(h, *c.dropout);
         return l.propagate(g, l.linear(h, p[2], p[3]));
       };
     }},
    {{"sgc",
      "simplified graph convolution (Wu et al.): BitLinear(A A x), "
      "the propagation without parameters",
      Kind::Graph},
     // lr and weight decay: the best validation accuracy on Cora of
     // {0.01, 0.05, 0.2} x {5e-4, 5e-3, 5e-2} (docs/models.md).
     0.01,
     5e-4,
     0.0,
     false,
     0,
     [](const ModelConfig &, const DataShape &d) {
       std::vector<ParamSpec> specs;
       linearParams(specs, "linear", d.classes, d.example[0]);
       return specs;
     },
     [](const ModelConfig &, const DataShape &) -> Forward {
       return [](Layers &l, ValueRange data, ValueRange p) {
         Graph g{data[1], data[2], data[3]};
         Value h = l.propagate(g, l.propagate(g, data[0]));
         return l.linear(h, p[0], p[1]);
       };
     }},
    {{"widemlp",
      "WideMLP for text: the mean of the document's word embeddings (a "
      "32-bit embedding bag, 1024 wide), ReLU, dropout 0.5, BitLinear",
      Kind::Text},
     // lr: 1e-2 reaches 96.5 % on R8 in 2 epochs where 1e-3 reaches 89.8 %.
     1e-2,
     0.0,
     0.5,
     true,
     1024,
     [](const ModelConfig &c, const DataShape &d) {
       std::vector<ParamSpec> specs;
       int64_t width = hidden(c, 1024);
       specs.push_back(
           {"embedding.weight", {d.vocabulary, width}, "embedding"});
       linearParams(specs, "fc", d.classes, width);
       return specs;
     },
     [](const ModelConfig &c, const DataShape &) -> Forward {
       return [c](Layers &l, ValueRange data, ValueRange p) {
         Value h = l.relu(l.embeddingBag(p[0], data[0], data[1]));
         return l.linear(l.dropout(h, *c.dropout), p[1], p[2]);
       };
     }},
};

/// The layer of a parameter: its name before the first dot.
std::string layerOf(llvm::StringRef parameter) {
  return parameter.split('.').first.str();
}

const Architecture *find(llvm::StringRef name) {
  for (const Architecture &a : kArchitectures)
    if (name == a.info.name)
      return &a;
  return nullptr;
}

llvm::Error error(const llvm::Twine &message) {
  return llvm::createStringError(message);
}

} // namespace

llvm::ArrayRef<ArchitectureInfo> mlir::ternary::models::architectures() {
  static const std::vector<ArchitectureInfo> infos = [] {
    std::vector<ArchitectureInfo> v;
    for (const Architecture &a : kArchitectures)
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
    for (const Architecture &a : kArchitectures)
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
  if (arch.info.data == Kind::Text) {
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
  Type labelsType = RankedTensorType::get({dyn}, i64);
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
    Layers layers(b, config, training, seed);
    unsigned params = fn.getNumArguments() - specs.size();
    for (auto [i, spec] : llvm::enumerate(specs))
      if (llvm::is_contained(config.floatLayers, layerOf(spec.name)))
        layers.keepFloat(args[params + i]);
    Value logits = forward(layers, args.take_front(dataTypes.size()),
                           args.drop_front(params));
    return std::pair{std::move(layers), logits};
  };

  func::FuncOp loss = makeFunction("loss", lossInputs, scalarF32);
  {
    auto [layers, logits] = body(loss, /*training=*/true);
    Value l = layers.crossEntropy(logits, loss.getArgument(dataTypes.size()));
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

  b.setInsertionPointToEnd(module->getBody());
  func::FuncOp accuracy = makeFunction("accuracy", lossInputs, scalarF32);
  {
    auto [layers, logits] = body(accuracy, /*training=*/false);
    func::ReturnOp::create(
        b, layers.accuracy(logits, accuracy.getArgument(dataTypes.size())));
  }

  if (failed(verify(*module)))
    return error("internal error: the built module of '" + config.architecture +
                 "' does not verify");
  return module;
}

std::string mlir::ternary::models::configJson(const ModelConfig &c) {
  auto num = [](double v) {
    return llvm::formatv("{0}", llvm::format("%g", v)).str();
  };
  std::string out;
  auto member = [&](const char *key, const std::string &value, bool quote) {
    out += std::string(out.empty() ? "" : ", ") + "\"" + key +
           "\": " + (quote ? "\"" + value + "\"" : value);
  };
  member("architecture", c.architecture, true);
  member("precision", c.ternary ? "1.58" : "32", true);
  member("scale", stringifyScaleMethod(c.scale).str(), true);
  member("norm", stringifyNormKind(c.norm).str(), true);
  member("q", std::to_string(c.q), false);
  member("float_layers", llvm::join(c.floatLayers, ","), true);
  member("hidden_mult", num(c.hiddenMult), false);
  member("depth", std::to_string(c.depth), false);
  member("width", std::to_string(c.width), false);
  member("dropout", c.dropout ? num(*c.dropout) : "null", false);
  member("optimizer", stringifyOptimizer(c.optimizer).str(), true);
  member("lr", c.lr ? num(*c.lr) : "null", false);
  member("weight_decay", c.weightDecay ? num(*c.weightDecay) : "null", false);
  member("schedule",
         c.schedule ? stringifyLRSchedule(*c.schedule).str() : "default", true);
  member("warmup_steps", std::to_string(c.warmupSteps), false);
  member("total_steps", std::to_string(c.totalSteps), false);
  member("min_lr", num(c.minLr), false);
  return out;
}

DataShape mlir::ternary::models::shapeOf(const ::ternary::data::Dataset &data) {
  return {data.exampleShape, data.classes, data.kind, data.vocabulary};
}

int64_t mlir::ternary::models::stepsOfRun(const ::ternary::data::Dataset &data,
                                          int64_t batchSize, unsigned epochs) {
  if (data.fullBatch() || data.train.empty() || batchSize <= 0)
    return epochs;
  int64_t examples = data.train[0].shape[0];
  return int64_t(epochs) * ((examples + batchSize - 1) / batchSize);
}

std::vector<::ternary::HostArray>
mlir::ternary::models::modelArrays(const ModelConfig &config,
                                   std::vector<::ternary::HostArray> split) {
  if (config.architecture == "mlp" && !split.empty() &&
      split[0].shape.size() > 2) {
    ::ternary::HostArray &x = split[0];
    x.shape = {x.shape[0],
               product(llvm::ArrayRef<int64_t>(x.shape).drop_front())};
  }
  return split;
}

llvm::Expected<ModelConfig>
mlir::ternary::models::configFromJson(llvm::StringRef json) {
  auto parsed = llvm::json::parse(json);
  if (!parsed)
    return error("the model's config is not valid JSON: " +
                 llvm::toString(parsed.takeError()));
  const llvm::json::Object *o = parsed->getAsObject();
  if (!o)
    return error("the model's config is not a JSON object");
  auto text = [&](const char *key) -> llvm::Expected<std::string> {
    if (auto v = o->getString(key))
      return v->str();
    return error(llvm::Twine("the model's config has no string '") + key + "'");
  };
  auto number = [&](const char *key) -> llvm::Expected<double> {
    if (auto v = o->getNumber(key))
      return *v;
    return error(llvm::Twine("the model's config has no number '") + key + "'");
  };
  ModelConfig c;
  std::string problems;
  auto take = [&](auto expected, auto &&use) {
    if (!expected) {
      problems = llvm::toString(expected.takeError());
      return;
    }
    use(*expected);
  };
  take(text("architecture"), [&](std::string v) { c.architecture = v; });
  take(text("precision"), [&](std::string v) { c.ternary = v == "1.58"; });
  take(text("scale"), [&](std::string v) {
    c.scale = symbolizeScaleMethod(v).value_or(ScaleMethod::absmedian);
  });
  take(text("norm"), [&](std::string v) {
    c.norm = symbolizeNormKind(v).value_or(NormKind::layer);
  });
  take(number("q"), [&](double v) { c.q = unsigned(v); });
  if (auto layers = o->getString("float_layers"); layers && !layers->empty()) {
    llvm::SmallVector<llvm::StringRef> names;
    layers->split(names, ',');
    for (llvm::StringRef n : names)
      c.floatLayers.push_back(n.str());
  }
  take(number("hidden_mult"), [&](double v) { c.hiddenMult = v; });
  take(number("depth"), [&](double v) { c.depth = int64_t(v); });
  take(number("width"), [&](double v) { c.width = int64_t(v); });
  take(number("dropout"), [&](double v) { c.dropout = v; });
  take(text("optimizer"), [&](std::string v) {
    c.optimizer = symbolizeOptimizer(v).value_or(Optimizer::adamw);
  });
  take(number("lr"), [&](double v) { c.lr = v; });
  take(number("weight_decay"), [&](double v) { c.weightDecay = v; });
  take(text("schedule"),
       [&](std::string v) { c.schedule = symbolizeLRSchedule(v); });
  take(number("warmup_steps"), [&](double v) { c.warmupSteps = int64_t(v); });
  take(number("total_steps"), [&](double v) { c.totalSteps = int64_t(v); });
  take(number("min_lr"), [&](double v) { c.minLr = v; });
  if (!problems.empty())
    return error(problems);
  return c;
}
