//===- Gpt2Tokenizer.cpp - GPT-2's byte-level BPE
//--------------------------===//
//
// As OpenAI's encoder.py and npm gpt-3-encoder: the text is cut into
// pre-tokens by GPT-2's regex
//   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
// (ICU's regex engine; `\s` spelled out as JavaScript defines it, the set
// the npm package matches with), each pre-token's UTF-8 bytes are mapped to
// the printable characters of bytes_to_unicode, and the merges of vocab.bpe
// are applied lowest rank first until none applies; encoder.json gives the
// ids of the resulting pieces.
//
//===----------------------------------------------------------------------===//

#include "ternary/Text/Tokenizers.h"

#include "Unicode.h"

#include "llvm/Support/JSON.h"

#include <unicode/regex.h>
#include <unicode/unistr.h>

#include <climits>
#include <unordered_map>

using namespace ternary::text;
using namespace ternary::text::detail;

namespace {

/// JavaScript's `\s`: WhiteSpace (TAB, VT, FF, ZWNBSP and the Zs category)
/// and LineTerminator (LF, CR, LS, PS).
constexpr size_t kCacheLimit = 1 << 18;

constexpr const char *kSpace =
    "\\t\\n\\x{0B}\\f\\r\\x{FEFF}\\x{2028}\\x{2029}\\p{Zs}";

std::string pretokenizerPattern() {
  std::string s = kSpace;
  return "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^" + s +
         "\\p{L}\\p{N}]+|[" + s + "]+(?![^" + s + "])|[" + s + "]+";
}

class Gpt2Tokenizer : public Tokenizer {
public:
  std::string kind() const override { return "gpt2"; }
  int64_t vocabularySize() const override { return int64_t(pieces.size()); }

  bool encode(std::string_view text, std::vector<int64_t> &out,
              std::string &error) const override {
    std::vector<int32_t> codePoints;
    std::vector<size_t> offsets;
    if (!decodeUtf8(text, codePoints, offsets, error))
      return false;
    icu::UnicodeString u = icu::UnicodeString::fromUTF32(
        codePoints.data(), int32_t(codePoints.size()));
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<icu::RegexMatcher> matcher(pattern->matcher(u, status));
    if (U_FAILURE(status)) {
      error = std::string("the pre-tokeniser failed: ") + u_errorName(status);
      return false;
    }
    std::string piece;
    while (matcher->find(status) && U_SUCCESS(status)) {
      int32_t begin = matcher->start(status), end = matcher->end(status);
      piece.clear();
      u.tempSubStringBetween(begin, end).toUTF8String(piece);
      if (!encodePretoken(piece, out, error))
        return false;
    }
    if (U_FAILURE(status)) {
      error = std::string("the pre-tokeniser failed: ") + u_errorName(status);
      return false;
    }
    return true;
  }

  bool decode(const std::vector<int64_t> &in, std::string &text,
              std::string &error) const override {
    for (int64_t id : in) {
      if (!checkId(id, error))
        return false;
      text += pieceBytes[size_t(id)];
    }
    return true;
  }

  std::string piece(int64_t id) const override {
    return id >= 0 && id < vocabularySize() ? pieces[size_t(id)]
                                            : std::string();
  }

  int64_t specialId(std::string_view name) const override {
    if (name != "<|endoftext|>")
      return -1;
    auto it = ids.find(std::string(name));
    return it == ids.end() ? -1 : it->second;
  }

  bool load(const std::string &dir, std::string &error);

private:
  /// Byte-pair merges of one pre-token (as UTF-8 bytes), its ids appended.
  bool encodePretoken(const std::string &bytes, std::vector<int64_t> &out,
                      std::string &error) const;

  std::unordered_map<std::string, int64_t> ids; ///< piece -> id
  std::vector<std::string> pieces;              ///< id -> piece
  std::vector<std::string> pieceBytes; ///< id -> the bytes it stands for
  /// "first second" -> the merge's rank (its line in vocab.bpe).
  std::unordered_map<std::string, int64_t> ranks;
  std::string byteCharacter[256]; ///< byte -> its character, as UTF-8
  std::unique_ptr<icu::RegexPattern> pattern;
  mutable std::unordered_map<std::string, std::vector<int64_t>> cache;
};

bool Gpt2Tokenizer::encodePretoken(const std::string &bytes,
                                   std::vector<int64_t> &out,
                                   std::string &error) const {
  if (auto hit = cache.find(bytes); hit != cache.end()) {
    out.insert(out.end(), hit->second.begin(), hit->second.end());
    return true;
  }
  std::vector<std::string> word;
  word.reserve(bytes.size());
  for (unsigned char b : bytes)
    word.push_back(byteCharacter[b]);
  std::string key;
  while (word.size() > 1) {
    // The pair of lowest rank; every occurrence of it is merged, left to
    // right.
    int64_t best = INT64_MAX;
    size_t bestAt = 0;
    for (size_t i = 0; i + 1 < word.size(); ++i) {
      key.assign(word[i]).append(" ").append(word[i + 1]);
      auto it = ranks.find(key);
      if (it != ranks.end() && it->second < best) {
        best = it->second;
        bestAt = i;
      }
    }
    if (best == INT64_MAX)
      break;
    std::string first = word[bestAt], second = word[bestAt + 1];
    std::vector<std::string> merged;
    merged.reserve(word.size());
    for (size_t i = 0; i < word.size();) {
      if (i + 1 < word.size() && word[i] == first && word[i + 1] == second) {
        merged.push_back(first + second);
        i += 2;
      } else {
        merged.push_back(std::move(word[i]));
        ++i;
      }
    }
    word = std::move(merged);
  }
  std::vector<int64_t> result;
  for (const std::string &p : word) {
    auto it = ids.find(p);
    if (it == ids.end()) {
      error = "the piece '" + p + "' is not in encoder.json";
      return false;
    }
    result.push_back(it->second);
  }
  out.insert(out.end(), result.begin(), result.end());
  // The distinct pre-tokens of a corpus are its words: a few hundred
  // thousand at most; arbitrary input must not grow the cache without end.
  if (cache.size() >= kCacheLimit)
    cache.clear();
  cache.emplace(bytes, std::move(result));
  return true;
}

bool Gpt2Tokenizer::load(const std::string &dir, std::string &error) {
  // bytes_to_unicode: printable Latin-1 bytes stand for themselves, the
  // others for 256, 257, ... in byte order.
  int32_t next = 256;
  std::unordered_map<std::string, unsigned char> characterByte;
  for (int b = 0; b < 256; ++b) {
    bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) ||
                     (b >= 0xAE && b <= 0xFF);
    appendUtf8(printable ? b : next++, byteCharacter[b]);
    characterByte[byteCharacter[b]] = static_cast<unsigned char>(b);
  }

  std::string encoderPath = dir + "/encoder.json", text;
  if (!readWholeFile(encoderPath, text, error))
    return false;
  llvm::Expected<llvm::json::Value> json = llvm::json::parse(text);
  if (!json) {
    error = "'" + encoderPath + "': not JSON: " + toString(json.takeError());
    return false;
  }
  const llvm::json::Object *object = json->getAsObject();
  if (!object || object->empty()) {
    error = "'" + encoderPath + "': expected an object of piece: id";
    return false;
  }
  pieces.assign(object->size(), std::string());
  for (const auto &[name, value] : *object) {
    std::optional<int64_t> id = value.getAsInteger();
    if (!id || *id < 0 || *id >= int64_t(object->size()) ||
        !pieces[size_t(*id)].empty()) {
      error = "'" + encoderPath + "': the id of '" + name.str() +
              "' is not a distinct integer in [0, " +
              std::to_string(object->size()) + ")";
      return false;
    }
    pieces[size_t(*id)] = name.str();
    ids[name.str()] = *id;
  }
  pieceBytes.resize(pieces.size());
  for (size_t id = 0; id < pieces.size(); ++id) {
    std::vector<int32_t> codePoints;
    std::vector<size_t> offsets;
    std::string ignored;
    decodeUtf8(pieces[id], codePoints, offsets, ignored);
    for (int32_t c : codePoints) {
      std::string one;
      appendUtf8(c, one);
      auto it = characterByte.find(one);
      // Special tokens (<|endoftext|>) are spelled in printable bytes too.
      pieceBytes[id] += it != characterByte.end() ? char(it->second) : '?';
    }
  }

  std::string mergesPath = dir + "/vocab.bpe";
  if (!readWholeFile(mergesPath, text, error))
    return false;
  size_t line = 0, begin = 0;
  int64_t rank = 0;
  while (begin < text.size()) {
    size_t end = text.find('\n', begin);
    if (end == std::string::npos)
      end = text.size();
    std::string_view row(text.data() + begin, end - begin);
    ++line;
    begin = end + 1;
    if (line == 1 && row.rfind("#version", 0) == 0)
      continue;
    if (row.empty())
      continue;
    size_t space = row.find(' ');
    if (space == std::string_view::npos || space == 0 ||
        space + 1 >= row.size() ||
        row.find(' ', space + 1) != std::string_view::npos) {
      error = "'" + mergesPath + "': line " + std::to_string(line) +
              ": expected two pieces separated by one space";
      return false;
    }
    ranks.emplace(std::string(row), rank++);
  }
  if (ranks.empty()) {
    error = "'" + mergesPath + "': no merges";
    return false;
  }

  UErrorCode status = U_ZERO_ERROR;
  UParseError parseError;
  pattern.reset(icu::RegexPattern::compile(
      icu::UnicodeString::fromUTF8(pretokenizerPattern()), 0, parseError,
      status));
  if (U_FAILURE(status)) {
    error = std::string("the pre-tokeniser's pattern: ") + u_errorName(status);
    return false;
  }
  return true;
}

} // namespace

std::unique_ptr<Tokenizer>
ternary::text::loadGpt2Tokenizer(const std::string &dir, std::string &error) {
  auto tokenizer = std::make_unique<Gpt2Tokenizer>();
  if (!tokenizer->load(dir, error))
    return nullptr;
  return tokenizer;
}
