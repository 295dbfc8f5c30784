//===- Target.h - Target machines --------------------------------*- C++
//-*-===//
//
// The LLVM target machine of generated code: the host by default, any
// registered triple otherwise.
//
//===----------------------------------------------------------------------===//

#ifndef TERNARY_RUNNER_TARGET_H
#define TERNARY_RUNNER_TARGET_H

#include "llvm/Support/Error.h"
#include "llvm/Target/TargetMachine.h"

#include <memory>
#include <string>

namespace mlir {
namespace ternary {

/// Where and how the code is generated.
struct TargetOptions {
  std::string cpu;       ///< empty: the host CPU (generic for other triples)
  std::string features;  ///< "+avx2,-avx512f": added to the CPU's features
  unsigned optLevel = 3; ///< 0..3
  std::string triple;    ///< empty: the host
};

/// A target machine for `target` (position-independent code). With neither
/// a CPU nor a triple given, it is the host CPU with the host's features.
llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createTargetMachine(const TargetOptions &target, bool forJIT = false);

/// The features of `tm` that decide the packed product kernel, as an LLVM
/// feature string for InferencePipelineOptions::targetFeatures (features
/// implied by the CPU included).
std::string kernelFeatures(const llvm::TargetMachine &tm);

} // namespace ternary
} // namespace mlir

#endif // TERNARY_RUNNER_TARGET_H
