//===- KernelSelection.cpp - Choosing the packed-product kernel -----------===//
//
// The kernel a target's features allow (selectPackedKernel) and the pass
// that applies the choice to the IR (--ternary-select-kernels).
//
//===----------------------------------------------------------------------===//

#include "ternary/Passes/Codegen/CPU/KernelSelection.h"
#include "ternary/Dialect/Ternary/TernaryOps.h"
#include "ternary/Passes/Passes.h"

#include "llvm/TargetParser/Host.h"

namespace mlir {
namespace ternary {
#define GEN_PASS_DEF_TERNARYSELECTKERNELS
#include "passes/Passes.h.inc"
} // namespace ternary
} // namespace mlir

using namespace mlir;
using namespace mlir::ternary;

/// Whether `feature` is on in an LLVM feature string (the last mention
/// wins).
static bool hasFeature(llvm::StringRef features, llvm::StringRef feature) {
  SmallVector<StringRef> list;
  features.split(list, ',', -1, /*KeepEmpty=*/false);
  bool on = false;
  for (StringRef f : list) {
    f = f.trim();
    if (!f.empty() && f.drop_front() == feature)
      on = f.front() == '+';
  }
  return on;
}

std::string mlir::ternary::missingKernelFeatures(PackedKernel kernel,
                                                 llvm::StringRef features) {
  SmallVector<const char *> needed;
  if (kernel == PackedKernel::avx512_vnni)
    needed = {"avx512f", "avx512bw", "avx512vnni"};
  else if (kernel == PackedKernel::avx2)
    needed = {"avx2"};
  std::string missing;
  for (const char *feature : needed)
    if (!hasFeature(features, feature))
      missing += (missing.empty() ? "+" : ",+") + std::string(feature);
  return missing;
}

PackedKernel mlir::ternary::selectPackedKernel(llvm::StringRef features) {
  if (missingKernelFeatures(PackedKernel::avx512_vnni, features).empty())
    return PackedKernel::avx512_vnni;
  if (missingKernelFeatures(PackedKernel::avx2, features).empty())
    return PackedKernel::avx2;
  return PackedKernel::vector;
}

ContractionTiles
mlir::ternary::selectContractionTiles(llvm::StringRef features) {
  if (hasFeature(features, "avx512f"))
    return {8, 32, 4}; // 16 zmm accumulators of the 32
  if (hasFeature(features, "avx2") && hasFeature(features, "fma"))
    return {6, 16, 4}; // 12 ymm accumulators of the 16
  return {4, 8, 4};
}

int64_t mlir::ternary::selectVectorBytes(llvm::StringRef features) {
  if (hasFeature(features, "avx512f"))
    return 64;
  return hasFeature(features, "avx2") ? 32 : 16;
}

std::string mlir::ternary::hostTargetFeatures() {
  std::string features;
  for (const auto &feature : llvm::sys::getHostCPUFeatures())
    features += (features.empty() ? "" : ",") +
                std::string(feature.second ? "+" : "-") + feature.first().str();
  return features;
}

namespace {

struct TernarySelectKernels
    : public mlir::ternary::impl::TernarySelectKernelsBase<
          TernarySelectKernels> {
  using TernarySelectKernelsBase::TernarySelectKernelsBase;

  void runOnOperation() override {
    PackedKernel chosen = kernel;
    if (chosen == PackedKernel::auto_)
      chosen = selectPackedKernel(targetFeatures.empty() ? hostTargetFeatures()
                                                         : targetFeatures);
    auto attr = PackedKernelAttr::get(&getContext(), chosen);
    getOperation()->walk([&](Operation *op) {
      if (auto matmul = dyn_cast<MatmulOp>(op))
        annotate(matmul, attr);
      else if (auto fused = dyn_cast<MatmulRescaleOp>(op))
        annotate(fused, attr);
    });
  }

  /// Sets `attr` on a 2-D packed product without a kernel.
  template <typename OpTy>
  static void annotate(OpTy op, PackedKernelAttr attr) {
    if (op.getKernelAttr() || !isa<PackedType>(op.getWeight().getType()) ||
        op.getValues().getType().getRank() != 2)
      return;
    op.setKernelAttr(attr);
  }
};

} // namespace
