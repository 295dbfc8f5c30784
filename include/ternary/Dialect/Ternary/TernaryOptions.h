//===- TernaryOptions.h - Command-line values of dialect enums --*- C++ -*-===//
//
// The `cl::values` of every option that takes a dialect enum (the
// `kernel` and `encoding` options of passes, pipelines and tools), built
// from the ODS enums so that the values are written once: the names are the
// enums' strings with `_` spelt `-` (`avx512_vnni` -> `avx512-vnni`).
//
//===----------------------------------------------------------------------===//

#ifndef TERNARY_DIALECT_TERNARY_TERNARYOPTIONS_H
#define TERNARY_DIALECT_TERNARY_TERNARYOPTIONS_H

#include "ternary/Dialect/Ternary/TernaryDialect.h"

#include "llvm/Support/CommandLine.h"

namespace mlir {
namespace ternary {

/// The values of an enum option, like `llvm::cl::values(...)` but built at
/// run time from an ODS enum's cases.
class EnumOptionValues {
public:
  void add(llvm::StringRef name, int value, llvm::StringRef description) {
    values.push_back({name, value, description});
  }
  template <class Opt> void apply(Opt &option) const {
    for (const llvm::cl::OptionEnumValue &v : values)
      option.getParser().addLiteralOption(v.Name, v.Value, v.Description);
  }

private:
  llvm::SmallVector<llvm::cl::OptionEnumValue, 8> values;
};

/// What a kernel is, for help texts: "AVX-512 VNNI (vpdpbusd)".
llvm::StringRef describePackedKernel(PackedKernel kernel);

/// What an encoding is, for help texts: "2 bits a weight".
llvm::StringRef describeEncoding(Encoding encoding);

/// The option spelling of a kernel ("avx512-vnni").
llvm::StringRef packedKernelOptionName(PackedKernel kernel);

/// The values of a `kernel` option: auto, loops, vector, avx2, avx512-vnni.
EnumOptionValues packedKernelOptionValues();

/// The values of an `encoding` option: i2, base3.
EnumOptionValues encodingOptionValues();

} // namespace ternary
} // namespace mlir

#endif // TERNARY_DIALECT_TERNARY_TERNARYOPTIONS_H
