//===- SameResults.h - One module compiled two ways, same results -*- C++
//-*-===//
//
// For the tests of a code-generation step against the code it replaces:
// the module compiled with the step on and off, and a check that a
// function gives the same results under both, bit for bit.
//
//===----------------------------------------------------------------------===//

#ifndef TERNARY_TEST_UNITTESTS_CODEGEN_SAMERESULTS_H
#define TERNARY_TEST_UNITTESTS_CODEGEN_SAMERESULTS_H

#include "Jit.h"

#include <cmath>
#include <cstring>

namespace ternary_test {

/// One module compiled with the step under test (`on`) and without (`off`).
struct CompiledPair {
  std::unique_ptr<mlir::ternary::CompiledModule> on, off;
};

/// Whether two elements are the same: the same bits, or both NaN (a NaN's
/// payload is not part of the contract).
template <typename T> bool sameElement(T a, T b) {
  return (std::isnan(a) && std::isnan(b)) || !std::memcmp(&a, &b, sizeof(T));
}

/// The results of `function` on `in` under both compilations, which must
/// be the same element for element (f32 or f64); the `on` results.
inline std::vector<::ternary::HostArray>
expectSameResults(CompiledPair &pair, const std::string &function,
                  const std::vector<::ternary::HostArray> &in) {
  using ::ternary::DType;
  auto got = pair.on->call(function, in);
  auto want = pair.off->call(function, in);
  if (!got || !want) {
    ADD_FAILURE() << (got ? llvm::toString(want.takeError())
                          : llvm::toString(got.takeError()));
    return {};
  }
  EXPECT_EQ(got->size(), want->size());
  for (size_t r = 0; r < got->size() && r < want->size(); ++r) {
    const ::ternary::HostArray &g = (*got)[r], &w = (*want)[r];
    EXPECT_EQ(g.shape, w.shape) << "result " << r;
    EXPECT_EQ(g.dtype, w.dtype) << "result " << r;
    if (g.shape != w.shape || g.dtype != w.dtype)
      continue;
    bool f64 = g.dtype == DType::F64;
    for (int64_t i = 0; i < g.numElements(); ++i) {
      double a = f64 ? g.data<double>()[i] : g.data<float>()[i];
      double b = f64 ? w.data<double>()[i] : w.data<float>()[i];
      if (f64 ? !sameElement(g.data<double>()[i], w.data<double>()[i])
              : !sameElement(g.data<float>()[i], w.data<float>()[i])) {
        ADD_FAILURE() << "result " << r << " element " << i << ": " << a
                      << " vs " << b;
        break;
      }
    }
  }
  return std::move(*got);
}

} // namespace ternary_test

#endif // TERNARY_TEST_UNITTESTS_CODEGEN_SAMERESULTS_H
