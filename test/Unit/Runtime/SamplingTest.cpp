//===- SamplingTest.cpp - Greedy, temperature, top-k, top-p ---------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#include "tokamak/runtime/Sampling.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

using namespace tokamak::rt;

namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

std::vector<float> randomLogits(uint64_t seed, int64_t vocab) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal(0.0f, 2.0f);
  std::vector<float> logits(static_cast<size_t>(vocab));
  for (float &x : logits)
    x = normal(rng);
  return logits;
}

/// softmax(logits / temperature) in double, the reference distribution.
std::vector<double> softmax(const std::vector<float> &logits,
                            double temperature) {
  double top = -1e300;
  for (float x : logits)
    top = std::max(top, double(x) / temperature);
  std::vector<double> p;
  double sum = 0;
  for (float x : logits)
    sum += p.emplace_back(std::exp(double(x) / temperature - top));
  for (double &v : p)
    v /= sum;
  return p;
}

TEST(SamplingTest, GreedyPicksLowestIndexOnTies) {
  std::vector<float> logits{1.0f, 3.0f, -2.0f, 3.0f, 0.5f};
  Sampler greedy(SamplingParams{});
  EXPECT_EQ(greedy.sample(logits.data(), 5), 1);
  EXPECT_EQ(Sampler::greedy(logits.data(), 5), 1);
  std::vector<float> withNaN{std::nanf(""), 0.5f, 0.5f};
  EXPECT_EQ(Sampler::greedy(withNaN.data(), 3), 1);
  std::vector<float> dead{-kInf, std::nanf(""), -kInf};
  EXPECT_EQ(Sampler::greedy(dead.data(), 3), -1);
  Sampler hot(SamplingParams{1.0f, 0, 1.0f, 1});
  EXPECT_EQ(hot.sample(dead.data(), 3), -1);
}

TEST(SamplingTest, SameSeedSameTokens) {
  std::vector<float> logits = randomLogits(1, 1000);
  SamplingParams params{0.8f, 50, 0.9f, 1234};
  Sampler a(params), b(params), c(SamplingParams{0.8f, 50, 0.9f, 1235});
  std::vector<int32_t> ta, tb, tc;
  for (int i = 0; i < 200; ++i) {
    ta.push_back(a.sample(logits.data(), 1000));
    tb.push_back(b.sample(logits.data(), 1000));
    tc.push_back(c.sample(logits.data(), 1000));
  }
  EXPECT_EQ(ta, tb);
  EXPECT_NE(ta, tc);
  a.reseed(1234);
  for (int i = 0; i < 200; ++i)
    ASSERT_EQ(a.sample(logits.data(), 1000), ta[size_t(i)]);
  // The stream is pinned: mt19937_64 and the 53-bit conversion are exact.
  Sampler pinned(SamplingParams{1.0f, 0, 1.0f, 42});
  std::vector<float> uniform(4, 0.0f);
  std::mt19937_64 ref(42);
  for (int i = 0; i < 50; ++i) {
    double u = double(ref() >> 11) * 0x1.0p-53;
    ASSERT_EQ(pinned.sample(uniform.data(), 4), int32_t(u * 4));
  }
}

TEST(SamplingTest, TopKOneIsGreedy) {
  for (uint64_t seed = 0; seed < 20; ++seed) {
    std::vector<float> logits = randomLogits(seed, 257);
    logits[7] = logits[200] = 50.0f; // a tie at the top
    Sampler topOne(SamplingParams{1.5f, 1, 0.7f, seed});
    EXPECT_EQ(topOne.sample(logits.data(), 257), 7);
    EXPECT_EQ(topOne.sample(logits.data(), 257),
              Sampler::greedy(logits.data(), 257));
  }
}

TEST(SamplingTest, TinyTopPKeepsOnlyTheMax) {
  std::vector<float> logits = randomLogits(3, 100);
  int32_t best = Sampler::greedy(logits.data(), 100);
  Sampler nucleus(SamplingParams{1.0f, 0, 1e-6f, 9});
  for (int i = 0; i < 2000; ++i)
    ASSERT_EQ(nucleus.sample(logits.data(), 100), best);
}

TEST(SamplingTest, TopKAndTopPSupport) {
  std::vector<float> logits{0.0f, 4.0f, 1.0f, 3.0f, 2.0f, 3.0f};
  // top-k 3 keeps 1, 3, 5 (3 and 5 tie; both fit).
  Sampler topK(SamplingParams{1.0f, 3, 1.0f, 5});
  std::vector<double> dist = topK.distribution(logits.data(), 6);
  std::vector<float> kept{4.0f, 3.0f, 3.0f};
  std::vector<double> ref = softmax(kept, 1.0);
  EXPECT_NEAR(dist[1], ref[0], 1e-12);
  EXPECT_NEAR(dist[3], ref[1], 1e-12);
  EXPECT_NEAR(dist[5], ref[2], 1e-12);
  EXPECT_EQ(dist[0] + dist[2] + dist[4], 0.0);
  // top-k 2 with a tie at the boundary keeps the lower index.
  Sampler topTwo(SamplingParams{1.0f, 2, 1.0f, 5});
  dist = topTwo.distribution(logits.data(), 6);
  EXPECT_GT(dist[3], 0.0);
  EXPECT_EQ(dist[5], 0.0);
  for (int i = 0; i < 500; ++i) {
    int32_t t = topTwo.sample(logits.data(), 6);
    ASSERT_TRUE(t == 1 || t == 3) << t;
  }
  // top-p: p(1) = 0.516 and p(1) + p(3) = 0.706, so p = 0.7 keeps both.
  std::vector<double> full = softmax(logits, 1.0);
  ASSERT_LT(full[1], 0.7);
  Sampler topP(SamplingParams{1.0f, 0, 0.7f, 5});
  dist = topP.distribution(logits.data(), 6);
  EXPECT_NEAR(dist[1], full[1] / (full[1] + full[3]), 1e-12);
  EXPECT_NEAR(dist[3], full[3] / (full[1] + full[3]), 1e-12);
  EXPECT_EQ(dist[5], 0.0);
}

/// temperature -> top-k -> top-p by full sorts, the reference for
/// Sampler::distribution.
std::vector<double> naiveDistribution(const std::vector<float> &logits,
                                      double temperature, int32_t topK,
                                      double topP) {
  std::vector<int32_t> order(logits.size());
  for (size_t i = 0; i < order.size(); ++i)
    order[i] = int32_t(i);
  std::sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
    float xa = logits[size_t(a)], xb = logits[size_t(b)];
    return xa != xb ? xa > xb : a < b;
  });
  if (topK > 0 && size_t(topK) < order.size())
    order.resize(size_t(topK));
  std::vector<float> kept;
  for (int32_t i : order)
    kept.push_back(logits[size_t(i)]);
  std::vector<double> p = softmax(kept, temperature);
  size_t n = 0;
  double cum = 0;
  while (n < p.size() && (n == 0 || cum < topP))
    cum += p[n++];
  std::vector<double> out(logits.size(), 0.0);
  for (size_t j = 0; j < n; ++j)
    out[size_t(order[j])] = p[j] / cum;
  return out;
}

TEST(SamplingTest, LargeVocabularyMatchesNaiveFilters) {
  std::vector<float> logits = randomLogits(21, 50000);
  struct Case {
    float temperature;
    int32_t topK;
    float topP;
  };
  for (Case c :
       {Case{1.0f, 0, 0.9f}, Case{0.7f, 0, 0.5f}, Case{1.3f, 1000, 0.95f},
        Case{1.0f, 40, 1.0f}, Case{2.0f, 0, 0.999f}}) {
    Sampler sampler(SamplingParams{c.temperature, c.topK, c.topP, 0});
    std::vector<double> got = sampler.distribution(logits.data(), 50000);
    std::vector<double> want =
        naiveDistribution(logits, c.temperature, c.topK, c.topP);
    size_t support = 0;
    for (size_t i = 0; i < want.size(); ++i) {
      ASSERT_NEAR(got[i], want[i], 1e-9) << "token " << i;
      ASSERT_EQ(got[i] == 0.0, want[i] == 0.0) << "token " << i;
      support += want[i] > 0;
    }
    EXPECT_GT(support, 1u);
  }
}

TEST(SamplingTest, FrequenciesMatchSoftmax) {
  std::vector<float> logits{1.0f, 2.0f, 0.5f, -1.0f, 1.5f, 0.0f};
  for (float temperature : {1.0f, 0.5f, 2.0f}) {
    Sampler sampler(SamplingParams{temperature, 0, 1.0f, 77});
    std::vector<double> ref = softmax(logits, temperature);
    std::vector<double> dist = sampler.distribution(logits.data(), 6);
    for (size_t i = 0; i < ref.size(); ++i)
      EXPECT_NEAR(dist[i], ref[i], 1e-12);
    const int draws = 200000;
    std::vector<int> counts(6, 0);
    for (int i = 0; i < draws; ++i)
      ++counts[size_t(sampler.sample(logits.data(), 6))];
    for (size_t i = 0; i < ref.size(); ++i) {
      // 5 standard deviations of a binomial frequency.
      double tolerance = 5 * std::sqrt(ref[i] * (1 - ref[i]) / draws);
      EXPECT_NEAR(double(counts[i]) / draws, ref[i], tolerance)
          << "token " << i << " temperature " << temperature;
    }
  }
}

TEST(SamplingTest, InfiniteLogitsAreUniform) {
  std::vector<float> logits{kInf, 0.0f, kInf, -kInf};
  Sampler sampler(SamplingParams{1.0f, 0, 1.0f, 1});
  std::vector<double> dist = sampler.distribution(logits.data(), 4);
  EXPECT_EQ(dist, (std::vector<double>{0.5, 0.0, 0.5, 0.0}));
  EXPECT_EQ(Sampler::greedy(logits.data(), 4), 0);
}

TEST(SamplingTest, InvalidInputs) {
  EXPECT_EQ(SamplingParams{-1.0f}.validate().message(),
            "temperature must be finite and >= 0, got -1.000000");
  EXPECT_EQ((SamplingParams{1.0f, -2}).validate().message(),
            "top_k must be >= 0, got -2");
  EXPECT_EQ((SamplingParams{1.0f, 0, 0.0f}).validate().message(),
            "top_p must be in (0, 1], got 0.000000");
  EXPECT_EQ((SamplingParams{1.0f, 0, std::nanf("")}).validate().message(),
            "top_p must be in (0, 1], got nan");
  std::vector<float> logits{1.0f, 2.0f};
  Sampler bad(SamplingParams{1.0f, 0, 1.5f, 0});
  EXPECT_FALSE(bad.status().ok());
  EXPECT_EQ(bad.sample(logits.data(), 2), -1);
  EXPECT_TRUE(bad.distribution(logits.data(), 2).empty());
  Sampler good(SamplingParams{});
  EXPECT_EQ(good.sample(nullptr, 2), -1);
  EXPECT_EQ(good.sample(logits.data(), 0), -1);
  EXPECT_EQ(good.sample(logits.data(), -3), -1);
}

} // namespace
