//===- ternary-tokenize.cpp - Print the token ids of a text ---------------===//
//
// The tokenizers of the language models (docs/text.md) as a command:
//
//   ternary-tokenize --tokenizer gpt2 input.txt          # one id a line
//   ternary-tokenize --tokenizer bert --pieces input.txt # id<TAB>piece
//   ternary-tokenize --tokenizer char --vocab train.txt input.txt
//   ternary-tokenize --tokenizer gpt2 --decode ids.txt   # ids back to text
//
// `char` takes its vocabulary from the characters of --vocab (default: the
// input itself); `gpt2` and `bert` from the files the setup installs, or
// --vocab.
//
//===----------------------------------------------------------------------===//

#include "ternary/Data/Datasets.h"
#include "ternary/Text/Tokenizers.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <cerrno>
#include <cstdlib>

using namespace ternary;
namespace cl = llvm::cl;

static cl::OptionCategory category("ternary-tokenize options");
static cl::opt<std::string> inputFile(cl::Positional,
                                      cl::desc("<text file> (- : stdin)"),
                                      cl::init("-"), cl::cat(category));
static cl::opt<std::string>
    kind("tokenizer",
         cl::desc("char (the characters of --vocab or of the input), gpt2 "
                  "(GPT-2 byte-level BPE), bert (BERT uncased WordPiece)"),
         cl::init("char"), cl::cat(category));
static cl::opt<std::string>
    vocabulary("vocab",
               cl::desc("char: a text whose characters are the vocabulary "
                        "(default: the input); gpt2: the directory of "
                        "encoder.json and vocab.bpe; bert: vocab.json or its "
                        "directory (default: those the setup installs)"),
               cl::cat(category));
static cl::opt<bool> pieces("pieces",
                            cl::desc("Print id<TAB>piece (the vocabulary's "
                                     "spelling) a line"),
                            cl::init(false), cl::cat(category));
static cl::opt<bool>
    decode("decode",
           cl::desc("The input holds ids (separated by whitespace): print "
                    "their text"),
           cl::init(false), cl::cat(category));
static cl::opt<bool> counts("counts",
                            cl::desc("Print the counts (tokens, bytes, "
                                     "vocabulary) to stderr"),
                            cl::init(false), cl::cat(category));

static int fail(const llvm::Twine &message) {
  llvm::errs() << "ternary-tokenize: " << message << "\n";
  return 1;
}

static bool readText(const std::string &path, std::string &out,
                     std::string &error) {
  auto buffer = llvm::MemoryBuffer::getFileOrSTDIN(
      path, /*IsText=*/false, /*RequiresNullTerminator=*/false);
  if (!buffer) {
    error = "cannot read '" + path + "': " + buffer.getError().message();
    return false;
  }
  out.assign((*buffer)->getBufferStart(), (*buffer)->getBufferSize());
  return true;
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(argc, argv,
                              "Print the token ids of a text, one a line\n");
  std::string error, input;
  if (!readText(inputFile, input, error))
    return fail(error);

  std::string trainingText;
  text::TokenizerFiles files;
  if (kind == "char") {
    if (!vocabulary.empty()) {
      if (!readText(vocabulary, trainingText, error))
        return fail(error);
    } else if (decode) {
      return fail("--decode with the char tokenizer needs --vocab (the text "
                  "whose characters are the vocabulary)");
    } else {
      trainingText = input;
    }
  } else {
    files.vocabulary = vocabulary;
  }
  std::unique_ptr<text::Tokenizer> tokenizer = text::loadTokenizer(
      kind, trainingText, files, data::runningToolDirectory(), error);
  if (!tokenizer) {
    // The char vocabulary's text: --vocab, or the input itself.
    if (kind == "char")
      return fail("'" +
                  (vocabulary.empty() ? inputFile : vocabulary).getValue() +
                  "': " + error);
    return fail(error);
  }

  if (decode) {
    std::vector<int64_t> ids;
    const char *p = input.c_str();
    while (*p) {
      char *end = nullptr;
      errno = 0;
      long long id = std::strtoll(p, &end, 10);
      if (end == p) {
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
          ++p;
        if (!*p)
          break;
        return fail("'" + inputFile + "': byte " +
                    llvm::Twine(int64_t(p - input.c_str())) +
                    ": expected an id");
      }
      if (errno == ERANGE)
        return fail("'" + inputFile + "': id out of range at byte " +
                    llvm::Twine(int64_t(p - input.c_str())));
      ids.push_back(id);
      p = end;
    }
    std::string out;
    if (!tokenizer->decode(ids, out, error))
      return fail("'" + inputFile + "': " + error);
    llvm::outs() << out;
    return 0;
  }

  std::vector<int64_t> ids;
  if (!tokenizer->encode(input, ids, error))
    return fail("'" + inputFile + "': " + error);
  for (int64_t id : ids) {
    llvm::outs() << id;
    if (pieces)
      llvm::outs() << '\t' << tokenizer->piece(id);
    llvm::outs() << '\n';
  }
  if (counts)
    llvm::errs() << "ternary-tokenize: " << ids.size() << " tokens from "
                 << input.size() << " bytes; vocabulary "
                 << tokenizer->vocabularySize() << "\n";
  return 0;
}
