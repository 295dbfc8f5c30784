//===- Signatures.cpp - Signatures of compiled functions ------------------===//
//
// What a caller passes to a public function, before lowering: packed
// weights as their storage tensors, the host element types the tools
// support.
//
//===----------------------------------------------------------------------===//

#include "CAbi.h"
#include "ternary/Dialect/Ternary/TernaryDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinTypes.h"

using namespace mlir;
using namespace mlir::ternary;
using namespace mlir::ternary::detail;
using ::ternary::DType;
using ::ternary::HostArray;

namespace {

/// The type the caller passes for `type`: packed weights travel as their
/// storage tensor.
Type callerType(Type type) {
  if (auto packed = dyn_cast<PackedType>(type))
    return packed.getStorageType();
  return type;
}

} // namespace

std::string mlir::ternary::detail::typeString(Type type) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << type;
  return s;
}

/// The C type of a host element type.
const char *mlir::ternary::detail::cTypeName(DType dtype) {
  switch (dtype) {
  case DType::F32:
    return "float";
  case DType::F64:
    return "double";
  case DType::I8:
  case DType::U8:
    return "int8_t";
  case DType::I16:
    return "int16_t";
  case DType::I32:
    return "int32_t";
  case DType::I64:
    return "int64_t";
  }
  return "void";
}

std::optional<DType> mlir::ternary::hostDType(Type type) {
  if (type.isF32())
    return DType::F32;
  if (type.isF64())
    return DType::F64;
  if (type.isSignlessInteger(8))
    return DType::I8;
  if (type.isSignlessInteger(16))
    return DType::I16;
  if (type.isSignlessInteger(32))
    return DType::I32;
  if (type.isSignlessInteger(64))
    return DType::I64;
  return std::nullopt;
}

llvm::Expected<std::vector<FunctionSignature>>
mlir::ternary::collectSignatures(ModuleOp module) {
  std::vector<FunctionSignature> result;
  for (auto func : module.getOps<func::FuncOp>()) {
    if (func.isDeclaration() || !func.isPublic())
      continue;
    FunctionSignature sig;
    sig.name = func.getName().str();
    for (Type t : func.getArgumentTypes())
      sig.inputs.push_back(callerType(t));
    for (Type t : func.getResultTypes())
      sig.results.push_back(callerType(t));
    for (Type t : llvm::concat<Type>(sig.inputs, sig.results)) {
      Type element = t;
      if (auto tensor = dyn_cast<RankedTensorType>(t))
        element = tensor.getElementType();
      else if (isa<ShapedType>(t))
        return makeError("function @" + func.getName() + ": type " +
                         typeString(t) +
                         " is not supported (ranked tensors "
                         "and scalars)");
      if (!hostDType(element))
        return makeError("function @" + func.getName() + ": type " +
                         typeString(t) +
                         " is not supported (f32, f64, i8, "
                         "i16, i32, i64 tensors and scalars)");
    }
    result.push_back(std::move(sig));
  }
  return result;
}
