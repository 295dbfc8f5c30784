//===- CorpusTest.cpp - Corpora and the masking of masked LM --------------===//
//
// The corpus loader's split and examples, and maskForMlm against the rule
// it documents: a position's fate from three draws of splitmix64
// (recomputed here from the formula, independently of the loader), the
// labels, and BERT's proportions (15 % selected; 80 % of them masked,
// 10 % a random token, 10 % kept) over many positions.
//
//===----------------------------------------------------------------------===//

#include "ternary/Data/Datasets.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

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

TEST(Corpus, MaskingFollowsItsRulePositionByPosition) {
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

TEST(Corpus, MaskingHasBertsProportions) {
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

TEST(Corpus, CutsTheTextIntoExamplesOfTheContext) {
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / "ternary-corpus-test";
  std::filesystem::create_directories(dir);
  std::string text;
  for (int i = 0; i < 100; ++i)
    text += char('a' + i % 11); // "abcdefghijkabc..."
  std::ofstream(dir / "text.txt") << text;
  LoadOptions options;
  options.context = 4;
  Dataset d;
  std::string error;
  ASSERT_TRUE(loadCorpus((dir / "text.txt").string(), options, "", d, error))
      << error;
  // 90 % of 100 characters train: 22 examples of 4 and their next tokens;
  // 10 characters validate: 2 examples.
  EXPECT_EQ(d.vocabulary, 11);
  ASSERT_EQ(d.train.size(), 2u);
  EXPECT_EQ(d.train[0].shape, (std::vector<int64_t>{22, 4}));
  EXPECT_EQ(d.validation[0].shape, (std::vector<int64_t>{2, 4}));
  EXPECT_TRUE(d.test.empty());
  // Validation: characters 90..99, "cdefghijka", as ids 2..10, 0:
  // [2 3 4 5] -> [3 4 5 6], then [6 7 8 9] -> [7 8 9 10].
  for (int64_t t = 0; t < 4; ++t) {
    EXPECT_EQ(d.validation[0].data<int64_t>()[t], 2 + t);
    EXPECT_EQ(d.validation[1].data<int64_t>()[t], 3 + t);
    EXPECT_EQ(d.validation[0].data<int64_t>()[4 + t], 6 + t);
  }
  // Masked language modelling: one more id (the mask), labels -100 or the
  // token.
  options.objective = "mlm";
  Dataset m;
  ASSERT_TRUE(loadCorpus((dir / "text.txt").string(), options, "", m, error))
      << error;
  EXPECT_EQ(m.vocabulary, 12);
  EXPECT_EQ(m.maskId, 11);
  options.objective = "span";
  EXPECT_FALSE(loadCorpus((dir / "text.txt").string(), options, "", m, error));
  EXPECT_EQ(error, "unknown objective 'span' (next, mlm)");
  std::filesystem::remove_all(dir);
}

} // namespace
