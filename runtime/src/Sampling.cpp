//===- Sampling.cpp - Next-token sampling ---------------------------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#include "tokamak/runtime/Sampling.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

using namespace tokamak::rt;

Status SamplingParams::validate() const {
  if (!(temperature >= 0.0f) || std::isinf(temperature))
    return Status::error("temperature must be finite and >= 0, got " +
                         std::to_string(temperature));
  if (topK < 0)
    return Status::error("top_k must be >= 0, got " + std::to_string(topK));
  if (!(topP > 0.0f && topP <= 1.0f))
    return Status::error("top_p must be in (0, 1], got " +
                         std::to_string(topP));
  return Status::success();
}

Sampler::Sampler(SamplingParams params)
    : opts(params), valid(params.validate()), rng(params.seed) {}

void Sampler::reseed(uint64_t seed) {
  opts.seed = seed;
  rng.seed(seed);
}

bool Sampler::isGreedy() const {
  return opts.temperature == 0.0f || opts.topK == 1;
}

namespace {
bool validVocab(const float *logits, int64_t vocab) {
  return logits && vocab > 0 && vocab <= std::numeric_limits<int32_t>::max();
}
} // namespace

int32_t Sampler::greedy(const float *logits, int64_t vocab) {
  if (!validVocab(logits, vocab))
    return -1;
  int32_t best = -1;
  float bestValue = -std::numeric_limits<float>::infinity();
  for (int64_t i = 0; i < vocab; ++i)
    if (logits[i] > bestValue) { // false for NaN and for ties
      bestValue = logits[i];
      best = static_cast<int32_t>(i);
    }
  return best;
}

bool Sampler::prepare(const float *logits, int64_t vocab) {
  kept.clear();
  probs.clear();
  float maxValue = -std::numeric_limits<float>::infinity();
  for (int64_t i = 0; i < vocab; ++i)
    if (logits[i] > maxValue)
      maxValue = logits[i];
  if (!(maxValue > -std::numeric_limits<float>::infinity()))
    return false;
  bool infinite = std::isinf(maxValue);
  // Scaled logits of the candidates; +inf tokens all get 0 (uniform).
  for (int64_t i = 0; i < vocab; ++i) {
    float x = logits[i];
    if (infinite ? x == maxValue : x > -std::numeric_limits<float>::infinity())
      kept.push_back(static_cast<int32_t>(i));
  }
  scaled.resize(size_t(vocab));
  for (int32_t i : kept)
    scaled[size_t(i)] = infinite ? 0.0 : double(logits[i]) / opts.temperature;
  auto better = [&](int32_t a, int32_t b) {
    double xa = scaled[size_t(a)], xb = scaled[size_t(b)];
    return xa != xb ? xa > xb : a < b;
  };
  // top-k: the k best, best first.
  bool sorted = false;
  if (opts.topK > 0 && size_t(opts.topK) < kept.size()) {
    std::partial_sort(kept.begin(), kept.begin() + opts.topK, kept.end(),
                      better);
    kept.resize(size_t(opts.topK));
    sorted = true;
  }
  // Softmax weights over the kept tokens.
  double top = -std::numeric_limits<double>::infinity();
  for (int32_t i : kept)
    top = std::max(top, scaled[size_t(i)]);
  double sum = 0;
  for (int32_t i : kept)
    sum += std::exp(scaled[size_t(i)] - top);
  // top-p: the shortest best-first prefix reaching topP. Sort a prefix that
  // doubles until it is long enough, so a small nucleus in a large vocabulary
  // costs O(vocab log nucleus).
  size_t n = kept.size();
  double mass = sum;
  if (opts.topP < 1.0f) {
    double target = double(opts.topP) * sum;
    size_t prefix = sorted ? kept.size() : std::min<size_t>(64, kept.size());
    while (true) {
      if (!sorted)
        std::partial_sort(kept.begin(), kept.begin() + prefix, kept.end(),
                          better);
      double cum = 0;
      size_t j = 0;
      while (j < prefix && cum < target)
        cum += std::exp(scaled[size_t(kept[j++])] - top);
      if (cum >= target || prefix == kept.size()) {
        n = j;
        mass = cum;
        break;
      }
      prefix = std::min(2 * prefix, kept.size());
    }
  }
  kept.resize(n);
  probs.resize(n);
  for (size_t j = 0; j < n; ++j)
    probs[j] = std::exp(scaled[size_t(kept[j])] - top) / mass;
  return true;
}

int32_t Sampler::sample(const float *logits, int64_t vocab) {
  if (!valid.ok() || !validVocab(logits, vocab))
    return -1;
  if (isGreedy())
    return greedy(logits, vocab);
  if (!prepare(logits, vocab))
    return -1;
  double u = double(rng() >> 11) * 0x1.0p-53;
  double cum = 0;
  for (size_t j = 0; j < kept.size(); ++j) {
    cum += probs[j];
    if (u < cum)
      return kept[j];
  }
  return kept.back(); // rounding left u at or above the total
}

std::vector<double> Sampler::distribution(const float *logits, int64_t vocab) {
  std::vector<double> out;
  if (!valid.ok() || !validVocab(logits, vocab))
    return out;
  if (isGreedy()) {
    int32_t best = greedy(logits, vocab);
    if (best >= 0) {
      out.assign(size_t(vocab), 0.0);
      out[size_t(best)] = 1.0;
    }
    return out;
  }
  if (!prepare(logits, vocab))
    return out;
  out.assign(size_t(vocab), 0.0);
  for (size_t j = 0; j < kept.size(); ++j)
    out[size_t(kept[j])] = probs[j];
  return out;
}
