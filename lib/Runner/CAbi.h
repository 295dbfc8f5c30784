//===- CAbi.h - The C interface of compiled functions -----------*- C++ -*-===//
//
// Private to lib/Runner: what the JIT calls (CAbi.cpp) and the C header
// (CHeader.cpp) share about the C interface `_mlir_ciface_NAME` of a
// function: tensors as pointers to memref descriptors {allocated, aligned,
// offset, sizes[r], strides[r]}; a memref result, or several results,
// through a pointer to a struct passed first; a single scalar returned.
//
//===----------------------------------------------------------------------===//

#ifndef TERNARY_LIB_RUNNER_CABI_H
#define TERNARY_LIB_RUNNER_CABI_H

#include "ternary/Runner/Signatures.h"

#include "llvm/Support/Error.h"

#include <string>

namespace mlir {
namespace ternary {
namespace detail {

inline llvm::Error makeError(const llvm::Twine &message) {
  return llvm::make_error<llvm::StringError>(message,
                                             llvm::inconvertibleErrorCode());
}

/// The MLIR spelling of a type ("tensor<2x3xf32>").
std::string typeString(Type type);

/// Whether the results come back through a pointer passed first (a memref
/// result, or several results) rather than returned (one scalar).
inline bool resultsViaPointer(const FunctionSignature &sig) {
  return sig.results.size() > 1 ||
         (sig.results.size() == 1 && isa<RankedTensorType>(sig.results[0]));
}

/// The C type of a host element type ("float", "int8_t", ...).
const char *cTypeName(::ternary::DType dtype);

} // namespace detail
} // namespace ternary
} // namespace mlir

#endif // TERNARY_LIB_RUNNER_CABI_H
