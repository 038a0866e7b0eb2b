//===- HeavyHittersTest.cpp - H2O accumulation and selection --------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#include "tokamak/runtime/HeavyHitters.h"
#include "StatusTestUtils.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <numeric>
#include <random>

using namespace tokamak::rt;

namespace {

std::vector<int64_t> iota(int64_t n, int64_t from = 0) {
  std::vector<int64_t> v(static_cast<size_t>(n));
  std::iota(v.begin(), v.end(), from);
  return v;
}

/// The H2O keep set from its definition: the last `recent` rows, then
/// repeatedly the best remaining earlier row (highest score, lowest index on
/// ties) until `budget` are chosen.
std::vector<int64_t> naiveKeep(const std::vector<double> &scores,
                               int64_t budget, int64_t recent) {
  int64_t n = static_cast<int64_t>(scores.size());
  if (n <= budget + recent)
    return iota(n);
  std::vector<bool> taken(size_t(n), false);
  for (int64_t r = n - recent; r < n; ++r)
    taken[size_t(r)] = true;
  for (int64_t k = 0; k < budget; ++k) {
    int64_t best = -1;
    for (int64_t r = 0; r < n - recent; ++r)
      if (!taken[size_t(r)] &&
          (best < 0 || scores[size_t(r)] > scores[size_t(best)]))
        best = r;
    taken[size_t(best)] = true;
  }
  std::vector<int64_t> keep;
  for (int64_t r = 0; r < n; ++r)
    if (taken[size_t(r)])
      keep.push_back(r);
  return keep;
}

TEST(HeavyHittersTest, KeepsRecentAndHeaviest) {
  std::vector<double> scores = {5.0, 0.5, 3.0, 0.1, 3.0, 9.0, 0.0, 0.2};
  // R = 2: rows 6, 7; B = 3 of rows 0..5: 5 (9.0), 0 (5.0), 2 (3.0 before
  // 4's equal 3.0).
  EXPECT_EQ(heavyHitterKeep(scores, 3, 2),
            (std::vector<int64_t>{0, 2, 5, 6, 7}));
  // Within budget: everything.
  EXPECT_EQ(heavyHitterKeep(scores, 4, 4), iota(8));
  // No heavy hitters: a sliding window of R rows.
  EXPECT_EQ(heavyHitterKeep(scores, 0, 3), iota(3, 5));
  // No recent rows: the B heaviest alone.
  EXPECT_EQ(heavyHitterKeep(scores, 2, 0), (std::vector<int64_t>{0, 5}));
}

TEST(HeavyHittersTest, MatchesNaiveSelection) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 200; ++trial) {
    int64_t n = std::uniform_int_distribution<int64_t>(0, 40)(rng);
    int64_t budget = std::uniform_int_distribution<int64_t>(0, 12)(rng);
    int64_t recent = std::uniform_int_distribution<int64_t>(0, 12)(rng);
    // Few distinct values, so ties are common.
    std::vector<double> scores(static_cast<size_t>(n));
    for (double &s : scores)
      s = double(std::uniform_int_distribution<int>(0, 4)(rng));
    EXPECT_EQ(heavyHitterKeep(scores, budget, recent),
              naiveKeep(scores, budget, recent))
        << "n=" << n << " B=" << budget << " R=" << recent;
  }
}

TEST(HeavyHittersTest, ScoresFollowPositions) {
  HeavyHitters heavy(/*budget=*/2, /*recent=*/2);
  heavy.reset(1);
  double prompt[] = {0.5, 2.0, 0.25, 1.0, 0.25};
  ASSERT_OK(heavy.accumulate(1, iota(5), prompt));
  EXPECT_EQ(heavy.rowScores(1),
            (std::vector<double>{0.5, 2.0, 0.25, 1.0, 0.25}));
  // 5 rows > B + R = 4: rows 3, 4 are recent; positions 1 (2.0) and 0 (0.5)
  // are the heavy hitters.
  EXPECT_EQ(heavy.selection(1), (std::vector<int64_t>{0, 1, 3, 4}));

  // The cache kept those positions and a decode step appended position 5:
  // kept rows carry their scores, the new row starts at 0, and the step
  // adds its probabilities.
  double step[] = {0.25, 0.125, 0.0, 0.5, 0.125};
  ASSERT_OK(heavy.accumulate(1, {0, 1, 3, 4, 5}, step));
  EXPECT_EQ(heavy.rowScores(1),
            (std::vector<double>{0.75, 2.125, 1.0, 0.75, 0.125}));
  EXPECT_EQ(heavy.rowPositions(1), (std::vector<int64_t>{0, 1, 3, 4, 5}));
  // Recent: positions 4, 5; heavy among 0, 1, 3: 1 (2.125), 3 (1.0).
  EXPECT_EQ(heavy.selection(1), (std::vector<int64_t>{1, 3, 4, 5}));

  // Realigning without sums drops the evicted position.
  ASSERT_OK(heavy.accumulate(1, {1, 3, 4, 5}));
  EXPECT_EQ(heavy.rowScores(1), (std::vector<double>{2.125, 1.0, 0.75, 0.125}));
  EXPECT_TRUE(heavy.selection(1).empty()) << "within B + R";

  // Forks copy, erase and reset forget.
  heavy.fork(1, 2);
  EXPECT_EQ(heavy.rowScores(2), heavy.rowScores(1));
  heavy.erase(1);
  EXPECT_TRUE(heavy.rowScores(1).empty());
  heavy.reset(2);
  EXPECT_TRUE(heavy.rowScores(2).empty());
}

TEST(HeavyHittersTest, RefusesUnorderedPositions) {
  HeavyHitters heavy(1, 1);
  EXPECT_ERROR(heavy.accumulate(3, {0, 2, 2}),
               "h2o: the rows of sequence 3 hold positions out of order (2 "
               "then 2)");
}

} // namespace
