//===- InitAll.h - Register everything the tools need -----------*- C++ -*-===//

#ifndef TERNARY_INITALL_H
#define TERNARY_INITALL_H

namespace mlir {
class DialectRegistry;
namespace ternary {

/// Adds the ternary dialect, the upstream dialects the compiler uses, and
/// their interface models (bufferization, deallocation) to `registry`.
void registerAllDialects(DialectRegistry &registry);

/// Registers the LLVM IR translations of the dialects (for JIT and object
/// emission).
void registerAllTranslations(DialectRegistry &registry);

} // namespace ternary
} // namespace mlir

#endif // TERNARY_INITALL_H
