//===- CompiledModule.h - Modules compiled in memory -------------*- C++
//-*-===//
//
// Compiles a module through the inference pipeline, JIT-compiles it for a
// chosen CPU and feature set, and calls its functions on host arrays,
// checking the arguments against the function's signature.
//
//===----------------------------------------------------------------------===//

#ifndef TERNARY_RUNNER_COMPILEDMODULE_H
#define TERNARY_RUNNER_COMPILEDMODULE_H

#include "ternary/Passes/Pipelines.h"
#include "ternary/Runner/Signatures.h"
#include "ternary/Runner/Target.h"

#include "mlir/IR/OwningOpRef.h"

#include <map>
#include <memory>

namespace mlir {
class ExecutionEngine;
namespace ternary {

/// Runs --ternary-autodiff and --ternary-train-step on `module`, so that the
/// gradient and training functions it requests exist before the signatures
/// are collected (the passes consume the requests: the pipeline's own runs
/// then do nothing).
llvm::Error deriveRequestedGradients(ModuleOp module);

/// A module compiled to native code in memory.
class CompiledModule {
public:
  ~CompiledModule();
  CompiledModule(CompiledModule &&) noexcept;

  /// Runs the inference pipeline on `module` (consumed) and JIT-compiles it.
  /// The pipeline's target features are those of `target`.
  static llvm::Expected<CompiledModule>
  compile(OwningOpRef<ModuleOp> module, const InferencePipelineOptions &options,
          const TargetOptions &target);

  /// Names of the public functions, in order.
  const std::vector<std::string> &functionNames() const { return names; }

  /// Calls `function` with `inputs` (shapes and element types checked
  /// against its signature) and returns its results.
  llvm::Expected<std::vector<HostArray>>
  call(const std::string &function, const std::vector<HostArray> &inputs);

  /// Like call, but the function works on the inputs' own memory: what it
  /// updates in place (the parameters and state of a train step) is
  /// updated in `inputs`.
  llvm::Expected<std::vector<HostArray>>
  callInPlace(const std::string &function,
              const std::vector<HostArray *> &inputs);

  /// The address of the C interface of `function` (`_mlir_ciface_NAME`),
  /// for callers that build memref descriptors themselves (benchmarks).
  llvm::Expected<void *> lookupCInterface(const std::string &function) const;

private:
  CompiledModule() = default;
  llvm::Expected<std::vector<HostArray>>
  invoke(const std::string &function, const std::vector<HostArray *> &inputs,
         bool copyInputs);
  std::unique_ptr<ExecutionEngine> engine;
  std::vector<std::string> names;
  std::map<std::string, FunctionSignature> signatures;
};

} // namespace ternary
} // namespace mlir

#endif // TERNARY_RUNNER_COMPILEDMODULE_H
