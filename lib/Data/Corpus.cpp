//===- Corpus.cpp - Text corpora as examples of a language model ----------===//
//
// A corpus is read whole, split (given by train/val files, or 90/10 by
// characters as nanoGPT splits Tiny Shakespeare), tokenized (lib/Text) and
// cut into consecutive, non-overlapping examples: ids [N, T] and the token
// after each, [N, T]. The held-out part is the validation split (there is
// no test split). The training loop shuffles the examples.
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

} // namespace

float uniformDraw(uint64_t seed, uint64_t index) {
  uint64_t z = (seed << 32) + index + 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z = z ^ (z >> 31);
  return static_cast<float>(z >> 40) * (1.0f / (1 << 24));
}

void maskForMlm(HostArray &ids, HostArray &labels, int64_t maskId,
                int64_t randomTokens, uint64_t seed) {
  labels = HostArray::zeros(DType::I64, ids.shape);
  int64_t *id = ids.data<int64_t>(), *label = labels.data<int64_t>();
  for (int64_t k = 0; k < ids.numElements(); ++k) {
    uint64_t base = 3 * uint64_t(k);
    if (uniformDraw(seed, base) >= 0.15f) {
      label[k] = -100;
      continue;
    }
    label[k] = id[k];
    float how = uniformDraw(seed, base + 1);
    if (how < 0.8f)
      id[k] = maskId;
    else if (how < 0.9f)
      id[k] = std::min<int64_t>(
          randomTokens - 1,
          int64_t(uniformDraw(seed, base + 2) * float(randomTokens)));
  }
}

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
  if (!cut(trainIds, options.context, "training", out.train, error) ||
      !cut(testIds, options.context, "validation", out.validation, error)) {
    error = "'" + path + "': " + error;
    return false;
  }
  out.name = path;
  out.kind = DatasetKind::Corpus;
  out.vocabulary = out.classes = tokenizer->vocabularySize();
  if (options.objective == "mlm") {
    // The examples' ids, masked; the labels: their tokens where masked.
    out.maskId = tokenizer->specialId("[MASK]");
    if (out.maskId < 0)
      out.maskId = out.vocabulary++; // one more id: the mask
    out.classes = out.vocabulary;
    int64_t tokens = tokenizer->vocabularySize();
    maskForMlm(out.train[0], out.train[1], out.maskId, tokens, 1);
    maskForMlm(out.validation[0], out.validation[1], out.maskId, tokens, 2);
  } else if (options.objective != "next") {
    error = "unknown objective '" + options.objective + "' (next, mlm)";
    return false;
  }
  out.exampleShape = {options.context};
  out.tokenizer = options.tokenizer;
  out.textTokenizer = std::move(tokenizer);
  out.heldOutBytes = int64_t(test.size());
  out.heldOutTokens = int64_t(testIds.size());
  return true;
}

} // namespace data
} // namespace ternary
