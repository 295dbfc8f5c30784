//===- ConvolutionShape.h - A 2-D convolution's sizes -----------*- C++ -*-===//
//
// For the tests of compiled convolutions (ConvolutionsTest,
// FuseBatchesTest): the sizes of a conv_2d_nchw_fchw and its output's.
//
//===----------------------------------------------------------------------===//

#ifndef TERNARY_TEST_UNITTESTS_CODEGEN_CONVOLUTIONSHAPE_H
#define TERNARY_TEST_UNITTESTS_CODEGEN_CONVOLUTIONSHAPE_H

#include <cstdint>

namespace ternary_test {

/// Input [n, c, h, w], filter [f, c, kh, kw], stride and dilation along
/// both axes.
struct ConvolutionShape {
  int64_t n, c, h, w, f, kh, kw, stride, dilation;
  int64_t oh() const { return (h - dilation * (kh - 1) - 1) / stride + 1; }
  int64_t ow() const { return (w - dilation * (kw - 1) - 1) / stride + 1; }
};

} // namespace ternary_test

#endif // TERNARY_TEST_UNITTESTS_CODEGEN_CONVOLUTIONSHAPE_H
