//===- TrainToolSupport.cpp - ternary-train's own helpers -----------------===//

#include "TrainToolSupport.h"

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
