//===- MergeFunctions.cpp - One body for functions that are twins ---------===//
//
// --ternary-merge-functions: of functions with the same type and the same
// body, one keeps the body; private twins are erased, public twins call it.
// See passes/Transforms/TransformsPasses.td.
//
//===----------------------------------------------------------------------===//

#include "ternary/Passes/Passes.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/IR/SymbolTable.h"

namespace mlir {
namespace ternary {
#define GEN_PASS_DEF_TERNARYMERGEFUNCTIONS
#include "passes/Passes.h.inc"
} // namespace ternary
} // namespace mlir

using namespace mlir;

namespace {

/// Whether `a` and `b` compute the same thing with the same buffers.
bool areTwins(func::FuncOp a, func::FuncOp b) {
  if (a.getFunctionType() != b.getFunctionType())
    return false;
  StringRef writable = bufferization::BufferizationDialect::kWritableAttrName;
  for (unsigned i = 0, e = a.getNumArguments(); i < e; ++i)
    if (a.getArgAttr(i, writable) != b.getArgAttr(i, writable))
      return false;
  return OperationEquivalence::isRegionEquivalentTo(
      &a.getBody(), &b.getBody(), OperationEquivalence::IgnoreLocations);
}

/// Replaces the body of `twin` by a call of `kept`.
void callInstead(func::FuncOp twin, func::FuncOp kept) {
  twin.getBody().getBlocks().clear();
  Block *entry = twin.addEntryBlock();
  auto b = OpBuilder::atBlockBegin(entry);
  auto call =
      func::CallOp::create(b, twin.getLoc(), kept, entry->getArguments());
  func::ReturnOp::create(b, twin.getLoc(), call.getResults());
}

struct TernaryMergeFunctions
    : public mlir::ternary::impl::TernaryMergeFunctionsBase<
          TernaryMergeFunctions> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    // Sets of twins in module order; the ops of a body are counted first, so
    // that only functions of the same size are compared.
    struct Set {
      size_t size;
      SmallVector<func::FuncOp> functions;
    };
    SmallVector<Set> sets;
    for (auto function : module.getOps<func::FuncOp>()) {
      if (function.isExternal())
        continue;
      size_t size = 0;
      function.getBody().walk([&](Operation *) { ++size; });
      Set *set = llvm::find_if(sets, [&](const Set &s) {
        return s.size == size && areTwins(s.functions.front(), function);
      });
      if (set == sets.end())
        sets.push_back(Set{size, {function}});
      else
        set->functions.push_back(function);
    }

    for (Set &set : sets) {
      if (set.functions.size() < 2)
        continue;
      auto keptIt = llvm::find_if(set.functions,
                                  [](func::FuncOp f) { return f.isPublic(); });
      func::FuncOp kept =
          keptIt == set.functions.end() ? set.functions.front() : *keptIt;
      for (func::FuncOp twin : set.functions) {
        if (twin == kept)
          continue;
        if (twin.isPublic()) {
          callInstead(twin, kept);
          continue;
        }
        if (failed(SymbolTable::replaceAllSymbolUses(
                twin, kept.getSymNameAttr(), module)))
          return signalPassFailure();
        twin.erase();
      }
    }
  }
};

} // namespace
