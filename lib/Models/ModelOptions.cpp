//===- ModelOptions.cpp - The model library's command-line options --------===//

#include "ternary/Models/ModelOptions.h"

#include "Architectures.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"

#include <algorithm>

using namespace mlir;
using namespace mlir::ternary;
using namespace mlir::ternary::models;
namespace cl = llvm::cl;

ModelOptions::ModelOptions(cl::OptionCategory &category)
    : precision("precision",
                cl::desc("Weights of the linear layers: 1.58 (BitLinear) or "
                         "32 (plain f32)"),
                cl::init("1.58"), cl::cat(category)),
      scale("scale", cl::desc("BitLinear's weight scale: absmean, absmedian"),
            cl::init("absmedian"), cl::cat(category)),
      norm("norm",
           cl::desc("BitLinear's input normalisation: layer, rms, none"),
           cl::init("layer"), cl::cat(category)),
      optimizer("optimizer", cl::desc("adamw or sgd (momentum 0.9)"),
                cl::init("adamw"), cl::cat(category)),
      schedule("schedule",
               cl::desc("Learning-rate schedule: constant, linear_warmup, "
                        "cosine, two_stage (default: the model's)"),
               cl::init(""), cl::cat(category)),
      floatLayers("float-layers",
                  cl::desc("Linear layers kept 32-bit in a 1.58-bit model, "
                           "by name (fc1,fc3; default: none)"),
                  cl::CommaSeparated, cl::cat(category)),
      q("q", cl::desc("BitLinear's activation range Q: 128 or 127"),
        cl::init(128), cl::cat(category)),
      hiddenMult("hidden-mult", cl::desc("Multiplies every hidden width"),
                 cl::init(1.0), cl::cat(category)),
      dropout("dropout",
              cl::desc("Dropout probability (-1: the model's default)"),
              cl::init(-1.0), cl::cat(category)),
      lr("lr", cl::desc("Peak learning rate (0: the model's default)"),
         cl::init(0.0), cl::cat(category)),
      weightDecay("weight-decay",
                  cl::desc("Weight decay (-1: the model's default)"),
                  cl::init(-1.0), cl::cat(category)),
      minLr("min-lr", cl::desc("Lowest learning rate of a decaying schedule"),
            cl::init(0.0), cl::cat(category)),
      depth("depth",
            cl::desc("Hidden layers of the mlp (default 2); blocks of a "
                     "language model (default: --size's)"),
            cl::init(0), cl::cat(category)),
      width("width",
            cl::desc("Hidden width before --hidden-mult (0: the model's)"),
            cl::init(0), cl::cat(category)),
      warmupSteps("warmup-steps",
                  cl::desc("Learning-rate warm-up steps (-1: the "
                           "schedule's default)"),
                  cl::init(-1), cl::cat(category)),
      size("size",
           cl::desc("A language model's preset: tiny (2 blocks, width 64, 4 "
                    "heads, context 64), mini (3, 128, 4, 64), small (4, "
                    "256, 4, 128), base (6, 384, 6, 256)"),
           cl::init(""), cl::cat(category)),
      blockNorm("block-norm",
                cl::desc("A language model's block norm: layer (LayerNorm) "
                         "or rms (RMSNorm)"),
                cl::init("layer"), cl::cat(category)),
      activation("activation",
                 cl::desc("A language model's MLP: gelu, relu2 (ReLU^2), "
                          "swiglu (SiLU(x W1) * x W3, then W2), relu2-glu "
                          "(ReLU^2(x W1) * x W3, then W2: BitNet b1.58 "
                          "2B4T's)"),
                 cl::init("gelu"), cl::cat(category)),
      tokenizer("tokenizer",
                cl::desc("A corpus's tokenizer: char, gpt2, bert "
                         "(docs/text.md)"),
                cl::init("char"), cl::cat(category)),
      positions("positions",
                cl::desc("A language model's positions: learned (a table "
                         "added to the token embeddings) or rotary (Q and K "
                         "rotated by position, no table)"),
                cl::init("learned"), cl::cat(category)),
      heads("heads", cl::desc("Attention heads (0: --size's)"), cl::init(0),
            cl::cat(category)),
      kvHeads("kv-heads",
              cl::desc("Key/value heads, each shared by --heads / --kv-heads "
                       "query heads (grouped-query attention; 0: as many as "
                       "--heads)"),
              cl::init(0), cl::cat(category)),
      context("context",
              cl::desc("Tokens an example of a corpus (0: --size's)"),
              cl::init(0), cl::cat(category)),
      mlpMult("mlp-mult",
              cl::desc("A language model's MLP width as a multiple of the "
                       "model width (default 4)"),
              cl::init(4.0), cl::cat(category)),
      ternaryHead("ternary-head",
                  cl::desc("A language model's output head BitLinear too "
                           "(default: 32-bit)"),
                  cl::init(false), cl::cat(category)),
      ternaryEmbeddings(
          "ternary-embeddings",
          cl::desc("A language model's embedding tables looked up as their "
                   "ternary values (default: 32-bit)"),
          cl::init(false), cl::cat(category)),
      tieEmbeddings("tie-embeddings",
                    cl::desc("A language model's output head is its token "
                             "embedding table (no head parameter)"),
                    cl::init(false), cl::cat(category)) {}

llvm::Expected<ModelConfig>
ModelOptions::config(const std::string &name) const {
  ModelConfig c;
  c.architecture = name;
  if (precision != "1.58" && precision != "32")
    return llvm::createStringError("--precision must be 1.58 or 32, got '" +
                                   precision + "'");
  c.ternary = precision == "1.58";
  auto scaleValue = symbolizeScaleMethod(scale);
  if (!scaleValue)
    return llvm::createStringError(
        "--scale must be absmean or absmedian, got '" + scale + "'");
  c.scale = *scaleValue;
  auto normValue = symbolizeNormKind(norm);
  if (!normValue || *normValue == NormKind::layer_affine)
    return llvm::createStringError("--norm must be layer, rms or none, got '" +
                                   norm + "'");
  c.norm = *normValue;
  auto optimizerValue = symbolizeOptimizer(optimizer);
  if (!optimizerValue)
    return llvm::createStringError("--optimizer must be adamw or sgd, got '" +
                                   optimizer + "'");
  c.optimizer = *optimizerValue;
  if (!schedule.empty()) {
    auto scheduleValue = symbolizeLRSchedule(schedule);
    if (!scheduleValue)
      return llvm::createStringError(
          "--schedule must be constant, linear_warmup, cosine or two_stage, "
          "got '" +
          schedule + "'");
    c.schedule = *scheduleValue;
  }
  c.q = q;
  c.floatLayers.assign(floatLayers.begin(), floatLayers.end());
  c.hiddenMult = hiddenMult;
  if (dropout != -1.0)
    c.dropout = dropout;
  if (lr != 0.0)
    c.lr = lr;
  if (weightDecay != -1.0)
    c.weightDecay = weightDecay;
  c.minLr = minLr;
  c.depth = depth;
  c.width = width;
  c.warmupSteps = warmupSteps;
  if (!size.empty() && !findPreset(size))
    return llvm::createStringError(
        "--size must be tiny, mini, small or base, got '" + size + "'");
  c.size = size;
  if (blockNorm != "layer" && blockNorm != "rms")
    return llvm::createStringError("--block-norm must be layer or rms, got '" +
                                   blockNorm + "'");
  c.rmsNorm = blockNorm == "rms";
  c.activation = activation;
  c.tokenizer = tokenizer;
  c.heads = heads;
  c.kvHeads = kvHeads;
  c.context = context;
  c.mlpMult = mlpMult;
  c.ternaryHead = ternaryHead;
  c.ternaryEmbeddings = ternaryEmbeddings;
  c.tieEmbeddings = tieEmbeddings;
  if (positions != "learned" && positions != "rotary")
    return llvm::createStringError(
        "--positions must be learned or rotary, got '" + positions + "'");
  c.rotary = positions == "rotary";
  return c;
}

namespace {

/// A flat TOML document (`key = value` lines; strings in double or single
/// quotes, numbers, booleans, one-line arrays; `#` comments; no tables) as
/// a JSON object; an error names the line.
llvm::Expected<llvm::json::Value> parseFlatToml(llvm::StringRef text) {
  llvm::json::Object object;
  llvm::SmallVector<llvm::StringRef> lines;
  text.split(lines, '\n');
  auto scalar = [](llvm::StringRef v) -> std::optional<llvm::json::Value> {
    v = v.trim();
    if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') &&
        v.back() == v.front())
      return llvm::json::Value(v.drop_front().drop_back().str());
    if (v == "true" || v == "false")
      return llvm::json::Value(v == "true");
    int64_t i;
    if (!v.getAsInteger(10, i))
      return llvm::json::Value(i);
    double d;
    if (!v.getAsDouble(d))
      return llvm::json::Value(d);
    return std::nullopt;
  };
  for (size_t n = 0; n < lines.size(); ++n) {
    llvm::StringRef line = lines[n];
    // A comment: '#' outside quotes.
    char quote = 0;
    for (size_t i = 0; i < line.size(); ++i) {
      char c = line[i];
      if (quote && c == quote)
        quote = 0;
      else if (!quote && (c == '"' || c == '\''))
        quote = c;
      else if (!quote && c == '#') {
        line = line.take_front(i);
        break;
      }
    }
    line = line.trim();
    if (line.empty())
      continue;
    auto fail = [&](const llvm::Twine &what) {
      return llvm::createStringError("line " + llvm::Twine(n + 1) + ": " +
                                     what);
    };
    if (line.starts_with("["))
      return fail("tables are not read (flags are top-level keys)");
    if (!line.contains('='))
      return fail("expected key = value");
    auto [key, value] = line.split('=');
    key = key.trim();
    value = value.trim();
    if (key.empty() || value.empty())
      return fail("expected key = value");
    if (value.starts_with("[")) {
      if (!value.ends_with("]"))
        return fail("an array must close on its line");
      llvm::json::Array array;
      llvm::SmallVector<llvm::StringRef> items;
      value.drop_front().drop_back().split(items, ',', -1, false);
      for (llvm::StringRef item : items) {
        auto v = scalar(item);
        if (!v)
          return fail("'" + item.trim() + "' is not a TOML value");
        array.push_back(std::move(*v));
      }
      object[key] = std::move(array);
      continue;
    }
    auto v = scalar(value);
    if (!v)
      return fail("'" + value + "' is not a TOML value");
    object[key] = std::move(*v);
  }
  return llvm::json::Value(std::move(object));
}

} // namespace

bool mlir::ternary::models::applyConfigFile(const std::string &path,
                                            std::string &error) {
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer) {
    error =
        "--config: cannot read '" + path + "': " + buffer.getError().message();
    return false;
  }
  bool toml = llvm::StringRef(path).ends_with(".toml");
  auto parsed = toml ? parseFlatToml((*buffer)->getBuffer())
                     : llvm::json::parse((*buffer)->getBuffer());
  if (!parsed) {
    error = "--config '" + path + "': not valid " + (toml ? "TOML" : "JSON") +
            ": " + llvm::toString(parsed.takeError());
    return false;
  }
  const llvm::json::Object *object = parsed->getAsObject();
  if (!object) {
    error = "--config '" + path + "': must hold one JSON object of flags";
    return false;
  }
  auto options = cl::getRegisteredOptions();
  // Keys in a fixed order, so that the first bad one is always the same.
  std::vector<std::string> keys;
  for (const auto &member : *object)
    keys.push_back(member.first.str());
  std::sort(keys.begin(), keys.end());
  for (const std::string &key : keys) {
    std::string name = key;
    std::replace(name.begin(), name.end(), '_', '-');
    auto found = options.find(name);
    if (found == options.end() || name == "config" || name == "help") {
      error = "--config '" + path + "': unknown key '" + key + "'";
      return false;
    }
    cl::Option *option = found->second;
    if (option->getNumOccurrences() > 0)
      continue; // the command line wins
    const llvm::json::Value &value = *object->get(key);
    std::vector<llvm::json::Value> values;
    if (const llvm::json::Array *list = value.getAsArray())
      values.assign(list->begin(), list->end());
    else
      values.push_back(value);
    for (const llvm::json::Value &v : values) {
      std::string text;
      if (auto str = v.getAsString())
        text = str->str();
      else if (auto flag = v.getAsBoolean())
        text = *flag ? "true" : "false";
      else if (auto integer = v.getAsInteger())
        text = std::to_string(*integer);
      else if (auto number = v.getAsNumber())
        text = llvm::formatv("{0}", llvm::format("%.17g", *number)).str();
      else {
        error = "--config '" + path + "': the value of '" + key +
                "' must be a string, a number, a boolean or a list of them";
        return false;
      }
      if (option->addOccurrence(0, name, text)) {
        error = "--config '" + path + "': '" + text +
                "' is not a valid value of '" + key + "'";
        return false;
      }
    }
  }
  return true;
}
