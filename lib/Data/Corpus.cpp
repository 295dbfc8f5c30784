//===- Corpus.cpp - Text corpora as examples of a language model ----------===//
//
// A corpus is read whole, split (given by train/val files, or 90/10 by
// characters as nanoGPT splits Tiny Shakespeare), tokenized (lib/Text) and
// cut into consecutive, non-overlapping examples of the objective
// (ternary/Data/Objectives.h): ids [N, T] and the token after each [N, T]
// (next token); masked ids, their attention mask and the labels [N, T]
// (masked LM; the last example padded); the encoder's ids, the decoder's
// ids and the labels (span corruption). The held-out part is the
// validation split (there is no test split). The training loop shuffles
// the examples.
//
//===----------------------------------------------------------------------===//

#include "ternary/Data/Datasets.h"
#include "ternary/Text/Tokenizers.h"

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace ternary {
namespace data {

namespace {

namespace fs = std::filesystem;

bool readFile(const fs::path &path, std::string &out, std::string &error) {
  std::ifstream in(path, std::ios::binary);
  if (!in || fs::is_directory(path)) {
    error = "cannot read '" + path.string() + "'";
    return false;
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  out = buffer.str();
  return true;
}

/// The byte offset of the character `fraction` of the way through `text`
/// (UTF-8: counting lead bytes only).
size_t characterSplit(const std::string &text, double fraction) {
  int64_t characters = 0;
  for (unsigned char c : text)
    characters += (c & 0xC0) != 0x80;
  int64_t target = int64_t(double(characters) * fraction), seen = 0;
  for (size_t i = 0; i < text.size(); ++i)
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80 &&
        seen++ == target)
      return i;
  return text.size();
}

/// Examples of `context` tokens and the tokens after them.
bool cut(const std::vector<int64_t> &tokens, int64_t context,
         const std::string &what, std::vector<HostArray> &split,
         std::string &error) {
  int64_t n = tokens.empty() ? 0 : (int64_t(tokens.size()) - 1) / context;
  if (n < 1) {
    error = "the " + what + " text has " + std::to_string(tokens.size()) +
            " tokens; an example of context " + std::to_string(context) +
            " needs " + std::to_string(context + 1);
    return false;
  }
  HostArray x = HostArray::zeros(DType::I64, {n, context});
  HostArray y = HostArray::zeros(DType::I64, {n, context});
  for (int64_t e = 0; e < n; ++e)
    for (int64_t t = 0; t < context; ++t) {
      x.data<int64_t>()[e * context + t] = tokens[size_t(e * context + t)];
      y.data<int64_t>()[e * context + t] = tokens[size_t(e * context + t + 1)];
    }
  split = {std::move(x), std::move(y)};
  return true;
}

/// Examples of `context` tokens (no next tokens), the last one filled up
/// with `padId`, and the attention mask [N, T] (1: a token, 0: padding).
bool cutPadded(const std::vector<int64_t> &tokens, int64_t context,
               int64_t padId, const std::string &what,
               std::vector<HostArray> &split, std::string &error) {
  int64_t n = (int64_t(tokens.size()) + context - 1) / context;
  if (n < 1) {
    error = "the " + what + " text has no tokens";
    return false;
  }
  HostArray x = HostArray::zeros(DType::I64, {n, context});
  HostArray mask = HostArray::zeros(DType::I64, {n, context});
  for (int64_t k = 0; k < n * context; ++k) {
    bool token = k < int64_t(tokens.size());
    x.data<int64_t>()[k] = token ? tokens[size_t(k)] : padId;
    mask.data<int64_t>()[k] = token;
  }
  split = {std::move(x), std::move(mask)};
  return true;
}

/// Consecutive examples of `context` tokens, as many as the text holds.
bool cutRaw(const std::vector<int64_t> &tokens, int64_t context,
            const std::string &what, HostArray &raw, std::string &error) {
  int64_t n = int64_t(tokens.size()) / context;
  if (n < 1) {
    error = "the " + what + " text has " + std::to_string(tokens.size()) +
            " tokens; an example of context " + std::to_string(context) +
            " needs " + std::to_string(context);
    return false;
  }
  raw = HostArray::zeros(DType::I64, {n, context});
  std::copy_n(tokens.begin(), n * context, raw.data<int64_t>());
  return true;
}

} // namespace

bool loadCorpus(const std::string &path, const LoadOptions &options,
                const std::string &toolDir, Dataset &out, std::string &error) {
  if (options.context < 1) {
    error = "the context must be at least 1 token, got " +
            std::to_string(options.context);
    return false;
  }
  std::string train, test;
  fs::path p(path);
  if (fs::is_directory(p)) {
    fs::path trainFile = p / "train.txt", testFile;
    for (const char *name :
         {"val.txt", "valid.txt", "validation.txt", "test.txt"})
      if (testFile.empty() && fs::is_regular_file(p / name))
        testFile = p / name;
    if (fs::is_regular_file(trainFile) && !testFile.empty()) {
      if (!readFile(trainFile, train, error) ||
          !readFile(testFile, test, error))
        return false;
    } else {
      std::vector<fs::path> files;
      std::error_code ec;
      for (const auto &entry : fs::directory_iterator(p, ec))
        if (entry.is_regular_file() && entry.path().extension() == ".txt")
          files.push_back(entry.path());
      if (ec || files.empty()) {
        error = "'" + path + "' has no .txt files for a corpus";
        return false;
      }
      std::sort(files.begin(), files.end());
      std::string all, one;
      for (const fs::path &f : files) {
        if (!readFile(f, one, error))
          return false;
        all += (all.empty() ? "" : "\n") + one;
      }
      size_t at = characterSplit(all, 0.9);
      train = all.substr(0, at);
      test = all.substr(at);
    }
  } else {
    std::string all;
    if (!readFile(p, all, error))
      return false;
    size_t at = characterSplit(all, 0.9);
    train = all.substr(0, at);
    test = all.substr(at);
  }

  text::TokenizerFiles files;
  files.vocabulary = options.vocabulary;
  std::unique_ptr<text::Tokenizer> tokenizer =
      text::loadTokenizer(options.tokenizer, train, files, toolDir, error);
  if (!tokenizer) {
    error = "'" + path + "': " + error;
    return false;
  }
  std::vector<int64_t> trainIds, testIds;
  if (!tokenizer->encode(train, trainIds, error) ||
      !tokenizer->encode(test, testIds, error)) {
    error = "'" + path + "': " + error;
    return false;
  }
  out.name = path;
  out.kind = DatasetKind::Corpus;
  out.vocabulary = out.classes = tokenizer->vocabularySize();
  int64_t tokens = tokenizer->vocabularySize();
  auto failed = [&] {
    error = "'" + path + "': " + error;
    return false;
  };
  if (options.objective == "next") {
    if (!cut(trainIds, options.context, "training", out.train, error) ||
        !cut(testIds, options.context, "validation", out.validation, error))
      return failed();
  } else if (options.objective == "mlm") {
    // The examples' ids, masked, their attention mask, and the labels:
    // their tokens where masked. The last example of a split is padded.
    auto special = [&](const char *name) {
      int64_t id = tokenizer->specialId(name);
      return id >= 0 ? id : out.vocabulary++; // else one more id
    };
    out.maskId = special("[MASK]");
    out.padId = special("[PAD]");
    out.classes = out.vocabulary;
    if (!cutPadded(trainIds, options.context, out.padId, "training", out.train,
                   error) ||
        !cutPadded(testIds, options.context, out.padId, "validation",
                   out.validation, error))
      return failed();
    for (auto [split, seed] :
         {std::pair{&out.train, 1}, {&out.validation, 2}}) {
      HostArray labels;
      maskForMlm((*split)[0], labels, out.maskId, tokens, uint64_t(seed),
                 out.padId);
      split->push_back(std::move(labels));
    }
  } else if (options.objective == "span") {
    // T5's span corruption: sentinels and the decoder's start are new ids.
    if (options.context < 2) {
      error = "span corruption needs a context of at least 2 tokens";
      return failed();
    }
    HostArray trainRaw, testRaw;
    if (!cutRaw(trainIds, options.context, "training", trainRaw, error) ||
        !cutRaw(testIds, options.context, "validation", testRaw, error))
      return failed();
    out.firstSentinel = tokens;
    out.decoderStart = tokens + spanLengths(options.context).spans + 1;
    out.vocabulary = out.classes = out.decoderStart + 1;
    out.train = spanCorruptionExamples(trainRaw, out.firstSentinel,
                                       out.decoderStart, 1);
    out.validation =
        spanCorruptionExamples(testRaw, out.firstSentinel, out.decoderStart, 2);
  } else {
    error = "unknown objective '" + options.objective + "' (next, mlm, span)";
    return false;
  }
  out.exampleShape = {options.context};
  out.tokenizer = options.tokenizer;
  out.textTokenizer = std::move(tokenizer);
  // Nats a token to nats a byte; not for span corruption, whose targets
  // are not the text's tokens.
  if (options.objective != "span") {
    out.heldOutBytes = int64_t(test.size());
    out.heldOutTokens = int64_t(testIds.size());
  }
  return true;
}

} // namespace data
} // namespace ternary
