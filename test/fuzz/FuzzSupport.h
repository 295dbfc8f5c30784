//===- FuzzSupport.h - What the file-reader fuzz targets share --*- C++ -*-===//

#ifndef TERNARY_TEST_FUZZ_FUZZSUPPORT_H
#define TERNARY_TEST_FUZZ_FUZZSUPPORT_H

#include <cstdio>
#include <cstdlib>
#include <string>

namespace ternary_fuzz {

/// A broken property: libFuzzer reports the abort and keeps the input.
[[noreturn]] inline void fail(const std::string &what) {
  std::fprintf(stderr, "property violated: %s\n", what.c_str());
  std::abort();
}

} // namespace ternary_fuzz

#endif // TERNARY_TEST_FUZZ_FUZZSUPPORT_H
