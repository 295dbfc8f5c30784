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
// The fill of a contraction's output goes along with it (the kernel then
// fills each output block in its task). See passes/Codegen/CPU/CPUPasses.td.
//
//===----------------------------------------------------------------------===//

#include "Codegen/CPU/Contractions.h"
#include "Utils/Functions.h"
#include "ternary/Passes/Passes.h"

#include "mlir/Analysis/AliasAnalysis.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
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

/// Ops to outline together (one op, or a fill and the contraction that
/// accumulates into the buffer it fills): their operands and the values
/// their bodies read from outside (constants are cloned into the function
/// instead).
struct Candidate {
  SmallVector<Operation *> ops;
  SmallVector<Value> arguments;
  SmallVector<Operation *> constants;
  std::string key;
};

/// A function `name` (not inserted anywhere) holding clones of `c.ops` on
/// its arguments, with their constants cloned before them.
func::FuncOp buildFunction(OpBuilder &b, const Candidate &c, StringRef name) {
  OpBuilder::InsertionGuard guard(b);
  SmallVector<Type> types;
  for (Value v : c.arguments)
    types.push_back(v.getType());
  b.clearInsertionPoint();
  Location loc = c.ops.back()->getLoc();
  auto func = func::FuncOp::create(b, loc, name, b.getFunctionType(types, {}));
  Block *body = func.addEntryBlock();
  IRMapping mapping;
  mapping.map(c.arguments, body->getArguments());
  b.setInsertionPointToEnd(body);
  for (Operation *constant : c.constants)
    b.clone(*constant, mapping);
  for (Operation *op : c.ops)
    b.clone(*op, mapping);
  func::ReturnOp::create(b, loc);
  return func;
}

/// The candidate for `ops`. Its key, the text of the function that would
/// hold them, is equal for two candidates exactly when one function can
/// serve both.
Candidate candidate(OpBuilder &b, ArrayRef<Operation *> ops) {
  Candidate c{SmallVector<Operation *>(ops), {}, {}, ""};
  SetVector<Value> operands, above;
  for (Operation *op : ops) {
    operands.insert(op->getOperands().begin(), op->getOperands().end());
    getUsedValuesDefinedAbove(op->getRegions(), above);
  }
  c.arguments.assign(operands.begin(), operands.end());
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

/// Whether `op` or an op in its regions may access `buffer`. (The alias
/// analysis's getModRef gives up on ops with recursive effects, as linalg
/// ops have.)
bool mayAccess(AliasAnalysis &aliases, Operation *op, Value buffer) {
  std::optional<SmallVector<MemoryEffects::EffectInstance>> effects =
      getEffectsRecursively(op);
  if (!effects)
    return true;
  return llvm::any_of(*effects, [&](const MemoryEffects::EffectInstance &e) {
    Value value = e.getValue();
    return !value || !aliases.alias(value, buffer).isNo();
  });
}

/// The fill of the buffer that `contraction` accumulates into, moved to
/// just before it, if there is one earlier in its block and no op between
/// them may access that buffer: the contraction's kernel then fills each
/// output block just before computing it, while it is in cache
/// (--ternary-vectorize-contractions), instead of the whole buffer in a
/// pass over memory of its own (a convolution's 42 MB gradient of its
/// windows). Null otherwise.
linalg::FillOp sinkFill(AliasAnalysis &aliases, linalg::LinalgOp contraction) {
  if (contraction.getNumDpsInits() != 1)
    return nullptr;
  Value output = contraction.getDpsInitOperand(0)->get();
  for (Operation *op = contraction->getPrevNode(); op; op = op->getPrevNode()) {
    auto fill = dyn_cast<linalg::FillOp>(op);
    if (fill && ternary::detail::fillsOutputOf(fill, contraction)) {
      fill->moveBefore(contraction);
      return fill;
    }
    if (mayAccess(aliases, op, output))
      return nullptr;
  }
  return nullptr;
}

struct TernaryOutlineLinalg
    : public mlir::ternary::impl::TernaryOutlineLinalgBase<
          TernaryOutlineLinalg> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    OpBuilder b(&getContext());
    AliasAnalysis &aliases = getAnalysis<AliasAnalysis>();
    SmallVector<Candidate> candidates;
    std::map<std::string, unsigned> uses;
    for (auto func : module.getOps<func::FuncOp>()) {
      if (func.getSymName().starts_with(kPrefix) || func.isDeclaration())
        continue;
      // Contractions first: the fills they take along are no candidates of
      // their own.
      DenseMap<Operation *, linalg::FillOp> fills;
      SmallVector<linalg::LinalgOp> ops;
      for (Operation &op : func.getBody().getOps()) {
        auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
        if (linalgOp && linalgOp.hasPureBufferSemantics() &&
            !writesScalarsOnly(linalgOp))
          ops.push_back(linalgOp);
      }
      DenseSet<Operation *> taken;
      for (linalg::LinalgOp op : ops)
        if (ternary::detail::isKernelContraction(op))
          if (linalg::FillOp fill = sinkFill(aliases, op)) {
            fills[op] = fill;
            taken.insert(fill);
          }
      for (linalg::LinalgOp op : ops) {
        if (taken.contains(op))
          continue;
        SmallVector<Operation *> together;
        if (linalg::FillOp fill = fills.lookup(op))
          together.push_back(fill);
        together.push_back(op);
        candidates.push_back(candidate(b, together));
        ++uses[candidates.back().key];
      }
    }
    std::map<std::string, func::FuncOp> outlined;
    for (Candidate &c : candidates) {
      bool contraction = ternary::detail::isKernelContraction(
          cast<linalg::LinalgOp>(c.ops.back()));
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
      b.setInsertionPoint(c.ops.back());
      func::CallOp::create(b, c.ops.back()->getLoc(), callee, c.arguments);
      for (Operation *op : c.ops)
        op->erase();
    }
  }
};

} // namespace
