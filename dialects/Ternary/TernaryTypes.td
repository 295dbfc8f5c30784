//===- TernaryTypes.td - Types of the ternary dialect ------*- tablegen -*-===//

#ifndef TERNARY_TYPES_TD
#define TERNARY_TYPES_TD

include "TernaryAttrs.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/BuiltinTypeInterfaces.td"

def Ternary_PackedType : TypeDef<Ternary_Dialect, "Packed"> {
  let mnemonic = "packed";
  let summary = "A ternary weight matrix [N, K] in a packed encoding";
  let description = [{
    A value of this type is a ternary weight matrix of logical shape `[N, K]`
    (N output features, K input features, values in {-1, 0, +1}) stored in
    the given encoding (see `#ternary.encoding`): `N` rows of `ceil(K / 4)`
    bytes (`i2`) or `ceil(K / 5)` bytes (`base3`). Either dimension may be
    dynamic (`?`); a dynamic `K` cannot be unpacked on its own (the
    storage does not record it), but it can be multiplied.

    Example:

    ```mlir
    !ternary.packed<4096x4096, i2>
    !ternary.packed<?x?, base3>
    ```
  }];
  let parameters = (ins
    ArrayRefParameter<"int64_t", "logical shape [N, K]">:$shape,
    "::mlir::ternary::Encoding":$encoding
  );
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// Number of output rows N (ShapedType::kDynamic when dynamic).
    int64_t getRows() const { return getShape()[0]; }
    /// Number of input features K (ShapedType::kDynamic when dynamic).
    int64_t getCols() const { return getShape()[1]; }
    /// Whether both dimensions are static.
    bool hasStaticShape() const {
      return !::mlir::ShapedType::isDynamic(getRows()) &&
             !::mlir::ShapedType::isDynamic(getCols());
    }
    /// Weights a storage byte holds: 4 (i2) or 5 (base3).
    int64_t getWeightsPerByte() const {
      return getEncoding() == ::mlir::ternary::Encoding::i2 ? 4 : 5;
    }
    /// Bytes per packed row, or ShapedType::kDynamic when K is dynamic.
    int64_t getRowBytes() const;
    /// The storage type: tensor<N x rowBytes x i8>.
    ::mlir::RankedTensorType getStorageType() const;
  }];
}

#endif // TERNARY_TYPES_TD
