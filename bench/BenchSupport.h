//===- BenchSupport.h - What the kernel benchmarks share --------*- C++ -*-===//
//
// A module compiled once by the inference pipeline (JIT, host CPU) and kept,
// with its context, for the whole benchmark run; the C interface of its
// functions. Failures end the run with the message (a benchmark has no one
// to hand them to).
//
//===----------------------------------------------------------------------===//

#ifndef TERNARY_BENCH_BENCHSUPPORT_H
#define TERNARY_BENCH_BENCHSUPPORT_H

#include "ternary/InitAll.h"
#include "ternary/Runner/Runner.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdlib>
#include <memory>
#include <string>

namespace ternary_bench {

/// A compiled module and the context it was parsed in.
struct CompiledBench {
  std::unique_ptr<mlir::MLIRContext> context;
  std::unique_ptr<mlir::ternary::CompiledModule> module;

  /// Compiles `text` with `options` (once: later calls do nothing).
  void compile(const std::string &text,
               const mlir::ternary::InferencePipelineOptions &options) {
    if (module)
      return;
    mlir::DialectRegistry registry;
    mlir::ternary::registerAllDialects(registry);
    mlir::ternary::registerAllTranslations(registry);
    context = std::make_unique<mlir::MLIRContext>(registry);
    auto parsed = mlir::parseSourceString<mlir::ModuleOp>(text, context.get());
    if (!parsed) {
      llvm::errs() << "the benchmark's module does not parse:\n" << text;
      std::exit(1);
    }
    auto compiled = mlir::ternary::CompiledModule::compile(
        std::move(parsed), options, mlir::ternary::TargetOptions());
    if (!compiled) {
      llvm::errs() << llvm::toString(compiled.takeError()) << "\n";
      std::exit(1);
    }
    module =
        std::make_unique<mlir::ternary::CompiledModule>(std::move(*compiled));
  }

  /// The C interface of `function`, as a `Fn`.
  template <typename Fn> Fn function(const std::string &name) const {
    auto fn = module->lookupCInterface(name);
    if (!fn) {
      llvm::errs() << llvm::toString(fn.takeError()) << "\n";
      std::exit(1);
    }
    return reinterpret_cast<Fn>(*fn);
  }
};

} // namespace ternary_bench

#endif // TERNARY_BENCH_BENCHSUPPORT_H
