//===- Objectives.h - What a language model learns to predict ---*- C++ -*-===//
//
// The training objectives of the corpora's language models, plain C++ on
// host arrays, drawn from counter-based randomness so that a split's
// examples are the same on every run and machine (docs/text.md):
//
// - masked language modelling (BERT): maskForMlm;
// - span corruption (T5): spanNoiseMask draws which tokens are noise,
//   corruptSpans replaces each noise span by a sentinel in the encoder's
//   input and spells the spans out, each after its sentinel, in the
//   decoder's target; spanCorruptionExamples does it to every example.
//
// The original T5 example (noise "for inviting" and "last"):
//   tokens  Thank you for inviting me to your party last week .
//   inputs  Thank you <X> me to your party <Y> week .
//   targets <X> for inviting <Y> last <Z>
//
//===----------------------------------------------------------------------===//

#ifndef TERNARY_DATA_OBJECTIVES_H
#define TERNARY_DATA_OBJECTIVES_H

#include "ternary/Support/Npy.h"

#include <cstdint>
#include <vector>

namespace ternary {
namespace data {

/// The counter-based uniform draw in [0, 1) of the data's randomness:
/// the top 24 bits of splitmix64(seed * 2^32 + index), as the training
/// ops draw (docs/training.md).
float uniformDraw(uint64_t seed, uint64_t index);

/// BERT's masking of `ids` (any shape, i64) in place, with `labels` (the
/// same shape) set: each position k is selected when
/// uniformDraw(seed, 3k) < 0.15; a selected position's label is its token
/// and its id becomes `maskId` when uniformDraw(seed, 3k + 1) < 0.8, a
/// random token floor(uniformDraw(seed, 3k + 2) * randomTokens) when it is
/// below 0.9, and stays otherwise; the others' labels are -100 (ignored).
/// Positions holding `padId` (padding; -1: none) are never selected.
void maskForMlm(HostArray &ids, HostArray &labels, int64_t maskId,
                int64_t randomTokens, uint64_t seed, int64_t padId = -1);

/// The sizes of T5's span corruption of an example of `tokens` tokens
/// (noise density 0.15, mean noise span length 3): `noise` =
/// round(0.15 tokens) noise tokens (1 to tokens - 1) in `spans` =
/// round(noise / 3) spans (at least 1); the encoder's input holds
/// `inputs` = tokens - noise + spans ids, the decoder's target `targets` =
/// noise + spans + 1 (every span after its sentinel, a final sentinel).
struct SpanLengths {
  int64_t noise, spans, inputs, targets;
};
/// The sizes of span corruption of `tokens` tokens (at least 2).
SpanLengths spanLengths(int64_t tokens);

/// T5's random noise mask of `tokens` positions (random_spans_noise_mask):
/// the noise tokens cut into `spans` non-empty spans and the others into as
/// many non-empty runs, each cut at spans - 1 distinct places chosen
/// uniformly (a partial Fisher-Yates shuffle of the possible places, draw i
/// uniformDraw(seed, index + i) for the spans, uniformDraw(seed, index +
/// tokens + i) for the runs), interleaved run, span, run, span, ...: the
/// example ends with noise.
std::vector<bool> spanNoiseMask(int64_t tokens, uint64_t seed, uint64_t index);

/// `tokens` corrupted by `noise` (the same length): `inputs` has each
/// maximal run of noise replaced by the next sentinel (firstSentinel,
/// firstSentinel + 1, ...), `targets` holds each run after its sentinel
/// and ends with the sentinel after the last.
void corruptSpans(const std::vector<int64_t> &tokens,
                  const std::vector<bool> &noise, int64_t firstSentinel,
                  std::vector<int64_t> &inputs, std::vector<int64_t> &targets);

/// Every example of `raw` (i64 [N, T]) corrupted with its own noise mask
/// (spanNoiseMask(T, seed, 2 T e) for example e): the encoder's ids
/// [N, inputs], the decoder's ids [N, targets] (`decoderStart`, then the
/// targets shifted right by one: teacher forcing) and the labels (the
/// targets) [N, targets], in that order.
std::vector<HostArray> spanCorruptionExamples(const HostArray &raw,
                                              int64_t firstSentinel,
                                              int64_t decoderStart,
                                              uint64_t seed);

} // namespace data
} // namespace ternary

#endif // TERNARY_DATA_OBJECTIVES_H
