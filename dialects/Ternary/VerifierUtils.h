//===- VerifierUtils.h - Shared checks of the op verifiers ------*- C++ -*-===//
//
// Private to dialects/Ternary: the shape, attribute and operand checks the
// verifiers of TernaryOps.cpp and TernaryTrainingOps.cpp share.
//
//===----------------------------------------------------------------------===//

#ifndef TERNARY_DIALECTS_TERNARY_VERIFIERUTILS_H
#define TERNARY_DIALECTS_TERNARY_VERIFIERUTILS_H

#include "ternary/Dialect/Ternary/TernaryOps.h"

#include "mlir/IR/Matchers.h"

#include <string>

namespace mlir {
namespace ternary {
namespace detail {

//===----------------------------------------------------------------------===//
// Shape helpers
//===----------------------------------------------------------------------===//

/// Formats a shape as "[4, ?, 8]" for diagnostics.
inline std::string formatShape(ArrayRef<int64_t> shape) {
  std::string s = "[";
  llvm::raw_string_ostream os(s);
  llvm::interleaveComma(shape, os, [&](int64_t d) {
    if (ShapedType::isDynamic(d))
      os << '?';
    else
      os << d;
  });
  os << ']';
  return s;
}

inline bool compatibleDims(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

inline bool compatibleShapes(ArrayRef<int64_t> a, ArrayRef<int64_t> b) {
  if (a.size() != b.size())
    return false;
  for (auto [x, y] : llvm::zip(a, b))
    if (!compatibleDims(x, y))
      return false;
  return true;
}

/// The leading dimensions of an [..., K] shape followed by `last`.
inline SmallVector<int64_t> replaceLastDim(ArrayRef<int64_t> shape,
                                           int64_t last) {
  SmallVector<int64_t> result(shape.drop_back());
  result.push_back(last);
  return result;
}

/// Checks that `value` has the shape `expected`; `name` names it.
inline LogicalResult verifyShape(Operation *op, StringRef name, Type type,
                                 ArrayRef<int64_t> expected) {
  auto shaped = cast<ShapedType>(type);
  if (!compatibleShapes(shaped.getShape(), expected))
    return op->emitOpError()
           << name << " must have shape " << formatShape(expected) << ", got "
           << formatShape(shaped.getShape());
  return success();
}

/// Checks an [..., K] operand: rank at least 1.
inline LogicalResult verifyRowMajor(Operation *op, StringRef name,
                                    RankedTensorType type) {
  if (type.getRank() < 1)
    return op->emitOpError() << name << " must have rank >= 1 ([..., K]), "
                             << "got rank 0";
  return success();
}

/// Checks the activation quantisation attributes shared by several ops.
inline LogicalResult verifyActivationBits(Operation *op, int32_t bits,
                                          int32_t q) {
  if (bits < 2 || bits > 8)
    return op->emitOpError()
           << "activation bits must be in [2, 8], got " << bits;
  int32_t b = 1 << (bits - 1);
  if (q != b && q != b - 1)
    return op->emitOpError()
           << "q must be " << b << " or " << (b - 1) << " for " << bits
           << "-bit activations, got " << q;
  return success();
}

inline LogicalResult verifyEps(Operation *op, APFloat eps) {
  if (!(eps.convertToFloat() > 0.0f))
    return op->emitOpError() << "eps must be positive, got "
                             << formatNumber(eps.convertToDouble());
  return success();
}

/// Checks the optional gamma/beta operands against the normalisation kind.
inline LogicalResult verifyNormOperands(Operation *op, NormKind kind,
                                        Value gamma, Value beta, int64_t k) {
  if (kind == NormKind::layer_affine) {
    if (!gamma || !beta)
      return op->emitOpError()
             << "normalisation 'layer_affine' requires gamma and beta "
                "operands (affine(%gamma, %beta))";
    if (failed(verifyShape(op, "gamma", gamma.getType(), {k})) ||
        failed(verifyShape(op, "beta", beta.getType(), {k})))
      return failure();
    return success();
  }
  if (gamma || beta)
    return op->emitOpError() << "gamma and beta are only allowed with "
                                "normalisation 'layer_affine', not '"
                             << stringifyNormKind(kind) << "'";
  return success();
}

/// Checks the warm-up factor: in [0, 1], and not below 1 when it is also
/// given at run time.
inline LogicalResult verifyLambda(Operation *op, APFloat attr,
                                  bool hasOperand) {
  float lambda = attr.convertToFloat();
  if (!(lambda >= 0.0f && lambda <= 1.0f))
    return op->emitOpError()
           << "lambda must be in [0, 1], got " << formatNumber(lambda);
  if (hasOperand && lambda != 1.0f)
    return op->emitOpError() << "a run-time lambda operand and a lambda "
                                "attribute below 1 are exclusive";
  return success();
}

/// The logical [N, K] shape of an i8 or packed weight.
inline SmallVector<int64_t, 2> weightShape(Type type) {
  if (auto packed = dyn_cast<PackedType>(type))
    return {packed.getRows(), packed.getCols()};
  auto shape = cast<RankedTensorType>(type).getShape();
  return {shape.begin(), shape.end()};
}

/// Whether `value` is a constant tensor whose elements are all equal to
/// `expected`.
inline bool isConstantSplat(Value value, float expected) {
  DenseFPElementsAttr attr;
  if (!value || !matchPattern(value, m_Constant(&attr)))
    return false;
  return llvm::all_of(attr.getValues<float>(),
                      [&](float v) { return v == expected; });
}

} // namespace detail
} // namespace ternary
} // namespace mlir

#endif // TERNARY_DIALECTS_TERNARY_VERIFIERUTILS_H
