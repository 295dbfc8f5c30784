//===- Jit.h - JIT-compiling MLIR text in unit tests ------------*- C++ -*-===//

#ifndef TERNARY_TEST_UNITTESTS_AUTODIFF_JIT_H
#define TERNARY_TEST_UNITTESTS_AUTODIFF_JIT_H

#include "ternary/InitAll.h"
#include "ternary/Runner/Runner.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace ternary_test {

/// Compiles MLIR text through the whole pipeline and keeps the contexts
/// alive as long as the compiled modules.
class Jit {
public:
  Jit() {
    mlir::ternary::registerAllDialects(registry);
    mlir::ternary::registerAllTranslations(registry);
  }

  /// The compiled module, or null after recording a test failure.
  std::unique_ptr<mlir::ternary::CompiledModule>
  compile(const std::string &text) {
    auto context = std::make_unique<mlir::MLIRContext>(registry);
    mlir::OwningOpRef<mlir::ModuleOp> module =
        mlir::parseSourceString<mlir::ModuleOp>(text, context.get());
    if (!module) {
      ADD_FAILURE() << "does not parse:\n" << text;
      return nullptr;
    }
    auto compiled = mlir::ternary::CompiledModule::compile(
        std::move(module), mlir::ternary::InferencePipelineOptions(), {});
    if (!compiled) {
      ADD_FAILURE() << llvm::toString(compiled.takeError()) << "\n" << text;
      return nullptr;
    }
    contexts.push_back(std::move(context));
    return std::make_unique<mlir::ternary::CompiledModule>(
        std::move(*compiled));
  }

private:
  mlir::DialectRegistry registry;
  std::vector<std::unique_ptr<mlir::MLIRContext>> contexts;
};

} // namespace ternary_test

#endif // TERNARY_TEST_UNITTESTS_AUTODIFF_JIT_H
