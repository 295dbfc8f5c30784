//===- ToolSupport.cpp - Shared pieces of the command-line tools ----------===//

#include "ternary/Runner/ToolSupport.h"
#include "ternary/InitAll.h"
#include "ternary/Runner/Threads.h"

#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"

using namespace mlir;
using namespace mlir::ternary;

static DialectRegistry toolRegistry() {
  DialectRegistry registry;
  registerAllDialects(registry);
  registerAllTranslations(registry);
  return registry;
}

ToolContext::ToolContext() : ctx(toolRegistry()), handler(sourceMgr, &ctx) {}

OwningOpRef<ModuleOp> ToolContext::parse(llvm::StringRef path,
                                         std::string &error) {
  auto file = openInputFile(path, &error);
  if (!file)
    return nullptr;
  sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  return parseSourceFile<ModuleOp>(sourceMgr, &ctx);
}

/// Debian's libLLVM registers an undocumented option named "threads" of
/// its own; it is renamed so that the tools' --threads can exist (the
/// shared library's options are registered before a tool's statics).
static llvm::StringRef renameLLVMThreadsOption() {
  llvm::DenseMap<llvm::StringRef, llvm::cl::Option *> &registered =
      llvm::cl::getRegisteredOptions();
  auto it = registered.find("threads");
  if (it != registered.end())
    it->second->setArgStr("llvm-threads");
  return "threads";
}

ThreadsOption::ThreadsOption(llvm::cl::OptionCategory &category)
    : threads(renameLLVMThreadsOption(),
              llvm::cl::desc("Threads of the compiled code (0: "
                             "OMP_NUM_THREADS if set, else every core the "
                             "process may use; results are the same for any "
                             "count)"),
              llvm::cl::init(0), llvm::cl::cat(category)) {}

bool ThreadsOption::apply(std::string &error) const {
  if (threads > kMaxThreads) {
    error = "--threads must be at most " + std::to_string(kMaxThreads) +
            " (0: every core the process may use), got " +
            std::to_string(threads);
    return false;
  }
  setThreadCount(threads);
  return true;
}
