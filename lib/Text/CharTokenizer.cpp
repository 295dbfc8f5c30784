//===- CharTokenizer.cpp - One id a character
//------------------------------===//
//
// The vocabulary is the distinct characters (code points) of a training
// text in code point order, as nanoGPT's shakespeare_char builds it.
//
//===----------------------------------------------------------------------===//

#include "ternary/Text/Tokenizers.h"

#include "Unicode.h"

#include <algorithm>
#include <unordered_map>

using namespace ternary::text;
using namespace ternary::text::detail;

namespace {

class CharTokenizer : public Tokenizer {
public:
  explicit CharTokenizer(std::vector<int32_t> characters)
      : characters(std::move(characters)) {
    for (size_t i = 0; i < this->characters.size(); ++i)
      ids[this->characters[i]] = int64_t(i);
  }

  std::string kind() const override { return "char"; }
  int64_t vocabularySize() const override { return int64_t(characters.size()); }

  bool encode(std::string_view text, std::vector<int64_t> &out,
              std::string &error) const override {
    std::vector<int32_t> codePoints;
    std::vector<size_t> offsets;
    if (!decodeUtf8(text, codePoints, offsets, error))
      return false;
    out.reserve(out.size() + codePoints.size());
    for (size_t i = 0; i < codePoints.size(); ++i) {
      auto it = ids.find(codePoints[i]);
      if (it == ids.end()) {
        error = "the character " + describeCodePoint(codePoints[i]) +
                " at byte " + std::to_string(offsets[i]) +
                " is not in the vocabulary (the " +
                std::to_string(characters.size()) +
                " characters of the training text)";
        return false;
      }
      out.push_back(it->second);
    }
    return true;
  }

  bool decode(const std::vector<int64_t> &in, std::string &text,
              std::string &error) const override {
    for (int64_t id : in) {
      if (!checkId(id, error))
        return false;
      appendUtf8(characters[size_t(id)], text);
    }
    return true;
  }

  std::string piece(int64_t id) const override {
    std::string out;
    if (id >= 0 && id < vocabularySize())
      appendUtf8(characters[size_t(id)], out);
    return out;
  }

private:
  std::vector<int32_t> characters;
  std::unordered_map<int32_t, int64_t> ids;
};

} // namespace

std::unique_ptr<Tokenizer>
ternary::text::makeCharTokenizer(std::string_view trainingText,
                                 std::string &error) {
  std::vector<int32_t> codePoints;
  std::vector<size_t> offsets;
  if (!decodeUtf8(trainingText, codePoints, offsets, error))
    return nullptr;
  if (codePoints.empty()) {
    error = "the training text is empty: no characters for a vocabulary";
    return nullptr;
  }
  std::sort(codePoints.begin(), codePoints.end());
  codePoints.erase(std::unique(codePoints.begin(), codePoints.end()),
                   codePoints.end());
  return std::make_unique<CharTokenizer>(std::move(codePoints));
}
