//===- Utils.h - Helpers shared by ternary-to-linalg families ---*- C++ -*-===//
//
// Private to passes/Conversion/TernaryToLinalg: the pieces of IR that more
// than one op family builds (decoding a packed weight, the seeded
// generator) or that one family keeps in a file of its own (absmedian). Generic
// linalg helpers are in passes/Utils/LinalgBuilder.h.
//
//===----------------------------------------------------------------------===//

#ifndef TERNARY_PASSES_CONVERSION_TERNARYTOLINALG_UTILS_H
#define TERNARY_PASSES_CONVERSION_TERNARYTOLINALG_UTILS_H

#include "Utils/LinalgBuilder.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

namespace mlir {
namespace ternary {
namespace detail {

/// The weight [row, col] (index values) of packed storage with rows of `k`
/// weights, decoded to an i32 in {-1, 0, 1} (Packing.cpp).
Value loadPackedTernaryWeight(OpBuilder &b, Location loc, PackedType packed,
                              Value storage, Value row, Value col, Value k);

/// A uniform draw in [0, 1) for (seed, index), both i64: the top 24 bits
/// of splitmix64(seed * 2^32 + index), exact in f32. The generator of
/// ternary.dropout and of stochastic weight rounding (Random.cpp).
Value uniformDraw(OpBuilder &b, Location l, Value seed, Value index);

/// Stochastically rounded ternary weights (i8) of the 2-D `w` with scale
/// `g`: sign(v) * [|v| >= u] with v = W / g and u the draw of (seed,
/// row-major index) (Random.cpp).
Value sampleWeights(LinalgBuilder &h, Value w, Value g, Value seed);

/// The private function `(tensor<?xf32>) -> (i32 bits, i1 non-finite)`
/// that computes absmedian, the lower median of |w| as a bit pattern, with
/// `countType` (i32 or i64) counts: one a module and count type, created on
/// first use (AbsMedian.cpp).
func::FuncOp absMedianFunction(OpBuilder &b, Location loc, ModuleOp module,
                               Type countType);

/// A call of `fn` before `op` in its block on the weight `w` (through the
/// collapse and cast made for it), whose results can serve `op` too
/// (AbsMedian.cpp).
func::CallOp earlierCall(Operation *op, func::FuncOp fn, Value w);

} // namespace detail
} // namespace ternary
} // namespace mlir

#endif // TERNARY_PASSES_CONVERSION_TERNARYTOLINALG_UTILS_H
