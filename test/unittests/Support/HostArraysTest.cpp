//===- HostArraysTest.cpp - Inline arrays of the tools --------------------===//

#include "ternary/Support/HostArrays.h"

#include <gtest/gtest.h>

using namespace ternary;

namespace {

TEST(HostArrays, ParsesShapesTypesAndFills) {
  HostArray a;
  std::string error;
  ASSERT_TRUE(parseInlineArray("2x3xf32=1,2,3,4,5,6.5", a, error)) << error;
  EXPECT_EQ(a.dtype, DType::F32);
  EXPECT_EQ(a.shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(a.data<float>()[5], 6.5f);
  EXPECT_EQ(formatArray(a), "2x3xf32=[[1, 2, 3], [4, 5, 6.5]]");

  ASSERT_TRUE(parseInlineArray("2x2xi64=-7", a, error)) << error;
  EXPECT_EQ(formatArray(a), "2x2xi64=[[-7, -7], [-7, -7]]");
  ASSERT_TRUE(parseInlineArray("f64=1.5", a, error)) << error;
  EXPECT_TRUE(a.shape.empty());
  EXPECT_EQ(formatArray(a), "f64=1.5");
}

TEST(HostArrays, RefusesMalformedValuesWithTheReason) {
  HostArray a;
  std::string error;
  const std::pair<const char *, const char *> cases[] = {
      {"2x3xf32", "inline value '2x3xf32' must look like 2x3xf32=1,2,3,4,5,6"},
      {"2x3xq7=1", "inline value '2x3xq7=1': unknown element type 'q7'"},
      {"2xax3xf32=1", "inline value '2xax3xf32=1': bad dimension 'a'"},
      {"-2xf32=1", "inline value '-2xf32=1': bad dimension '-2'"},
      {"2x3xf32=1,2", "inline value '2x3xf32=1,2': 2 values for 6 elements"},
      {"2xf32=1,zz", "inline value '2xf32=1,zz': bad number 'zz'"},
      {"2xi32=1,2.5", "inline value '2xi32=1,2.5': bad integer '2.5'"},
      // Sizes whose product overflows or exceeds the limit are refused
      // before anything is allocated.
      {"4294967296x4294967296xf32=0",
       "inline value '4294967296x4294967296xf32=0': more than 268435456 "
       "elements"},
      {"99999999999x2xf32=0",
       "inline value '99999999999x2xf32=0': more than 268435456 elements"},
  };
  for (const auto &[text, message] : cases) {
    EXPECT_FALSE(parseInlineArray(text, a, error)) << text;
    EXPECT_EQ(error, message);
  }
}

} // namespace
