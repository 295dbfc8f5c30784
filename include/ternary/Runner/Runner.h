//===- Runner.h - Compile and run functions of a module ---------*- C++ -*-===//
//
// Compiles a module through the inference pipeline, JIT-compiles it for a
// chosen CPU and feature set, and calls its functions on host arrays,
// checking the arguments against the function's signature.
//
//===----------------------------------------------------------------------===//

#ifndef TERNARY_RUNNER_RUNNER_H
#define TERNARY_RUNNER_RUNNER_H

#include "ternary/Passes/Pipelines.h"
#include "ternary/Support/Npy.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Target/TargetMachine.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace mlir {
class ExecutionEngine;
namespace ternary {

using ::ternary::DType;
using ::ternary::HostArray;

/// Where and how the code is generated.
struct TargetOptions {
  std::string cpu;       ///< empty: the host CPU (generic for other triples)
  std::string features;  ///< "+avx2,-avx512f": added to the CPU's features
  unsigned optLevel = 3; ///< 0..3
  std::string triple;    ///< empty: the host
};

/// A target machine for `target` (position-independent code). With neither
/// a CPU nor a triple given, it is the host CPU with the host's features.
llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createTargetMachine(const TargetOptions &target, bool forJIT = false);

/// The features of `tm` that decide the packed product kernel, as an LLVM
/// feature string for InferencePipelineOptions::targetFeatures (features
/// implied by the CPU included).
std::string kernelFeatures(const llvm::TargetMachine &tm);

/// The signature of a function as its caller sees it (before lowering).
struct FunctionSignature {
  std::string name;
  std::vector<Type> inputs;
  std::vector<Type> results;
};

/// Runs --ternary-autodiff and --ternary-train-step on `module`, so that the
/// gradient and training functions it requests exist before the signatures
/// are collected (the passes consume the requests: the pipeline's own runs
/// then do nothing).
llvm::Error deriveRequestedGradients(ModuleOp module);

/// The signatures of the public functions of `module`, with packed weights
/// as their storage tensors; an error for types the tools cannot pass.
llvm::Expected<std::vector<FunctionSignature>>
collectSignatures(ModuleOp module);

/// A C header declaring the C interface (`_mlir_ciface_NAME`) of every
/// function in `signatures`, with the memref descriptor types they take.
std::string emitCHeader(const std::vector<FunctionSignature> &signatures,
                        llvm::StringRef guard);

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

/// The host element type of a tensor element type (or scalar type), if the
/// tools support it.
std::optional<DType> hostDType(Type elementType);

/// Formats an array as "2x3xf32" followed by its values, for printing.
std::string formatArray(const HostArray &array);

/// Reads a tool argument: "@file.npy" or an inline value (parseInlineArray).
llvm::Expected<HostArray> readArrayArgument(llvm::StringRef spec);

/// Parses an inline value "2x3xf32=1,2,3,4,5,6" (or "f32=1.5" for a
/// scalar; "2x3xf32=0" fills the array with one value).
llvm::Expected<HostArray> parseInlineArray(llvm::StringRef text);

} // namespace ternary
} // namespace mlir

#endif // TERNARY_RUNNER_RUNNER_H
