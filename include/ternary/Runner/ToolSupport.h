//===- ToolSupport.h - Shared pieces of the command-line tools --*- C++ -*-===//

#ifndef TERNARY_RUNNER_TOOLSUPPORT_H
#define TERNARY_RUNNER_TOOLSUPPORT_H

#include "ternary/Passes/Passes.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/SourceMgr.h"

#include <string>

namespace mlir {
namespace ternary {

/// The values of a `--kernel` option (auto, loops, vector, avx2,
/// avx512-vnni).
llvm::cl::ValuesClass kernelOptionValues();

/// The values of an `--encoding` option (i2, base3).
llvm::cl::ValuesClass encodingOptionValues();

/// Reads and parses an MLIR file into `sourceMgr`; returns null and sets
/// `error` when the file cannot be read, or returns null after reporting a
/// parse error through the diagnostic handler of `context`.
OwningOpRef<ModuleOp> parseModuleFile(llvm::StringRef path,
                                      MLIRContext &context,
                                      llvm::SourceMgr &sourceMgr,
                                      std::string &error);

} // namespace ternary
} // namespace mlir

#endif // TERNARY_RUNNER_TOOLSUPPORT_H
