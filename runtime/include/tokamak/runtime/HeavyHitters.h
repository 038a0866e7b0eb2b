//===- HeavyHitters.h - H2O accumulated attention per cache row -*- C++ -*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//
//
// The state of the H2O (Heavy-Hitter Oracle, Zhang et al. 2023) KV policy
// `h2o=B[,recent=R]`: per sequence, one accumulated attention score per
// cached row (row order = position order). Every query the model runs adds
// its softmax probabilities to the rows it attends to (the prompt's queries
// at prefill, one query per decode step); whenever the cache holds more than
// B + R rows, the sequence keeps its R most recent rows plus the B other
// rows with the highest accumulated scores (ties to the lower row), and the
// kept rows carry their scores along.
//
// The scores are sums over layers and kv heads: one block table serves
// every layer and head of the shared cache layout, so one selection holds
// for all of them (H2O proper selects per layer and head).
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_RUNTIME_HEAVYHITTERS_H
#define TOKAMAK_RUNTIME_HEAVYHITTERS_H

#include "tokamak/runtime/KVCache.h"
#include "tokamak/runtime/Status.h"

#include <cstdint>
#include <unordered_map>
#include <vector>

namespace tokamak::rt {

/// The rows an H2O cache of `scores.size()` rows keeps, ascending: all of
/// them when there are at most `budget + recent`, else the last `recent`
/// rows and the `budget` rows before them with the highest scores (ties:
/// the lower row first).
std::vector<int64_t> heavyHitterKeep(const std::vector<double> &scores,
                                     int64_t budget, int64_t recent);

/// Accumulated scores of every sequence of a session, keyed by the token
/// positions the cache rows hold, so that they follow any compaction.
class HeavyHitters {
public:
  HeavyHitters(int64_t budget, int64_t recent)
      : budget(budget), recent(recent) {}

  int64_t heavyBudget() const { return budget; }
  int64_t recentWindow() const { return recent; }

  /// Starts (or restarts) sequence `id` with no rows.
  void reset(SeqId id) { seqs[id] = Scored(); }
  /// Forgets sequence `id`.
  void erase(SeqId id) { seqs.erase(id); }
  /// `child` gets a copy of `parent`'s scores (none when unknown).
  void fork(SeqId parent, SeqId child);

  /// Aligns sequence `id` with the rows its cache now holds, `positions`
  /// (strictly increasing token positions, row order): a position scored
  /// before keeps its score, a new one starts at 0, a dropped one is
  /// forgotten. Then adds `sums[r]` to row r (none when `sums` is null).
  Status accumulate(SeqId id, const std::vector<int64_t> &positions,
                    const double *sums = nullptr);

  /// The positions to keep, ascending (heavyHitterKeep over the rows), or an
  /// empty list when the sequence holds at most B + R rows.
  std::vector<int64_t> selection(SeqId id) const;

  /// The scores and positions of sequence `id` in row order (empty when
  /// unknown).
  const std::vector<double> &rowScores(SeqId id) const;
  const std::vector<int64_t> &rowPositions(SeqId id) const;

private:
  struct Scored {
    std::vector<int64_t> positions;
    std::vector<double> scores;
  };
  int64_t budget, recent;
  std::unordered_map<SeqId, Scored> seqs;
};

} // namespace tokamak::rt

#endif // TOKAMAK_RUNTIME_HEAVYHITTERS_H
