//===- CHeader.h - C headers of compiled modules -----------------*- C++
//-*-===//
//
// The C header of an object file: memref descriptor types and the C
// interface of every public function.
//
//===----------------------------------------------------------------------===//

#ifndef TERNARY_RUNNER_CHEADER_H
#define TERNARY_RUNNER_CHEADER_H

#include "ternary/Runner/Signatures.h"

#include "llvm/ADT/StringRef.h"

#include <string>
#include <vector>

namespace mlir {
namespace ternary {

/// A C header declaring the C interface (`_mlir_ciface_NAME`) of every
/// function in `signatures`, with the memref descriptor types they take.
/// `usesOpenMP`: the object calls LLVM's OpenMP runtime (its tasks run on
/// threads), which the header's comment then tells how to link and size.
std::string emitCHeader(const std::vector<FunctionSignature> &signatures,
                        llvm::StringRef guard, bool usesOpenMP);

} // namespace ternary
} // namespace mlir

#endif // TERNARY_RUNNER_CHEADER_H
