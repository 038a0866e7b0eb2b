//===- KVPolicy.h - KV cache eviction and compression ----------*- C++ -*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//
//
// Policies deciding which token positions of a sequence the KV cache keeps,
// per model, per layer and per KV head:
//
//   full                          keep everything
//   window=W,sinks=S              StreamingLLM: the first S and the last W
//   snapkv=B[,obs=O][,kernel=K][,pool=avg|max]
//                                 SnapKV at the end of prefill: per KV head,
//                                 the B best-voted prefix keys plus the last
//                                 O (default 32) positions
//   h2o=B[,recent=R]              H2O (Heavy-Hitter Oracle) in generation:
//                                 the R (default B) most recent positions
//                                 plus the B others with the highest
//                                 accumulated attention (HeavyHitters.h)
//
// window and snapkv take `full_heads=H1/H2/...`: heads that keep the
// full cache (RazorAttention-style retrieval heads). A model spec is
// `DEFAULT[;LAYERS:POLICY]...` with LAYERS = `L` or `A-B` (inclusive), e.g.
// `window=1024,sinks=4;0-1:full;7:snapkv=512,full_heads=0/3`.
//
// Kept positions are original token positions. Keys are stored after RoPE, so
// dropping a key never changes another and the query position keeps growing
// (`KVCacheManager::numTokens`); after compaction row r of head h holds the
// r-th kept position of that head.
//
// Lossless settings are exact: window + sinks >= length, a SnapKV budget >=
// the prefix length (length - obs), or B + R >= length for h2o, keep every
// position, as `full` does.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_RUNTIME_KVPOLICY_H
#define TOKAMAK_RUNTIME_KVPOLICY_H

#include "tokamak/runtime/KVCache.h"
#include "tokamak/runtime/Status.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tokamak::rt {

/// Which positions a policy keeps.
enum class KVPolicyKind { Full, Window, SnapKV, H2O };

/// SnapKV's pooling of the votes along the keys.
enum class SnapKVPooling { Avg, Max };

/// One layer's KV policy.
struct KVPolicy {
  KVPolicyKind kind = KVPolicyKind::Full;
  /// Window: the last `window` positions (>= 1) and the first `sinks`.
  int64_t window = 0;
  int64_t sinks = 0;
  /// SnapKV: prefix keys kept per head, observation queries, pool kernel
  /// (odd). H2O: `budget` heavy hitters besides the `recent` newest rows.
  int64_t budget = 0;
  int64_t recent = 0;
  int64_t obsWindow = 32;
  int64_t kernel = 7;
  SnapKVPooling pooling = SnapKVPooling::Avg;
  /// KV heads that keep every position, ascending.
  std::vector<int32_t> fullHeads;

  /// Parses `full`, `window=W[,sinks=S]`,
  /// `snapkv=B[,obs=O][,kernel=K][,pool=avg|max]` (these two optionally
  /// with `,full_heads=H1/H2/...`) or `h2o=B[,recent=R]` (R defaults to B).
  static StatusOr<KVPolicy> parse(std::string_view spec);
  /// The canonical spelling, which parse() accepts.
  std::string str() const;
  /// True if `head` keeps every position.
  bool keepsAll(int32_t head) const;
  /// True if every head keeps every position of a `length`-token sequence.
  bool isLossless(int64_t length) const;
  /// The incremental block eviction KVCacheManager can do for this policy: a
  /// window policy without full heads; none otherwise.
  WindowEviction eviction() const;
};

/// Per-layer policies of a model.
struct ModelKVPolicy {
  /// A layer range [first, last] and its policy.
  struct Override {
    int64_t first = 0;
    int64_t last = 0;
    KVPolicy policy;
  };
  KVPolicy defaults;
  /// Later overrides win.
  std::vector<Override> overrides;

  /// Parses `DEFAULT[;LAYERS:POLICY]...`; without a DEFAULT clause the
  /// default is `full`. `unit` names what the ranges count in errors
  /// ("LAYER", or "GROUP" for the session's cache groups).
  static StatusOr<ModelKVPolicy> parse(std::string_view spec,
                                       std::string_view unit = "LAYER");
  /// The policy of `layer`.
  const KVPolicy &forLayer(int64_t layer) const;
  std::string str() const;
};

/// Kept positions per KV head, each strictly increasing.
using KeepPlan = std::vector<std::vector<int64_t>>;

/// StreamingLLM keep set of a `length`-token sequence: [0, sinks) and
/// [length - window, length), ascending; row r of the compacted cache holds
/// position `windowKeep(...)[r]`.
std::vector<int64_t> windowKeep(int64_t length, int64_t window, int64_t sinks);

/// Keep sets of a full or window policy (SnapKV needs scores: snapkvKeep).
StatusOr<KeepPlan> keepPositions(const KVPolicy &policy, int32_t numKVHeads,
                                 int64_t length);

/// Averages query-head scores `[Hq, obs, length]` over the query heads of each
/// KV group (query head q belongs to KV head q / (Hq / Hkv)), giving
/// `[Hkv, obs, length]`.
StatusOr<std::vector<float>>
averageQueryHeadScores(const float *scores, int32_t numQueryHeads,
                       int32_t numKVHeads, int64_t obs, int64_t length);

/// Stride-1 pooling of `n` values with an odd `kernel` and kernel/2 padding on
/// each side. Avg matches SnapKV's `F.avg_pool1d(padding=kernel//2)`: padding
/// counts as zeros and every window divides by `kernel`. Max ignores padding.
std::vector<double> snapkvPool(const double *votes, int64_t n, int64_t kernel,
                               SnapKVPooling pooling);

/// SnapKV selection from `scores` `[numKVHeads, obs, length]`: the attention
/// probabilities of the last `obs` queries (obs must be
/// min(policy.obsWindow, length)). Per head: sum over the observation queries,
/// pool the prefix [0, length - obs) with snapkvPool, keep the top `budget`
/// prefix keys (ties: lower position first) and the whole observation window.
/// Heads in `fullHeads`, and every head when the budget covers the prefix,
/// keep all positions.
StatusOr<KeepPlan> snapkvKeep(const KVPolicy &policy, const float *scores,
                              int32_t numKVHeads, int64_t obs, int64_t length);

/// snapkvKeep on votes already summed over the observation queries:
/// `votes` `[numKVHeads, length]` holds, per KV head, the column sums of the
/// attention probabilities of the last min(policy.obsWindow, length) queries
/// (what `tok.attention`'s `stats` result gives with `stats_window = obs`).
/// Only the prefix [0, length - obs) is pooled and ranked; the observation
/// window is kept whole.
StatusOr<KeepPlan> snapkvKeepFromVotes(const KVPolicy &policy,
                                       const double *votes, int32_t numKVHeads,
                                       int64_t length);

/// snapkvKeep on query-head scores `[numQueryHeads, obs, length]`, averaged
/// per KV group first (averageQueryHeadScores).
StatusOr<KeepPlan> snapkvKeepFromQueryHeads(const KVPolicy &policy,
                                            const float *scores,
                                            int32_t numQueryHeads,
                                            int32_t numKVHeads, int64_t obs,
                                            int64_t length);

/// Compacts sequence `id` on host pools (every layer sharing the manager's
/// tables): head h's row r then holds its r-th kept position, rows past a
/// head's kept count are zero. Returns the per-head lengths; when they differ
/// the attention kernel needs per-head lengths (see KVCacheManager). Checks
/// the pools first, so a failure leaves everything unchanged.
StatusOr<std::vector<int64_t>>
compactHost(KVCacheManager &manager, const std::vector<HostKVPool *> &pools,
            SeqId id, const KeepPlan &kept);

} // namespace tokamak::rt

#endif // TOKAMAK_RUNTIME_KVPOLICY_H
