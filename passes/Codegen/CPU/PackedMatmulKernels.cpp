//===- PackedMatmulKernels.cpp - Vector kernels for packed products ------===//
//
// Lowers `ternary.matmul` of int8 activations with packed ternary weights to
// vector code, the kernel named by the op's `kernel` attribute (set by
// --ternary-select-kernels; the patterns are part of
// --convert-ternary-to-linalg, see passes/Codegen/CPU/CPUPasses.td):
//
//   sx[m] = sum of x[m, :] for every row m
//   for each block of 128 outputs (their weights stay in L2; the blocks
//   are the tasks of an scf.forall, run on threads):
//     for each tile of 8 rows of x, then of 4, then single rows (AVX-512
//     VNNI; 4 then 1 on the other kernels):
//       for each tile of C outputs n .. n + C - 1 of the block (AVX-512
//       VNNI: 3 with 8 rows, 4 with 4 rows), then single outputs:
//         for each full block of 64 p weights (64 storage bytes):
//           prefetch the same bytes of outputs n + c + ahead (4 KiB ahead)
//           bytes[c] = the block's 64 bytes of output n + c
//           for each code position j < p:
//             codes[c] = code j of bytes[c]  (64 consecutive weights + 1)
//             for each row m: xm = x[m, block + 64 j .. + 64]   (one load)
//               acc[m, c, j % chains] += dot(codes[c], xm)
//                     (chains: one with several outputs; else 16 / tile
//                     accumulators a row on AVX-512, 4 / tile on the
//                     others, at most p)
//         the same for the partial last block, with masked loads
//         y[m, n + c] = sum(acc[m, c, :]) - sx[m]   (the sums of a tile's
//                     accumulators by one transposed tree of shuffles)
//
// The tile of outputs exists for the loads: with one output, every dot
// product needs its own 64-byte load of x, and two loads a cycle, not the
// two vpdpbusd, bounded the VNNI GEMM (about 65 % of its peak); 8 rows x 3
// outputs (24 accumulators) take 8 loads of x for 24 dot products a code
// position (docs/performance-history.md).
//
// Codes are w + 1 in {0, 1, 2}: unsigned, which is what the x86 u8 x s8 dot
// products want; the activation sum removes the + 1. The dot product is
// `ternary.dot_bytes` (lowered late by --ternary-lower-dot-bytes):
//   - AVX-512 VNNI: vpdpbusd zmm (u8 x s8 -> s32, 4 products a lane);
//   - AVX2: vpmaddubsw + vpmaddwd on two ymm halves;
//   - generic: widening multiply-add in the vector dialect, which LLVM
//     legalises for any target.
// The result is exact (i32), identical for every kernel. The vector steps
// (loads, decoding, dot products) and the per-kernel choices (row tiles,
// accumulators, residue dot products of base 3) are PackedKernelBuilder's
// (PackedKernelBuilder.h); this file holds the loops, the function of each
// kernel and the pattern.
//
//===----------------------------------------------------------------------===//

#include "Codegen/CPU/PackedMatmulKernels.h"
#include "Codegen/CPU/PackedKernelBuilder.h"
#include "Utils/Functions.h"
#include "Utils/RuntimeChecks.h"
#include "ternary/Dialect/Ternary/TernaryOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/DialectConversion.h"

#include <algorithm>

using namespace mlir;
using namespace mlir::ternary;
using namespace mlir::ternary::detail;

namespace {

/// Outputs (packed weight rows) in one cache block: 128 rows of K = 4096
/// take 128 KiB as i2, well inside a 1 MiB L2.
constexpr int64_t kRowBlock = 128;
/// How far ahead of its reads the kernel prefetches the packed weights, in
/// bytes (whole rows: the prefetched row is this many bytes ahead or
/// more). The hardware prefetchers stop at each 4 KiB page; without it a
/// GEMV from DRAM read at half the bandwidth a plain read reaches
/// (docs/performance-history.md).
constexpr int64_t kPrefetchBytes = 4096;
/// Full blocks whose residue dot products are combined at a time
/// (PackedKernelBuilder::residueDots): 1024 blocks of base 3 are 327680
/// weights, for which a lane's sum takes 23 bits.
constexpr int64_t kResidueChunk = 1024;

/// A tile of the product: `rows` rows of x from `m0` times `outputs`
/// outputs from `n`; `prefetch[c]` is the row of packed weights prefetched
/// as output c's are read.
struct Tile {
  Value m0;
  int64_t rows;
  Value n;
  int64_t outputs;
  SmallVector<Value> prefetch;
};

/// Accumulates one block of weights for a tile: the block's storage
/// starts at byte `blk * 64` of each output's row, code j of its bytes
/// holds the weights at columns `start + stride * j + i`. Full blocks have
/// stride 64 and are read in bounds; the last, partial block has stride
/// s = ceil(r / p) and is read with masked loads, so that the bytes past the
/// row (codes 0) and the activations past K (0) add nothing.
///
/// `accs` holds `kb.accumulatorsPerPair` accumulators for each row t and
/// output c of the tile: code position j goes to
/// accs[(t * outputs + c) * perPair + j % chains] (independent chains hide
/// the latency of the dot product when few pairs share a block); with
/// residue dot products (PackedKernelBuilder::residueDots), the dot products
/// of t_j go there and those of t_{j+1} to the `chains` accumulators after
/// them.
SmallVector<Value> emitBlock(PackedKernelBuilder &kb, Value x, Value storage,
                             const Tile &tile, Value blk, Value stride,
                             bool inBounds, ValueRange accs) {
  OpBuilder &b = kb.b;
  Location loc = kb.loc;
  int64_t chains = kb.chains(tile.rows, tile.outputs);
  int64_t perPair = kb.accumulatorsPerPair(tile.rows, tile.outputs);
  bool residues = kb.residueDots(tile.rows, tile.outputs);
  Value byteColumn = arith::MulIOp::create(b, loc, blk, kb.index(64));
  SmallVector<Value> bytes, states(tile.outputs);
  for (int64_t c = 0; c < tile.outputs; ++c) {
    PrefetchOp::create(b, loc, storage,
                       ValueRange{tile.prefetch[c], byteColumn});
    Value n = arith::AddIOp::create(b, loc, tile.n, kb.index(c));
    bytes.push_back(kb.load64(storage, n, byteColumn, inBounds));
  }
  Value start = arith::MulIOp::create(b, loc, blk, kb.index(64 * kb.per));
  SmallVector<Value> next(accs.begin(), accs.end());
  // Residues t_j = 3^j bytes (one output only).
  SmallVector<Value> residueVectors;
  if (residues) {
    residueVectors.push_back(bytes[0]);
    for (int64_t j = 0; j < kb.per; ++j)
      residueVectors.push_back(kb.times3(residueVectors.back()));
  }
  for (int64_t j = 0; j < kb.per; ++j) {
    // Decoded next to their dot products: the outputs' codes of position j
    // only are live at a time.
    SmallVector<Value> codes;
    for (int64_t c = 0; c < tile.outputs; ++c)
      codes.push_back(residues ? residueVectors[j]
                               : kb.code(bytes[c], j, states[c]));
    Value col = arith::AddIOp::create(
        b, loc, start, arith::MulIOp::create(b, loc, stride, kb.index(j)));
    for (int64_t t = 0; t < tile.rows; ++t) {
      Value row = arith::AddIOp::create(b, loc, tile.m0, kb.index(t));
      Value xv = kb.load64(x, row, col, inBounds);
      for (int64_t c = 0; c < tile.outputs; ++c) {
        int64_t first = (t * tile.outputs + c) * perPair;
        Value &acc = next[first + j % chains];
        acc = kb.dot(acc, codes[c], xv);
        if (residues) {
          Value &carried = next[first + chains + j % chains];
          carried = kb.dot(carried, residueVectors[j + 1], xv);
        }
      }
    }
  }
  return next;
}

/// Emits the product of `tile` into `result` (the columns of a block of
/// outputs starting at `firstColumn`) and returns the updated tensor.
Value emitTile(PackedKernelBuilder &kb, Value x, Value storage, Value result,
               Value firstColumn, const Tile &tile, Value k, Value fullBlocks,
               ArrayRef<Value> rowSums,
               function_ref<Value(Value, Value, Value)> finish) {
  OpBuilder &b = kb.b;
  Location loc = kb.loc;
  // With the weights prefetched, 4 chained vpdpbusd a cache line were the
  // limit of a GEMV from DRAM (docs/performance-history.md).
  int64_t chains = kb.chains(tile.rows, tile.outputs);
  int64_t perPair = kb.accumulatorsPerPair(tile.rows, tile.outputs);
  int64_t pairs = tile.rows * tile.outputs;
  bool residues = kb.residueDots(tile.rows, tile.outputs);
  Value zero = kb.splat(kb.accType(), 0);
  SmallVector<Value> zeros(pairs * perPair, zero);

  // The full blocks [lo, hi), accumulated onto `init`.
  auto fullBlockLoop = [&](Value lo, Value hi, ValueRange init) {
    return scf::ForOp::create(
               b, loc, lo, hi, kb.index(1), init,
               [&](OpBuilder &, Location, Value blk, ValueRange accs) {
                 scf::YieldOp::create(b, loc,
                                      emitBlock(kb, x, storage, tile, blk,
                                                kb.index(64),
                                                /*inBounds=*/true, accs));
               })
        .getResults();
  };
  // The partial block, if any, accumulated onto `init`.
  auto partialBlock = [&](ValueRange init) {
    Value start =
        arith::MulIOp::create(b, loc, fullBlocks, kb.index(64 * kb.per));
    Value remaining = arith::SubIOp::create(b, loc, k, start);
    Value hasTail = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ugt,
                                          remaining, kb.index(0));
    return scf::IfOp::create(
               b, loc, hasTail,
               [&](OpBuilder &, Location) {
                 Value stride = arith::CeilDivUIOp::create(b, loc, remaining,
                                                           kb.index(kb.per));
                 scf::YieldOp::create(b, loc,
                                      emitBlock(kb, x, storage, tile,
                                                fullBlocks, stride,
                                                /*inBounds=*/false, init));
               },
               [&](OpBuilder &, Location) {
                 scf::YieldOp::create(b, loc, init);
               })
        .getResults();
  };
  // The lane sums of the dot products of pair p's codes from its
  // accumulators in `accs`.
  auto laneSums = [&](ValueRange accs, int64_t p) -> Value {
    auto chainSum = [&](int64_t first) -> Value {
      Value acc = accs[first];
      for (int64_t c = 1; c < chains; ++c)
        acc = arith::AddIOp::create(b, loc, acc, accs[first + c]);
      return acc;
    };
    Value acc = chainSum(p * perPair);
    if (!residues)
      return acc;
    // 256 * (dot products of the codes) = 3 acc - carried, in wrapping i32
    // arithmetic: exact while a lane's true sum fits in 24 bits.
    Value carried = chainSum(p * perPair + chains);
    return arith::ShRSIOp::create(
        b, loc, arith::SubIOp::create(b, loc, kb.times3(acc), carried),
        kb.splat(kb.accType(), 8));
  };

  SmallVector<Value> sums;
  if (!residues) {
    ValueRange accs =
        partialBlock(fullBlockLoop(kb.index(0), fullBlocks, zeros));
    for (int64_t p = 0; p < pairs; ++p)
      sums.push_back(laneSums(accs, p));
  } else {
    // Chunks of kResidueChunk blocks, each combined into the lane sums: a
    // lane's true sum over a chunk (at most 2 * 128 * 64 * per * chunk / 16
    // in magnitude) fits in 24 bits whatever K.
    auto chunks = scf::ForOp::create(
        b, loc, kb.index(0), fullBlocks, kb.index(kResidueChunk),
        SmallVector<Value>(pairs, zero),
        [&](OpBuilder &, Location, Value lo, ValueRange totals) {
          Value hi = arith::MinUIOp::create(
              b, loc,
              arith::AddIOp::create(b, loc, lo, kb.index(kResidueChunk)),
              fullBlocks);
          ValueRange accs = fullBlockLoop(lo, hi, zeros);
          SmallVector<Value> next;
          for (int64_t p = 0; p < pairs; ++p)
            next.push_back(
                arith::AddIOp::create(b, loc, totals[p], laneSums(accs, p)));
          scf::YieldOp::create(b, loc, next);
        });
    ValueRange accs = partialBlock(zeros);
    for (int64_t p = 0; p < pairs; ++p)
      sums.push_back(arith::AddIOp::create(b, loc, chunks.getResult(p),
                                           laneSums(accs, p)));
  }
  SmallVector<Value> totals = kb.reduceAll(sums);
  for (int64_t t = 0; t < tile.rows; ++t) {
    Value row = arith::AddIOp::create(b, loc, tile.m0, kb.index(t));
    for (int64_t c = 0; c < tile.outputs; ++c) {
      Value n = arith::AddIOp::create(b, loc, tile.n, kb.index(c));
      Value sum = arith::SubIOp::create(b, loc, totals[t * tile.outputs + c],
                                        rowSums[t]);
      Value column = arith::SubIOp::create(b, loc, n, firstColumn);
      result = tensor::InsertOp::create(b, loc, finish(sum, row, n), result,
                                        ValueRange{row, column});
    }
  }
  return result;
}

/// Sum of x[row, 0 .. k) as i32.
Value rowSum(PackedKernelBuilder &kb, Value x, Value row, Value k) {
  OpBuilder &b = kb.b;
  Location loc = kb.loc;
  VectorType wide = VectorType::get({64}, b.getI32Type());
  Value chunks = arith::CeilDivUIOp::create(b, loc, k, kb.index(64));
  auto loop = scf::ForOp::create(
      b, loc, kb.index(0), chunks, kb.index(1), ValueRange{kb.splat(wide, 0)},
      [&](OpBuilder &, Location, Value chunk, ValueRange acc) {
        Value v = kb.load64(x, row,
                            arith::MulIOp::create(b, loc, chunk, kb.index(64)),
                            /*inBounds=*/false);
        Value ext = arith::ExtSIOp::create(b, loc, wide, v);
        scf::YieldOp::create(
            b, loc, ValueRange{arith::AddIOp::create(b, loc, acc[0], ext)});
      });
  return kb.reduce(loop.getResult(0));
}

/// The rescale of ternary.matmul_rescale, applied to each accumulator as it
/// is computed.
struct Rescale {
  Value absmax, scale, bias; // bias may be null
  float q;
};

/// The packed product of `x` (tensor<?x?xi8>) and packed `storage`
/// (tensor<?x?xi8>) with `kernel`, written into `init` (tensor<?x?xi32>,
/// or with `rescale` tensor<?x?xf32>, of M x N).
Value emitPackedProduct(OpBuilder &rewriter, Location loc, PackedKernel kernel,
                        PackedType packed, Value x, Value storage,
                        const Rescale *rescale, Value init) {
  PackedKernelBuilder kb{rewriter, loc, kernel, packed.getEncoding(),
                         packed.getWeightsPerByte()};
  Value m = tensor::DimOp::create(rewriter, loc, x, 0);
  Value k = tensor::DimOp::create(rewriter, loc, x, 1);
  Value nSize = tensor::DimOp::create(rewriter, loc, storage, 0);
  Value fullBlocks =
      arith::DivUIOp::create(rewriter, loc, k, kb.index(64 * kb.per));
  Value result = init;

  // What is stored for accumulator `acc` at [row, n].
  auto finish = [&](Value acc, Value row, Value n) -> Value {
    if (!rescale)
      return acc;
    // (f32(acc) + b[n]) * ((g * a[row]) / Q), as ternary.rescale.
    Value a = tensor::ExtractOp::create(rewriter, loc, rescale->absmax,
                                        ValueRange{row});
    Value q = arith::ConstantOp::create(rewriter, loc,
                                        rewriter.getF32FloatAttr(rescale->q));
    Value factor = arith::DivFOp::create(
        rewriter, loc, arith::MulFOp::create(rewriter, loc, rescale->scale, a),
        q);
    Value v =
        arith::SIToFPOp::create(rewriter, loc, rewriter.getF32Type(), acc);
    if (rescale->bias)
      v = arith::AddFOp::create(rewriter, loc, v,
                                tensor::ExtractOp::create(rewriter, loc,
                                                          rescale->bias,
                                                          ValueRange{n}));
    return arith::MulFOp::create(rewriter, loc, v, factor);
  };

  // The activation sum of every row, first.
  Value sumsInit = tensor::EmptyOp::create(
      rewriter, loc, ArrayRef<int64_t>{ShapedType::kDynamic},
      rewriter.getI32Type(), ValueRange{m});
  auto sums = scf::ForOp::create(
      rewriter, loc, kb.index(0), m, kb.index(1), ValueRange{sumsInit},
      [&](OpBuilder &, Location, Value row, ValueRange acc) {
        Value sum = rowSum(kb, x, row, k);
        scf::YieldOp::create(rewriter, loc,
                             ValueRange{tensor::InsertOp::create(
                                 rewriter, loc, sum, acc[0], row)});
      });
  Value rowSums = sums.getResult(0);

  // Output n prefetches the weights of output n + ahead (the last one at
  // the end), whole rows kPrefetchBytes or more ahead.
  Value rowBytes = arith::MaxUIOp::create(
      rewriter, loc, tensor::DimOp::create(rewriter, loc, storage, 1),
      kb.index(1));
  Value ahead = arith::CeilDivUIOp::create(rewriter, loc,
                                           kb.index(kPrefetchBytes), rowBytes);
  Value lastOutput = arith::SubIOp::create(
      rewriter, loc, arith::MaxUIOp::create(rewriter, loc, nSize, kb.index(1)),
      kb.index(1));

  // Blocks of kRowBlock outputs: their packed rows stay in L2 while every
  // tile of rows of x (in L1) goes over them, so the weights come from
  // memory once a call however many rows x has. The blocks are the tasks
  // of an scf.forall (threads, with the pipeline's `parallel`): each
  // writes its own columns of the result.
  auto blocks = scf::ForallOp::create(
      rewriter, loc, ArrayRef<OpFoldResult>{rewriter.getIndexAttr(0)},
      ArrayRef<OpFoldResult>{nSize},
      ArrayRef<OpFoldResult>{rewriter.getIndexAttr(kRowBlock)},
      ValueRange{result}, /*mapping=*/std::nullopt);
  {
    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPointToStart(blocks.getBody());
    Value nb = blocks.getInductionVar(0);
    Value shared = blocks.getRegionIterArgs()[0];
    Value nEnd = arith::MinUIOp::create(
        rewriter, loc,
        arith::AddIOp::create(rewriter, loc, nb, kb.index(kRowBlock)), nSize);
    Value width = arith::SubIOp::create(rewriter, loc, nEnd, nb);
    SmallVector<OpFoldResult> offsets{rewriter.getIndexAttr(0), nb};
    SmallVector<OpFoldResult> sizes{m, width};
    SmallVector<OpFoldResult> strides(2, rewriter.getIndexAttr(1));
    Value current = tensor::ExtractSliceOp::create(rewriter, loc, shared,
                                                   offsets, sizes, strides);
    // The end of the whole tiles of `size` in [lower, end).
    auto wholeTilesEnd = [&](Value lower, Value end, int64_t size) -> Value {
      if (size == 1)
        return end;
      Value count = arith::DivUIOp::create(
          rewriter, loc, arith::SubIOp::create(rewriter, loc, end, lower),
          kb.index(size));
      return arith::AddIOp::create(
          rewriter, loc, lower,
          arith::MulIOp::create(rewriter, loc, count, kb.index(size)));
    };
    Value lower = kb.index(0);
    for (int64_t tile : kb.rowTiles()) {
      Value upper = wholeTilesEnd(lower, m, tile);
      auto rows = scf::ForOp::create(
          rewriter, loc, lower, upper, kb.index(tile), ValueRange{current},
          [&](OpBuilder &, Location, Value m0, ValueRange acc) {
            SmallVector<Value> tileSums;
            for (int64_t t = 0; t < tile; ++t) {
              Value row = arith::AddIOp::create(rewriter, loc, m0, kb.index(t));
              tileSums.push_back(tensor::ExtractOp::create(
                  rewriter, loc, rowSums, ValueRange{row}));
            }
            // Whole tiles of outputs, then single outputs.
            Value updated = acc[0];
            Value first = nb;
            int64_t wide = kb.outputTile(tile);
            SmallVector<int64_t> outputTiles{wide};
            if (wide != 1)
              outputTiles.push_back(1);
            for (int64_t outputs : outputTiles) {
              Value last = wholeTilesEnd(first, nEnd, outputs);
              auto loop = scf::ForOp::create(
                  rewriter, loc, first, last, kb.index(outputs),
                  ValueRange{updated},
                  [&](OpBuilder &, Location, Value n, ValueRange inner) {
                    // Output n + c prefetches the weights of output
                    // n + c + ahead.
                    Tile t{m0, tile, n, outputs, {}};
                    Value prefetched =
                        arith::AddIOp::create(rewriter, loc, n, ahead);
                    for (int64_t c = 0; c < outputs; ++c)
                      t.prefetch.push_back(arith::MinUIOp::create(
                          rewriter, loc,
                          arith::AddIOp::create(rewriter, loc, prefetched,
                                                kb.index(c)),
                          lastOutput));
                    scf::YieldOp::create(rewriter, loc,
                                         emitTile(kb, x, storage, inner[0], nb,
                                                  t, k, fullBlocks, tileSums,
                                                  finish));
                  });
              updated = loop.getResult(0);
              first = last;
            }
            scf::YieldOp::create(rewriter, loc, updated);
          });
      current = rows.getResult(0);
      lower = upper;
    }
    rewriter.setInsertionPointToEnd(blocks.getTerminator().getBody());
    tensor::ParallelInsertSliceOp::create(rewriter, loc, current, shared,
                                          offsets, sizes, strides);
  }
  return blocks.getResult(0);
}

/// The private function computing the packed product of one kernel,
/// encoding and rescale (Q, with or without bias) on dynamic shapes: one a
/// module, called by every product of its kind, so that the code (three
/// tiles of rows, full and partial blocks) is compiled once however many
/// layers a model has (inline, a 6-block decoder's train step took 19 s
/// to compile instead of 7).
func::FuncOp packedProductFunction(OpBuilder &b, Location loc, ModuleOp module,
                                   PackedKernel kernel, PackedType packed,
                                   std::optional<int64_t> q, bool bias) {
  std::string name;
  llvm::raw_string_ostream os(name);
  os << "__ternary_packed_" << (q ? "rescale_" : "matmul_")
     << stringifyPackedKernel(kernel) << "_"
     << stringifyEncoding(packed.getEncoding());
  if (q)
    os << "_q" << *q << (bias ? "_bias" : "");
  for (char &c : name)
    if (!llvm::isAlnum(c))
      c = '_';
  if (auto existing = module.lookupSymbol<func::FuncOp>(name))
    return existing;
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToEnd(module.getBody());
  int64_t d = ShapedType::kDynamic;
  Type i8 = b.getI8Type(), f32 = b.getF32Type();
  auto matrix = [&](Type t) { return RankedTensorType::get({d, d}, t); };
  SmallVector<Type> inputs = {matrix(i8), matrix(i8)};
  if (q) {
    inputs.append({RankedTensorType::get({d}, f32), f32});
    if (bias)
      inputs.push_back(RankedTensorType::get({d}, f32));
  }
  // The result is written into the last argument (destination-passing:
  // one-shot bufferization then gives the call the caller's buffer, instead
  // of one allocated by the callee whose ownership the caller tracks).
  Type result = matrix(q ? f32 : Type(b.getI32Type()));
  inputs.push_back(result);
  auto fn =
      func::FuncOp::create(b, loc, name, b.getFunctionType(inputs, {result}));
  markInternalNoInline(fn);
  Block *entry = fn.addEntryBlock();
  b.setInsertionPointToStart(entry);
  Rescale rescale;
  if (q)
    rescale = {entry->getArgument(2), entry->getArgument(3),
               bias ? entry->getArgument(4) : Value(), static_cast<float>(*q)};
  Value product = emitPackedProduct(
      b, loc, kernel, packed, entry->getArgument(0), entry->getArgument(1),
      q ? &rescale : nullptr, entry->getArguments().back());
  func::ReturnOp::create(b, loc, product);
  return fn;
}

/// ternary.matmul (i32 results) and ternary.matmul_rescale (each
/// accumulator rescaled to f32 as it is computed): the run-time checks of
/// the operands, then a call of the kernel's function.
template <typename OpTy>
struct PackedMatmulKernelLowering : OpConversionPattern<OpTy> {
  using Adaptor = typename OpTy::Adaptor;
  PackedMatmulKernelLowering(const TypeConverter &converter,
                             MLIRContext *context)
      : OpConversionPattern<OpTy>(converter, context, /*benefit=*/2) {}

  LogicalResult
  matchAndRewrite(OpTy op, Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto packed = dyn_cast<PackedType>(op.getWeight().getType());
    std::optional<PackedKernel> kernel = op.getKernel();
    if (!kernel || *kernel == PackedKernel::loops)
      return rewriter.notifyMatchFailure(op, "no vector kernel selected");
    if (!packed || op.getValues().getType().getRank() != 2)
      return rewriter.notifyMatchFailure(op, "not a 2-D packed product");
    Location loc = op.getLoc();
    Value x = adaptor.getValues(), storage = adaptor.getWeight();
    emitProductChecks(rewriter, loc, x, storage, packed,
                      packedAtRunTimeFrom(rewriter, op.getWeight()));
    std::optional<int64_t> q;
    bool bias = false;
    SmallVector<Value> args;
    auto dynamicOf = [&](Value v) -> Value {
      auto type = cast<RankedTensorType>(v.getType());
      auto dynamic = RankedTensorType::get(
          SmallVector<int64_t>(type.getRank(), ShapedType::kDynamic),
          type.getElementType());
      return type == dynamic ? v
                             : tensor::CastOp::create(rewriter, loc, dynamic, v)
                                   .getResult();
    };
    args = {dynamicOf(x), dynamicOf(storage)};
    if constexpr (std::is_same_v<OpTy, MatmulRescaleOp>) {
      emitRescaleChecks(rewriter, loc,
                        {tensor::DimOp::create(rewriter, loc, x, 0)},
                        tensor::DimOp::create(rewriter, loc, storage, 0),
                        adaptor.getAbsmax(), adaptor.getBias());
      q = static_cast<int64_t>(op.getQ());
      bias = adaptor.getBias() != nullptr;
      args.append({dynamicOf(adaptor.getAbsmax()), adaptor.getScale()});
      if (bias)
        args.push_back(dynamicOf(adaptor.getBias()));
    }
    Type element =
        cast<RankedTensorType>(op.getResult().getType()).getElementType();
    args.push_back(tensor::EmptyOp::create(
        rewriter, loc,
        ArrayRef<int64_t>{ShapedType::kDynamic, ShapedType::kDynamic}, element,
        ValueRange{tensor::DimOp::create(rewriter, loc, x, 0),
                   tensor::DimOp::create(rewriter, loc, storage, 0)}));
    func::FuncOp fn = packedProductFunction(
        rewriter, loc, op->template getParentOfType<ModuleOp>(), *kernel,
        packed, q, bias);
    Value result = func::CallOp::create(rewriter, loc, fn, args).getResult(0);
    if (result.getType() != op.getResult().getType())
      result = tensor::CastOp::create(rewriter, loc, op.getResult().getType(),
                                      result);
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void mlir::ternary::detail::populatePackedMatmulKernelPatterns(
    const TypeConverter &typeConverter, RewritePatternSet &patterns) {
  patterns.add<PackedMatmulKernelLowering<MatmulOp>,
               PackedMatmulKernelLowering<MatmulRescaleOp>>(
      typeConverter, patterns.getContext());
}
