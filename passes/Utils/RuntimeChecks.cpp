//===- RuntimeChecks.cpp - Run-time checks of dynamic sizes ---------------===//
//
// Checks emitted by the lowerings where sizes are dynamic: a mismatch
// calls the runtime's ternary_check_failed (ternary/Runtime/Checks.h),
// which reports it and ends the process.
//
//===----------------------------------------------------------------------===//

#include "Utils/RuntimeChecks.h"
#include "ternary/Dialect/Ternary/TernaryOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/BuiltinOps.h"

using namespace mlir;
using namespace mlir::ternary;

/// The value of an index known at compile time: a constant, or a
/// `tensor.dim` of a static dimension (what the lowerings pass).
static std::optional<int64_t> knownSize(Value v) {
  if (std::optional<int64_t> c = getConstantIntValue(v))
    return c;
  auto dim = v.getDefiningOp<tensor::DimOp>();
  if (!dim)
    return std::nullopt;
  std::optional<int64_t> index = getConstantIntValue(dim.getIndex());
  auto type = dyn_cast<RankedTensorType>(dim.getSource().getType());
  if (!index || !type || *index < 0 || *index >= type.getRank() ||
      type.isDynamicDim(*index))
    return std::nullopt;
  return type.getDimSize(*index);
}

void mlir::ternary::detail::emitSizeCheck(OpBuilder &b, Location loc,
                                          Value actual, Value expected,
                                          ternary_check check) {
  // Static sizes were checked by the verifiers: no code, no declaration.
  if (knownSize(actual) && knownSize(expected))
    return;
  // func.func private @ternary_check_failed(i32), once a module.
  auto module =
      b.getInsertionBlock()->getParentOp()->getParentOfType<ModuleOp>();
  constexpr StringLiteral name = "ternary_check_failed";
  if (!module.lookupSymbol<func::FuncOp>(name)) {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(module.getBody());
    auto decl = func::FuncOp::create(b, loc, name,
                                     b.getFunctionType({b.getI32Type()}, {}));
    decl.setPrivate();
  }
  Value differ =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, actual, expected);
  scf::IfOp::create(b, loc, differ, [&](OpBuilder &nb, Location nl) {
    Value code = arith::ConstantOp::create(
        nb, nl, nb.getI32IntegerAttr(static_cast<int32_t>(check)));
    func::CallOp::create(nb, nl, name, TypeRange{}, ValueRange{code});
    scf::YieldOp::create(nb, nl);
  });
}

void mlir::ternary::detail::emitProductChecks(OpBuilder &b, Location loc,
                                              Value x, Value weight,
                                              PackedType packed,
                                              Value unpacked) {
  int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
  Value k = tensor::DimOp::create(b, loc, x, rank - 1);
  if (!packed || unpacked) {
    Value cols = tensor::DimOp::create(b, loc, unpacked ? unpacked : weight, 1);
    emitSizeCheck(b, loc, cols, k, TERNARY_CHECK_K_MISMATCH);
    return;
  }
  Value cols = tensor::DimOp::create(b, loc, weight, 1);
  Value per =
      arith::ConstantIndexOp::create(b, loc, packed.getWeightsPerByte());
  emitSizeCheck(b, loc, cols, arith::CeilDivUIOp::create(b, loc, k, per),
                TERNARY_CHECK_PACKED_BYTES);
}

void mlir::ternary::detail::emitRescaleChecks(OpBuilder &b, Location loc,
                                              ArrayRef<Value> rowSizes, Value n,
                                              Value absmax, Value bias) {
  for (auto [d, size] : llvm::enumerate(rowSizes))
    emitSizeCheck(b, loc, tensor::DimOp::create(b, loc, absmax, d), size,
                  TERNARY_CHECK_ABSMAX_ROWS);
  if (bias)
    emitSizeCheck(b, loc, tensor::DimOp::create(b, loc, bias, 0), n,
                  TERNARY_CHECK_BIAS_SIZE);
}

Value mlir::ternary::detail::packedAtRunTimeFrom(
    ConversionPatternRewriter &rewriter, Value weight) {
  auto pack = weight.getDefiningOp<PackOp>();
  return pack ? rewriter.getRemappedValue(pack.getInput()) : Value();
}
