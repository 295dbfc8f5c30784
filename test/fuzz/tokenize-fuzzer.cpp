//===- tokenize-fuzzer.cpp - libFuzzer target: the tokenizers -------------===//
//
// Encodes the input with the three tokenizers (lib/Text). Bytes that are
// not UTF-8 must be refused with a message by each; UTF-8 text must
// encode, give ids inside the vocabulary, and come back whole from decode
// for the char tokenizer (its own vocabulary) and for GPT-2's byte-level
// BPE (a vocabulary of the 256 byte characters and a few merges, written
// at start-up: decoding is exact whatever the merges).
//
//===----------------------------------------------------------------------===//

#include "FuzzSupport.h"

#include "ternary/Text/Tokenizers.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>

using ternary_fuzz::fail;
using namespace ternary::text;

namespace {

/// The UTF-8 of code point `c`.
std::string utf8(uint32_t c) {
  std::string s;
  if (c < 0x80) {
    s += char(c);
  } else if (c < 0x800) {
    s += char(0xC0 | (c >> 6));
    s += char(0x80 | (c & 0x3F));
  } else {
    s += char(0xE0 | (c >> 12));
    s += char(0x80 | ((c >> 6) & 0x3F));
    s += char(0x80 | (c & 0x3F));
  }
  return s;
}

/// GPT-2's byte characters (bytes_to_unicode) as ids 0..255, three merges.
std::unique_ptr<Tokenizer> toyGpt2() {
  char dir[] = "/tmp/ternary-tokenize-fuzzer-XXXXXX";
  if (!mkdtemp(dir))
    fail("cannot make a temporary directory");
  std::string json = "{", ids[256];
  uint32_t next = 256;
  for (int b = 0; b < 256; ++b) {
    bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) ||
                     (b >= 0xAE && b <= 0xFF);
    ids[b] = utf8(printable ? uint32_t(b) : next++);
    std::string key = ids[b] == "\""   ? "\\\""
                      : ids[b] == "\\" ? "\\\\"
                                       : ids[b];
    json += (b ? ", \"" : "\"") + key + "\": " + std::to_string(b);
  }
  std::string space = ids[' '];
  json += ", \"" + space + "t\": 256, \"he\": 257, \"" + space + "the\": 258}";
  std::ofstream(std::string(dir) + "/encoder.json") << json;
  std::ofstream(std::string(dir) + "/vocab.bpe") << "#version: 0.2\n"
                                                 << space << " t\nh e\n"
                                                 << space << "t he\n";
  std::string error;
  auto tokenizer = loadGpt2Tokenizer(dir, error);
  if (!tokenizer)
    fail("the toy GPT-2 vocabulary does not load: " + error);
  std::remove((std::string(dir) + "/encoder.json").c_str());
  std::remove((std::string(dir) + "/vocab.bpe").c_str());
  std::remove(dir);
  return tokenizer;
}

/// 999 filler entries ([UNK] at 100), then a few pieces.
std::unique_ptr<Tokenizer> toyBert() {
  char path[] = "/tmp/ternary-tokenize-fuzzer-XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0)
    fail("cannot make a temporary file");
  std::string json = "[";
  for (int i = 0; i < 999; ++i)
    json += std::string(i ? ", " : "") + "\"" +
            (i == 100 ? std::string("[UNK]")
                      : "[unused" + std::to_string(i) + "]") +
            "\"";
  for (const char *piece : {"\xE2\x96\x81"
                            "a",
                            "\xE2\x96\x81"
                            "the",
                            "b",
                            "\xE2\x96\x81"
                            ",",
                            "ing"})
    json += std::string(", \"") + piece + "\"";
  json += "]";
  std::ofstream(path) << json;
  std::string error;
  auto tokenizer = loadBertTokenizer(path, error);
  std::remove(path);
  if (!tokenizer)
    fail("the toy BERT vocabulary does not load: " + error);
  return tokenizer;
}

void checkIds(const Tokenizer &t, const std::vector<int64_t> &ids) {
  for (int64_t id : ids)
    if (id < 0 || id >= t.vocabularySize())
      fail(t.kind() + ": id " + std::to_string(id) + " out of the vocabulary");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static std::unique_ptr<Tokenizer> gpt2 = toyGpt2(), bert = toyBert();
  std::string text(reinterpret_cast<const char *>(data), size);
  std::string error;

  auto chars = makeCharTokenizer(text, error);
  if (!chars) {
    if (error.empty())
      fail("char: refused without a message");
    // Not UTF-8 (or empty): the others refuse it too.
    std::vector<int64_t> ids;
    if (!text.empty() &&
        (gpt2->encode(text, ids, error) || bert->encode(text, ids, error)))
      fail("gpt2/bert: encoded what char refused: " + error);
    return 0;
  }
  std::vector<int64_t> ids;
  std::string back;
  if (!chars->encode(text, ids, error))
    fail("char: cannot encode its own training text: " + error);
  checkIds(*chars, ids);
  if (!chars->decode(ids, back, error) || back != text)
    fail("char: the round trip changed the text");

  ids.clear();
  back.clear();
  if (!gpt2->encode(text, ids, error))
    fail("gpt2: cannot encode UTF-8 text: " + error);
  checkIds(*gpt2, ids);
  if (!gpt2->decode(ids, back, error) || back != text)
    fail("gpt2: the round trip changed the text");

  ids.clear();
  if (!bert->encode(text, ids, error))
    fail("bert: cannot encode UTF-8 text: " + error);
  checkIds(*bert, ids);
  return 0;
}
