//===- ternary-generate.cpp - Sample text from a trained language model ---===//
//
// Compiles a library language model's prefill step (@prefill: a prompt at
// once, its keys and values into caches) and decoding step (@decode: one
// token a step, the earlier positions' keys and values from the caches)
// with its trained parameters bound and its weights packed, as deployed,
// then prefills the prompt and samples new tokens:
//
//   ternary-generate run/best.safetensors --prompt "ROMEO:" \
//       --max-new-tokens 200 --temperature 0.8 --top-k 40 --seed 1
//
// The checkpoint records the model, its configuration, its corpus and a
// character vocabulary; GPT-2's and BERT's vocabularies are the setup's
// files (--data reads the tokenizer off a corpus instead). When the context is
// full, its last half is prefilled again and generation goes on. The text goes
// to stdout as it is sampled; the counts and tokens a second to stderr.
//
//===----------------------------------------------------------------------===//

#include "ternary/Models/Models.h"
#include "ternary/Runner/Runner.h"
#include "ternary/Runner/ToolSupport.h"
#include "ternary/Support/Safetensors.h"
#include "ternary/Training/Export.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <random>

using namespace mlir;
using namespace mlir::ternary;
using ::ternary::DType;
using ::ternary::HostArray;
namespace cl = llvm::cl;

static cl::OptionCategory category("ternary-generate options");
static cl::opt<std::string> inputFile(cl::Positional,
                                      cl::desc("<checkpoint.safetensors>"),
                                      cl::cat(category));
static cl::opt<std::string>
    prompt("prompt", cl::desc("The text to continue (default: a newline)"),
           cl::init("\n"), cl::cat(category));
static cl::opt<int64_t> maxNewTokens("max-new-tokens",
                                     cl::desc("Tokens to sample"),
                                     cl::init(200), cl::cat(category));
static cl::opt<double>
    temperature("temperature",
                cl::desc("Divides the logits before sampling (0: always the "
                         "most likely token)"),
                cl::init(1.0), cl::cat(category));
static cl::opt<int64_t>
    topK("top-k",
         cl::desc("Sample among the K most likely tokens (0: all of them)"),
         cl::init(0), cl::cat(category));
static cl::opt<unsigned> seed("seed", cl::desc("Seed of the sampling"),
                              cl::init(1), cl::cat(category));
static cl::opt<std::string>
    dataName("data",
             cl::desc("The corpus whose tokenizer to use (default: the "
                      "checkpoint's vocabulary, else its corpus's)"),
             cl::cat(category));
static ThreadsOption threads(category);

static int fail(const llvm::Twine &message) {
  llvm::errs() << "ternary-generate: " << message << "\n";
  return 1;
}

namespace {

/// The next token from `logits` [V]: the most likely at temperature 0, else
/// a draw from the softmax of logits / temperature over the top k.
int64_t sample(const float *logits, int64_t vocabulary, std::mt19937_64 &rng) {
  std::vector<int64_t> order(vocabulary);
  std::iota(order.begin(), order.end(), 0);
  if (temperature <= 0)
    return *std::max_element(
        order.begin(), order.end(),
        [&](int64_t a, int64_t b) { return logits[a] < logits[b]; });
  int64_t k = topK > 0 ? std::min<int64_t>(topK, vocabulary) : vocabulary;
  std::partial_sort(
      order.begin(), order.begin() + k, order.end(),
      [&](int64_t a, int64_t b) { return logits[a] > logits[b]; });
  std::vector<double> weights(k);
  for (int64_t i = 0; i < k; ++i)
    weights[i] =
        std::exp((double(logits[order[i]]) - logits[order[0]]) / temperature);
  std::discrete_distribution<int64_t> pick(weights.begin(), weights.end());
  return order[pick(rng)];
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(argc, argv,
                              "Sample text from a trained language model\n");
  if (inputFile.empty())
    return fail("no checkpoint given (ternary-train --model gpt --out DIR "
                "writes DIR/best.safetensors)");
  if (maxNewTokens < 0)
    return fail("--max-new-tokens must be >= 0, got " +
                llvm::Twine(maxNewTokens));
  if (temperature < 0 || !std::isfinite(temperature))
    return fail("--temperature must be >= 0");
  if (topK < 0)
    return fail("--top-k must be >= 0, got " + llvm::Twine(topK));
  if (std::string error; !threads.apply(error))
    return fail(error);

  // The checkpoint: the model, its configuration, its corpus, parameters.
  ::ternary::TensorFile file;
  std::string error;
  if (!::ternary::readSafetensors(inputFile, file, error))
    return fail(error);
  auto configText = file.metadata.find("config");
  auto dataText = file.metadata.find("data");
  if (configText == file.metadata.end())
    return fail("'" + inputFile +
                "' is not a checkpoint of a library model (no 'config' in "
                "its metadata)");
  auto config = models::configFromJson(configText->second);
  if (!config)
    return fail(llvm::toString(config.takeError()));
  if (config->architecture != "gpt")
    return fail("'" + inputFile + "' holds a '" + config->architecture +
                "': only a decoder (gpt) generates text");
  // The tokenizer: a character vocabulary as the checkpoint records it,
  // GPT-2's or BERT's files as the setup installs them; without them (a
  // checkpoint from before the vocabulary was recorded, or --data), the
  // corpus's.
  std::string toolDir = ::ternary::data::runningToolDirectory();
  std::shared_ptr<const ::ternary::text::Tokenizer> tokenizerOwner;
  auto vocabulary = file.metadata.find("vocabulary");
  if (dataName.empty() && config->tokenizer == "char" &&
      vocabulary != file.metadata.end()) {
    tokenizerOwner =
        ::ternary::text::makeCharTokenizer(vocabulary->second, error);
  } else if (dataName.empty() && config->tokenizer != "char") {
    tokenizerOwner = ::ternary::text::loadTokenizer(
        config->tokenizer, "", ::ternary::text::TokenizerFiles(), toolDir,
        error);
  } else {
    std::string data = dataName;
    if (data.empty()) {
      if (dataText == file.metadata.end())
        return fail("'" + inputFile +
                    "' does not name its corpus: give --data");
      data = dataText->second;
    }
    auto corpus = ::ternary::data::loadDataset(
        data, toolDir, models::loadOptions(*config), error);
    if (!corpus)
      return fail(error);
    tokenizerOwner = corpus->textTokenizer;
  }
  if (!tokenizerOwner)
    return fail(error);
  const ::ternary::text::Tokenizer &tokenizer = *tokenizerOwner;
  // A decoder's data: examples of its context, one class a token.
  models::DataShape shape{{models::loadOptions(*config).context},
                          tokenizer.vocabularySize(),
                          ::ternary::data::DatasetKind::Corpus,
                          tokenizer.vocabularySize()};

  ToolContext tool;
  auto module = models::buildModel(tool.context(), *config, shape);
  if (!module)
    return fail(llvm::toString(module.takeError()));
  auto loss = (**module).lookupSymbol<func::FuncOp>("loss");
  std::vector<HostArray> params;
  for (unsigned i = 0; i < loss.getNumArguments(); ++i)
    if (auto name = loss.getArgAttrOfType<StringAttr>(i, "ternary.name")) {
      const HostArray *p = file.find("param." + name.str());
      if (!p)
        return fail("'" + inputFile + "' has no parameter '" + name.str() +
                    "'");
      params.push_back(*p);
    }
  auto decodeFn = (**module).lookupSymbol<func::FuncOp>("decode");
  auto cacheType = cast<RankedTensorType>(decodeFn.getArgumentTypes()[2]);
  int64_t depth = cacheType.getDimSize(0), context = cacheType.getDimSize(2),
          width = cacheType.getDimSize(3);
  auto exported = exportModule(
      **module, llvm::ArrayRef<std::string>{"prefill", "decode"}, params);
  if (!exported)
    return fail(llvm::toString(exported.takeError()));
  auto started = std::chrono::steady_clock::now();
  auto compiled = CompiledModule::compile(std::move(*exported),
                                          InferencePipelineOptions(), {});
  if (!compiled)
    return fail(llvm::toString(compiled.takeError()));
  double compileSeconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started)
          .count();

  std::vector<int64_t> tokens;
  if (!tokenizer.encode(prompt, tokens, error))
    return fail("--prompt: " + error);
  if (tokens.empty())
    return fail("--prompt is empty: give at least one token");
  int64_t promptTokens = int64_t(tokens.size());

  // The caches and one decoding step: the logits of `token` at `position`.
  HostArray keys = HostArray::zeros(DType::F32, {depth, 1, context, width});
  HostArray values = keys;
  HostArray logits;
  int64_t position = 0, steps = 0, prefills = 0;
  auto take = [&](llvm::Expected<std::vector<HostArray>> r) {
    if (!r) {
      error = llvm::toString(r.takeError());
      return false;
    }
    logits = std::move((*r)[0]);
    keys = std::move((*r)[1]);
    values = std::move((*r)[2]);
    return true;
  };
  auto step = [&](int64_t token) -> bool {
    HostArray ids = HostArray::zeros(DType::I64, {1});
    ids.data<int64_t>()[0] = token;
    HostArray at = HostArray::zeros(DType::I64, {});
    at.data<int64_t>()[0] = position;
    if (!take(compiled->call("decode", {ids, at, keys, values})))
      return false;
    ++position;
    ++steps;
    return true;
  };
  // Prefills `history`'s last `keep` tokens (all when they fit) at
  // positions 0, 1, ...: one call, the rest of the context padded.
  auto prefill = [&](const std::vector<int64_t> &history, int64_t keep) {
    int64_t n = std::min<int64_t>(keep, int64_t(history.size()));
    HostArray ids = HostArray::zeros(DType::I64, {1, context});
    std::copy(history.end() - n, history.end(), ids.data<int64_t>());
    HostArray last = HostArray::zeros(DType::I64, {});
    last.data<int64_t>()[0] = n - 1;
    if (!take(compiled->call("prefill", {ids, last})))
      return false;
    position = n;
    ++prefills;
    return true;
  };

  llvm::outs() << prompt;
  llvm::outs().flush();
  started = std::chrono::steady_clock::now();
  if (!prefill(tokens, context))
    return fail(error);
  std::mt19937_64 rng(seed);
  for (int64_t n = 0; n < maxNewTokens; ++n) {
    int64_t next = sample(logits.data<float>(), logits.shape[1], rng);
    tokens.push_back(next);
    std::string text;
    if (!tokenizer.decode({next}, text, error))
      return fail(error);
    llvm::outs() << text;
    llvm::outs().flush();
    if (n + 1 == maxNewTokens)
      break;
    // A full context: its last half prefilled again, then on.
    bool ok = position < context ? step(next) : prefill(tokens, context / 2);
    if (!ok)
      return fail(error);
  }
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started)
          .count();
  llvm::outs() << "\n";
  char line[300];
  std::snprintf(line, sizeof(line),
                "ternary-generate: %lld tokens sampled in %.3f s: %.0f "
                "tokens/s (%lld prompt tokens in 1 prefill, %lld refills of "
                "the context, %lld decoding steps; compiled in %.1f s)\n",
                static_cast<long long>(maxNewTokens), seconds,
                seconds > 0 ? maxNewTokens / seconds : 0.0,
                static_cast<long long>(std::min(context, promptTokens)),
                static_cast<long long>(prefills - 1),
                static_cast<long long>(steps), compileSeconds);
  llvm::errs() << line;
  return 0;
}
