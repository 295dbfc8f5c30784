//===- TernaryOptions.cpp - Command-line values of dialect enums ----------===//

#include "ternary/Dialect/Ternary/TernaryOptions.h"

#include <deque>
#include <string>

using namespace mlir;
using namespace mlir::ternary;

StringRef mlir::ternary::describePackedKernel(PackedKernel kernel) {
  switch (kernel) {
  case PackedKernel::auto_:
    return "the best the target features allow";
  case PackedKernel::loops:
    return "scalar loops (linalg.generic)";
  case PackedKernel::vector:
    return "generic vector code (any target)";
  case PackedKernel::avx2:
    return "AVX2 (vpmaddubsw + vpmaddwd)";
  case PackedKernel::avx512_vnni:
    return "AVX-512 VNNI (vpdpbusd)";
  }
  return "";
}

StringRef mlir::ternary::describeEncoding(Encoding encoding) {
  switch (encoding) {
  case Encoding::i2:
    return "2 bits a weight, 4 weights a byte";
  case Encoding::base3:
    return "1.6 bits a weight, 5 weights a byte";
  }
  return "";
}

/// `name` with `_` spelt `-`, kept alive for the options' lifetime.
static StringRef optionSpelling(StringRef name) {
  static std::deque<std::string> names;
  std::string spelt = name.str();
  for (char &c : spelt)
    if (c == '_')
      c = '-';
  for (const std::string &known : names)
    if (known == spelt)
      return known;
  names.push_back(spelt);
  return names.back();
}

StringRef mlir::ternary::packedKernelOptionName(PackedKernel kernel) {
  return optionSpelling(stringifyPackedKernel(kernel));
}

/// The values of an option over every case of an ODS enum.
template <typename EnumT>
static EnumOptionValues
enumValues(unsigned maxValue, std::optional<EnumT> (*symbolize)(uint32_t),
           StringRef (*stringify)(EnumT), StringRef (*describe)(EnumT)) {
  EnumOptionValues values;
  for (uint32_t v = 0; v <= maxValue; ++v)
    if (std::optional<EnumT> e = symbolize(v))
      values.add(optionSpelling(stringify(*e)), static_cast<int>(*e),
                 describe(*e));
  return values;
}

EnumOptionValues mlir::ternary::packedKernelOptionValues() {
  return enumValues<PackedKernel>(getMaxEnumValForPackedKernel(),
                                  symbolizePackedKernel, stringifyPackedKernel,
                                  describePackedKernel);
}

EnumOptionValues mlir::ternary::encodingOptionValues() {
  return enumValues<Encoding>(getMaxEnumValForEncoding(), symbolizeEncoding,
                              stringifyEncoding, describeEncoding);
}
