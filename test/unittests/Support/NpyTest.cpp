//===- NpyTest.cpp - .npy reading and writing -----------------------------===//

#include "ternary/Support/Npy.h"

#include <gtest/gtest.h>

#include <cstring>

using namespace ternary;

namespace {

TEST(Npy, RoundTripsEveryDType) {
  for (DType dtype : {DType::F32, DType::F64, DType::I8, DType::U8, DType::I16,
                      DType::I32, DType::I64}) {
    HostArray a = HostArray::zeros(dtype, {2, 3});
    for (size_t i = 0; i < a.bytes.size(); ++i)
      a.bytes[i] = static_cast<char>(i * 7 + 1);
    HostArray b;
    std::string error;
    ASSERT_TRUE(parseNpy(serializeNpy(a), b, error)) << error;
    EXPECT_EQ(b.dtype, dtype);
    EXPECT_EQ(b.shape, a.shape);
    EXPECT_EQ(b.bytes, a.bytes);
  }
}

TEST(Npy, ScalarsAndVectors) {
  for (std::vector<int64_t> shape :
       {std::vector<int64_t>{}, std::vector<int64_t>{5},
        std::vector<int64_t>{0, 3}}) {
    HostArray a = HostArray::zeros(DType::F32, shape), b;
    std::string error;
    ASSERT_TRUE(parseNpy(serializeNpy(a), b, error)) << error;
    EXPECT_EQ(b.shape, shape);
  }
}

TEST(Npy, HeaderIsAlignedTo64Bytes) {
  std::string bytes = serializeNpy(HostArray::zeros(DType::I8, {3}));
  EXPECT_EQ((bytes.size() - 3) % 64, 0u);
  EXPECT_EQ(bytes.compare(0, 6, "\x93NUMPY"), 0);
}

TEST(Npy, ReadsNumPysOwnHeader) {
  // As numpy 1.24 writes np.arange(3, dtype='<i4').
  std::string header = "{'descr': '<i4', 'fortran_order': False, 'shape': "
                       "(3,), }";
  header.append(128 - 10 - header.size() - 1, ' '); // total a multiple of 64
  header += '\n';
  std::string file = std::string("\x93NUMPY\x01\x00", 8);
  file += static_cast<char>(header.size());
  file += '\0';
  file += header;
  const int32_t data[] = {0, 1, 2};
  file.append(reinterpret_cast<const char *>(data), sizeof data);
  HostArray a;
  std::string error;
  ASSERT_TRUE(parseNpy(file, a, error)) << error;
  EXPECT_EQ(a.dtype, DType::I32);
  ASSERT_EQ(a.shape, std::vector<int64_t>{3});
  EXPECT_EQ(a.data<int32_t>()[2], 2);
}

// NumPy writes a transposed view in Fortran order (np.save(a.T)); the
// reader returns the same array in row-major order.
TEST(Npy, ReadsFortranOrderAsRowMajor) {
  HostArray c = HostArray::zeros(DType::I64, {2, 3, 4});
  for (int64_t e = 0; e < 24; ++e)
    c.data<int64_t>()[e] = e;
  // The same values in column-major order: element (i, j, k) at
  // i + 2 j + 6 k.
  HostArray f = c;
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t j = 0; j < 3; ++j)
      for (int64_t k = 0; k < 4; ++k)
        f.data<int64_t>()[i + 2 * j + 6 * k] =
            c.data<int64_t>()[12 * i + 4 * j + k];
  std::string bytes = serializeNpy(f);
  bytes.replace(bytes.find("False"), 5, "True ");
  HostArray a;
  std::string error;
  ASSERT_TRUE(parseNpy(bytes, a, error)) << error;
  EXPECT_EQ(a.shape, c.shape);
  EXPECT_EQ(a.bytes, c.bytes);
}

TEST(Npy, RejectsWhatItCannotRead) {
  HostArray a;
  std::string error;
  EXPECT_FALSE(parseNpy("nonsense", a, error));
  EXPECT_EQ(error, "not an .npy file (bad magic)");
  std::string complex = serializeNpy(HostArray::zeros(DType::F64, {2}));
  complex.replace(complex.find("<f8"), 3, "<c8");
  EXPECT_FALSE(parseNpy(complex, a, error));
  EXPECT_NE(error.find("unsupported dtype '<c8'"), std::string::npos);
  std::string truncated = serializeNpy(HostArray::zeros(DType::F32, {4}));
  truncated.resize(truncated.size() - 1);
  EXPECT_FALSE(parseNpy(truncated, a, error));
  EXPECT_EQ(error, "truncated .npy data: expected 16 bytes, got 15");
}

/// An .npy file with the given header text (padded as NumPy pads it) and
/// `data` after it.
std::string npyWithHeader(std::string header, const std::string &data = "") {
  header.append(128 - 10 - header.size() - 1, ' ');
  header += '\n';
  std::string file = std::string("\x93NUMPY\x01\x00", 8);
  file += static_cast<char>(header.size());
  file += '\0';
  return file + header + data;
}

TEST(Npy, FollowsNumPysHeaderGrammar) {
  HostArray a;
  std::string error;
  const std::string four(16, '\0');
  ASSERT_TRUE(parseNpy(npyWithHeader("{\"descr\": \"<f4\", \"shape\": "
                                     "(2, 2), \"fortran_order\": False}",
                                     four),
                       a, error))
      << error;
  EXPECT_EQ(a.shape, (std::vector<int64_t>{2, 2}));
  const std::pair<const char *, const char *> cases[] = {
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (4,), ",
       "malformed .npy header (expected a quoted key)"},
      {"{'descr': '<f4', 'descr': '<i4', 'fortran_order': False, 'shape': "
       "(4,), }",
       "malformed .npy header (the key 'descr' appears twice)"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (4,), 'x': 1}",
       "malformed .npy header (unknown key 'x')"},
      {"{'descr': '<f4', 'shape': (4,), }",
       "malformed .npy header (the key 'fortran_order' is missing)"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (4,)} junk",
       "malformed .npy header (text after the dict)"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (-4,)}",
       "malformed .npy header (bad value for 'shape')"},
      {"{'descr': '<f4', 'fortran_order': Maybe, 'shape': (4,)}",
       "malformed .npy header (bad value for 'fortran_order')"},
  };
  for (const auto &[header, message] : cases) {
    EXPECT_FALSE(parseNpy(npyWithHeader(header, four), a, error)) << header;
    EXPECT_EQ(error.substr(0, std::string(message).size()), message);
  }
  std::string nul = npyWithHeader("{'descr': '<f4', 'fortran_order': False, "
                                  "'shape': (4,), }",
                                  four);
  nul[20] = '\0';
  EXPECT_FALSE(parseNpy(nul, a, error));
  EXPECT_EQ(error.substr(0, 40), "malformed .npy header (a NUL byte in the");
}

TEST(Npy, RefusesShapesWhoseSizeOverflows) {
  // 2^62 x 4 float32: the byte count wraps to 0 in 64 bits.
  HostArray a;
  std::string error;
  EXPECT_FALSE(parseNpy(npyWithHeader("{'descr': '<f4', 'fortran_order': "
                                      "False, 'shape': (4611686018427387904, "
                                      "4), }"),
                        a, error));
  EXPECT_EQ(error, "the shape [4611686018427387904, 4] is too big: its byte "
                   "count does not fit in 64 bits (the file holds 0 bytes)");
  // Found by the .npy fuzzer: an empty array (a zero dimension) whose other
  // dimensions multiply beyond int64, so that numElements() overflowed.
  // NumPy refuses it too ("array is too big").
  EXPECT_FALSE(parseNpy(npyWithHeader("{'descr': '|u1', 'fortran_order': "
                                      "False, 'shape': (4294967296, 0, "
                                      "4294967296), }"),
                        a, error));
  EXPECT_EQ(error, "the shape [4294967296, 0, 4294967296] is too big: its "
                   "byte count does not fit in 64 bits (the file holds 0 "
                   "bytes)");
  // Large but countable empty arrays are fine.
  EXPECT_TRUE(parseNpy(npyWithHeader("{'descr': '<f4', 'fortran_order': "
                                     "False, 'shape': (1048576, 0, 4096), }"),
                       a, error))
      << error;
  EXPECT_EQ(a.numElements(), 0);
  EXPECT_FALSE(parseNpy(npyWithHeader("{'descr': '<f4', 'fortran_order': "
                                      "False, 'shape': (1000000, 1000000), }"),
                        a, error));
  EXPECT_EQ(error, "truncated .npy data: expected 4000000000000 bytes, got 0");
}

} // namespace
