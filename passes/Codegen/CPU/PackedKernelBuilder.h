//===- PackedKernelBuilder.h - Steps of the packed kernels ----*- C++ -*-===//
//
// Private to passes/Codegen/CPU: the vector operations the packed-product
// kernels (PackedMatmulKernels.cpp) are made of, and the per-kernel choices
// (row tiles, accumulators, decoding): 64-byte loads, the decoding of packed
// bytes into codes (or residues), the u8 x s8 dot products of each kernel.
//
//===----------------------------------------------------------------------===//

#ifndef TERNARY_PASSES_CODEGEN_CPU_PACKEDKERNELBUILDER_H
#define TERNARY_PASSES_CODEGEN_CPU_PACKEDKERNELBUILDER_H

#include "ternary/Dialect/Ternary/TernaryOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Builders.h"

#include <algorithm>

namespace mlir {
namespace ternary {
namespace detail {

/// Builds the vector steps of one kernel (`kernel`) on one packed encoding
/// (`per` codes a byte) at `loc`.
struct PackedKernelBuilder {
  OpBuilder &b;
  Location loc;
  PackedKernel kernel;
  Encoding encoding;
  int64_t per; // codes a byte

  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value splat(VectorType type, int64_t v) {
    return arith::ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(type,
                               b.getIntegerAttr(type.getElementType(), v)));
  }
  VectorType bytes64() { return VectorType::get({64}, b.getI8Type()); }

  /// The accumulators the chains of a tile of one output fill: AVX-512 has
  /// 32 vector registers, AVX2 16; a generic vector<64xi32> takes four of
  /// AVX-512's. Tiles of several outputs keep one accumulator a (row,
  /// output) pair instead (24 for 8 rows x 3 outputs: the codes of 3 outputs
  /// and a load of x fit beside them).
  int64_t accumulatorBudget() {
    return kernel == PackedKernel::avx512_vnni ? 16 : 4;
  }
  /// The tiles of rows of x handled together (each decoded weight vector
  /// serves the rows of its tile), largest first: the rows go through the
  /// largest tile while whole tiles remain, then the next. Measured
  /// (docs/performance-history.md): 8 rows and 16 accumulators took the
  /// VNNI GEMM from 35 % to about 70 % of the instruction's peak.
  SmallVector<int64_t> rowTiles() {
    if (kernel == PackedKernel::avx512_vnni)
      return {8, 4, 1};
    return {4, 1};
  }
  /// The outputs a tile of `rows` rows computes together (each 64-byte load
  /// of x serves that many outputs' decoded weights): with one output, a
  /// dot product needs a load of x, and the loads, not the dot products,
  /// bound the VNNI GEMM (2 loads and 2 vpdpbusd a cycle on Zen 5). The
  /// outputs of a block that do not fill a whole tile take tiles of one.
  int64_t outputTile(int64_t rows) {
    if (kernel != PackedKernel::avx512_vnni || rows == 1)
      return 1;
    return rows >= 8 ? 3 : 4;
  }
  /// Whether single rows of base-3 weights take the dot products of the
  /// decoder's residues instead of those of the codes (VNNI only: vpdpbusd
  /// has no intermediate saturation, the AVX2 pair sum would saturate).
  /// Code j of a byte is c_j = floor(3 t_j / 256) with t_j = byte * 3^j mod
  /// 256, so 256 c_j = 3 t_j - t_{j+1}, and
  ///   dot(c_j, x) = (3 dot(t_j, x) - dot(t_{j+1}, x)) / 256:
  /// two dot products and two byte adds a code position instead of one dot
  /// product and six decoding operations. A GEMV is bound by its decoding
  /// (docs/performance-history.md); tiles of several rows share the decoded
  /// codes and keep the comparisons.
  bool residueDots(int64_t rows, int64_t outputs) {
    return encoding == Encoding::base3 && kernel == PackedKernel::avx512_vnni &&
           rows == 1 && outputs == 1;
  }
  /// Accumulators a (row, output) pair of a tile: independent chains of
  /// dot products (code position j goes to chain j % chains) hide the
  /// latency of the dot product, within the register budget.
  int64_t chains(int64_t rows, int64_t outputs) {
    return std::clamp<int64_t>(accumulatorBudget() / (rows * outputs), 1, per);
  }
  /// Accumulators a (row, output) pair: `chains`, twice with residue dot
  /// products.
  int64_t accumulatorsPerPair(int64_t rows, int64_t outputs) {
    return chains(rows, outputs) * (residueDots(rows, outputs) ? 2 : 1);
  }

  /// The accumulator type of the dot product.
  VectorType accType() {
    int64_t lanes = kernel == PackedKernel::avx2     ? 8
                    : kernel == PackedKernel::vector ? 64
                                                     : 16;
    return VectorType::get({lanes}, b.getI32Type());
  }

  /// 64 bytes of a 2-D i8 tensor at [row, col]; unless `inBounds`, the
  /// bytes past the end of the row read as 0 (a masked load whose mask is
  /// the low bits of an i64, one `kmovq` on AVX-512: the mask a bound
  /// check of each lane gives took 7 vector operations a load).
  Value load64(Value tensor, Value row, Value col, bool inBounds = true);

  /// 3 t, wrapping: two adds on i32 lanes (cheaper than a multiply); on
  /// bytes, see times3Bytes.
  Value times3(Value t) {
    if (cast<VectorType>(t.getType()).getElementType().isInteger(8))
      return times3Bytes(t);
    return arith::AddIOp::create(b, loc, arith::AddIOp::create(b, loc, t, t),
                                 t);
  }
  /// 3 t on bytes as 2 t + t, with 2 t shifted on 16-bit lanes and the bit
  /// each low byte carries into its high byte masked off. Written as
  /// t + t + t, LLVM folds a chain of them into multiplications by 3^j,
  /// which x86 has no byte instruction for: each became vpmullw,
  /// vpmaddubsw and vpermt2b on the ports that also run vpdpbusd, with
  /// their constants in registers (base-3 GEMV 141 -> 175 us when a tile
  /// change left those registers short; docs/performance-history.md).
  Value times3Bytes(Value t);

  /// Code j of each of 64 storage bytes (64 consecutive weights + 1, as
  /// unsigned bytes), for j = 0, 1, ... in turn: `state` carries what code
  /// j + 1 is computed from (base 3: t_j; set from `bytes` at j = 0).
  Value code(Value bytes, int64_t j, Value &state);

  /// acc + the dot products of unsigned `codes` with signed `x`, 4 bytes a
  /// 32-bit lane.
  Value dot(Value acc, Value codesV, Value x);

  Value reduce(Value acc) {
    return vector::ReductionOp::create(b, loc, vector::CombiningKind::ADD, acc);
  }

  /// The lane sums of each of `accs` (vectors of one type), as `reduce`
  /// would give them, by a transposed tree: two vectors' halves are
  /// shuffled side by side and added, so that one add serves both, then
  /// the quarters of two such vectors, and so on, until one vector holds
  /// every sum (groups of as many accumulators as lanes). 8 accumulators of
  /// 16 lanes take 8 adds of two shuffles (4 + 2 + 1 pairs, one fold)
  /// instead of 8 reductions of 4 adds and 4 shuffles each.
  SmallVector<Value> reduceAll(ArrayRef<Value> accs);
};

} // namespace detail
} // namespace ternary
} // namespace mlir

#endif // TERNARY_PASSES_CODEGEN_CPU_PACKEDKERNELBUILDER_H
