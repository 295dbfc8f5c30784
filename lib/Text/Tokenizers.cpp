//===- Tokenizers.cpp - Tokenizers by kind; where their files are ---------===//

#include "ternary/Text/Tokenizers.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/Path.h"

#include <cstdlib>

using namespace ternary::text;

Tokenizer::~Tokenizer() = default;

int64_t Tokenizer::specialId(std::string_view) const { return -1; }

bool Tokenizer::checkId(int64_t id, std::string &error) const {
  if (id >= 0 && id < vocabularySize())
    return true;
  error = "id " + std::to_string(id) + " is not in [0, " +
          std::to_string(vocabularySize()) + ")";
  return false;
}

const char *ternary::text::knownTokenizerKinds() { return "char, gpt2, bert"; }

std::string ternary::text::tokenizerDirectory(const std::string &kind,
                                              const std::string &toolDir) {
  if (const char *root = std::getenv("TERNARY_DATA_DIR"); root && *root) {
    llvm::SmallString<256> dir(root);
    llvm::sys::path::append(dir, kind);
    return dir.str().str();
  }
  llvm::SmallString<256> dir(toolDir);
  llvm::sys::path::append(dir, "..", "data", kind);
  llvm::sys::path::remove_dots(dir, /*remove_dot_dot=*/true);
  return dir.str().str();
}

std::unique_ptr<Tokenizer>
ternary::text::loadTokenizer(const std::string &kind,
                             std::string_view trainingText,
                             const TokenizerFiles &files,
                             const std::string &toolDir, std::string &error) {
  if (kind == "char")
    return makeCharTokenizer(trainingText, error);
  if (kind != "gpt2" && kind != "bert") {
    error = "unknown tokenizer '" + kind +
            "' (known: " + knownTokenizerKinds() + ")";
    return nullptr;
  }
  std::string where = files.vocabulary.empty()
                          ? tokenizerDirectory(kind, toolDir)
                          : files.vocabulary;
  std::unique_ptr<Tokenizer> tokenizer = kind == "gpt2"
                                             ? loadGpt2Tokenizer(where, error)
                                             : loadBertTokenizer(where, error);
  if (!tokenizer && files.vocabulary.empty())
    error += " (the setup, scripts/setup.sh, installs the " + kind +
             " vocabulary there; or give its directory)";
  return tokenizer;
}
