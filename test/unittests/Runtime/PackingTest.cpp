//===- PackingTest.cpp - Packed ternary weight encodings ------------------===//

#include "ternary/Runtime/Packing.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace {

TEST(Packing, RowBytes) {
  EXPECT_EQ(ternary_packed_row_bytes(0, TERNARY_ENCODING_I2), 0);
  EXPECT_EQ(ternary_packed_row_bytes(1, TERNARY_ENCODING_I2), 1);
  EXPECT_EQ(ternary_packed_row_bytes(4, TERNARY_ENCODING_I2), 1);
  EXPECT_EQ(ternary_packed_row_bytes(5, TERNARY_ENCODING_I2), 2);
  EXPECT_EQ(ternary_packed_row_bytes(5, TERNARY_ENCODING_BASE3), 1);
  EXPECT_EQ(ternary_packed_row_bytes(6, TERNARY_ENCODING_BASE3), 2);
  EXPECT_EQ(ternary_packed_row_bytes(4096, TERNARY_ENCODING_BASE3), 820);
  EXPECT_EQ(ternary_packed_row_bytes(-1, TERNARY_ENCODING_I2), -1);
  EXPECT_EQ(ternary_packed_row_bytes(3, static_cast<ternary_encoding>(7)), -1);
}

TEST(Packing, I2BitLayoutByHand) {
  // Codes w + 1: [2, 1, 0, 1] -> 2 | 1 << 2 | 0 << 4 | 1 << 6 = 70; the
  // second row [1, 1, 1, 2] -> 149.
  const int8_t w[] = {1, 0, -1, 0, 0, 0, 0, 1};
  uint8_t out[2];
  ASSERT_EQ(ternary_pack(w, 2, 4, TERNARY_ENCODING_I2, out), 0);
  EXPECT_EQ(out[0], 70);
  EXPECT_EQ(out[1], 149);
  // K = 5: one partial block of s = 2 bytes; weight i + 2j is slot j of
  // byte i: byte 0 holds weights 0, 2, 4 and padding, byte 1 weights 1, 3.
  const int8_t w5[] = {-1, -1, -1, -1, 1};
  uint8_t out5[2];
  ASSERT_EQ(ternary_pack(w5, 1, 5, TERNARY_ENCODING_I2, out5), 0);
  EXPECT_EQ(out5[0], 0 | 0 << 2 | 2 << 4 | 1 << 6);
  EXPECT_EQ(out5[1], 0 | 0 << 2 | 1 << 4 | 1 << 6);
}

TEST(Packing, I2FullBlockLayout) {
  // K = 300: a full block of 256 weights in 64 bytes (weight i + 64j in
  // byte i, slot j), then 44 weights in s = 11 bytes (weight i + 11j).
  std::vector<int8_t> w(300, 0);
  w[65] = 1;                // byte 1, slot 1
  w[256 + 11 * 3 + 2] = -1; // byte 64 + 2, slot 3
  std::vector<uint8_t> out(75);
  ASSERT_EQ(ternary_pack(w.data(), 1, 300, TERNARY_ENCODING_I2, out.data()), 0);
  for (size_t b = 0; b < out.size(); ++b) {
    uint8_t expected = b == 1    ? (1 | 2 << 2 | 1 << 4 | 1 << 6)
                       : b == 66 ? (1 | 1 << 2 | 1 << 4 | 0 << 6)
                                 : 0x55;
    EXPECT_EQ(out[b], expected) << "byte " << b;
  }
}

TEST(Packing, Base3FullBlockLayout) {
  // K = 320: one full block; weight i + 64j is trit j of byte i.
  std::vector<int8_t> w(320, 0);
  w[64 * 4 + 7] = 1; // byte 7, trit 4 (least significant): v = 121 + 1
  std::vector<uint8_t> out(64);
  ASSERT_EQ(ternary_pack(w.data(), 1, 320, TERNARY_ENCODING_BASE3, out.data()),
            0);
  // All-zero weights: codes 1, v = 121, byte ceil(121 * 256 / 243) = 128.
  for (size_t b = 0; b < out.size(); ++b)
    EXPECT_EQ(out[b], b == 7 ? (122 * 256 + 242) / 243 : 128) << "byte " << b;
}

TEST(Packing, Base3ByteByHand) {
  // Codes [2, 0, 1, 1, 0]: v = 2*81 + 0 + 9 + 3 + 0 = 174,
  // byte = ceil(174 * 256 / 243) = ceil(183.3) = 184.
  const int8_t w[] = {1, -1, 0, 0, -1};
  uint8_t out;
  ASSERT_EQ(ternary_pack(w, 1, 5, TERNARY_ENCODING_BASE3, &out), 0);
  EXPECT_EQ(out, 184);
  // All -1: v = 0 -> 0; all +1: v = 242 -> 255.
  const int8_t lo[] = {-1, -1, -1, -1, -1}, hi[] = {1, 1, 1, 1, 1};
  ASSERT_EQ(ternary_pack(lo, 1, 5, TERNARY_ENCODING_BASE3, &out), 0);
  EXPECT_EQ(out, 0);
  ASSERT_EQ(ternary_pack(hi, 1, 5, TERNARY_ENCODING_BASE3, &out), 0);
  EXPECT_EQ(out, 255);
}

TEST(Packing, Base3EveryByteValueRoundTrips) {
  // All 243 combinations of five trits survive pack -> unpack.
  for (int v = 0; v < 243; ++v) {
    int8_t w[5];
    int rest = v;
    for (int i = 4; i >= 0; --i) {
      w[i] = static_cast<int8_t>(rest % 3 - 1);
      rest /= 3;
    }
    uint8_t byte;
    ASSERT_EQ(ternary_pack(w, 1, 5, TERNARY_ENCODING_BASE3, &byte), 0);
    int8_t back[5];
    ASSERT_EQ(ternary_unpack(&byte, 1, 5, TERNARY_ENCODING_BASE3, back), 0);
    for (int i = 0; i < 5; ++i)
      EXPECT_EQ(back[i], w[i]) << "v = " << v << ", trit " << i;
  }
}

TEST(Packing, RejectsNonTernary) {
  const int8_t w[] = {0, 2, 0};
  uint8_t out[1];
  EXPECT_EQ(ternary_pack(w, 1, 3, TERNARY_ENCODING_I2, out), -1);
  EXPECT_EQ(ternary_pack(w, 1, 3, TERNARY_ENCODING_BASE3, out), -1);
}

TEST(Packing, UnpackRejectsI2Code3) {
  const uint8_t bytes[] = {0xC0}; // code 3 in the fourth slot
  int8_t w[4];
  EXPECT_EQ(ternary_unpack(bytes, 1, 4, TERNARY_ENCODING_I2, w), -1);
}

TEST(Packing, UnpackRejectsPaddingThatIsNotZero) {
  // K = 3: the fourth slot is padding and must hold code 1.
  int8_t w[3];
  const uint8_t padOk[] = {0x40}, padBad[] = {0x00};
  EXPECT_EQ(ternary_unpack(padOk, 1, 3, TERNARY_ENCODING_I2, w), 0);
  EXPECT_EQ(ternary_unpack(padBad, 1, 3, TERNARY_ENCODING_I2, w), -1);
  // Base 3, K = 4: the fifth trit is padding. Byte 0 decodes to all -1.
  // (Four weights: the buffer of three above was too small here, which
  // ASan found.)
  const uint8_t zero[] = {0};
  int8_t w4[4];
  EXPECT_EQ(ternary_unpack(zero, 1, 4, TERNARY_ENCODING_BASE3, w4), -1);
  int8_t w5[5];
  EXPECT_EQ(ternary_unpack(zero, 1, 5, TERNARY_ENCODING_BASE3, w5), 0);
}

class PackingRoundTrip
    : public ::testing::TestWithParam<std::tuple<ternary_encoding, int>> {};

TEST_P(PackingRoundTrip, RandomMatrices) {
  auto [encoding, k] = GetParam();
  std::mt19937 rng(static_cast<unsigned>(k * 31 + encoding));
  std::uniform_int_distribution<int> trit(-1, 1);
  const int64_t n = 7;
  std::vector<int8_t> w(n * k);
  for (auto &v : w)
    v = static_cast<int8_t>(trit(rng));
  std::vector<uint8_t> packed(n * ternary_packed_row_bytes(k, encoding));
  ASSERT_EQ(ternary_pack(w.data(), n, k, encoding, packed.data()), 0);
  std::vector<int8_t> back(n * k, 42);
  ASSERT_EQ(ternary_unpack(packed.data(), n, k, encoding, back.data()), 0);
  EXPECT_EQ(back, w);
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, PackingRoundTrip,
    ::testing::Combine(::testing::Values(TERNARY_ENCODING_I2,
                                         TERNARY_ENCODING_BASE3),
                       ::testing::Values(1, 3, 4, 5, 7, 64, 65, 127, 1100)));

} // namespace
