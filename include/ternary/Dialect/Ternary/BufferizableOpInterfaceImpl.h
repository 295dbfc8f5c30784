//===- BufferizableOpInterfaceImpl.h - Bufferizing ternary ops --*- C++ -*-===//
//
// The BufferizableOpInterface models of the ternary ops that remain on
// tensors until one-shot bufferization (dialects/Ternary/
// BufferizableOpInterfaceImpl.cpp), as upstream dialects register theirs.
//
//===----------------------------------------------------------------------===//

#ifndef TERNARY_DIALECT_TERNARY_BUFFERIZABLEOPINTERFACEIMPL_H
#define TERNARY_DIALECT_TERNARY_BUFFERIZABLEOPINTERFACEIMPL_H

namespace mlir {
class DialectRegistry;
namespace ternary {

/// Attaches the models: `ternary.prefetch` becomes `memref.prefetch`.
void registerBufferizableOpInterfaceExternalModels(DialectRegistry &registry);

} // namespace ternary
} // namespace mlir

#endif // TERNARY_DIALECT_TERNARY_BUFFERIZABLEOPINTERFACEIMPL_H
