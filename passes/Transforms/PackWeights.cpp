//===- PackWeights.cpp - Pack constant ternary weights --------------------===//
//
// ternary.matmul(x, constant i8 weights) -> ternary.matmul(x, packed
// constant), in the encoding chosen by the pass option.
//
//===----------------------------------------------------------------------===//

#include "ternary/Dialect/Ternary/TernaryOps.h"
#include "ternary/Passes/Passes.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir {
namespace ternary {
#define GEN_PASS_DEF_TERNARYPACKWEIGHTS
#include "passes/Passes.h.inc"
} // namespace ternary
} // namespace mlir

using namespace mlir;
using namespace mlir::ternary;

namespace {

struct TernaryPackWeights
    : public mlir::ternary::impl::TernaryPackWeightsBase<TernaryPackWeights> {
  using TernaryPackWeightsBase::TernaryPackWeightsBase;

  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    getOperation()->walk([&](MatmulOp op) {
      auto weightType = dyn_cast<RankedTensorType>(op.getWeight().getType());
      if (!weightType)
        return; // already packed
      bool constant = weightType.hasStaticShape() &&
                      matchPattern(op.getWeight(), m_Constant());
      bool quantized = op.getWeight().getDefiningOp<QuantizeWeightsOp>();
      auto packedType =
          PackedType::get(&getContext(), weightType.getShape(), encoding);
      // Rows shorter than one 64-byte block of the kernels would be all
      // partial block: the f32 contraction does better with those.
      int64_t k = weightType.getDimSize(1);
      bool shortRows =
          !ShapedType::isDynamic(k) && k < 64 * packedType.getWeightsPerByte();
      if (!constant && !(runtimeWeights && quantized && !shortRows))
        return;
      rewriter.setInsertionPoint(op);
      // A constant folds to a ternary.packed_constant; one that is not
      // ternary does not fold and is left alone.
      Value packed = rewriter.createOrFold<PackOp>(op.getLoc(), packedType,
                                                   op.getWeight());
      if (constant && !packed.getDefiningOp<PackedConstantOp>()) {
        rewriter.eraseOp(packed.getDefiningOp());
        return;
      }
      rewriter.modifyOpInPlace(op,
                               [&] { op.getWeightMutable().assign(packed); });
    });
  }
};

} // namespace
