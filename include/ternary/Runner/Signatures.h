//===- Signatures.h - Signatures of compiled functions -----------*- C++
//-*-===//
//
// What a caller passes to and gets from a public function, as the tools
// see it: ranked tensors and scalars of the host element types.
//
//===----------------------------------------------------------------------===//

#ifndef TERNARY_RUNNER_SIGNATURES_H
#define TERNARY_RUNNER_SIGNATURES_H

#include "ternary/Support/Npy.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"

#include <optional>
#include <string>
#include <vector>

namespace mlir {
namespace ternary {

using ::ternary::DType;
using ::ternary::HostArray;

/// The signature of a function as its caller sees it (before lowering).
struct FunctionSignature {
  std::string name;
  std::vector<Type> inputs;
  std::vector<Type> results;
};

/// The signatures of the public functions of `module`, with packed weights
/// as their storage tensors; an error for types the tools cannot pass.
llvm::Expected<std::vector<FunctionSignature>>
collectSignatures(ModuleOp module);

/// The host element type of a tensor element type (or scalar type), if the
/// tools support it.
std::optional<DType> hostDType(Type elementType);

} // namespace ternary
} // namespace mlir

#endif // TERNARY_RUNNER_SIGNATURES_H
