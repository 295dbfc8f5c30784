//===- ModelData.cpp - Configurations as JSON, data shapes and arrays -----===//
//
// What ties a model of the library to the rest of a run: its configuration
// as JSON (metrics and checkpoints) and back, the shape a data set gives
// it, the steps of a run, and a split's arrays as its arguments take them.
//
//===----------------------------------------------------------------------===//

#include "Architectures.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"

using namespace mlir;
using namespace mlir::ternary;
using namespace mlir::ternary::models;

namespace {
/// Whether `c` is a language model's (its members: size, heads, ...).
bool isLanguageModel(const ModelConfig &c) {
  const Architecture *a = find(c.architecture);
  return a && a->info.data == ::ternary::data::DatasetKind::Corpus;
}
} // namespace

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
  if (isLanguageModel(c)) {
    member("size", c.size, true);
    member("heads", std::to_string(c.heads), false);
    member("kv_heads", std::to_string(c.kvHeads), false);
    member("context", std::to_string(c.context), false);
    member("block_norm", c.rmsNorm ? "rms" : "layer", true);
    member("activation", c.activation, true);
    member("mlp_mult", num(c.mlpMult), false);
    member("ternary_head", c.ternaryHead ? "true" : "false", false);
    member("ternary_embeddings", c.ternaryEmbeddings ? "true" : "false", false);
    member("tie_embeddings", c.tieEmbeddings ? "true" : "false", false);
    member("positions", c.rotary ? "rotary" : "learned", true);
    member("tokenizer", c.tokenizer, true);
  }
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
  return config.architecture == "mlp" ? flattenExamples(std::move(split))
                                      : split;
}

std::vector<::ternary::HostArray> mlir::ternary::models::flattenExamples(
    std::vector<::ternary::HostArray> split) {
  if (!split.empty() && split[0].shape.size() > 2) {
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
    return llvm::createStringError("the model's config is not valid JSON: " +
                                   llvm::toString(parsed.takeError()));
  const llvm::json::Object *o = parsed->getAsObject();
  if (!o)
    return llvm::createStringError("the model's config is not a JSON object");
  auto text = [&](const char *key) -> llvm::Expected<std::string> {
    if (auto v = o->getString(key))
      return v->str();
    return llvm::createStringError(
        llvm::Twine("the model's config has no string '") + key + "'");
  };
  auto number = [&](const char *key) -> llvm::Expected<double> {
    if (auto v = o->getNumber(key))
      return *v;
    return llvm::createStringError(
        llvm::Twine("the model's config has no number '") + key + "'");
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
  // A language model's members (absent from the other models').
  if (isLanguageModel(c)) {
    take(text("size"), [&](std::string v) { c.size = v; });
    take(number("heads"), [&](double v) { c.heads = int64_t(v); });
    // Absent from checkpoints written before the option: one a head.
    c.kvHeads = o->getInteger("kv_heads").value_or(0);
    take(number("context"), [&](double v) { c.context = int64_t(v); });
    take(text("block_norm"), [&](std::string v) { c.rmsNorm = v == "rms"; });
    take(text("activation"), [&](std::string v) { c.activation = v; });
    if (auto v = o->getBoolean("ternary_head"))
      c.ternaryHead = *v;
    else
      problems = "the model's config has no boolean 'ternary_head'";
    // Absent from checkpoints written before the option: untied.
    c.tieEmbeddings = o->getBoolean("tie_embeddings").value_or(false);
    c.mlpMult = o->getNumber("mlp_mult").value_or(4.0);
    c.ternaryEmbeddings = o->getBoolean("ternary_embeddings").value_or(false);
    c.rotary = o->getString("positions").value_or("learned") == "rotary";
    take(text("tokenizer"), [&](std::string v) { c.tokenizer = v; });
  }
  if (!problems.empty())
    return llvm::createStringError(problems);
  return c;
}
