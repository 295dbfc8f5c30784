//===- Rows.h - How a generic's operands walk its innermost loop -*- C++
//-*-===//
//
// Private to passes/Codegen: what --ternary-vectorize-rows (element-wise
// rows of vectors) and --ternary-vectorize-reductions (reductions along
// the row, several outputs side by side) ask of a linalg.generic before
// they load its operands as vectors along the innermost loop.
//
//===----------------------------------------------------------------------===//

#ifndef TERNARY_PASSES_CODEGEN_CPU_ROWS_H
#define TERNARY_PASSES_CODEGEN_CPU_ROWS_H

#include "mlir/IR/AffineMap.h"
#include "mlir/IR/Block.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"

#include <optional>

namespace mlir {
namespace ternary {
namespace detail {

/// How `map` walks loop `last`: the coefficient of `d_last` in its last
/// result `s * d_last + e` (1: contiguously, more: every s-th element), with
/// `e` free of `d_last` and no other result using `d_last`; 0 when the map
/// does not use `d_last`; nullopt when it uses it otherwise.
std::optional<int64_t> strideAlong(AffineMap map, unsigned last);

/// Whether every op of `body` but the yield maps element-wise onto vectors
/// of its scalar operands (arith and math), or is a constant.
bool elementwiseBody(Block &body);

/// The vector of `lanes` that stands for scalar `v`: its image in `mapping`,
/// or else `v` broadcast (a value of the enclosing code), mapped from then
/// on.
Value vectorOf(OpBuilder &b, Location loc, Value v, int64_t lanes,
               IRMapping &mapping);

/// Clones the ops of an `elementwiseBody` but its yield (and `skip`) on
/// vectors of `lanes`, the block arguments it reads mapped to vectors in
/// `mapping`: constants stay scalars, broadcast; values of the enclosing
/// code are broadcast.
void cloneOnVectors(OpBuilder &b, Location loc, Block &body, int64_t lanes,
                    IRMapping &mapping, Operation *skip = nullptr);

} // namespace detail
} // namespace ternary
} // namespace mlir

#endif // TERNARY_PASSES_CODEGEN_CPU_ROWS_H
