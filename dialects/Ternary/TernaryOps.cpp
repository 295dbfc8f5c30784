//===- TernaryOps.cpp - Operations of the ternary dialect -----------------===//
//
// Verifiers, folders and canonicalisation patterns. Constant folding calls
// the reference numerics and the runtime's packing functions, so that the
// compiler and the oracle of the tests cannot drift apart.
//
//===----------------------------------------------------------------------===//

#include "ternary/Dialect/Ternary/TernaryOps.h"
#include "VerifierUtils.h"
#include "ternary/Reference/BitLinear.h"
#include "ternary/Runtime/Packing.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/PatternMatch.h"

#include <string>

using namespace mlir;
using namespace mlir::ternary;
using namespace mlir::ternary::detail;

static_assert(static_cast<int>(Encoding::i2) == TERNARY_ENCODING_I2 &&
                  static_cast<int>(Encoding::base3) == TERNARY_ENCODING_BASE3,
              "#ternary.encoding must match the runtime's ternary_encoding");

//===----------------------------------------------------------------------===//
// BitLinearOp
//===----------------------------------------------------------------------===//

LogicalResult BitLinearOp::verify() {
  RankedTensorType x = getInput().getType(), w = getWeight().getType();
  if (failed(verifyRowMajor(*this, "input", x)))
    return failure();
  if (w.getRank() != 2)
    return emitOpError() << "weight must be a 2-D tensor [N, K], got rank "
                         << w.getRank();
  int64_t k = x.getShape().back(), n = w.getDimSize(0);
  if (!compatibleDims(k, w.getDimSize(1)))
    return emitOpError() << "input feature size " << formatShape({k})
                         << " does not match the weight's K "
                         << formatShape({w.getDimSize(1)})
                         << " (weight is [N, K])";
  if (getBias() && failed(verifyShape(*this, "bias", getBias().getType(), {n})))
    return failure();
  if (failed(verifyNormOperands(*this, getNorm(), getGamma(), getBeta(), k)))
    return failure();
  if (failed(verifyShape(*this, "result", getResult().getType(),
                         replaceLastDim(x.getShape(), n))))
    return failure();
  if (failed(verifyActivationBits(*this, getActBits(), getQ())) ||
      failed(verifyEps(*this, getEps())))
    return failure();
  return verifyLambda(*this, getLambda(), bool(getLambdaValue()));
}

bool BitLinearOp::isTrainingTime() {
  return getLambdaValue() || getRoundingSeed() ||
         getLambda().convertToFloat() != 1.0f;
}

namespace {
/// `layer_affine` with constant gamma = 1 and beta = 0 is `layer`.
struct DropIdentityAffine : OpRewritePattern<BitLinearOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BitLinearOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getNorm() != NormKind::layer_affine ||
        !isConstantSplat(op.getGamma(), 1.0f) ||
        !isConstantSplat(op.getBeta(), 0.0f))
      return failure();
    rewriter.modifyOpInPlace(op, [&] {
      op.getGammaMutable().clear();
      op.getBetaMutable().clear();
      op.setNorm(NormKind::layer);
    });
    return success();
  }
};

/// A constant all-zero bias adds nothing before the rescale.
template <typename OpTy> struct DropZeroBias : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    if (!isConstantSplat(op.getBias(), 0.0f))
      return failure();
    rewriter.modifyOpInPlace(op, [&] { op.getBiasMutable().clear(); });
    return success();
  }
};
} // namespace

void BitLinearOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                              MLIRContext *context) {
  results.add<DropIdentityAffine, DropZeroBias<BitLinearOp>>(context);
}

//===----------------------------------------------------------------------===//
// NormalizeOp
//===----------------------------------------------------------------------===//

LogicalResult NormalizeOp::verify() {
  RankedTensorType x = getInput().getType();
  if (failed(verifyRowMajor(*this, "input", x)) ||
      failed(
          verifyShape(*this, "result", getResult().getType(), x.getShape())) ||
      failed(verifyNormOperands(*this, getKind(), getGamma(), getBeta(),
                                x.getShape().back())))
    return failure();
  return verifyEps(*this, getEps());
}

OpFoldResult NormalizeOp::fold(FoldAdaptor) {
  if (getKind() == NormKind::none &&
      getInput().getType() == getResult().getType())
    return getInput();
  return {};
}

//===----------------------------------------------------------------------===//
// WeightScaleOp
//===----------------------------------------------------------------------===//

LogicalResult WeightScaleOp::verify() { return verifyEps(*this, getEps()); }

static ::ternary::ref::ScaleMethod toReference(ScaleMethod method) {
  return method == ScaleMethod::absmean
             ? ::ternary::ref::ScaleMethod::AbsMean
             : ::ternary::ref::ScaleMethod::AbsMedian;
}

OpFoldResult WeightScaleOp::fold(FoldAdaptor adaptor) {
  auto weight = dyn_cast_if_present<DenseFPElementsAttr>(adaptor.getWeight());
  if (!weight)
    return {};
  SmallVector<float> values(weight.getValues<float>());
  float g = ::ternary::ref::weightScale(values.data(), values.size(),
                                        toReference(getMethod()),
                                        getEps().convertToFloat());
  return FloatAttr::get(Float32Type::get(getContext()), g);
}

//===----------------------------------------------------------------------===//
// QuantizeWeightsOp
//===----------------------------------------------------------------------===//

LogicalResult QuantizeWeightsOp::verify() {
  return verifyShape(*this, "result", getResult().getType(),
                     getWeight().getType().getShape());
}

OpFoldResult QuantizeWeightsOp::fold(FoldAdaptor adaptor) {
  auto weight = dyn_cast_if_present<DenseFPElementsAttr>(adaptor.getWeight());
  auto scale = dyn_cast_if_present<FloatAttr>(adaptor.getScale());
  if (!weight || !scale || !getResult().getType().hasStaticShape())
    return {};
  SmallVector<float> values(weight.getValues<float>());
  SmallVector<int8_t> quantized(values.size());
  ::ternary::ref::quantizeWeights(values.data(), values.size(),
                                  scale.getValue().convertToFloat(),
                                  quantized.data());
  return DenseElementsAttr::get(getResult().getType(),
                                ArrayRef<int8_t>(quantized));
}

//===----------------------------------------------------------------------===//
// TernarizeOp
//===----------------------------------------------------------------------===//

LogicalResult TernarizeOp::verify() { return verifyEps(*this, getEps()); }

OpFoldResult TernarizeOp::fold(FoldAdaptor adaptor) {
  auto weight = dyn_cast_if_present<DenseFPElementsAttr>(adaptor.getWeight());
  if (!weight || !getResult().getType().hasStaticShape())
    return {};
  SmallVector<float> values(weight.getValues<float>());
  float g = ::ternary::ref::weightScale(values.data(), values.size(),
                                        toReference(getMethod()),
                                        getEps().convertToFloat());
  SmallVector<int8_t> quantized(values.size());
  ::ternary::ref::quantizeWeights(values.data(), values.size(), g,
                                  quantized.data());
  for (size_t i = 0; i < values.size(); ++i)
    values[i] = g * float(quantized[i]);
  return DenseElementsAttr::get(getResult().getType(), ArrayRef<float>(values));
}

//===----------------------------------------------------------------------===//
// QuantizeActivationsOp
//===----------------------------------------------------------------------===//

LogicalResult QuantizeActivationsOp::verify() {
  RankedTensorType x = getInput().getType();
  if (failed(verifyRowMajor(*this, "input", x)) ||
      failed(
          verifyShape(*this, "values", getValues().getType(), x.getShape())) ||
      failed(verifyShape(*this, "absmax", getAbsmax().getType(),
                         x.getShape().drop_back())) ||
      failed(verifyActivationBits(*this, getBits(), getQ())) ||
      failed(verifyNormOperands(*this, getNorm(), getGamma(), getBeta(),
                                x.getShape().back())))
    return failure();
  return verifyEps(*this, getEps());
}

//===----------------------------------------------------------------------===//
// MatmulOp
//===----------------------------------------------------------------------===//

/// Checks values [..., K] x weight [N, K] -> [..., N] (result of any
/// element type).
static LogicalResult verifyProduct(Operation *op, RankedTensorType x,
                                   Type weight, Type result) {
  if (failed(verifyRowMajor(op, "values", x)))
    return failure();
  if (auto w = dyn_cast<RankedTensorType>(weight); w && w.getRank() != 2)
    return op->emitOpError()
           << "weight must be a 2-D tensor [N, K], got rank " << w.getRank();
  SmallVector<int64_t, 2> nk = weightShape(weight);
  int64_t k = x.getShape().back();
  if (!compatibleDims(k, nk[1]))
    return op->emitOpError() << "values feature size " << formatShape({k})
                             << " does not match the weight's K "
                             << formatShape({nk[1]}) << " (weight is [N, K])";
  return verifyShape(op, "result", result, replaceLastDim(x.getShape(), nk[0]));
}

/// Checks a product's kernel choice: a chosen kernel (never `auto`), and a
/// vector kernel only where one exists (2-D activations, packed weights).
static LogicalResult verifyKernel(Operation *op,
                                  std::optional<PackedKernel> kernel,
                                  RankedTensorType values, Type weight) {
  if (!kernel)
    return success();
  if (*kernel == PackedKernel::auto_)
    return op->emitOpError()
           << "kernel must be a chosen kernel, not auto (auto is an option "
              "of --ternary-select-kernels)";
  if (*kernel != PackedKernel::loops &&
      (!isa<PackedType>(weight) || values.getRank() != 2))
    return op->emitOpError() << "kernel " << stringifyPackedKernel(*kernel)
                             << " needs 2-D activations and packed weights";
  return success();
}

LogicalResult MatmulOp::verify() {
  if (failed(verifyProduct(*this, getValues().getType(), getWeight().getType(),
                           getResult().getType())))
    return failure();
  return verifyKernel(*this, getKernel(), getValues().getType(),
                      getWeight().getType());
}

//===----------------------------------------------------------------------===//
// RescaleOp
//===----------------------------------------------------------------------===//

/// Checks the rescale operands against the accumulator shape [..., N].
static LogicalResult verifyRescale(Operation *op, ArrayRef<int64_t> accShape,
                                   Value absmax, Value bias, int32_t q) {
  if (failed(
          verifyShape(op, "absmax", absmax.getType(), accShape.drop_back())) ||
      (bias &&
       failed(verifyShape(op, "bias", bias.getType(), {accShape.back()}))))
    return failure();
  if (q < 1)
    return op->emitOpError() << "q must be positive, got " << q;
  return success();
}

LogicalResult RescaleOp::verify() {
  RankedTensorType acc = getAcc().getType();
  if (failed(verifyRowMajor(*this, "acc", acc)) ||
      failed(
          verifyShape(*this, "result", getResult().getType(), acc.getShape())))
    return failure();
  return verifyRescale(*this, acc.getShape(), getAbsmax(), getBias(), getQ());
}

LogicalResult MatmulRescaleOp::verify() {
  if (failed(verifyProduct(*this, getValues().getType(), getWeight().getType(),
                           getResult().getType())) ||
      failed(verifyKernel(*this, getKernel(), getValues().getType(),
                          getWeight().getType())))
    return failure();
  return verifyRescale(*this, getResult().getType().getShape(), getAbsmax(),
                       getBias(), getQ());
}

void RescaleOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                            MLIRContext *context) {
  results.add<DropZeroBias<RescaleOp>>(context);
}

//===----------------------------------------------------------------------===//
// PackOp / UnpackOp / PackedConstantOp
//===----------------------------------------------------------------------===//

/// Checks that an i8 [N, K] tensor matches the logical shape of `packed`.
static LogicalResult verifyUnpackedShape(Operation *op, StringRef name,
                                         RankedTensorType unpacked,
                                         PackedType packed) {
  if (unpacked.getRank() != 2)
    return op->emitOpError() << name << " must be a 2-D tensor [N, K], got "
                             << "rank " << unpacked.getRank();
  if (!compatibleShapes(unpacked.getShape(), packed.getShape()))
    return op->emitOpError()
           << name << " shape " << formatShape(unpacked.getShape())
           << " does not match the packed shape "
           << formatShape(packed.getShape());
  return success();
}

static ternary_encoding toRuntime(Encoding encoding) {
  return static_cast<ternary_encoding>(encoding);
}

LogicalResult PackOp::verify() {
  return verifyUnpackedShape(*this, "input", getInput().getType(),
                             getResult().getType());
}

OpFoldResult PackOp::fold(FoldAdaptor adaptor) {
  // pack(unpack(p)) -> p
  if (auto unpack = getInput().getDefiningOp<UnpackOp>())
    if (unpack.getInput().getType() == getResult().getType())
      return unpack.getInput();

  auto input = dyn_cast_if_present<DenseIntElementsAttr>(adaptor.getInput());
  PackedType packed = getResult().getType();
  if (!input || !packed.hasStaticShape())
    return {};
  SmallVector<int8_t> weights(input.getValues<int8_t>());
  RankedTensorType storage = packed.getStorageType();
  SmallVector<uint8_t> bytes(storage.getNumElements());
  if (ternary_pack(weights.data(), packed.getRows(), packed.getCols(),
                   toRuntime(packed.getEncoding()), bytes.data()) != 0)
    return {}; // Not all values are ternary: the result is undefined.
  ArrayRef<int8_t> signedBytes(reinterpret_cast<const int8_t *>(bytes.data()),
                               bytes.size());
  return DenseElementsAttr::get(storage, signedBytes);
}

LogicalResult UnpackOp::verify() {
  return verifyUnpackedShape(*this, "result", getResult().getType(),
                             getInput().getType());
}

OpFoldResult UnpackOp::fold(FoldAdaptor adaptor) {
  // unpack(pack(w)) -> w
  if (auto pack = getInput().getDefiningOp<PackOp>())
    if (pack.getInput().getType() == getResult().getType())
      return pack.getInput();

  auto storage = dyn_cast_if_present<DenseIntElementsAttr>(adaptor.getInput());
  PackedType packed = getInput().getType();
  if (!storage || !getResult().getType().hasStaticShape())
    return {};
  SmallVector<int8_t> bytes(storage.getValues<int8_t>());
  SmallVector<int8_t> weights(getResult().getType().getNumElements());
  if (ternary_unpack(reinterpret_cast<const uint8_t *>(bytes.data()),
                     packed.getRows(), packed.getCols(),
                     toRuntime(packed.getEncoding()), weights.data()) != 0)
    return {};
  return DenseElementsAttr::get(getResult().getType(),
                                ArrayRef<int8_t>(weights));
}

LogicalResult PackedConstantOp::verify() {
  PackedType packed = getResult().getType();
  if (!packed.hasStaticShape())
    return emitOpError() << "result type " << packed
                         << " must have a static shape";
  auto valueType = cast<ShapedType>(getValue().getType());
  RankedTensorType storage = packed.getStorageType();
  if (valueType != storage)
    return emitOpError() << "storage of " << packed << " must be " << storage
                         << " (" << packed.getRowBytes() << " bytes for "
                         << packed.getCols() << " weights a row), got "
                         << valueType;
  SmallVector<int8_t> bytes(getValue().getValues<int8_t>());
  SmallVector<int8_t> weights(packed.getRows() * packed.getCols());
  if (ternary_unpack(reinterpret_cast<const uint8_t *>(bytes.data()),
                     packed.getRows(), packed.getCols(),
                     toRuntime(packed.getEncoding()), weights.data()) != 0)
    return emitOpError() << "storage is not valid "
                         << stringifyEncoding(packed.getEncoding()) << " data: "
                         << (packed.getEncoding() == Encoding::i2
                                 ? "a code 3, or padding"
                                 : "padding")
                         << " that is not the zero weight";
  return success();
}

OpFoldResult PackedConstantOp::fold(FoldAdaptor) { return getValueAttr(); }

//===----------------------------------------------------------------------===//
// DotBytesOp
//===----------------------------------------------------------------------===//

LogicalResult DotBytesOp::verify() {
  int64_t lanes = getAcc().getType().getNumElements();
  int64_t bytes = getLhs().getType().getNumElements();
  if (bytes != 4 * lanes)
    return emitOpError() << "needs 4 bytes a lane: " << lanes << " lanes take "
                         << 4 * lanes << " bytes, got " << bytes;
  int64_t want = getKernel() == DotKernel::avx512_vnni ? 16 : 8;
  if (lanes != want)
    return emitOpError() << "kernel '" << stringifyDotKernel(getKernel())
                         << "' works on " << want << " lanes, got " << lanes;
  return success();
}

LogicalResult PrefetchOp::verify() {
  int64_t rank = getSource().getType().getRank();
  if (static_cast<int64_t>(getIndices().size()) != rank)
    return emitOpError() << "needs one index a dimension: " << rank
                         << " for the source, got " << getIndices().size();
  return success();
}

#define GET_OP_CLASSES
#include "Ternary/TernaryOps.cpp.inc"
