//===- OutlineLinalg.cpp - One function per distinct linalg op ------------===//
//
// --ternary-outline-linalg: linalg ops on buffers move into private
// functions, one per distinct op (operand types, maps, iterators, body),
// replaced by calls: every f32 contraction that the kernel of
// --ternary-vectorize-contractions takes, and every other op that occurs at
// least twice. Identical layers (the projections of an attention block,
// the blocks of a deep model, a product used by the forward and the
// backward pass) then share one copy of their code instead of each getting
// its own, which is what the time of LLVM's code generation grows with.
// See passes/Codegen/CodegenPasses.td.
//
//===----------------------------------------------------------------------===//

#include "Codegen/CPU/Contractions.h"
#include "Utils/Functions.h"
#include "ternary/Passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Transforms/RegionUtils.h"

#include <map>

namespace mlir {
namespace ternary {
#define GEN_PASS_DEF_TERNARYOUTLINELINALG
#include "passes/Passes.h.inc"
} // namespace ternary
} // namespace mlir

using namespace mlir;

namespace {

/// The name prefix of the outlined functions.
constexpr llvm::StringLiteral kPrefix = "__ternary_linalg_";

/// An op to outline: its operands and the values its body reads from
/// outside (constants are cloned into the function instead).
struct Candidate {
  Operation *op;
  SmallVector<Value> arguments;
  SmallVector<Operation *> constants;
  std::string key;
};

/// A function `name` (not inserted anywhere) holding a clone of `c.op` on
/// its arguments, with its constants cloned before it.
func::FuncOp buildFunction(OpBuilder &b, const Candidate &c, StringRef name) {
  OpBuilder::InsertionGuard guard(b);
  SmallVector<Type> types;
  for (Value v : c.arguments)
    types.push_back(v.getType());
  b.clearInsertionPoint();
  auto func = func::FuncOp::create(b, c.op->getLoc(), name,
                                   b.getFunctionType(types, {}));
  Block *body = func.addEntryBlock();
  IRMapping mapping;
  mapping.map(c.arguments, body->getArguments());
  b.setInsertionPointToEnd(body);
  for (Operation *constant : c.constants)
    b.clone(*constant, mapping);
  b.clone(*c.op, mapping);
  func::ReturnOp::create(b, c.op->getLoc());
  return func;
}

/// The candidate for `op`. Its key, the text of the function that would
/// hold it, is equal for two ops exactly when one function can serve both.
Candidate candidate(OpBuilder &b, Operation *op) {
  Candidate c{op, SmallVector<Value>(op->getOperands()), {}, ""};
  SetVector<Value> above;
  getUsedValuesDefinedAbove(op->getRegions(), above);
  for (Value v : above) {
    Operation *def = v.getDefiningOp();
    if (def && matchPattern(def, m_Constant()) && def->getNumResults() == 1)
      c.constants.push_back(def);
    else
      c.arguments.push_back(v);
  }
  func::FuncOp func = buildFunction(b, c, "key");
  llvm::raw_string_ostream os(c.key);
  func->print(os, OpPrintingFlags().useLocalScope());
  func->erase();
  return c;
}

/// Whether every output of `op` is a 0-d buffer: a fill of one scalar, or a
/// reduction of a whole tensor into scalars. Such an op stays inline. In a
/// function of its own, its accumulators would be arguments that LLVM must
/// assume may alias each other and the input: they would stay in memory,
/// the loop unvectorised; a fill's buffer passed to a call escapes, with the
/// same effect on the reduction that reads it. (One store is cheaper than a
/// call anyway.)
bool writesScalarsOnly(linalg::LinalgOp op) {
  return llvm::all_of(op.getDpsInitsMutable(), [](OpOperand &init) {
    auto type = dyn_cast<MemRefType>(init.get().getType());
    return type && type.getRank() == 0;
  });
}

struct TernaryOutlineLinalg
    : public mlir::ternary::impl::TernaryOutlineLinalgBase<
          TernaryOutlineLinalg> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    OpBuilder b(&getContext());
    SmallVector<Candidate> candidates;
    std::map<std::string, unsigned> uses;
    for (auto func : module.getOps<func::FuncOp>()) {
      if (func.getSymName().starts_with(kPrefix) || func.isDeclaration())
        continue;
      for (Operation &op : func.getBody().getOps()) {
        auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
        if (!linalgOp || !linalgOp.hasPureBufferSemantics() ||
            writesScalarsOnly(linalgOp))
          continue;
        candidates.push_back(candidate(b, &op));
        ++uses[candidates.back().key];
      }
    }
    std::map<std::string, func::FuncOp> outlined;
    for (Candidate &c : candidates) {
      bool contraction =
          ternary::detail::isKernelContraction(cast<linalg::LinalgOp>(c.op));
      if (!contraction && uses[c.key] < 2)
        continue;
      func::FuncOp &callee = outlined[c.key];
      if (!callee) {
        std::string name = (kPrefix + Twine(outlined.size() - 1)).str();
        callee = buildFunction(b, c, name);
        ternary::detail::markInternalNoInline(callee);
        module.getBody()->push_back(callee);
        symbols.insert(callee); // Renamed if a function has the name.
      }
      b.setInsertionPoint(c.op);
      func::CallOp::create(b, c.op->getLoc(), callee, c.arguments);
      c.op->erase();
    }
  }
};

} // namespace
