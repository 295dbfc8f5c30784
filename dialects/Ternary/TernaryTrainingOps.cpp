//===- TernaryTrainingOps.cpp - Training ops of the ternary dialect -------===//
//
// Verifiers of the training operations (TernaryTrainingOps.td): BitLinear's
// STE gradient, the losses, the optimisers, embeddings, CSR aggregation
// and dropout.
//
//===----------------------------------------------------------------------===//

#include "VerifierUtils.h"
#include "ternary/Dialect/Ternary/TernaryOps.h"

using namespace mlir;
using namespace mlir::ternary;
using namespace mlir::ternary::detail;

//===----------------------------------------------------------------------===//
// BitLinearGradOp
//===----------------------------------------------------------------------===//

LogicalResult BitLinearGradOp::verify() {
  RankedTensorType x = getInput().getType(), w = getWeight().getType();
  if (x.getRank() != 2 || w.getRank() != 2)
    return emitOpError() << "input and weight must be 2-D ([M, K] and "
                            "[N, K]), got ranks "
                         << x.getRank() << " and " << w.getRank();
  int64_t m = x.getDimSize(0), k = x.getDimSize(1), n = w.getDimSize(0);
  if (!compatibleDims(k, w.getDimSize(1)))
    return emitOpError() << "input feature size " << formatShape({k})
                         << " does not match the weight's K "
                         << formatShape({w.getDimSize(1)})
                         << " (weight is [N, K])";
  if (failed(verifyShape(*this, "result gradient", getResultGrad().getType(),
                         {m, n})) ||
      failed(verifyNormOperands(*this, getNorm(), getGamma(), getBeta(), k)) ||
      failed(verifyShape(*this, "input gradient", getInputGrad().getType(),
                         x.getShape())) ||
      failed(verifyShape(*this, "weight gradient", getWeightGrad().getType(),
                         w.getShape())) ||
      failed(verifyShape(*this, "bias gradient", getBiasGrad().getType(), {n})))
    return failure();
  size_t affine = getNorm() == NormKind::layer_affine ? 2 : 0;
  if (getAffineGrads().size() != affine)
    return emitOpError() << "expected " << affine
                         << " gamma/beta gradient results for normalisation '"
                         << stringifyNormKind(getNorm()) << "', got "
                         << getAffineGrads().size();
  for (Value grad : getAffineGrads())
    if (failed(verifyShape(*this, "gamma/beta gradient", grad.getType(), {k})))
      return failure();
  if (failed(verifyActivationBits(*this, getActBits(), getQ())) ||
      failed(verifyEps(*this, getEps())))
    return failure();
  return verifyLambda(*this, getLambda(), bool(getLambdaValue()));
}

//===----------------------------------------------------------------------===//
// CrossEntropyOp, CrossEntropyGradOp
//===----------------------------------------------------------------------===//

/// Checks logits [M, C] against labels [M].
static LogicalResult verifyLogitsAndLabels(Operation *op,
                                           RankedTensorType logits,
                                           RankedTensorType labels) {
  if (logits.getRank() != 2)
    return op->emitOpError()
           << "logits must be 2-D ([M, C]), got rank " << logits.getRank();
  return verifyShape(op, "labels", labels, {logits.getDimSize(0)});
}

LogicalResult CrossEntropyOp::verify() {
  return verifyLogitsAndLabels(*this, getLogits().getType(),
                               getLabels().getType());
}

LogicalResult CrossEntropyGradOp::verify() {
  if (failed(verifyLogitsAndLabels(*this, getLogits().getType(),
                                   getLabels().getType())))
    return failure();
  return verifyShape(*this, "logits gradient", getLogitsGrad().getType(),
                     getLogits().getType().getShape());
}

//===----------------------------------------------------------------------===//
// Optimiser operations
//===----------------------------------------------------------------------===//

LogicalResult AdamWOp::verify() {
  for (auto [name, value] :
       {std::pair{"beta1", getBeta1()}, std::pair{"beta2", getBeta2()}})
    if (!(value.convertToDouble() >= 0.0 && value.convertToDouble() < 1.0))
      return emitOpError() << name << " must be in [0, 1), got "
                           << formatNumber(value.convertToDouble());
  if (!(getEps().convertToDouble() > 0.0))
    return emitOpError() << "eps must be positive, got "
                         << formatNumber(getEps().convertToDouble());
  return success();
}

LogicalResult SGDOp::verify() {
  double momentum = getMomentum().convertToDouble();
  if (!(momentum >= 0.0))
    return emitOpError() << "momentum must be >= 0, got "
                         << formatNumber(momentum);
  if (getNesterov() && momentum == 0.0)
    return emitOpError() << "nesterov needs a momentum above 0";
  return success();
}

LogicalResult LRScheduleOp::verify() {
  int64_t warmup = getWarmupSteps(), total = getTotalSteps();
  if (warmup < 0)
    return emitOpError() << "warmup_steps must be >= 0, got " << warmup;
  LRSchedule kind = getSchedule();
  bool needsTotal = kind == LRSchedule::cosine || kind == LRSchedule::two_stage;
  if (needsTotal && total <= warmup)
    return emitOpError() << "schedule '" << stringifyLRSchedule(kind)
                         << "' needs total_steps > warmup_steps, got " << total
                         << " and " << warmup;
  if (kind == LRSchedule::linear_warmup && warmup == 0)
    return emitOpError() << "schedule 'linear_warmup' needs warmup_steps > 0";
  if (!(getLr().convertToDouble() >= 0.0))
    return emitOpError() << "lr must be >= 0, got "
                         << formatNumber(getLr().convertToDouble());
  return success();
}

LogicalResult GlobalNormOp::verify() {
  if (getInputs().empty())
    return emitOpError() << "needs at least one tensor";
  return success();
}

//===----------------------------------------------------------------------===//
// EmbeddingOp, EmbeddingGradOp
//===----------------------------------------------------------------------===//

/// Checks table [V, D] and an [ids..., D] tensor named `name`.
static LogicalResult verifyEmbedding(Operation *op, RankedTensorType table,
                                     RankedTensorType ids, Type gathered,
                                     StringRef name) {
  if (table.getRank() != 2)
    return op->emitOpError()
           << "table must be 2-D ([V, D]), got rank " << table.getRank();
  SmallVector<int64_t> expected(ids.getShape());
  expected.push_back(table.getDimSize(1));
  return verifyShape(op, name, gathered, expected);
}

LogicalResult EmbeddingOp::verify() {
  return verifyEmbedding(*this, getTable().getType(), getIds().getType(),
                         getResult().getType(), "result");
}

LogicalResult EmbeddingGradOp::verify() {
  if (failed(verifyEmbedding(*this, getTable().getType(), getIds().getType(),
                             getResultGrad().getType(), "result gradient")))
    return failure();
  return verifyShape(*this, "table gradient", getTableGrad().getType(),
                     getTable().getType().getShape());
}

//===----------------------------------------------------------------------===//
// SpmmOp, SpmmTransposeOp
//===----------------------------------------------------------------------===//

/// Checks CSR arrays (indptr [M + 1], indices and values [nnz]) and a dense
/// 2-D operand; returns M through `rows` (dynamic if unknown).
static LogicalResult verifyCsr(Operation *op, RankedTensorType indptr,
                               RankedTensorType indices,
                               RankedTensorType values, RankedTensorType dense,
                               int64_t &rows) {
  if (indptr.getRank() != 1 || indices.getRank() != 1 || values.getRank() != 1)
    return op->emitOpError() << "indptr, indices and values must be 1-D";
  if (failed(verifyShape(op, "values", values, {indices.getDimSize(0)})))
    return failure();
  if (dense.getRank() != 2)
    return op->emitOpError()
           << "the dense operand must be 2-D, got rank " << dense.getRank();
  rows =
      indptr.isDynamicDim(0) ? ShapedType::kDynamic : indptr.getDimSize(0) - 1;
  if (rows < 0 && !ShapedType::isDynamic(rows))
    return op->emitOpError() << "indptr must have at least one element";
  return success();
}

LogicalResult SpmmOp::verify() {
  int64_t rows;
  if (failed(verifyCsr(*this, getIndptr().getType(), getIndices().getType(),
                       getValues().getType(), getInput().getType(), rows)))
    return failure();
  return verifyShape(*this, "result", getResult().getType(),
                     {rows, getInput().getType().getDimSize(1)});
}

LogicalResult SpmmTransposeOp::verify() {
  int64_t rows;
  if (failed(verifyCsr(*this, getIndptr().getType(), getIndices().getType(),
                       getValues().getType(), getInput().getType(), rows)) ||
      failed(verifyShape(*this, "input", getInput().getType(),
                         {rows, getInput().getType().getDimSize(1)})))
    return failure();
  if (getLike().getType().getRank() != 2)
    return emitOpError() << "like must be 2-D";
  return verifyShape(
      *this, "result", getResult().getType(),
      {getLike().getType().getDimSize(0), getInput().getType().getDimSize(1)});
}

//===----------------------------------------------------------------------===//
// DropoutOp
//===----------------------------------------------------------------------===//

LogicalResult DropoutOp::verify() {
  double p = getP().convertToDouble();
  if (!(p >= 0.0 && p < 1.0))
    return emitOpError() << "p must be in [0, 1), got " << formatNumber(p);
  return success();
}
