//===- Target.cpp - Target machines -------------------------------------===//
//
// The LLVM target machine code is generated for (the host's CPU and
// features by default, any registered triple otherwise) and the features
// of it that decide the packed product kernel.
//
//===----------------------------------------------------------------------===//

#include "ternary/Runner/Target.h"
#include "CAbi.h"

#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"
#include "llvm/TargetParser/Triple.h"

using namespace mlir;
using namespace mlir::ternary;
using namespace mlir::ternary::detail;
using ::ternary::DType;
using ::ternary::HostArray;

llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
mlir::ternary::createTargetMachine(const TargetOptions &target, bool forJIT) {
  static bool targetsInitialised = [] {
    llvm::InitializeAllTargetInfos();
    llvm::InitializeAllTargets();
    llvm::InitializeAllTargetMCs();
    llvm::InitializeAllAsmPrinters();
    return true;
  }();
  (void)targetsInitialised;

  bool host = target.triple.empty();
  llvm::Triple triple(host ? llvm::sys::getProcessTriple() : target.triple);
  std::string error;
  const llvm::Target *llvmTarget =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!llvmTarget)
    return makeError("unknown target '" + triple.str() + "': " + error);
  std::string cpu = target.cpu;
  llvm::SubtargetFeatures features;
  if (cpu.empty() && host) {
    cpu = llvm::sys::getHostCPUName().str();
    for (const auto &feature : llvm::sys::getHostCPUFeatures())
      features.AddFeature(feature.first(), feature.second);
  }
  if (cpu.empty())
    cpu = "generic";
  SmallVector<StringRef> extra;
  StringRef(target.features).split(extra, ',', -1, /*KeepEmpty=*/false);
  for (StringRef feature : extra) {
    feature = feature.trim();
    if (feature.size() < 2 || (feature[0] != '+' && feature[0] != '-'))
      return makeError("target feature '" + feature +
                       "' must start with + or -");
    features.AddFeature(feature);
  }
  static const llvm::CodeGenOptLevel levels[] = {
      llvm::CodeGenOptLevel::None, llvm::CodeGenOptLevel::Less,
      llvm::CodeGenOptLevel::Default, llvm::CodeGenOptLevel::Aggressive};
  std::unique_ptr<llvm::TargetMachine> tm(llvmTarget->createTargetMachine(
      triple, cpu, features.getString(), llvm::TargetOptions(),
      llvm::Reloc::PIC_, std::nullopt, levels[std::min(target.optLevel, 3u)],
      forJIT));
  if (!tm)
    return makeError("cannot create a target machine for '" + triple.str() +
                     "', CPU '" + cpu + "'");
  return std::move(tm);
}

std::string mlir::ternary::kernelFeatures(const llvm::TargetMachine &tm) {
  std::string features;
  const llvm::MCSubtargetInfo *sti = tm.getMCSubtargetInfo();
  // The kernels' features are x86's: asking another target's subtarget
  // about them is a fatal error in LLVM. Other targets have none of them
  // (they get the generic vector kernel).
  bool x86 = tm.getTargetTriple().isX86();
  for (const char *feature : {"avx2", "avx512f", "avx512bw", "avx512vnni"}) {
    bool on = x86 && sti && sti->checkFeatures(std::string("+") + feature);
    features +=
        (features.empty() ? "" : ",") + std::string(on ? "+" : "-") + feature;
  }
  return features;
}
