//===- HeadKVCache.h - Paged KV cache, one block table per head -*- C++ -*-===//
//-*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//
//
// The per-head layout of `tok.paged_attention` (per-head lens `[B, Hkv]`,
// per-head block tables `[B, Hkv, MaxBlocks]`): every block holds the rows of
// ONE kv head (pools `[NumBlocks, BlockSize, 1, D]`), and each kv head of a
// sequence has its own block list. Heads therefore grow, evict and compact
// independently and a block a head gives up is free for any head of any
// sequence: a per-head policy (RazorAttention's retrieval heads keep every
// position while the others keep sinks + window; SnapKV budgets per head)
// really takes fewer blocks, where the shared layout (`KVCacheManager`, a
// block holds every head) must keep a block while any head still needs it.
//
// A HeadKVCacheManager is one KVCacheManager per kv head over one shared
// BlockAllocator. Its slots are per head (`[Hkv][n]`, `tok.cache_write`'s
// per-head slots) and its batch tables `[B, Hkv, MaxBlocks]` with lens
// `[B, Hkv]`. A failed call leaves the manager unchanged.
//
// Row order and positions: head h's rows hold increasing token positions
// (KVCacheManager::positions(id) of head h); the query of every head sits at
// the sequence's position numTokens(id), which eviction never changes, and
// sees every row its head holds (plus, with window eviction, the kernel's
// row-space window mask if the model compiles one in).
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_RUNTIME_HEADKVCACHE_H
#define TOKAMAK_RUNTIME_HEADKVCACHE_H

#include "tokamak/runtime/KVCache.h"
#include "tokamak/runtime/KVPolicy.h"
#include "tokamak/runtime/Status.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace tokamak::rt {

/// Result of HeadKVCacheManager::append.
struct HeadAppendResult {
  /// `[Hkv][n]` slots (block * blockSize + row) of the new tokens per head.
  std::vector<std::vector<int32_t>> slots;
  /// Copy-on-write copies (blocks hold one head, so a copy is per head).
  std::vector<BlockCopy> copies;
};

/// `[batch, heads, maxBlocks]` block tables and `[batch, heads]` lens.
struct HeadBatchTables {
  int64_t batch = 0;
  int64_t heads = 0;
  int64_t maxBlocks = 0;
  /// Row-major `[batch, heads, maxBlocks]`, padded with the pad value.
  std::vector<int32_t> table;
  /// Row-major `[batch, heads]`: rows held per (sequence, head).
  std::vector<int32_t> lens;
};

/// Block tables per (sequence, kv head) over one pool of one-head blocks.
class HeadKVCacheManager {
public:
  /// A manager for `numKVHeads` heads over `allocator`; `evictions[h]` is
  /// head h's incremental window eviction (empty: none for every head).
  static StatusOr<HeadKVCacheManager>
  create(std::shared_ptr<BlockAllocator> allocator, int32_t blockSize,
         int32_t numKVHeads, std::vector<WindowEviction> evictions = {});
  /// A manager applying `policy` per head: `full` keeps every row;
  /// `window=W,sinks=S[,full_heads=...]` evicts the blocks of every head but
  /// the full heads (RazorAttention). SnapKV is applied by compact().
  static StatusOr<HeadKVCacheManager>
  forPolicy(std::shared_ptr<BlockAllocator> allocator, int32_t blockSize,
            int32_t numKVHeads, const KVPolicy &policy);

  int32_t blockSize() const { return bs; }
  int32_t numKVHeads() const { return static_cast<int32_t>(heads.size()); }
  const BlockAllocator &allocator() const { return *alloc; }
  int32_t numFreeBlocks() const { return alloc->numFree(); }
  int32_t numUsedBlocks() const { return alloc->numUsed(); }
  /// Head h's manager (its tables, positions and eviction).
  const KVCacheManager &head(int32_t h) const { return heads[size_t(h)]; }

  Status addSequence(SeqId id);
  Status free(SeqId id);
  Status fork(SeqId parent, SeqId child);
  bool contains(SeqId id) const { return heads.front().contains(id); }

  /// Blocks append(id, n) takes from the free list, over all heads.
  StatusOr<int64_t> blocksNeeded(SeqId id, int64_t n) const;
  /// Free blocks append(id, n) can use: the free list plus the blocks the
  /// heads' window eviction returns.
  StatusOr<int64_t> blocksAvailable(SeqId id, int64_t n) const;
  /// Appends `n` tokens to every head; fails with "out of KV blocks: need N,
  /// have M" leaving state unchanged.
  StatusOr<HeadAppendResult> append(SeqId id, int64_t n);

  /// Tokens appended so far (every head): the next query position.
  StatusOr<int64_t> numTokens(SeqId id) const;
  /// Rows each head holds.
  StatusOr<std::vector<int64_t>> lengths(SeqId id) const;
  /// Blocks the sequence holds over all heads (shared blocks counted once
  /// per head that lists them).
  StatusOr<int64_t> blocksHeld(SeqId id) const;
  /// `[B, Hkv, maxBlocks]` tables and `[B, Hkv]` lens (maxBlocks = 0: the
  /// longest table in the batch).
  StatusOr<HeadBatchTables> batchTables(const std::vector<SeqId> &ids,
                                        int64_t maxBlocks = 0,
                                        int32_t pad = 0) const;

  /// Keeps positions `kept[h]` in head h (strictly increasing positions the
  /// head holds), each head in fresh blocks; the old ones are released, so
  /// a head that keeps fewer rows holds fewer blocks. The moves (head 0 of
  /// one-head blocks) must be performed before the next mutating call.
  /// Heads with window eviction cannot be compacted.
  StatusOr<CompactionPlan> compact(SeqId id, const KeepPlan &kept);

private:
  HeadKVCacheManager(std::shared_ptr<BlockAllocator> allocator,
                     int32_t blockSize, std::vector<KVCacheManager> heads);

  std::shared_ptr<BlockAllocator> alloc;
  int32_t bs = 0;
  std::vector<KVCacheManager> heads;
};

/// compact() on host pools of one-head blocks (every layer sharing the
/// manager); checks the pools first. Returns the per-head lengths.
StatusOr<std::vector<int64_t>>
compactHeadsHost(HeadKVCacheManager &manager,
                 const std::vector<HostKVPool *> &pools, SeqId id,
                 const KeepPlan &kept);

} // namespace tokamak::rt

#endif // TOKAMAK_RUNTIME_HEADKVCACHE_H
