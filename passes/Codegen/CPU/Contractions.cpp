//===- Contractions.cpp - The f32 contractions the kernel takes -----------===//
//
// Which linalg ops the register-blocked f32 contraction kernel takes and
// how it names their loops (see Contractions.h), shared by
// --ternary-vectorize-contractions and --ternary-outline-linalg.
//
//===----------------------------------------------------------------------===//

#include "Codegen/CPU/Contractions.h"

using namespace mlir;
using namespace mlir::ternary::detail;

static bool hasF32Elements(Value v) {
  auto type = dyn_cast<MemRefType>(v.getType());
  return type && type.getElementType().isF32();
}

std::optional<KernelDims>
mlir::ternary::detail::kernelDims(linalg::LinalgOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1 || !linalg::isaContractionOpInterface(op))
    return std::nullopt;
  for (Value v : op->getOperands())
    if (!hasF32Elements(v))
      return std::nullopt;
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(op);
  if (failed(dims) || dims->m.empty() || dims->n.empty() || dims->k.empty())
    return std::nullopt;
  // The output must be contiguous along n: its rows are vector stores.
  AffineMap out = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  if (out.getNumResults() == 0)
    return std::nullopt;
  auto last = dyn_cast<AffineDimExpr>(out.getResults().back());
  if (!last)
    return std::nullopt;
  // inferContractionDims names m the dimensions of the first input: with
  // the operands the other way round, they are the output's n.
  if (llvm::is_contained(dims->m, last.getPosition()))
    std::swap(dims->m, dims->n);
  if (!llvm::is_contained(dims->n, last.getPosition()))
    return std::nullopt;
  KernelDims kd;
  kd.n = last.getPosition();
  kd.m = dims->m.back();
  kd.k = dims->k.back();
  kd.batch.assign(dims->batch.begin(), dims->batch.end());
  for (unsigned d : dims->m)
    if (d != kd.m)
      kd.batch.push_back(d);
  for (unsigned d : dims->n)
    if (d != kd.n)
      kd.batch.push_back(d);
  llvm::sort(kd.batch);
  for (unsigned d : dims->k)
    if (d != kd.k)
      kd.outerK.push_back(d);
  AffineMap first = op.getMatchingIndexingMap(op.getDpsInputOperand(0));
  kd.b = first.isFunctionOfDim(kd.n) ? 0 : 1;
  kd.a = 1 - kd.b;
  return kd;
}

bool mlir::ternary::detail::isKernelContraction(linalg::LinalgOp op) {
  return kernelDims(op).has_value();
}

bool mlir::ternary::detail::fillsOutputOf(linalg::FillOp fill,
                                          linalg::LinalgOp contraction) {
  if (!fill.hasPureBufferSemantics() || contraction.getNumDpsInits() != 1)
    return false;
  Value output = contraction.getDpsInitOperand(0)->get();
  return fill.getDpsInitOperand(0)->get() == output &&
         !llvm::is_contained(contraction.getDpsInputs(), output);
}
