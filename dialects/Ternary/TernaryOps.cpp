//===- TernaryOps.cpp - Operations of the ternary dialect -----------------===//
//
// Verifiers, folders and canonicalisation patterns. Constant folding calls
// the reference numerics and the runtime's packing functions, so that the
// compiler and the oracle of the tests cannot drift apart.
//
//===----------------------------------------------------------------------===//

#include "ternary/Dialect/Ternary/TernaryOps.h"
#include "ternary/Reference/BitLinear.h"
#include "ternary/Runtime/Packing.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/PatternMatch.h"

#include <string>

using namespace mlir;
using namespace mlir::ternary;

static_assert(static_cast<int>(Encoding::i2) == TERNARY_ENCODING_I2 &&
                  static_cast<int>(Encoding::base3) == TERNARY_ENCODING_BASE3,
              "#ternary.encoding must match the runtime's ternary_encoding");

//===----------------------------------------------------------------------===//
// Shape helpers
//===----------------------------------------------------------------------===//

/// Formats a shape as "[4, ?, 8]" for diagnostics.
static std::string formatShape(ArrayRef<int64_t> shape) {
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

static bool compatibleDims(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

static bool compatibleShapes(ArrayRef<int64_t> a, ArrayRef<int64_t> b) {
  if (a.size() != b.size())
    return false;
  for (auto [x, y] : llvm::zip(a, b))
    if (!compatibleDims(x, y))
      return false;
  return true;
}

/// The leading dimensions of an [..., K] shape followed by `last`.
static SmallVector<int64_t> replaceLastDim(ArrayRef<int64_t> shape,
                                           int64_t last) {
  SmallVector<int64_t> result(shape.drop_back());
  result.push_back(last);
  return result;
}

/// Checks that `value` has the shape `expected`; `name` names it.
static LogicalResult verifyShape(Operation *op, StringRef name, Type type,
                                 ArrayRef<int64_t> expected) {
  auto shaped = cast<ShapedType>(type);
  if (!compatibleShapes(shaped.getShape(), expected))
    return op->emitOpError()
           << name << " must have shape " << formatShape(expected) << ", got "
           << formatShape(shaped.getShape());
  return success();
}

/// Checks an [..., K] operand: rank at least 1.
static LogicalResult verifyRowMajor(Operation *op, StringRef name,
                                    RankedTensorType type) {
  if (type.getRank() < 1)
    return op->emitOpError() << name << " must have rank >= 1 ([..., K]), "
                             << "got rank 0";
  return success();
}

/// Checks the activation quantisation attributes shared by several ops.
static LogicalResult verifyActivationBits(Operation *op, int32_t bits,
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

static LogicalResult verifyEps(Operation *op, APFloat eps) {
  if (!(eps.convertToFloat() > 0.0f))
    return op->emitOpError() << "eps must be positive, got "
                             << formatNumber(eps.convertToDouble());
  return success();
}

/// Checks the optional gamma/beta operands against the normalisation kind.
static LogicalResult verifyNormOperands(Operation *op, NormKind kind,
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
static LogicalResult verifyLambda(Operation *op, APFloat attr,
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
static SmallVector<int64_t, 2> weightShape(Type type) {
  if (auto packed = dyn_cast<PackedType>(type))
    return {packed.getRows(), packed.getCols()};
  auto shape = cast<RankedTensorType>(type).getShape();
  return {shape.begin(), shape.end()};
}

/// Whether `value` is a constant tensor whose elements are all equal to
/// `expected`.
static bool isConstantSplat(Value value, float expected) {
  DenseFPElementsAttr attr;
  if (!value || !matchPattern(value, m_Constant(&attr)))
    return false;
  return llvm::all_of(attr.getValues<float>(),
                      [&](float v) { return v == expected; });
}

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

#define GET_OP_CLASSES
#include "Ternary/TernaryOps.cpp.inc"

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

LogicalResult ClipCoefficientOp::verify() {
  if (getGrads().empty())
    return emitOpError() << "needs at least one gradient";
  if (!(getMaxNorm().convertToDouble() > 0.0))
    return emitOpError() << "max_norm must be positive, got "
                         << formatNumber(getMaxNorm().convertToDouble());
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
