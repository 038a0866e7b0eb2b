//===- KVPolicyTest.cpp - Window, SnapKV and per-head KV policies ---------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#include "tokamak/runtime/KVPolicy.h"
#include "StatusTestUtils.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <cstring>
#include <numeric>
#include <random>

using namespace tokamak::rt;

namespace {

std::vector<int64_t> iota(int64_t n) {
  std::vector<int64_t> v(static_cast<size_t>(n));
  std::iota(v.begin(), v.end(), 0);
  return v;
}

//===----------------------------------------------------------------------===//
// Parsing
//===----------------------------------------------------------------------===//

TEST(KVPolicyTest, Parse) {
  auto full = KVPolicy::parse("full");
  ASSERT_OK(full);
  EXPECT_EQ(full->kind, KVPolicyKind::Full);

  auto window = KVPolicy::parse(" window=4096, sinks=4 ");
  ASSERT_OK(window);
  EXPECT_EQ(window->kind, KVPolicyKind::Window);
  EXPECT_EQ(window->window, 4096);
  EXPECT_EQ(window->sinks, 4);
  EXPECT_EQ(window->str(), "window=4096,sinks=4");
  EXPECT_EQ(window->eviction().window, 4096);

  auto snap = KVPolicy::parse("snapkv=1024");
  ASSERT_OK(snap);
  EXPECT_EQ(snap->kind, KVPolicyKind::SnapKV);
  EXPECT_EQ(snap->budget, 1024);
  EXPECT_EQ(snap->obsWindow, 32);
  EXPECT_EQ(snap->kernel, 7);
  EXPECT_EQ(snap->pooling, SnapKVPooling::Avg);
  EXPECT_EQ(snap->eviction().window, 0);

  auto heads = KVPolicy::parse("snapkv=64,obs=16,kernel=5,pool=max,"
                               "full_heads=3/0/3");
  ASSERT_OK(heads);
  EXPECT_EQ(heads->obsWindow, 16);
  EXPECT_EQ(heads->kernel, 5);
  EXPECT_EQ(heads->pooling, SnapKVPooling::Max);
  EXPECT_EQ(heads->fullHeads, (std::vector<int32_t>{0, 3}));
  EXPECT_TRUE(heads->keepsAll(3));
  EXPECT_FALSE(heads->keepsAll(1));
  EXPECT_EQ(heads->str(), "snapkv=64,obs=16,kernel=5,pool=max,full_heads=0/3");
  EXPECT_EQ(KVPolicy::parse(heads->str())->str(), heads->str());

  auto razor = KVPolicy::parse("window=128,sinks=4,full_heads=1");
  ASSERT_OK(razor);
  EXPECT_EQ(razor->eviction().window, 0) << "full heads forbid block eviction";
}

TEST(KVPolicyTest, ParseErrors) {
  EXPECT_ERROR(KVPolicy::parse(""),
               "invalid kv policy '': expected full, window=W[,sinks=S], "
               "snapkv=BUDGET[,obs=O][,kernel=K][,pool=avg|max] or "
               "h2o=B[,recent=R]");
  EXPECT_ERROR(KVPolicy::parse("sinks=4"),
               "invalid kv policy 'sinks=4': expected full, window=W, "
               "snapkv=BUDGET or h2o=B");
  EXPECT_ERROR(KVPolicy::parse("window=0"),
               "invalid kv policy 'window=0': window must be at least 1, "
               "got 0");
  EXPECT_ERROR(KVPolicy::parse("window=-3"),
               "invalid kv policy 'window=-3': expected a non-negative "
               "integer for window, got '-3'");
  EXPECT_ERROR(KVPolicy::parse("window=12x"),
               "invalid kv policy 'window=12x': expected a non-negative "
               "integer for window, got '12x'");
  EXPECT_ERROR(KVPolicy::parse("window=8,window=9"),
               "invalid kv policy 'window=8,window=9': 'window' given twice");
  EXPECT_ERROR(KVPolicy::parse("full,snapkv=3"),
               "invalid kv policy 'full,snapkv=3': more than one of full, "
               "window, snapkv and h2o");
  EXPECT_ERROR(KVPolicy::parse("snapkv=8,kernel=4"),
               "invalid kv policy 'snapkv=8,kernel=4': kernel must be odd and "
               "positive, got 4");
  EXPECT_ERROR(KVPolicy::parse("snapkv=8,sinks=4"),
               "invalid kv policy 'snapkv=8,sinks=4': sinks need a window "
               "policy");
  EXPECT_ERROR(KVPolicy::parse("window=8,obs=4"),
               "invalid kv policy 'window=8,obs=4': obs, kernel and pool "
               "need a snapkv policy");
  EXPECT_ERROR(KVPolicy::parse("snapkv=8,pool=min"),
               "invalid kv policy 'snapkv=8,pool=min': pool must be avg or "
               "max, got 'min'");
  EXPECT_ERROR(KVPolicy::parse("full,full_heads=1"),
               "invalid kv policy 'full,full_heads=1': full_heads needs a "
               "window or snapkv policy");
  EXPECT_ERROR(KVPolicy::parse("window=8,full_heads=1/x"),
               "invalid kv policy 'window=8,full_heads=1/x': expected "
               "full_heads=H1/H2/... with head indices, got '1/x'");
  EXPECT_ERROR(KVPolicy::parse("window=8,budget=3"),
               "invalid kv policy 'window=8,budget=3': unknown key 'budget' "
               "(the policies are full, window=W[,sinks=S], "
               "snapkv=BUDGET[,obs=O][,kernel=K][,pool=avg|max] and "
               "h2o=B[,recent=R], in lower case; window and snapkv also take "
               "full_heads=H1/H2/...)");
  EXPECT_ERROR(KVPolicy::parse("full=1"),
               "invalid kv policy 'full=1': 'full' takes no value");
}

TEST(KVPolicyTest, ParseErrorsSayWhatIsValid) {
  // Issue 13: `FULL` was reported as "expected 'FULL=VALUE'".
  EXPECT_ERROR(KVPolicy::parse("FULL"),
               "invalid kv policy 'FULL': unknown policy 'FULL' (the policies "
               "are full, window=W[,sinks=S], snapkv=BUDGET[,obs=O]"
               "[,kernel=K][,pool=avg|max] and h2o=B[,recent=R], in lower "
               "case; window and snapkv also take full_heads=H1/H2/...)");
  EXPECT_ERROR(KVPolicy::parse("Window=8"),
               "invalid kv policy 'Window=8': unknown key 'Window' (the "
               "policies are full, window=W[,sinks=S], snapkv=BUDGET"
               "[,obs=O][,kernel=K][,pool=avg|max] and h2o=B[,recent=R], in "
               "lower case; window and snapkv also take full_heads=H1/H2/...)");
  // Bytes that are not printable are escaped.
  EXPECT_ERROR(KVPolicy::parse(std::string("wi\x01ndow=8")),
               "invalid kv policy 'wi\\x01ndow=8': unknown key 'wi\\x01ndow' "
               "(the policies are full, window=W[,sinks=S], snapkv=BUDGET"
               "[,obs=O][,kernel=K][,pool=avg|max] and h2o=B[,recent=R], in "
               "lower case; window and snapkv also take full_heads=H1/H2/...)");
}

TEST(KVPolicyTest, ParseH2O) {
  auto h2o = KVPolicy::parse("h2o=64");
  ASSERT_OK(h2o);
  EXPECT_EQ(h2o->kind, KVPolicyKind::H2O);
  EXPECT_EQ(h2o->budget, 64);
  EXPECT_EQ(h2o->recent, 64) << "recent defaults to the heavy budget";
  EXPECT_EQ(h2o->str(), "h2o=64,recent=64");
  EXPECT_EQ(h2o->eviction().window, 0);
  EXPECT_TRUE(h2o->isLossless(128));
  EXPECT_FALSE(h2o->isLossless(129));
  auto recent = KVPolicy::parse("h2o=0, recent=8");
  ASSERT_OK(recent);
  EXPECT_EQ(recent->budget, 0);
  EXPECT_EQ(recent->recent, 8);
  EXPECT_EQ(KVPolicy::parse(recent->str())->str(), "h2o=0,recent=8");
  EXPECT_ERROR(KVPolicy::parse("window=8,recent=4"),
               "invalid kv policy 'window=8,recent=4': recent needs an h2o "
               "policy");
  EXPECT_ERROR(KVPolicy::parse("h2o=8,full_heads=1"),
               "invalid kv policy 'h2o=8,full_heads=1': h2o takes no "
               "full_heads (one block table serves every head)");
  EXPECT_ERROR(KVPolicy::parse("h2o=0,recent=0"),
               "invalid kv policy 'h2o=0,recent=0': h2o must keep at least "
               "one row (B + R >= 1), got B = 0 and R = 0");
  EXPECT_ERROR(KVPolicy::parse("h2o=4,sinks=2"),
               "invalid kv policy 'h2o=4,sinks=2': sinks need a window "
               "policy");
  EXPECT_ERROR(KVPolicy::parse("h2o=x"),
               "invalid kv policy 'h2o=x': expected a non-negative integer "
               "for h2o, got 'x'");
  EXPECT_ERROR(KVPolicy::parse("snapkv=4,h2o=4"),
               "invalid kv policy 'snapkv=4,h2o=4': more than one of full, "
               "window, snapkv and h2o");
  EXPECT_ERROR(keepPositions(*h2o, 2, 200),
               "h2o selection needs accumulated attention (use "
               "HeavyHitters)");
}

TEST(KVPolicyTest, RefusesSizesBeyond32Bits) {
  // Issue 13: window=2147483648 was accepted, then ran out of KV blocks in
  // the middle of generation. Positions and cache rows are 32-bit.
  EXPECT_ERROR(KVPolicy::parse("window=2147483648"),
               "invalid kv policy 'window=2147483648': window must be at most "
               "2147483647, got 2147483648");
  EXPECT_ERROR(KVPolicy::parse("window=8,sinks=4294967296"),
               "invalid kv policy 'window=8,sinks=4294967296': sinks must be "
               "at most 2147483647, got 4294967296");
  EXPECT_ERROR(KVPolicy::parse("snapkv=2147483648"),
               "invalid kv policy 'snapkv=2147483648': snapkv must be at most "
               "2147483647, got 2147483648");
  EXPECT_ERROR(KVPolicy::parse("window=99999999999999999999"),
               "invalid kv policy 'window=99999999999999999999': expected a "
               "non-negative integer for window, got '99999999999999999999'");
  auto largest = KVPolicy::parse("window=2147483647");
  ASSERT_OK(largest);
  EXPECT_EQ(largest->window, 2147483647);
}

TEST(KVPolicyTest, ModelPolicyPerLayer) {
  auto model = ModelKVPolicy::parse(
      "window=1024,sinks=4;0-1:full;7:snapkv=512,full_heads=0/3;1:window=8");
  ASSERT_OK(model);
  EXPECT_EQ(model->forLayer(0).kind, KVPolicyKind::Full);
  EXPECT_EQ(model->forLayer(1).window, 8); // later clauses win
  EXPECT_EQ(model->forLayer(2).window, 1024);
  EXPECT_EQ(model->forLayer(7).budget, 512);
  EXPECT_EQ(model->forLayer(7).fullHeads, (std::vector<int32_t>{0, 3}));
  EXPECT_EQ(model->str(), "window=1024,sinks=4;0-1:full;7:snapkv=512,obs=32,"
                          "kernel=7,pool=avg,full_heads=0/3;1:window=8,"
                          "sinks=0");
  auto onlyOverrides = ModelKVPolicy::parse("3:window=16");
  ASSERT_OK(onlyOverrides);
  EXPECT_EQ(onlyOverrides->forLayer(0).kind, KVPolicyKind::Full);
  EXPECT_EQ(onlyOverrides->forLayer(3).window, 16);
  EXPECT_ERROR(ModelKVPolicy::parse("full;window=3"),
               "invalid kv policy 'full;window=3': only the first clause may "
               "omit 'LAYERS:'");
  EXPECT_ERROR(ModelKVPolicy::parse("full;5-2:window=3"),
               "invalid kv policy 'full;5-2:window=3': expected LAYER: or "
               "FIRST-LAST: before a policy, got '5-2'");
  EXPECT_ERROR(ModelKVPolicy::parse("full;2:window"),
               "invalid kv policy 'window': expected 'window=VALUE'");
}

TEST(KVPolicyTest, CacheGroupPolicySpecs) {
  // The session's cache groups use the same grammar; errors say GROUP.
  auto groups =
      ModelKVPolicy::parse("full;1:window=8;2-3:window=4,sinks=1", "GROUP");
  ASSERT_OK(groups);
  EXPECT_EQ(groups->defaults.kind, KVPolicyKind::Full);
  ASSERT_EQ(groups->overrides.size(), 2u);
  EXPECT_EQ(groups->overrides[0].first, 1);
  EXPECT_EQ(groups->overrides[0].policy.window, 8);
  EXPECT_EQ(groups->overrides[1].last, 3);
  EXPECT_EQ(groups->overrides[1].policy.sinks, 1);
  EXPECT_ERROR(ModelKVPolicy::parse("full;x:window=8", "GROUP"),
               "invalid kv policy 'full;x:window=8': expected GROUP: or "
               "FIRST-LAST: before a policy, got 'x'");
  EXPECT_ERROR(ModelKVPolicy::parse("full;1:window=8;full", "GROUP"),
               "invalid kv policy 'full;1:window=8;full': only the first "
               "clause may omit 'GROUPS:'");
  EXPECT_ERROR(ModelKVPolicy::parse("full;1:window=0", "GROUP"),
               KVPolicy::parse("window=0").status().message());
}

//===----------------------------------------------------------------------===//
// Window and per-head keep sets
//===----------------------------------------------------------------------===//

TEST(KVPolicyTest, WindowKeepMatchesBruteForce) {
  for (int64_t length = 0; length < 40; ++length)
    for (int64_t window = 1; window < 45; window += 3)
      for (int64_t sinks = 0; sinks < 8; ++sinks) {
        std::vector<int64_t> expected;
        for (int64_t p = 0; p < length; ++p) {
          bool sink = p < sinks;
          bool recent = length - p <= window; // one of the last W
          if (sink || recent)
            expected.push_back(p);
        }
        ASSERT_EQ(windowKeep(length, window, sinks), expected);
        KVPolicy policy;
        policy.kind = KVPolicyKind::Window;
        policy.window = window;
        policy.sinks = sinks;
        bool lossless = expected.size() == size_t(length);
        EXPECT_EQ(policy.isLossless(length), lossless);
        if (window >= length) // window >= length is identical to full
          EXPECT_EQ(expected, iota(length));
      }
}

TEST(KVPolicyTest, PerHeadKeepSets) {
  auto policy = *KVPolicy::parse("window=3,sinks=1,full_heads=2");
  auto plan = keepPositions(policy, 4, 8);
  ASSERT_OK(plan);
  ASSERT_EQ(plan->size(), 4u);
  EXPECT_EQ((*plan)[0], (std::vector<int64_t>{0, 5, 6, 7}));
  EXPECT_EQ((*plan)[2], iota(8));
  auto full = keepPositions(*KVPolicy::parse("full"), 2, 5);
  EXPECT_EQ((*full)[1], iota(5));
  EXPECT_ERROR(keepPositions(policy, 2, 8),
               "full head 2 out of range for 2 kv heads");
  EXPECT_ERROR(keepPositions(*KVPolicy::parse("snapkv=2"), 2, 40),
               "snapkv selection needs attention scores (use snapkvKeep)");
  // A lossless snapkv needs no scores.
  EXPECT_EQ((*keepPositions(*KVPolicy::parse("snapkv=8"), 2, 40))[0], iota(40));
}

//===----------------------------------------------------------------------===//
// SnapKV against a naive reference
//===----------------------------------------------------------------------===//

/// SnapKV as written in the paper's code, one loop at a time: votes summed
/// over the observation queries, F.avg_pool1d(kernel, padding=kernel//2,
/// count_include_pad) / F.max_pool1d over an explicitly padded array, full
/// sort, first `budget`, plus the observation window.
std::vector<int64_t> naiveSnapKV(const float *scores, int64_t obs,
                                 int64_t length, int64_t budget, int64_t kernel,
                                 bool maxPool) {
  int64_t prefix = length - obs;
  if (prefix <= budget)
    return iota(length);
  int64_t half = kernel / 2;
  double pad = maxPool ? -1e300 : 0.0;
  std::vector<double> padded(size_t(prefix + 2 * half), pad);
  for (int64_t j = 0; j < prefix; ++j) {
    double vote = 0;
    for (int64_t i = 0; i < obs; ++i)
      vote += scores[i * length + j];
    padded[size_t(j + half)] = vote;
  }
  std::vector<std::pair<double, int64_t>> ranked;
  for (int64_t j = 0; j < prefix; ++j) {
    double acc = maxPool ? -1e300 : 0.0;
    for (int64_t t = 0; t < kernel; ++t)
      acc = maxPool ? std::max(acc, padded[size_t(j + t)])
                    : acc + padded[size_t(j + t)];
    ranked.emplace_back(maxPool ? acc : acc / double(kernel), j);
  }
  std::sort(ranked.begin(), ranked.end(), [](const auto &a, const auto &b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  std::vector<int64_t> keep;
  for (int64_t i = 0; i < budget; ++i)
    keep.push_back(ranked[size_t(i)].second);
  std::sort(keep.begin(), keep.end());
  for (int64_t p = prefix; p < length; ++p)
    keep.push_back(p);
  return keep;
}

/// Random softmax rows, causal inside the observation window.
std::vector<float> randomScores(std::mt19937_64 &rng, int64_t heads,
                                int64_t obs, int64_t length) {
  std::uniform_real_distribution<float> logit(-4.0f, 4.0f);
  std::vector<float> scores(size_t(heads * obs * length), 0.0f);
  for (int64_t h = 0; h < heads; ++h)
    for (int64_t i = 0; i < obs; ++i) {
      float *row = &scores[size_t((h * obs + i) * length)];
      int64_t visible = length - obs + i + 1;
      double sum = 0;
      for (int64_t j = 0; j < visible; ++j)
        sum += row[j] = std::exp(logit(rng));
      for (int64_t j = 0; j < visible; ++j)
        row[j] = float(row[j] / sum);
    }
  return scores;
}

TEST(KVPolicyTest, SnapKVPoolMatchesAvgPool1d) {
  // torch.nn.functional.avg_pool1d(tensor([[1., 2., 3.]]), 3, 1, 1)
  //   == [[1.0, 2.0, 1.6667]] (padding counts).
  double votes[] = {1, 2, 3};
  std::vector<double> avg = snapkvPool(votes, 3, 3, SnapKVPooling::Avg);
  EXPECT_DOUBLE_EQ(avg[0], 1.0);
  EXPECT_DOUBLE_EQ(avg[1], 2.0);
  EXPECT_DOUBLE_EQ(avg[2], 5.0 / 3.0);
  std::vector<double> mx = snapkvPool(votes, 3, 3, SnapKVPooling::Max);
  EXPECT_EQ(mx, (std::vector<double>{2, 3, 3}));
  EXPECT_EQ(snapkvPool(votes, 3, 1, SnapKVPooling::Avg),
            (std::vector<double>{1, 2, 3}));
}

TEST(KVPolicyTest, SnapKVMatchesNaiveReference) {
  std::mt19937_64 rng(11);
  for (int trial = 0; trial < 60; ++trial) {
    int32_t heads = 1 + int32_t(rng() % 4);
    int64_t obsWindow = 1 + int64_t(rng() % 12);
    int64_t length = 1 + int64_t(rng() % 90);
    int64_t obs = std::min(obsWindow, length);
    int64_t budget = int64_t(rng() % 50);
    int64_t kernel = 1 + 2 * int64_t(rng() % 5);
    bool maxPool = rng() % 3 == 0;
    KVPolicy policy;
    policy.kind = KVPolicyKind::SnapKV;
    policy.budget = budget;
    policy.obsWindow = obsWindow;
    policy.kernel = kernel;
    policy.pooling = maxPool ? SnapKVPooling::Max : SnapKVPooling::Avg;
    if (heads > 1 && trial % 4 == 0)
      policy.fullHeads = {1};
    std::vector<float> scores = randomScores(rng, heads, obs, length);
    auto plan = snapkvKeep(policy, scores.data(), heads, obs, length);
    ASSERT_OK(plan);
    ASSERT_EQ(plan->size(), size_t(heads));
    for (int32_t h = 0; h < heads; ++h) {
      std::vector<int64_t> expected =
          policy.keepsAll(h)
              ? iota(length)
              : naiveSnapKV(&scores[size_t(h * obs * length)], obs, length,
                            budget, kernel, maxPool);
      ASSERT_EQ((*plan)[size_t(h)], expected)
          << "trial " << trial << " head " << h;
      int64_t kept = std::min(budget, length - obs) + obs;
      if (!policy.keepsAll(h))
        EXPECT_EQ(int64_t((*plan)[size_t(h)].size()), kept);
    }
    // Lossless budgets are identical to full.
    if (policy.isLossless(length))
      for (const auto &list : *plan)
        EXPECT_EQ(list, iota(length));
  }
}

// The session's path: tok.attention's stats are the column sums of the last
// obs queries; selecting from them equals selecting from the scores.
TEST(KVPolicyTest, SnapKVFromVotesMatchesScores) {
  std::mt19937_64 rng(23);
  for (int trial = 0; trial < 40; ++trial) {
    int32_t heads = 1 + int32_t(rng() % 3);
    int64_t length = 1 + int64_t(rng() % 70);
    KVPolicy policy;
    policy.kind = KVPolicyKind::SnapKV;
    policy.budget = int64_t(rng() % 40);
    policy.obsWindow = 1 + int64_t(rng() % 10);
    policy.kernel = 1 + 2 * int64_t(rng() % 4);
    policy.pooling = rng() % 2 ? SnapKVPooling::Max : SnapKVPooling::Avg;
    int64_t obs = std::min(policy.obsWindow, length);
    std::vector<float> scores = randomScores(rng, heads, obs, length);
    std::vector<double> votes(size_t(heads * length), 0.0);
    for (int32_t h = 0; h < heads; ++h)
      for (int64_t i = 0; i < obs; ++i)
        for (int64_t j = 0; j < length; ++j)
          votes[size_t(h * length + j)] +=
              scores[size_t((h * obs + i) * length + j)];
    auto fromScores = snapkvKeep(policy, scores.data(), heads, obs, length);
    auto fromVotes = snapkvKeepFromVotes(policy, votes.data(), heads, length);
    ASSERT_OK(fromScores);
    ASSERT_OK(fromVotes);
    EXPECT_EQ(*fromScores, *fromVotes) << "trial " << trial;
  }
  // The observation window's own votes do not matter: it is kept whole.
  KVPolicy policy = *KVPolicy::parse("snapkv=2,obs=3,kernel=1");
  std::vector<double> votes = {5, 1, 4, 2, 9, 9, 9};
  auto plan = snapkvKeepFromVotes(policy, votes.data(), 1, 7);
  ASSERT_OK(plan);
  EXPECT_EQ(plan->front(), (std::vector<int64_t>{0, 2, 4, 5, 6}));
  votes = {5, 1, 4, 2, 0, 0, 0};
  plan = snapkvKeepFromVotes(policy, votes.data(), 1, 7);
  ASSERT_OK(plan);
  EXPECT_EQ(plan->front(), (std::vector<int64_t>{0, 2, 4, 5, 6}));
  EXPECT_ERROR(snapkvKeepFromVotes(policy, nullptr, 1, 7),
               "expected votes [Hkv, length] with Hkv > 0, got Hkv=1 "
               "length=7");
  EXPECT_ERROR(
      snapkvKeepFromVotes(*KVPolicy::parse("full"), votes.data(), 1, 7),
      "snapkvKeep needs a snapkv policy, got 'full'");
}

TEST(KVPolicyTest, SnapKVFromQueryHeadsAveragesGroups) {
  std::mt19937_64 rng(5);
  int64_t obs = 4, length = 30;
  std::vector<float> q = randomScores(rng, 6, obs, length);
  auto avg = averageQueryHeadScores(q.data(), 6, 2, obs, length);
  ASSERT_OK(avg);
  size_t plane = size_t(obs * length);
  for (size_t i = 0; i < plane; ++i) {
    EXPECT_FLOAT_EQ((*avg)[i], (q[i] + q[plane + i] + q[2 * plane + i]) / 3);
    EXPECT_FLOAT_EQ((*avg)[plane + i],
                    (q[3 * plane + i] + q[4 * plane + i] + q[5 * plane + i]) /
                        3);
  }
  auto policy = *KVPolicy::parse("snapkv=5,obs=4,kernel=3");
  auto fromQ = snapkvKeepFromQueryHeads(policy, q.data(), 6, 2, obs, length);
  auto fromKV = snapkvKeep(policy, avg->data(), 2, obs, length);
  ASSERT_OK(fromQ);
  EXPECT_EQ(*fromQ, *fromKV);
  EXPECT_ERROR(averageQueryHeadScores(q.data(), 6, 4, obs, length),
               "expected scores [Hq, obs, length] with Hq a multiple of Hkv, "
               "got Hq=6 Hkv=4 obs=4 length=30");
}

TEST(KVPolicyTest, SnapKVErrors) {
  std::vector<float> scores(2 * 8 * 40, 0.0f);
  auto policy = *KVPolicy::parse("snapkv=4,obs=8");
  EXPECT_ERROR(snapkvKeep(policy, scores.data(), 2, 6, 40),
               "expected 8 observation queries in the snapkv scores, got 6");
  EXPECT_ERROR(snapkvKeep(*KVPolicy::parse("full"), scores.data(), 2, 8, 40),
               "snapkvKeep needs a snapkv policy, got 'full'");
  EXPECT_ERROR(snapkvKeep(policy, nullptr, 2, 8, 40),
               "expected scores [Hkv, obs, length] with Hkv > 0, got Hkv=2 "
               "length=40");
  // Equal scores: ties go to the lower position.
  auto tied = snapkvKeep(policy, scores.data(), 2, 8, 40);
  ASSERT_OK(tied);
  EXPECT_EQ((*tied)[0],
            (std::vector<int64_t>{0, 1, 2, 3, 32, 33, 34, 35, 36, 37, 38, 39}));
}

//===----------------------------------------------------------------------===//
// Compaction on host pools
//===----------------------------------------------------------------------===//

float keyValue(int64_t pos, int32_t layer, int32_t head, int32_t d) {
  return float(pos * 1000 + layer * 100 + head * 10 + d);
}

struct CompactionFixture : ::testing::Test {
  static constexpr int32_t kHeads = 2, kDim = 3, kBS = 4, kBlocks = 16;
  KVCacheManager kv =
      *KVCacheManager::create(*BlockAllocator::create(kBlocks), kBS);
  std::vector<HostKVPool> pools;
  std::vector<HostKVPool *> ptrs;

  void SetUp() override {
    for (int i = 0; i < 2; ++i)
      pools.push_back(
          *HostKVPool::create({kBlocks, kBS, kHeads, kDim, 2, DType::f32}));
    ptrs = {&pools[0], &pools[1]};
  }

  /// Appends `n` tokens to `id`, writing each position's K/V.
  void append(SeqId id, int64_t n) {
    int64_t first = *kv.numTokens(id);
    auto r = kv.append(id, n);
    ASSERT_OK(r);
    ASSERT_OK(applyBlockCopies(ptrs, r->copies));
    for (int64_t i = 0; i < n; ++i)
      for (int32_t layer = 0; layer < 2; ++layer)
        for (int32_t h = 0; h < kHeads; ++h) {
          int32_t slot = r->slots[size_t(i)];
          auto *k = reinterpret_cast<float *>(
              pools[layer].keyAt(slot / kBS, slot % kBS, h));
          auto *v = reinterpret_cast<float *>(
              pools[layer].valueAt(slot / kBS, slot % kBS, h));
          for (int32_t d = 0; d < kDim; ++d)
            k[d] = keyValue(first + i, layer, h, d);
          for (int32_t d = 0; d < 2; ++d)
            v[d] = -keyValue(first + i, layer, h, d);
        }
  }

  /// Checks that head h of `id` holds position `expected[h][r]` at row r
  /// (-1: a zero padding row), read through the block table.
  void expectHeads(SeqId id,
                   const std::vector<std::vector<int64_t>> &expected) {
    std::vector<int32_t> table = *kv.blockTable(id);
    for (int32_t layer = 0; layer < 2; ++layer)
      for (int32_t h = 0; h < kHeads; ++h) {
        const std::vector<int64_t> &rows = expected[size_t(h)];
        ASSERT_EQ(int64_t(rows.size()), *kv.length(id));
        for (size_t r = 0; r < rows.size(); ++r) {
          auto *k = reinterpret_cast<float *>(
              pools[layer].keyAt(table[r / kBS], int32_t(r % kBS), h));
          auto *v = reinterpret_cast<float *>(
              pools[layer].valueAt(table[r / kBS], int32_t(r % kBS), h));
          float want = rows[r] < 0 ? 0.0f : keyValue(rows[r], layer, h, 2);
          float wantV = rows[r] < 0 ? 0.0f : -keyValue(rows[r], layer, h, 1);
          EXPECT_EQ(k[2], want)
              << "layer " << layer << " head " << h << " row " << r;
          EXPECT_EQ(v[1], wantV);
        }
      }
  }
};

TEST_F(CompactionFixture, PerHeadCompaction) {
  ASSERT_OK(kv.addSequence(1));
  append(1, 10);
  ASSERT_OK(kv.fork(1, 2)); // shares every block with 1
  KeepPlan kept{{0, 3, 4, 9}, {1, 2, 5, 6, 7, 8, 9}};
  auto lens = compactHost(kv, ptrs, 1, kept);
  ASSERT_OK(lens);
  EXPECT_EQ(*lens, (std::vector<int64_t>{4, 7}));
  EXPECT_EQ(*kv.length(1), 7);
  EXPECT_EQ(*kv.numTokens(1), 10);
  EXPECT_EQ(*kv.headLengths(1), (std::vector<int64_t>{4, 7}));
  expectHeads(1, {{0, 3, 4, 9, -1, -1, -1}, {1, 2, 5, 6, 7, 8, 9}});
  expectHeads(2, {iota(10), iota(10)}); // the fork is untouched
  EXPECT_EQ(kv.allocator().refCount((*kv.blockTable(2))[0]), 1);
  EXPECT_ERROR(kv.positions(1), "heads of sequence 1 hold different "
                                "positions after compaction; pass a head");
  EXPECT_EQ(*kv.positions(1, 0),
            (std::vector<int64_t>{0, 3, 4, 9, -1, -1, -1}));

  // Decoding continues at row length(1) for every head.
  append(1, 2);
  expectHeads(
      1, {{0, 3, 4, 9, -1, -1, -1, 10, 11}, {1, 2, 5, 6, 7, 8, 9, 10, 11}});
  EXPECT_EQ(*kv.positions(1, 1),
            (std::vector<int64_t>{1, 2, 5, 6, 7, 8, 9, 10, 11}));

  // A second compaction reads through the per-head layout.
  KeepPlan again{{3, 10, 11}, {2, 11}};
  ASSERT_OK(compactHost(kv, ptrs, 1, again));
  expectHeads(1, {{3, 10, 11}, {2, 11, -1}});

  ASSERT_OK(kv.free(1));
  ASSERT_OK(kv.free(2));
  EXPECT_EQ(kv.numFreeBlocks(), kBlocks);
}

TEST_F(CompactionFixture, SnapKVEndToEnd) {
  ASSERT_OK(kv.addSequence(7));
  append(7, 23);
  std::mt19937_64 rng(3);
  auto policy = *KVPolicy::parse("snapkv=6,obs=5,kernel=3,full_heads=1");
  std::vector<float> scores = randomScores(rng, kHeads, 5, 23);
  auto plan = snapkvKeep(policy, scores.data(), kHeads, 5, 23);
  ASSERT_OK(plan);
  EXPECT_EQ((*plan)[0].size(), 11u);
  EXPECT_EQ((*plan)[1], iota(23));
  auto lens = compactHost(kv, ptrs, 7, *plan);
  ASSERT_OK(lens);
  EXPECT_EQ(*lens, (std::vector<int64_t>{11, 23}));
  std::vector<int64_t> head0 = (*plan)[0];
  head0.resize(23, -1);
  expectHeads(7, {head0, iota(23)});
  EXPECT_EQ(kv.numFreeBlocks(), kBlocks - 6);
}

TEST_F(CompactionFixture, UniformCompactionKeepsOnePositionList) {
  ASSERT_OK(kv.addSequence(1));
  append(1, 9);
  KeepPlan kept =
      *keepPositions(*KVPolicy::parse("window=4,sinks=2"), kHeads, 9);
  ASSERT_OK(compactHost(kv, ptrs, 1, kept));
  EXPECT_EQ(*kv.positions(1), (std::vector<int64_t>{0, 1, 5, 6, 7, 8}));
  expectHeads(1, {kept[0], kept[1]});
  append(1, 1);
  EXPECT_EQ(*kv.positions(1), (std::vector<int64_t>{0, 1, 5, 6, 7, 8, 9}));
}

TEST_F(CompactionFixture, CompactionErrorsChangeNothing) {
  ASSERT_OK(kv.addSequence(1));
  append(1, 6);
  int32_t freeBefore = kv.numFreeBlocks();
  EXPECT_ERROR(compactHost(kv, ptrs, 1, {{0, 1}, {2, 2}}),
               "kept positions of head 1 must increase strictly, got 2 then 2");
  EXPECT_ERROR(compactHost(kv, ptrs, 1, {{0, 1}, {7}}),
               "sequence 1 head 1 does not hold position 7");
  EXPECT_ERROR(compactHost(kv, ptrs, 1, {{0, 1}}),
               "kv pool [16, 4, 2, 3] does not match the manager (block size "
               "4, 16 blocks) and 1 kept lists");
  EXPECT_ERROR(kv.compact(1, {}),
               "expected one kept list per kv head of sequence 1, got 0");
  EXPECT_ERROR(kv.compact(5, {{0}}),
               "unknown sequence 5 (never added or already freed)");
  EXPECT_EQ(kv.numFreeBlocks(), freeBefore);
  expectHeads(1, {iota(6), iota(6)});

  ASSERT_OK(kv.compact(1, {{0, 2}, {1, 2, 3}}));
  EXPECT_ERROR(kv.compact(1, {{0}, {1}, {2}}),
               "expected one kept list per kv head of sequence 1 (2), got 3");

  auto windowed =
      *KVCacheManager::create(*BlockAllocator::create(4), 4, {8, 0});
  ASSERT_OK(windowed.addSequence(1));
  EXPECT_ERROR(windowed.compact(1, {{}}),
               "cannot compact sequence 1 of a manager with window eviction");
}

TEST_F(CompactionFixture, CompactionOutOfBlocks) {
  ASSERT_OK(kv.addSequence(1));
  append(1, 60); // 15 of 16 blocks
  EXPECT_ERROR(kv.compact(1, {iota(60), iota(60)}),
               "out of KV blocks: need 15, have 1 (compacting sequence 1)");
  EXPECT_EQ(*kv.length(1), 60);
  ASSERT_OK(compactHost(kv, ptrs, 1, {{58, 59}, {0, 59}}));
  expectHeads(1, {{58, 59}, {0, 59}});
  EXPECT_EQ(kv.numFreeBlocks(), 15);
}

} // namespace
