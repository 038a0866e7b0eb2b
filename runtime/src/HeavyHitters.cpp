//===- HeavyHitters.cpp - H2O accumulated attention per cache row ---------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#include "tokamak/runtime/HeavyHitters.h"

#include <algorithm>
#include <numeric>

using namespace tokamak::rt;

std::vector<int64_t>
tokamak::rt::heavyHitterKeep(const std::vector<double> &scores, int64_t budget,
                             int64_t recent) {
  const int64_t n = static_cast<int64_t>(scores.size());
  std::vector<int64_t> keep;
  if (n <= budget + recent) {
    keep.resize(size_t(n));
    std::iota(keep.begin(), keep.end(), int64_t(0));
    return keep;
  }
  // Candidates [0, n - recent): the `budget` best, ties to the lower row.
  const int64_t candidates = n - recent;
  std::vector<int64_t> order(static_cast<size_t>(candidates));
  std::iota(order.begin(), order.end(), int64_t(0));
  std::partial_sort(order.begin(), order.begin() + budget, order.end(),
                    [&](int64_t a, int64_t b) {
                      if (scores[size_t(a)] != scores[size_t(b)])
                        return scores[size_t(a)] > scores[size_t(b)];
                      return a < b;
                    });
  keep.assign(order.begin(), order.begin() + budget);
  std::sort(keep.begin(), keep.end());
  for (int64_t r = candidates; r < n; ++r)
    keep.push_back(r);
  return keep;
}

void HeavyHitters::fork(SeqId parent, SeqId child) {
  auto it = seqs.find(parent);
  if (it == seqs.end())
    seqs.erase(child);
  else
    seqs[child] = it->second;
}

Status HeavyHitters::accumulate(SeqId id, const std::vector<int64_t> &positions,
                                const double *sums) {
  for (size_t r = 1; r < positions.size(); ++r)
    if (positions[r] <= positions[r - 1])
      return Status::errorOf("h2o: the rows of sequence ", id,
                             " hold positions out of order (", positions[r - 1],
                             " then ", positions[r], ")");
  Scored &seq = seqs[id];
  // Both lists ascend: one merge carries the scores of the kept positions.
  std::vector<double> scores(positions.size(), 0.0);
  size_t old = 0;
  for (size_t r = 0; r < positions.size(); ++r) {
    while (old < seq.positions.size() && seq.positions[old] < positions[r])
      ++old;
    if (old < seq.positions.size() && seq.positions[old] == positions[r])
      scores[r] = seq.scores[old];
    if (sums)
      scores[r] += sums[r];
  }
  seq.positions = positions;
  seq.scores = std::move(scores);
  return Status::success();
}

std::vector<int64_t> HeavyHitters::selection(SeqId id) const {
  auto it = seqs.find(id);
  if (it == seqs.end() ||
      static_cast<int64_t>(it->second.scores.size()) <= budget + recent)
    return {};
  std::vector<int64_t> rows =
      heavyHitterKeep(it->second.scores, budget, recent);
  for (int64_t &r : rows)
    r = it->second.positions[size_t(r)];
  return rows;
}

const std::vector<double> &HeavyHitters::rowScores(SeqId id) const {
  static const std::vector<double> kEmpty;
  auto it = seqs.find(id);
  return it == seqs.end() ? kEmpty : it->second.scores;
}

const std::vector<int64_t> &HeavyHitters::rowPositions(SeqId id) const {
  static const std::vector<int64_t> kEmpty;
  auto it = seqs.find(id);
  return it == seqs.end() ? kEmpty : it->second.positions;
}
