//===- HostArrays.h - Host arrays on the command line -----------*- C++ -*-===//
//
// How the tools read and print arrays: `@file.npy` or an inline value
// `2x3xf32=1,2,3,4,5,6` (`f32=1.5` for a scalar; one value fills the
// array), and "2x3xf32=[[1, 2, 3], [4, 5, 6]]" when printing. Plain C++.
//
//===----------------------------------------------------------------------===//

#ifndef TERNARY_SUPPORT_HOSTARRAYS_H
#define TERNARY_SUPPORT_HOSTARRAYS_H

#include "ternary/Support/Npy.h"

#include <string>

namespace ternary {

/// Formats an array as "2x3xf32=" followed by its values (floats with 9
/// significant digits), for printing.
std::string formatArray(const HostArray &array);

/// Parses an inline value "2x3xf32=1,2,3,4,5,6". Returns false and sets
/// `error` (naming the value and what is wrong) on failure; arrays of more
/// than `maxElements` elements are refused.
bool parseInlineArray(const std::string &text, HostArray &out,
                      std::string &error,
                      int64_t maxElements = int64_t(1) << 28);

/// Reads a tool argument: "@file.npy" (readNpy) or an inline value.
bool readArrayArgument(const std::string &spec, HostArray &out,
                       std::string &error);

/// A float for messages: "nan", "inf", "1.5e+30".
std::string formatFloat(double value);

/// "" when every element of `array` (f32 or f64; others are finite) is
/// finite, else what the first non-finite one is and where:
/// "nan at element 3".
std::string firstNonFinite(const HostArray &array);

} // namespace ternary

#endif // TERNARY_SUPPORT_HOSTARRAYS_H
