//===- ToolSupport.cpp - Shared pieces of the command-line tools ----------===//

#include "ternary/Runner/ToolSupport.h"
#include "ternary/InitAll.h"
#include "ternary/Runner/Threads.h"

#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"

#include <malloc.h>

using namespace mlir;
using namespace mlir::ternary;

static DialectRegistry toolRegistry() {
  DialectRegistry registry;
  registerAllDialects(registry);
  registerAllTranslations(registry);
  return registry;
}

// glibc maps large blocks (above its dynamic threshold, at most 32 MB by
// default) with mmap and unmaps them on free: each call of a model with
// large activations (the MNIST CNN's windows, 42 MB a convolution) paid the
// page faults and the clearing of fresh pages again, a third of that train
// step. Nor is the top of the heap given back (-1 turns trimming off): a
// step of the 6-block char decoder frees 1.4 GB at its end, which a trim
// threshold of 1 GB returned to the OS, so each step faulted 1.8 GB of
// fresh pages in again (a fifth of its CPU time in the kernel).
void mlir::ternary::retainFreedBuffers() {
  constexpr int kOneGiB = 1 << 30;
  (void)mallopt(M_MMAP_THRESHOLD, kOneGiB);
  (void)mallopt(M_TRIM_THRESHOLD, -1);
}

ToolContext::ToolContext() : ctx(toolRegistry()), handler(sourceMgr, &ctx) {
  retainFreedBuffers();
}

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
