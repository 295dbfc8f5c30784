//===- ObjectivesTest.cpp - BERT's masking and T5's span corruption -------===//
//
// maskForMlm against the rule it documents: a position's fate from three
// draws of splitmix64 (recomputed here from the formula, independently of
// the library), the labels, padding never selected, and BERT's proportions
// (15 % selected; 80 % of them masked, 10 % a random token, 10 % kept).
// Span corruption against hand-computed cases: the lengths, the T5 paper's
// example, a noise mask drawn from the documented draws, and the spans'
// placement uniform over many examples.
//
//===----------------------------------------------------------------------===//

#include "ternary/Data/Objectives.h"

#include <gtest/gtest.h>

#include <map>

using namespace ternary;
using namespace ternary::data;

namespace {

/// splitmix64(seed * 2^32 + index)'s top 24 bits over 2^24.
double referenceDraw(uint64_t seed, uint64_t index) {
  uint64_t z = seed * (uint64_t(1) << 32) + index;
  z += 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return double(z >> 40) / double(1 << 24);
}

HostArray sequence(int64_t n, int64_t vocabulary) {
  HostArray a = HostArray::zeros(DType::I64, {n});
  for (int64_t i = 0; i < n; ++i)
    a.data<int64_t>()[i] = (i * 7 + 3) % vocabulary;
  return a;
}

TEST(Objectives, MaskingFollowsItsRulePositionByPosition) {
  const int64_t n = 4000, vocabulary = 50, mask = 50;
  const uint64_t seed = 9;
  HostArray original = sequence(n, vocabulary), ids = original, labels;
  maskForMlm(ids, labels, mask, vocabulary, seed);
  ASSERT_EQ(labels.shape, ids.shape);
  for (int64_t k = 0; k < n; ++k) {
    int64_t was = original.data<int64_t>()[k];
    int64_t id = ids.data<int64_t>()[k], label = labels.data<int64_t>()[k];
    SCOPED_TRACE("position " + std::to_string(k));
    if (referenceDraw(seed, 3 * k) >= 0.15) {
      EXPECT_EQ(label, -100);
      EXPECT_EQ(id, was);
      continue;
    }
    EXPECT_EQ(label, was);
    double how = referenceDraw(seed, 3 * k + 1);
    if (how < 0.8)
      EXPECT_EQ(id, mask);
    else if (how < 0.9)
      EXPECT_EQ(id, int64_t(referenceDraw(seed, 3 * k + 2) * vocabulary));
    else
      EXPECT_EQ(id, was);
  }
}

TEST(Objectives, MaskingHasBertsProportions) {
  const int64_t n = 200000, vocabulary = 1000, mask = 1000;
  HostArray original = sequence(n, vocabulary), ids = original, labels;
  maskForMlm(ids, labels, mask, vocabulary, 1);
  int64_t selected = 0, masked = 0, changed = 0, kept = 0;
  for (int64_t k = 0; k < n; ++k) {
    if (labels.data<int64_t>()[k] < 0)
      continue;
    ++selected;
    int64_t id = ids.data<int64_t>()[k];
    masked += id == mask;
    changed += id != mask && id != original.data<int64_t>()[k];
    kept += id == original.data<int64_t>()[k];
  }
  EXPECT_NEAR(double(selected) / n, 0.15, 0.005);
  EXPECT_NEAR(double(masked) / selected, 0.80, 0.01);
  // A random token is the original one time in 1000: about 10 % each.
  EXPECT_NEAR(double(changed) / selected, 0.10, 0.01);
  EXPECT_NEAR(double(kept) / selected, 0.10, 0.01);
}

TEST(Objectives, MaskingNeverSelectsPadding) {
  const int64_t n = 2000, vocabulary = 50, mask = 50, pad = 51;
  HostArray ids = sequence(n, vocabulary), labels;
  for (int64_t k = n / 2; k < n; ++k)
    ids.data<int64_t>()[k] = pad;
  HostArray original = ids;
  maskForMlm(ids, labels, mask, vocabulary, 3, pad);
  int64_t selected = 0;
  for (int64_t k = 0; k < n; ++k) {
    if (k >= n / 2) {
      EXPECT_EQ(labels.data<int64_t>()[k], -100);
      EXPECT_EQ(ids.data<int64_t>()[k], pad);
    }
    selected += labels.data<int64_t>()[k] >= 0;
  }
  // The tokens' draws are those without padding: about 15 % of n / 2.
  EXPECT_NEAR(double(selected) / (n / 2), 0.15, 0.03);
}

TEST(Objectives, SpanLengthsFollowT5) {
  // round(0.15 T) noise tokens in round(noise / 3) spans (at least 1).
  struct Case {
    int64_t tokens, noise, spans;
  } cases[] = {{2, 1, 1},   {8, 1, 1},    {16, 2, 1},   {40, 6, 2},
               {64, 10, 3}, {128, 19, 6}, {256, 38, 13}};
  for (const Case &c : cases) {
    SCOPED_TRACE("tokens " + std::to_string(c.tokens));
    SpanLengths s = spanLengths(c.tokens);
    EXPECT_EQ(s.noise, c.noise);
    EXPECT_EQ(s.spans, c.spans);
    EXPECT_EQ(s.inputs, c.tokens - c.noise + c.spans);
    EXPECT_EQ(s.targets, c.noise + c.spans + 1);
  }
}

TEST(Objectives, CorruptsThePapersExample) {
  // "Thank you for inviting me to your party last week ." as 0..10; the
  // noise: "for inviting" and "last"; sentinels from 100.
  std::vector<int64_t> tokens = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  std::vector<bool> noise(11, false);
  noise[2] = noise[3] = noise[8] = true;
  std::vector<int64_t> inputs, targets;
  corruptSpans(tokens, noise, 100, inputs, targets);
  EXPECT_EQ(inputs, (std::vector<int64_t>{0, 1, 100, 4, 5, 6, 7, 101, 9, 10}));
  EXPECT_EQ(targets, (std::vector<int64_t>{100, 2, 3, 101, 8, 102}));
  // Noise at both ends.
  noise.assign(11, false);
  noise[0] = noise[10] = true;
  corruptSpans(tokens, noise, 100, inputs, targets);
  EXPECT_EQ(inputs,
            (std::vector<int64_t>{100, 1, 2, 3, 4, 5, 6, 7, 8, 9, 101}));
  EXPECT_EQ(targets, (std::vector<int64_t>{100, 0, 101, 10, 102}));
}

TEST(Objectives, NoiseMaskFollowsItsDraws) {
  // One span (20 tokens: 3 noise tokens): no cut to draw, the noise ends
  // the example.
  std::vector<bool> one = spanNoiseMask(20, 1, 0);
  for (int64_t i = 0; i < 20; ++i)
    EXPECT_EQ(one[size_t(i)], i >= 17) << "position " << i;
  // Two spans (40 tokens: 6 noise tokens, 34 others): the noise cut after
  // 1 + floor(draw(index) * 5) tokens, the others after
  // 1 + floor(draw(index + 40) * 33).
  const uint64_t seed = 5, index = 1234;
  int64_t noiseCut = 1 + int64_t(referenceDraw(seed, index) * 5);
  int64_t runCut = 1 + int64_t(referenceDraw(seed, index + 40) * 33);
  std::vector<bool> want;
  want.insert(want.end(), size_t(runCut), false);
  want.insert(want.end(), size_t(noiseCut), true);
  want.insert(want.end(), size_t(34 - runCut), false);
  want.insert(want.end(), size_t(6 - noiseCut), true);
  EXPECT_EQ(spanNoiseMask(40, seed, index), want);
}

TEST(Objectives, NoiseSpansAreUniformAndExact) {
  // Over many examples of 64 tokens: exactly 10 noise tokens in exactly 3
  // spans, the example ends with noise, and the first span's length (a
  // cut among 9 places) takes 1..8 about equally often (T5's segmentation:
  // P(first = k) = C(9 - k, 1) / C(9, 2) = (9 - k) / 36).
  std::map<int64_t, int64_t> firstLength;
  const int64_t examples = 36000;
  for (int64_t e = 0; e < examples; ++e) {
    std::vector<bool> mask = spanNoiseMask(64, 1, 128 * uint64_t(e));
    int64_t noise = 0, spans = 0, first = 0;
    for (size_t i = 0; i < mask.size(); ++i) {
      noise += mask[i];
      bool starts = mask[i] && (i == 0 || !mask[i - 1]);
      spans += starts;
      if (mask[i] && spans == 1)
        ++first;
    }
    ASSERT_EQ(noise, 10);
    ASSERT_EQ(spans, 3);
    ASSERT_TRUE(mask.back());
    ASSERT_FALSE(mask.front());
    ++firstLength[first];
  }
  for (int64_t k = 1; k <= 8; ++k)
    EXPECT_NEAR(double(firstLength[k]) / examples, double(9 - k) / 36, 0.01)
        << "first span of " << k;
}

TEST(Objectives, ExamplesAreTeacherForced) {
  HostArray raw = HostArray::zeros(DType::I64, {3, 16});
  for (int64_t k = 0; k < raw.numElements(); ++k)
    raw.data<int64_t>()[k] = k % 13;
  std::vector<HostArray> split = spanCorruptionExamples(raw, 20, 30, 7);
  ASSERT_EQ(split.size(), 3u);
  EXPECT_EQ(split[0].shape, (std::vector<int64_t>{3, 15}));
  EXPECT_EQ(split[1].shape, (std::vector<int64_t>{3, 4}));
  EXPECT_EQ(split[2].shape, (std::vector<int64_t>{3, 4}));
  for (int64_t e = 0; e < 3; ++e) {
    std::vector<int64_t> tokens(raw.data<int64_t>() + 16 * e,
                                raw.data<int64_t>() + 16 * (e + 1));
    std::vector<int64_t> inputs, targets;
    corruptSpans(tokens, spanNoiseMask(16, 7, 32 * uint64_t(e)), 20, inputs,
                 targets);
    EXPECT_EQ(std::vector<int64_t>(split[0].data<int64_t>() + 15 * e,
                                   split[0].data<int64_t>() + 15 * (e + 1)),
              inputs);
    const int64_t *decoder = split[1].data<int64_t>() + 4 * e;
    const int64_t *labels = split[2].data<int64_t>() + 4 * e;
    EXPECT_EQ(std::vector<int64_t>(labels, labels + 4), targets);
    EXPECT_EQ(decoder[0], 30);
    for (int64_t t = 1; t < 4; ++t)
      EXPECT_EQ(decoder[t], labels[t - 1]);
  }
}

} // namespace
