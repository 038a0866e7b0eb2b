//===- Session.h - Batched decoding of a compiled model --------*- C++ -*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//
//
// A Session runs a compiled decoder model (an artifact or a JIT executable
// following the model ABI of ModelABI.h and docs/Session.md) over many
// sequences at once: it owns the weights, one K/V block pool per attention
// layer with a KVCacheManager (and KV policy) per cache group of layers over
// them, and a StateCache for recurrent
// layers. prefill() takes ragged prompts and packs them into one call (no
// padding); decode() advances a batch of sequences of different lengths by
// one token each. Both return logits; sample() picks tokens with a Sampler.
//
// Sequences are named by caller-chosen ids. Calls that fail on bad input
// (unknown or repeated sequence, wrong token count, token outside the
// vocabulary, out of KV blocks, block table too narrow) change nothing. A
// Session is not thread-safe.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_RUNTIME_SESSION_H
#define TOKAMAK_RUNTIME_SESSION_H

#include "tokamak/runtime/Executable.h"
#include "tokamak/runtime/HeadKVCache.h"
#include "tokamak/runtime/HeavyHitters.h"
#include "tokamak/runtime/KVCache.h"
#include "tokamak/runtime/KVPolicy.h"
#include "tokamak/runtime/ModelABI.h"
#include "tokamak/runtime/Sampling.h"
#include "tokamak/runtime/StateCache.h"
#include "tokamak/runtime/Status.h"
#include "tokamak/runtime/Tensor.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace tokamak::rt {

/// The variant of @prefill that also returns every attention layer's stats
/// (ModelInfo::snapkvObs queries), which the snapkv policy selects with.
inline constexpr const char *kPrefillStatsFunction = "prefill_stats";
/// The H2O variants of @prefill and @decode (ModelInfo::h2o): they also
/// return every attention layer's stats over all queries, which the h2o
/// policy accumulates (docs/Session.md).
inline constexpr const char *kPrefillH2OFunction = "prefill_h2o";
inline constexpr const char *kDecodeStatsFunction = "decode_stats";

/// How a Session runs its model.
struct SessionOptions {
  /// Function names and pool dims the signatures leave open.
  ModelABIOptions abi;
  /// `full`, or `window=W[,sinks=S]` (StreamingLLM block eviction). The
  /// model's attention ops must mask with the same window and sinks: the
  /// session drops whole blocks, so the cache keeps some rows the window no
  /// longer sees. SnapKV needs the model's @prefill_stats (prefill() then
  /// selects from its stats and compacts; docs/Session.md); h2o needs its
  /// @prefill_h2o and @decode_stats (every prefill and decode call then
  /// accumulates the attention and evicts; HeavyHitters.h); `full_heads` needs
  /// a model with the per-head layout (docs/Session.md), where every head but
  /// the full ones evicts its own blocks.
  KVPolicy kvPolicy;
  /// Policies for ranges of cache groups (ModelABI::groups; layers that
  /// share a block table), overriding kvPolicy there; later ranges win.
  /// ModelKVPolicy::parse("full;1:window=256,sinks=4") gives kvPolicy
  /// (`defaults`) and these (`overrides`). A range past the model's groups
  /// is an error.
  std::vector<ModelKVPolicy::Override> groupPolicies;
};

/// Batched prefill and decode of one model over many sequences.
class Session {
public:
  /// A session running `executable` with `weights` (passed, in order, as the
  /// trailing arguments of every call). Derives the layout (ModelABI),
  /// checks every weight against its signature, and allocates the K/V pools.
  static StatusOr<std::unique_ptr<Session>>
  create(std::shared_ptr<Executable> executable,
         std::vector<HostTensor> weights, SessionOptions options = {});

  /// create() on the artifact at `artifactPath` with the weights of
  /// `weightDir` (readNpyWeights).
  static StatusOr<std::unique_ptr<Session>>
  load(const std::string &artifactPath, const std::string &weightDir,
       SessionOptions options = {});

  /// Reads `dir`/w0.npy, `dir`/w1.npy, ... up to the first missing index.
  static StatusOr<std::vector<HostTensor>>
  readNpyWeights(const std::string &dir);

  ~Session();
  Session(const Session &) = delete;
  Session &operator=(const Session &) = delete;

  const ModelABI &abi() const { return modelAbi; }
  const SessionOptions &options() const { return opts; }
  Executable &executable() { return *exe; }

  //===--------------------------------------------------------------------===//
  // Sequences
  //===--------------------------------------------------------------------===//

  /// Adds an empty sequence.
  Status addSequence(SeqId id);
  /// Frees the sequence's cache blocks and states.
  Status freeSequence(SeqId id);
  /// Makes `child` a copy of `parent` (tokens, cache blocks shared
  /// copy-on-write, states copied, latest logits).
  Status forkSequence(SeqId parent, SeqId child);
  bool contains(SeqId id) const { return seqs.count(id) != 0; }
  /// Ids of all sequences, ascending.
  std::vector<SeqId> sequenceIds() const;
  /// Tokens processed so far (the position of the next token).
  StatusOr<int64_t> numTokens(SeqId id) const;
  /// K/V rows the sequence holds (the `lens` value; below numTokens once
  /// the window policy evicted blocks); the longest head's in the per-head
  /// layout, the longest group's with several cache groups.
  StatusOr<int64_t> cacheRows(SeqId id) const;
  /// K/V rows per kv head in cache group `group` (the `lens` row of the
  /// per-head layout; every head holds the group's rows in the shared
  /// layout).
  StatusOr<std::vector<int64_t>> headCacheRows(SeqId id,
                                               size_t group = 0) const;
  /// The sequence's block table (empty without attention layers); in the
  /// per-head layout, kv head `head`'s; cache group 0's with several groups
  /// (groupBlockTable for the others).
  StatusOr<std::vector<int32_t>> blockTable(SeqId id, int32_t head = 0) const;
  /// Free K/V blocks (0 without attention layers), summed over cache groups.
  int32_t numFreeBlocks() const;
  /// K/V blocks in use (one-head blocks in the per-head layout), summed over
  /// cache groups.
  int32_t numUsedBlocks() const;

  /// Cache groups (ModelABI::groups): each has its own block pool,
  /// allocator, block tables and KV policy.
  size_t numGroups() const { return modelAbi.groups.size(); }
  /// The KV policy of cache group `group`.
  const KVPolicy &groupPolicy(size_t group) const { return policies[group]; }
  /// Rows (the longest head's in the per-head layout), block table (kv
  /// head 0's in the per-head layout), and blocks in use and free of cache
  /// group `group`.
  StatusOr<int64_t> groupCacheRows(SeqId id, size_t group) const;
  StatusOr<std::vector<int32_t>> groupBlockTable(SeqId id, size_t group) const;
  int32_t numUsedBlocks(size_t group) const;
  int32_t numFreeBlocks(size_t group) const;
  /// The K/V pools of attention layer `layer` < abi().numKVLayers().
  const HostKVPool &kvPool(size_t layer) const { return pools[layer]; }

  //===--------------------------------------------------------------------===//
  // Running the model
  //===--------------------------------------------------------------------===//

  /// Feeds `tokens[i]` (at least one) to sequence `ids[i]` and returns the
  /// logits after each sequence's last token, `[ids.size(), Vocab]` f32.
  /// Empty sequences go through @prefill in one packed call (one call per
  /// sequence for models with recurrent state, whose scans take no
  /// seq_starts); sequences already holding tokens, and every sequence when
  /// the model has no @prefill, go through @decode one token at a time.
  /// Under the snapkv policy, when an empty sequence's prompt is longer than
  /// the policy keeps, the packed call is @prefill_stats and each such
  /// sequence is then compacted to its selection (snapkvCompact).
  StatusOr<HostTensor> prefill(const std::vector<SeqId> &ids,
                               const std::vector<std::vector<int32_t>> &tokens);

  /// Feeds one token to each sequence in one @decode call and returns the
  /// logits `[ids.size(), Vocab]`.
  StatusOr<HostTensor> decode(const std::vector<SeqId> &ids,
                              const std::vector<int32_t> &tokens);

  /// The logits after the sequence's latest token (empty before any).
  StatusOr<std::vector<float>> logits(SeqId id) const;

  /// One token per sequence, sampled from its latest logits in order.
  StatusOr<std::vector<int32_t>> sample(const std::vector<SeqId> &ids,
                                        Sampler &sampler) const;
  /// One token per row of `logits` `[B, Vocab]` f32.
  static StatusOr<std::vector<int32_t>> sampleRows(const HostTensor &logits,
                                                   Sampler &sampler);

  /// Prefills `prompts`, then samples and decodes until each sequence has
  /// `maxNewTokens` new tokens; returns them. With `stepLogits`, row i of
  /// (*stepLogits)[s] holds the logits that chose new token i of ids[s].
  StatusOr<std::vector<std::vector<int32_t>>>
  generate(const std::vector<SeqId> &ids,
           const std::vector<std::vector<int32_t>> &prompts,
           int64_t maxNewTokens, Sampler &sampler,
           std::vector<HostTensor> *stepLogits = nullptr);

  /// Rewrites the sequence's cache in every layer so KV head h keeps the
  /// positions `kept[h]` (for instance snapkvKeep's choice from attention
  /// scores the caller computed). In the shared layout every head must keep
  /// as many positions (one length per sequence); in the per-head layout
  /// heads keep any number and give back the blocks they no longer need.
  /// Not available for heads that evict by window.
  Status compact(SeqId id, const KeepPlan &kept);

private:
  struct Sequence {
    int64_t tokens = 0;
    std::vector<float> logits;
  };

  Session() = default;
  Status checkIds(const char *what, const std::vector<SeqId> &ids) const;
  Status checkToken(SeqId id, int32_t token) const;
  /// Checks that appending counts[i] tokens to ids[i] fits in every cache
  /// group's pool and block table, and returns, per group, the order in
  /// which to append.
  StatusOr<std::vector<std::vector<size_t>>>
  planAppends(const char *what, const std::vector<SeqId> &ids,
              const std::vector<int64_t> &counts) const;
  /// Blocks the sequence holds in cache group `group` after appending `n`
  /// tokens at once (the longest head's table in the per-head layout).
  int64_t blocksAfter(size_t group, SeqId id, int64_t n) const;
  /// The same for one manager.
  static int64_t blocksAfter(const KVCacheManager &m, SeqId id, int64_t n);
  /// Whether the model has attention layers (either layout).
  bool hasKV() const { return !kvs.empty() || !headKvs.empty(); }
  /// One call of `function` feeding tokens[i] to ids[i] (packed when
  /// `packed`, else one token each); stores each sequence's last logits.
  Status call(const std::string &function, bool packed,
              const std::vector<SeqId> &ids,
              const std::vector<std::vector<int32_t>> &tokens,
              std::vector<HostTensor> *extra = nullptr);
  /// SnapKV after @prefill_stats: per sequence and snapkv cache group, the
  /// votes `stats` (one `[1, Hkv, T]` per attention layer, in K/V argument
  /// order) summed over the group's layers choose the kept positions
  /// (snapkvKeepFromVotes): per kv head in the per-head layout, one set
  /// for every head (votes summed over heads) in the shared layout; then
  /// compactGroup applies them.
  Status snapkvCompact(const std::vector<SeqId> &ids,
                       const std::vector<std::vector<int32_t>> &tokens,
                       const std::vector<HostTensor> &stats);
  /// Compacts cache group `group` of sequence `id` to `kept` (per kv head).
  Status compactGroup(SeqId id, size_t group, const KeepPlan &kept);
  /// H2O (SessionHeavyHitters.cpp). Checks that `executable` can run the
  /// h2o `policy` with layout `abi`.
  static Status checkHeavyHitters(const ModelABI &abi,
                                  const Executable &executable,
                                  const KVPolicy &policy);
  /// Packed prefill of empty sequences through @prefill_h2o: their scores
  /// start from every prompt query's attention, then each is evicted down
  /// to the budget (h2oUpdate).
  Status h2oPrefill(const std::vector<SeqId> &ids,
                    const std::vector<std::vector<int32_t>> &tokens);
  /// One decode call (one token per sequence): @decode, or under h2o
  /// @decode_stats, whose stats go to h2oUpdate.
  Status decodeStep(const std::vector<SeqId> &ids,
                    const std::vector<std::vector<int32_t>> &tokens);
  /// Adds `stats` (one tensor per attention layer, f32 `[N, Hkv, W]`: entry
  /// `row` of the first dim, columns [offset, offset + rows)) summed over
  /// layers and heads to sequence `id`'s scores, then keeps its R newest
  /// rows and B heavy hitters when it holds more than B + R.
  Status h2oUpdate(SeqId id, const std::vector<HostTensor> &stats, int64_t row,
                   int64_t offset);
  /// Feeds tokens[i] to ids[i] through @decode, one token per call.
  Status stepThroughDecode(const std::vector<SeqId> &ids,
                           const std::vector<std::vector<int32_t>> &tokens);
  StatusOr<HostTensor> gatherLogits(const std::vector<SeqId> &ids) const;

  std::shared_ptr<Executable> exe;
  SessionOptions opts;
  ModelABI modelAbi;
  std::vector<HostTensor> weights;
  std::vector<HostKVPool> pools;
  std::vector<HostKVPool *> poolPtrs;
  /// One manager per cache group (the shared layout), and each group's
  /// pools.
  std::vector<KVCacheManager> kvs;
  std::vector<std::vector<HostKVPool *>> groupPools;
  /// The policy of each cache group.
  std::vector<KVPolicy> policies;
  /// The per-head layout's managers, one per cache group (instead of kvs).
  std::vector<HeadKVCacheManager> headKvs;
  std::optional<StateCache> states;
  /// The h2o policy's accumulated attention (none under other policies).
  std::optional<HeavyHitters> heavy;
  std::unordered_map<SeqId, Sequence> seqs;
};

} // namespace tokamak::rt

#endif // TOKAMAK_RUNTIME_SESSION_H
