//===- Jit.h - JIT-compiling MLIR text in unit tests ------------*- C++ -*-===//

#ifndef TERNARY_TEST_UNITTESTS_AUTODIFF_JIT_H
#define TERNARY_TEST_UNITTESTS_AUTODIFF_JIT_H

#include "ternary/InitAll.h"
#include "ternary/Runner/Runner.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

namespace ternary_test {

/// The documented counter-based generator of ternary.dropout and of
/// stochastic weight rounding: the top 24 bits of
/// splitmix64(seed * 2^32 + index), as a float in [0, 1).
inline float uniformDraw(uint64_t seed, uint64_t index) {
  uint64_t z = (seed << 32) + index + 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z = z ^ (z >> 31);
  return static_cast<float>(z >> 40) * (1.0f / (1 << 24));
}

/// An f32 array of `shape` whose elements are drawn from N(0, scale^2).
inline ::ternary::HostArray randomNormalArray(std::vector<int64_t> shape,
                                              std::mt19937 &rng,
                                              float scale = 1.0f) {
  ::ternary::HostArray a =
      ::ternary::HostArray::zeros(::ternary::DType::F32, std::move(shape));
  std::normal_distribution<float> normal(0.f, scale);
  for (int64_t i = 0; i < a.numElements(); ++i)
    a.data<float>()[i] = normal(rng);
  return a;
}

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
  compile(const std::string &text,
          const mlir::ternary::InferencePipelineOptions &options =
              mlir::ternary::InferencePipelineOptions()) {
    auto context = std::make_unique<mlir::MLIRContext>(registry);
    mlir::OwningOpRef<mlir::ModuleOp> module =
        mlir::parseSourceString<mlir::ModuleOp>(text, context.get());
    if (!module) {
      ADD_FAILURE() << "does not parse:\n" << text;
      return nullptr;
    }
    auto compiled =
        mlir::ternary::CompiledModule::compile(std::move(module), options, {});
    if (!compiled) {
      ADD_FAILURE() << llvm::toString(compiled.takeError()) << "\n" << text;
      return nullptr;
    }
    contexts.push_back(std::move(context));
    return std::make_unique<mlir::ternary::CompiledModule>(
        std::move(*compiled));
  }

  /// The dialects, extensions and interface models of the compiled
  /// modules' contexts (add to it before compiling).
  mlir::DialectRegistry &dialects() { return registry; }

private:
  mlir::DialectRegistry registry;
  std::vector<std::unique_ptr<mlir::MLIRContext>> contexts;
};

} // namespace ternary_test

#endif // TERNARY_TEST_UNITTESTS_AUTODIFF_JIT_H
