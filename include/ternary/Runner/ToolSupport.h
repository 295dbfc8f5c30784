//===- ToolSupport.h - Shared pieces of the command-line tools --*- C++ -*-===//

#ifndef TERNARY_RUNNER_TOOLSUPPORT_H
#define TERNARY_RUNNER_TOOLSUPPORT_H

#include "ternary/Dialect/Ternary/TernaryOptions.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/SourceMgr.h"

#include <string>

namespace mlir {
namespace ternary {

/// Compiled code allocates its buffers with malloc on every call: keeps
/// freed blocks of any size in the process's heap for the next call
/// (glibc's mmap and trim thresholds at 1 GiB) instead of returning them to
/// the kernel, whose fresh pages cost faults and clearing each time. The
/// process's memory then stays at the peak of one call. ToolContext calls
/// it; a program linking a compiled object may call it too.
void retainFreedBuffers();

/// What a command-line tool needs to read MLIR: a context with every
/// dialect and translation of the project, and diagnostics printed with
/// their source lines. Its constructor also calls retainFreedBuffers.
class ToolContext {
public:
  ToolContext();
  MLIRContext &context() { return ctx; }

  /// Reads and parses an MLIR file; returns null and sets `error` when the
  /// file cannot be read, or returns null after reporting a parse error
  /// (then `error` stays empty).
  OwningOpRef<ModuleOp> parse(llvm::StringRef path, std::string &error);

private:
  MLIRContext ctx;
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler handler;
};

/// The `--threads N` option of the tools that run compiled code: the
/// threads its tasks run on (0, the default: every core the process may
/// use). Declare one as a static of the tool, then apply() it after parsing
/// the command line.
class ThreadsOption {
public:
  explicit ThreadsOption(llvm::cl::OptionCategory &category);
  /// Sets the thread count of compiled code; returns false and sets `error`
  /// for a count beyond any machine's (over kMaxThreads).
  bool apply(std::string &error) const;
  static constexpr unsigned kMaxThreads = 1024;

private:
  llvm::cl::opt<unsigned> threads;
};

} // namespace ternary
} // namespace mlir

#endif // TERNARY_RUNNER_TOOLSUPPORT_H
