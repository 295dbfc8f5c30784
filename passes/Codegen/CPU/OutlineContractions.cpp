//===- OutlineContractions.cpp - One function per distinct contraction ----===//
//
// --ternary-outline-contractions: every f32 contraction that the kernel of
// --ternary-vectorize-contractions takes moves into a private function,
// one per distinct contraction (operand types, maps, iterators and body),
// and is replaced by a call. Identical layers (the projections of an
// attention block, the blocks of a deep model, the same product in the
// forward and the backward pass) then share one copy of the kernel's code
// instead of each getting its own, which is what LLVM's code generation
// time grows with. See Passes.td.
//
//===----------------------------------------------------------------------===//

#include "Codegen/CPU/Contractions.h"
#include "ternary/Passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"

#include <map>

namespace mlir {
namespace ternary {
#define GEN_PASS_DEF_TERNARYOUTLINECONTRACTIONS
#include "passes/Passes.h.inc"
} // namespace ternary
} // namespace mlir

using namespace mlir;

namespace {

/// The name prefix of the outlined functions.
constexpr llvm::StringLiteral kPrefix = "__ternary_contraction_";

/// The text of `op` on block arguments standing for its operands: equal
/// for two contractions exactly when one function can serve both.
std::string key(Operation *op) {
  OpBuilder b(op->getContext());
  Block block;
  IRMapping mapping;
  for (Value v : op->getOperands())
    mapping.map(v, block.addArgument(v.getType(), op->getLoc()));
  b.setInsertionPointToEnd(&block);
  Operation *clone = b.clone(*op, mapping);
  std::string text;
  llvm::raw_string_ostream os(text);
  for (Type t : block.getArgumentTypes())
    os << t << ";";
  clone->print(os, OpPrintingFlags().useLocalScope());
  clone->erase();
  return text;
}

struct TernaryOutlineContractions
    : public mlir::ternary::impl::TernaryOutlineContractionsBase<
          TernaryOutlineContractions> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    std::map<std::string, func::FuncOp> outlined;
    SmallVector<linalg::LinalgOp> targets;
    for (auto func : module.getOps<func::FuncOp>()) {
      if (func.getSymName().starts_with(kPrefix))
        continue;
      func.walk([&](linalg::LinalgOp op) {
        if (ternary::detail::isKernelContraction(op))
          targets.push_back(op);
      });
    }
    OpBuilder b(&getContext());
    for (linalg::LinalgOp op : targets) {
      func::FuncOp &callee = outlined[key(op)];
      if (!callee) {
        b.setInsertionPointToEnd(module.getBody());
        auto type = b.getFunctionType(op->getOperandTypes(), {});
        std::string name = (kPrefix + Twine(outlined.size() - 1)).str();
        callee = func::FuncOp::create(b, op.getLoc(), name, type);
        callee.setPrivate();
        // Compiled once, not inlined back into every caller; internal, so
        // that nothing else sees it.
        // (llvm.func's own `no_inline` does not survive convert-func-to-llvm;
        // its `passthrough` list does.)
        callee->setAttr("passthrough",
                        b.getArrayAttr({b.getStringAttr("noinline")}));
        callee->setAttr(
            "llvm.linkage",
            LLVM::LinkageAttr::get(&getContext(), LLVM::Linkage::Internal));
        symbols.insert(callee); // Renamed if a function has the name.
        Block *body = callee.addEntryBlock();
        IRMapping mapping;
        mapping.map(op->getOperands(), body->getArguments());
        b.setInsertionPointToEnd(body);
        b.clone(*op, mapping);
        func::ReturnOp::create(b, op.getLoc());
      }
      b.setInsertionPoint(op);
      func::CallOp::create(b, op.getLoc(), callee, op->getOperands());
      op->erase();
    }
  }
};

} // namespace
