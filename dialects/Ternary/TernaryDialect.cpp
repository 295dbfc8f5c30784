//===- TernaryDialect.cpp - The ternary dialect ---------------------------===//
//
// Dialect registration, the `!ternary.packed` type and constant
// materialisation.
//
//===----------------------------------------------------------------------===//

#include "ternary/Dialect/Ternary/TernaryDialect.h"
#include "ternary/Dialect/Ternary/TernaryOps.h"
#include "ternary/Runtime/Packing.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "mlir/Transforms/InliningUtils.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cstdio>

using namespace mlir;
using namespace mlir::ternary;

#include "Ternary/TernaryDialect.cpp.inc"
#include "Ternary/TernaryEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "Ternary/TernaryAttrs.cpp.inc"

#define GET_TYPEDEF_CLASSES
#include "Ternary/TernaryTypes.cpp.inc"

std::string mlir::ternary::formatNumber(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", value);
  return buffer;
}

namespace {
/// Every ternary op is pure and region-free: calls of functions using them
/// can be inlined (the autodiff pass inlines the forward's calls).
struct TernaryInlinerInterface : public DialectInlinerInterface {
  using DialectInlinerInterface::DialectInlinerInterface;
  bool isLegalToInline(Operation *, Region *, bool, IRMapping &) const final {
    return true;
  }
};
} // namespace

void TernaryDialect::initialize() {
  addInterfaces<TernaryInlinerInterface>();
  addOperations<
#define GET_OP_LIST
#include "Ternary/TernaryOps.cpp.inc"
      >();
  addAttributes<
#define GET_ATTRDEF_LIST
#include "Ternary/TernaryAttrs.cpp.inc"
      >();
  addTypes<
#define GET_TYPEDEF_LIST
#include "Ternary/TernaryTypes.cpp.inc"
      >();
}

Operation *TernaryDialect::materializeConstant(OpBuilder &builder,
                                               Attribute value, Type type,
                                               Location loc) {
  if (auto packed = dyn_cast<PackedType>(type)) {
    auto bytes = dyn_cast<DenseIntElementsAttr>(value);
    if (!bytes || bytes.getType() != packed.getStorageType())
      return nullptr;
    return PackedConstantOp::create(builder, loc, packed, bytes);
  }
  return arith::ConstantOp::materialize(builder, value, type, loc);
}

//===----------------------------------------------------------------------===//
// PackedType
//===----------------------------------------------------------------------===//

Type PackedType::parse(AsmParser &parser) {
  SmallVector<int64_t, 2> shape;
  if (parser.parseLess() ||
      parser.parseDimensionList(shape, /*allowDynamic=*/true,
                                /*withTrailingX=*/false) ||
      parser.parseComma())
    return {};
  SMLoc encodingLoc = parser.getCurrentLocation();
  StringRef keyword;
  if (parser.parseKeyword(&keyword))
    return {};
  std::optional<Encoding> encoding = symbolizeEncoding(keyword);
  if (!encoding) {
    parser.emitError(encodingLoc, "unknown packed encoding '")
        << keyword << "', expected 'i2' or 'base3'";
    return {};
  }
  if (parser.parseGreater())
    return {};
  return parser.getChecked<PackedType>(parser.getContext(), shape, *encoding);
}

void PackedType::print(AsmPrinter &printer) const {
  printer << '<';
  llvm::interleave(
      getShape(), printer,
      [&](int64_t dim) {
        if (ShapedType::isDynamic(dim))
          printer << '?';
        else
          printer << dim;
      },
      "x");
  printer << ", " << stringifyEncoding(getEncoding()) << '>';
}

LogicalResult PackedType::verify(function_ref<InFlightDiagnostic()> emitError,
                                 ArrayRef<int64_t> shape, Encoding encoding) {
  if (shape.size() != 2)
    return emitError() << "packed ternary weights must have a 2-D shape "
                          "[N, K], got rank "
                       << shape.size();
  return success();
}

int64_t PackedType::getRowBytes() const {
  if (ShapedType::isDynamic(getCols()))
    return ShapedType::kDynamic;
  return ternary_packed_row_bytes(getCols(),
                                  static_cast<ternary_encoding>(getEncoding()));
}

RankedTensorType PackedType::getStorageType() const {
  return RankedTensorType::get({getRows(), getRowBytes()},
                               IntegerType::get(getContext(), 8));
}
