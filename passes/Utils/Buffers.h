//===- Buffers.h - The buffer a memref value views --------------*- C++ -*-===//
//
// Private to passes/: the buffer-level passes (ForwardCopies, SplitDeallocs)
// ask which buffer a memref value is a view of.
//
//===----------------------------------------------------------------------===//

#ifndef TERNARY_PASSES_UTILS_BUFFERS_H
#define TERNARY_PASSES_UTILS_BUFFERS_H

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace mlir {
namespace ternary {
namespace detail {

/// The buffer `v` is a view of (through view-like ops and the base buffer of
/// memref.extract_strided_metadata), or `v`.
inline Value bufferRoot(Value v) {
  while (true) {
    if (auto view = v.getDefiningOp<ViewLikeOpInterface>()) {
      v = view.getViewSource();
      continue;
    }
    auto metadata = v.getDefiningOp<memref::ExtractStridedMetadataOp>();
    if (!metadata || v != metadata.getBaseBuffer())
      return v;
    v = metadata.getSource();
  }
}

} // namespace detail
} // namespace ternary
} // namespace mlir

#endif // TERNARY_PASSES_UTILS_BUFFERS_H
