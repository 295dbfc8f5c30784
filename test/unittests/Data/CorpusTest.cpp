//===- CorpusTest.cpp - Corpora as examples of each objective -------------===//
//
// The corpus loader's split and the examples of each objective: the next
// token, masked LM (the padded last example, its attention mask, the new
// ids) and span corruption (the shapes, sentinels and the decoder's start)
// on a text whose ids are known.
//
//===----------------------------------------------------------------------===//

#include "ternary/Data/Datasets.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

using namespace ternary;
using namespace ternary::data;

namespace {

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
  // Masked language modelling: two more ids (the mask, the padding); the
  // 10 validation characters in 3 examples, the last with 2 characters and
  // 2 of padding; labels -100 or the token, never at the padding.
  options.objective = "mlm";
  Dataset m;
  ASSERT_TRUE(loadCorpus((dir / "text.txt").string(), options, "", m, error))
      << error;
  EXPECT_EQ(m.vocabulary, 13);
  EXPECT_EQ(m.maskId, 11);
  EXPECT_EQ(m.padId, 12);
  ASSERT_EQ(m.validation.size(), 3u);
  EXPECT_EQ(m.train[0].shape, (std::vector<int64_t>{23, 4})); // 90 / 4
  EXPECT_EQ(m.validation[0].shape, (std::vector<int64_t>{3, 4}));
  const int64_t wantMask[12] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0};
  for (int64_t k = 0; k < 12; ++k) {
    SCOPED_TRACE("position " + std::to_string(k));
    EXPECT_EQ(m.validation[1].data<int64_t>()[k], wantMask[k]);
    int64_t id = m.validation[0].data<int64_t>()[k];
    int64_t label = m.validation[2].data<int64_t>()[k];
    if (k >= 10) {
      EXPECT_EQ(id, 12);
      EXPECT_EQ(label, -100);
    } else if (label != -100) {
      EXPECT_EQ(label, (2 + k) % 11);
    } else {
      EXPECT_EQ(id, (2 + k) % 11);
    }
  }

  // Span corruption of examples of 8 characters: 1 noise token in 1 span;
  // the encoder reads 8 ids (one the sentinel 11), the decoder 3: its
  // start (13, after the sentinels 11 and 12), then the targets shifted.
  options.context = 8;
  options.objective = "span";
  Dataset t;
  ASSERT_TRUE(loadCorpus((dir / "text.txt").string(), options, "", t, error))
      << error;
  EXPECT_EQ(t.firstSentinel, 11);
  EXPECT_EQ(t.decoderStart, 13);
  EXPECT_EQ(t.vocabulary, 14);
  ASSERT_EQ(t.validation.size(), 3u);
  EXPECT_EQ(t.train[0].shape, (std::vector<int64_t>{11, 8})); // 90 / 8
  EXPECT_EQ(t.validation[0].shape, (std::vector<int64_t>{1, 8}));
  EXPECT_EQ(t.validation[1].shape, (std::vector<int64_t>{1, 3}));
  const int64_t *decoder = t.validation[1].data<int64_t>();
  const int64_t *labels = t.validation[2].data<int64_t>();
  EXPECT_EQ(decoder[0], 13);
  EXPECT_EQ(labels[0], 11);
  EXPECT_EQ(decoder[1], labels[0]);
  EXPECT_EQ(decoder[2], labels[1]);
  EXPECT_EQ(labels[2], 12);
  // The example ends with its noise: the last character, 'c' + 7 = 9.
  EXPECT_EQ(labels[1], 9);
  EXPECT_EQ(t.validation[0].data<int64_t>()[7], 11);
  EXPECT_EQ(t.heldOutTokens, 0); // no nats a byte: targets are not the text

  options.objective = "fill";
  EXPECT_FALSE(loadCorpus((dir / "text.txt").string(), options, "", m, error));
  EXPECT_EQ(error, "unknown objective 'fill' (next, mlm, span)");
  std::filesystem::remove_all(dir);
}

} // namespace
