//===- TrainToolSupport.cpp - ternary-train's own helpers -----------------===//

#include "TrainToolSupport.h"

#include "ternary/Training/Export.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdlib>
#include <fstream>

using namespace mlir;
using namespace mlir::ternary;

std::vector<unsigned> mlir::ternary::parseSeeds(const std::string &spec,
                                                std::string &problem) {
  auto number = [](llvm::StringRef text, unsigned &value) {
    return !text.empty() && !text.trim().getAsInteger(10, value);
  };
  std::vector<unsigned> seeds;
  llvm::StringRef text(spec);
  if (auto [from, to] = text.split('-'); !to.empty()) {
    unsigned a, b;
    if (!number(from, a) || !number(to, b) || a > b || b - a >= 1000) {
      problem = "'" + spec + "' is not a range A-B of at most 1000 seeds";
      return {};
    }
    for (unsigned s = a; s <= b; ++s)
      seeds.push_back(s);
    return seeds;
  }
  llvm::SmallVector<llvm::StringRef> parts;
  text.split(parts, ',');
  for (llvm::StringRef part : parts) {
    unsigned s;
    if (!number(part, s)) {
      problem = "'" + spec + "' is neither A-B nor a list A,B,C of seeds";
      return {};
    }
    seeds.push_back(s);
  }
  return seeds;
}

std::string mlir::ternary::printed(ModuleOp module) {
  std::string text;
  llvm::raw_string_ostream os(text);
  module->print(os);
  return text;
}

bool mlir::ternary::writeText(const std::string &path, const std::string &text,
                              std::string &error) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (!ec) {
    os << text;
    os.close();
    if (!os.has_error())
      return true;
    ec = os.error();
    os.clear_error();
  }
  error = "cannot write '" + path + "': " + ec.message();
  return false;
}

bool mlir::ternary::compileWithTernaryCompile(const std::string &toolDir,
                                              const std::string &mlir,
                                              const std::string &object,
                                              const std::string &header,
                                              std::string &error) {
  llvm::SmallString<128> compiler(toolDir);
  llvm::sys::path::append(compiler, "ternary-compile");
  if (!llvm::sys::fs::can_execute(compiler)) {
    error = "--compile: no ternary-compile beside ternary-train ('" +
            compiler.str().str() + "')";
    return false;
  }
  std::string headerFlag = "--header=" + header;
  llvm::StringRef args[] = {compiler, mlir, "-o", object, headerFlag};
  std::string message;
  int status = llvm::sys::ExecuteAndWait(compiler, args, std::nullopt, {}, 0, 0,
                                         &message);
  if (status != 0) {
    error = "--compile: ternary-compile failed on '" + mlir + "'" +
            (message.empty() ? "" : ": " + message);
    return false;
  }
  return true;
}

std::string mlir::ternary::characterVocabulary(
    const ::ternary::text::Tokenizer &tokenizer) {
  std::string characters;
  for (int64_t id = 0; id < tokenizer.vocabularySize(); ++id)
    characters += tokenizer.piece(id);
  return characters;
}

bool mlir::ternary::compileDecoder(
    const std::string &toolDir, ModuleOp source,
    const std::vector<::ternary::HostArray> &params,
    const ::ternary::text::Tokenizer &tokenizer, const std::string &dir,
    std::string &error) {
  auto inDir = [&](const char *name) {
    llvm::SmallString<128> path(dir);
    llvm::sys::path::append(path, name);
    return path.str().str();
  };
  auto exported = exportModule(
      source, llvm::ArrayRef<std::string>{"prefill", "decode"}, params);
  if (!exported) {
    error = llvm::toString(exported.takeError());
    return false;
  }
  std::string mlir = inDir("decoder.mlir");
  if (!writeText(mlir, printed(**exported), error) ||
      !compileWithTernaryCompile(toolDir, mlir, inDir("decoder.o"),
                                 inDir("decoder.h"), error))
    return false;
  // The caches' sizes (@decode's keys: [blocks, batch, context, width]),
  // then every token's bytes as an escaped C string literal.
  auto decode = (*exported)->lookupSymbol<func::FuncOp>("decode");
  auto cache = cast<RankedTensorType>(decode.getArgumentTypes()[2]);
  std::string table =
      "/* The prefill and decoding steps' sizes and the bytes of every\n"
      "   token of the model's tokenizer (" +
      tokenizer.kind() +
      "), by id: written by ternary-train --compile for decoder.o. */\n"
      "#define TERNARY_BLOCKS " +
      std::to_string(cache.getDimSize(0)) + "\n#define TERNARY_CONTEXT " +
      std::to_string(cache.getDimSize(2)) + "\n#define TERNARY_WIDTH " +
      std::to_string(cache.getDimSize(3)) + "\n#define TERNARY_VOCABULARY " +
      std::to_string(tokenizer.vocabularySize()) +
      "\nstatic const char *const ternary_tokens[TERNARY_VOCABULARY] = {\n";
  for (int64_t id = 0; id < tokenizer.vocabularySize(); ++id) {
    std::string bytes;
    if (!tokenizer.decode({id}, bytes, error))
      return false;
    table += "  \"";
    for (unsigned char c : bytes) {
      char escaped[8];
      if (c == '"' || c == '\\')
        std::snprintf(escaped, sizeof(escaped), "\\%c", c);
      else if (c < 0x20 || c >= 0x7F)
        std::snprintf(escaped, sizeof(escaped), "\\%03o", c);
      else
        std::snprintf(escaped, sizeof(escaped), "%c", c);
      table += escaped;
    }
    table += "\",\n";
  }
  table += "};\n";
  return writeText(inDir("tokens.h"), table, error);
}
