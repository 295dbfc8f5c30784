//===- Objectives.cpp - Masked language modelling and span corruption -----===//
//
// BERT's masking and T5's span corruption on host arrays
// (ternary/Data/Objectives.h), from counter-based draws.
//
//===----------------------------------------------------------------------===//

#include "ternary/Data/Objectives.h"

#include <algorithm>
#include <cmath>

namespace ternary {
namespace data {

float uniformDraw(uint64_t seed, uint64_t index) {
  uint64_t z = (seed << 32) + index + 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z = z ^ (z >> 31);
  return static_cast<float>(z >> 40) * (1.0f / (1 << 24));
}

void maskForMlm(HostArray &ids, HostArray &labels, int64_t maskId,
                int64_t randomTokens, uint64_t seed, int64_t padId) {
  labels = HostArray::zeros(DType::I64, ids.shape);
  int64_t *id = ids.data<int64_t>(), *label = labels.data<int64_t>();
  for (int64_t k = 0; k < ids.numElements(); ++k) {
    uint64_t base = 3 * uint64_t(k);
    if (id[k] == padId || uniformDraw(seed, base) >= 0.15f) {
      label[k] = -100;
      continue;
    }
    label[k] = id[k];
    float how = uniformDraw(seed, base + 1);
    if (how < 0.8f)
      id[k] = maskId;
    else if (how < 0.9f)
      id[k] = std::min<int64_t>(
          randomTokens - 1,
          int64_t(uniformDraw(seed, base + 2) * float(randomTokens)));
  }
}

SpanLengths spanLengths(int64_t tokens) {
  SpanLengths s;
  s.noise = std::clamp<int64_t>(std::llround(0.15 * double(tokens)), 1,
                                std::max<int64_t>(1, tokens - 1));
  s.spans = std::clamp<int64_t>(std::llround(double(s.noise) / 3.0), 1,
                                std::min(s.noise, tokens - s.noise));
  s.inputs = tokens - s.noise + s.spans;
  s.targets = s.noise + s.spans + 1;
  return s;
}

namespace {

/// The lengths of `items` cut into `segments` non-empty segments at
/// segments - 1 distinct places of 1..items-1, chosen with draws
/// uniformDraw(seed, index + i).
std::vector<int64_t> segment(int64_t items, int64_t segments, uint64_t seed,
                             uint64_t index) {
  std::vector<int64_t> places(size_t(items - 1));
  for (int64_t i = 0; i < items - 1; ++i)
    places[size_t(i)] = i + 1;
  for (int64_t i = 0; i < segments - 1; ++i) {
    int64_t left = items - 1 - i;
    int64_t pick =
        i + std::min<int64_t>(
                left - 1, int64_t(uniformDraw(seed, index + i) * float(left)));
    std::swap(places[size_t(i)], places[size_t(pick)]);
  }
  std::vector<int64_t> cuts(places.begin(), places.begin() + (segments - 1));
  std::sort(cuts.begin(), cuts.end());
  std::vector<int64_t> lengths;
  int64_t previous = 0;
  for (int64_t c : cuts) {
    lengths.push_back(c - previous);
    previous = c;
  }
  lengths.push_back(items - previous);
  return lengths;
}

} // namespace

std::vector<bool> spanNoiseMask(int64_t tokens, uint64_t seed, uint64_t index) {
  SpanLengths s = spanLengths(tokens);
  std::vector<int64_t> noise = segment(s.noise, s.spans, seed, index);
  std::vector<int64_t> runs =
      segment(tokens - s.noise, s.spans, seed, index + uint64_t(tokens));
  std::vector<bool> mask;
  mask.reserve(size_t(tokens));
  for (int64_t i = 0; i < s.spans; ++i) {
    mask.insert(mask.end(), size_t(runs[size_t(i)]), false);
    mask.insert(mask.end(), size_t(noise[size_t(i)]), true);
  }
  return mask;
}

void corruptSpans(const std::vector<int64_t> &tokens,
                  const std::vector<bool> &noise, int64_t firstSentinel,
                  std::vector<int64_t> &inputs, std::vector<int64_t> &targets) {
  inputs.clear();
  targets.clear();
  int64_t sentinel = firstSentinel;
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (!noise[i]) {
      inputs.push_back(tokens[i]);
      continue;
    }
    if (i == 0 || !noise[i - 1]) {
      inputs.push_back(sentinel);
      targets.push_back(sentinel++);
    }
    targets.push_back(tokens[i]);
  }
  targets.push_back(sentinel);
}

std::vector<HostArray> spanCorruptionExamples(const HostArray &raw,
                                              int64_t firstSentinel,
                                              int64_t decoderStart,
                                              uint64_t seed) {
  int64_t n = raw.shape[0], tokens = raw.shape[1];
  SpanLengths s = spanLengths(tokens);
  HostArray encoder = HostArray::zeros(DType::I64, {n, s.inputs});
  HostArray decoder = HostArray::zeros(DType::I64, {n, s.targets});
  HostArray labels = HostArray::zeros(DType::I64, {n, s.targets});
  std::vector<int64_t> example(static_cast<size_t>(tokens)), inputs, targets;
  for (int64_t e = 0; e < n; ++e) {
    std::copy_n(raw.data<int64_t>() + e * tokens, tokens, example.begin());
    corruptSpans(
        example,
        spanNoiseMask(tokens, seed, 2 * uint64_t(tokens) * uint64_t(e)),
        firstSentinel, inputs, targets);
    std::copy(inputs.begin(), inputs.end(),
              encoder.data<int64_t>() + e * s.inputs);
    int64_t *in = decoder.data<int64_t>() + e * s.targets;
    in[0] = decoderStart;
    std::copy(targets.begin(), targets.end() - 1, in + 1);
    std::copy(targets.begin(), targets.end(),
              labels.data<int64_t>() + e * s.targets);
  }
  return {std::move(encoder), std::move(decoder), std::move(labels)};
}

} // namespace data
} // namespace ternary
