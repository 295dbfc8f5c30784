//===- ternary-opt.cpp - The ternary optimizer driver ---------------------===//
//
// An mlir-opt-style driver: parses MLIR that uses the ternary dialect and
// the upstream dialects the project builds on, runs passes and pipelines,
// and prints the result.
//
//===----------------------------------------------------------------------===//

#include "ternary/InitAll.h"
#include "ternary/Passes/Pipelines.h"

#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  mlir::ternary::registerAllDialects(registry);
  mlir::registerTransformsPasses();
  // One-shot bufferization on its own (tests of the ternary ops' models).
  mlir::bufferization::registerBufferizationPasses();
  mlir::ternary::registerTernaryPassesAndPipelines();
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "Ternary (1.58-bit) neural network compiler driver\n",
      registry));
}
