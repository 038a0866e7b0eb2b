//===- Sampling.h - Next-token sampling -------------------------*- C++ -*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//
//
// Picks the next token from f32 logits: greedy, or temperature, top-k and
// top-p (nucleus) combined in that order, with a seeded std::mt19937_64.
//
// Greedy (temperature 0, or top_k 1) is the argmax, lowest index on ties, and
// draws no random number. Otherwise: logits / temperature; keep the top_k
// largest (ties: lower index first; 0 = all); softmax over them; keep the
// smallest prefix, in that order, whose probability reaches top_p (at least
// one token); draw u in [0, 1) and return the token where the renormalized
// cumulative probability first exceeds u. u is the top 53 bits of one
// mt19937_64 output times 2^-53, so a seed gives the same tokens on every
// platform (std::uniform_real_distribution differs between libraries).
//
// NaN logits count as -inf. When some logits are +inf the draw is uniform
// over them. If no logit is above -inf the result is -1.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_RUNTIME_SAMPLING_H
#define TOKAMAK_RUNTIME_SAMPLING_H

#include "tokamak/runtime/Status.h"

#include <cstdint>
#include <random>
#include <vector>

namespace tokamak::rt {

/// Sampling settings; the defaults are greedy.
struct SamplingParams {
  /// 0: greedy; > 0 divides the logits.
  float temperature = 0.0f;
  /// 0: no limit; k > 0 keeps the k most likely tokens.
  int32_t topK = 0;
  /// In (0, 1]; 1 keeps everything.
  float topP = 1.0f;
  uint64_t seed = 0;

  /// Checks the ranges above ("temperature must be >= 0, got -1").
  Status validate() const;
};

/// Samples tokens with fixed parameters and its own random stream.
class Sampler {
public:
  /// A sampler with `params`; invalid params make sample() return -1 (see
  /// status()).
  explicit Sampler(SamplingParams params);

  const SamplingParams &params() const { return opts; }
  /// Why sample() returns -1 for every call, or success.
  const Status &status() const { return valid; }
  /// Restarts the random stream from `seed`.
  void reseed(uint64_t seed);

  /// The next token for `logits[0, vocab)`, or -1 when the params are invalid,
  /// `logits` is null, `vocab` is not in [1, 2^31) or no logit is above -inf.
  int32_t sample(const float *logits, int64_t vocab);

  /// Argmax of `logits[0, vocab)` with the lowest index on ties (NaN ignored);
  /// -1 if no logit is above -inf.
  static int32_t greedy(const float *logits, int64_t vocab);

  /// The distribution sample() draws from, as `vocab` probabilities (exact
  /// zeros outside the kept set); empty when sample() would return -1. For
  /// greedy params it is one-hot.
  std::vector<double> distribution(const float *logits, int64_t vocab);

private:
  /// Fills `kept` (token ids; best first once top-k or top-p sorted them)
  /// and `probs` (their normalized probabilities) for a non-greedy draw;
  /// false when no logit is above -inf.
  bool prepare(const float *logits, int64_t vocab);
  bool isGreedy() const;

  SamplingParams opts;
  Status valid;
  std::mt19937_64 rng;
  std::vector<int32_t> kept;
  std::vector<double> scaled;
  std::vector<double> probs;
};

} // namespace tokamak::rt

#endif // TOKAMAK_RUNTIME_SAMPLING_H
