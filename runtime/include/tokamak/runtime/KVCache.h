//===- KVCache.h - Paged KV cache: blocks, tables, sequences ---*- C++ -*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//
//
// The paged KV cache of DESIGN §4.2 and §6. Each layer owns a block pool: K and
// V are `[NumBlocks, BlockSize, Hkv, D]` arrays (HostKVPool on the host; a
// device buffer elsewhere). A BlockAllocator hands out block ids with
// reference counts; a KVCacheManager keeps one block table per sequence and
// turns appends into the `slots` that `tok.cache_write` consumes and the block
// tables / lens that `tok.paged_attention` reads: cache row r of sequence b
// lives in block `table[b, r / BlockSize]`, row `r % BlockSize`.
//
// Layers that share one KVCacheManager share its block tables, so a block id
// names the same block in every pool of those layers. Layers whose tables
// must differ (different policies, per-layer SnapKV selections) use one
// manager and one allocator each.
//
// Cache rows versus token positions. Without eviction row r holds the token
// at position r. The window policy drops whole blocks and SnapKV compaction
// rewrites rows, after which the mapping is kept per sequence (`positions`).
// Keys are stored after RoPE, so dropping rows never changes the kept keys;
// the next query position is `numTokens(id)`, which keeps growing, while
// `length(id)` (the `lens` value) counts the rows held.
//
// Errors are values (Status / StatusOr); a failed call leaves the manager
// unchanged.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_RUNTIME_KVCACHE_H
#define TOKAMAK_RUNTIME_KVCACHE_H

#include "tokamak/runtime/DType.h"
#include "tokamak/runtime/Status.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace tokamak::rt {

//===----------------------------------------------------------------------===//
// Element types and host pools
//===----------------------------------------------------------------------===//

/// Shape of one layer's pool: K `[numBlocks, blockSize, numKVHeads, headDim]`
/// and V `[numBlocks, blockSize, numKVHeads, valueHeadDim]`.
struct KVPoolShape {
  int32_t numBlocks = 0;
  int32_t blockSize = 0;
  int32_t numKVHeads = 0;
  int32_t headDim = 0;
  /// 0 means equal to headDim.
  int32_t valueHeadDim = 0;
  /// f32, f16 or bf16.
  DType dtype = DType::f32;
};

/// One layer's K and V block pools in host memory, zero-initialized.
class HostKVPool {
public:
  /// Allocates a pool; fails on non-positive dims or a size overflow.
  static StatusOr<HostKVPool> create(const KVPoolShape &shape);

  const KVPoolShape &shape() const { return shp; }
  /// Raw bytes of the whole K (V) array.
  uint8_t *keys() { return keyBytes.data(); }
  uint8_t *values() { return valueBytes.data(); }
  const uint8_t *keys() const { return keyBytes.data(); }
  const uint8_t *values() const { return valueBytes.data(); }
  /// Bytes of one head vector of K (V).
  size_t keyHeadBytes() const;
  size_t valueHeadBytes() const;
  /// Bytes of one block of K (V).
  size_t keyBlockBytes() const;
  size_t valueBlockBytes() const;
  /// Address of K[block, row, head, :] (V[...]); arguments must be in range.
  uint8_t *keyAt(int32_t block, int32_t row, int32_t head);
  uint8_t *valueAt(int32_t block, int32_t row, int32_t head);
  /// Copies K and V of block `src` onto block `dst`.
  Status copyBlock(int32_t src, int32_t dst);
  /// Zeroes K and V of `block`.
  Status zeroBlock(int32_t block);

private:
  KVPoolShape shp;
  std::vector<uint8_t> keyBytes;
  std::vector<uint8_t> valueBytes;
};

//===----------------------------------------------------------------------===//
// Block allocator
//===----------------------------------------------------------------------===//

/// Reference-counted block ids `[0, numBlocks)` with a LIFO free list (a fresh
/// allocator hands out 0, 1, 2, ...). Blocks shared by forked sequences have a
/// count above one and return to the free list when it drops to zero.
class BlockAllocator {
public:
  /// An allocator over `numBlocks` blocks (0 <= numBlocks).
  static StatusOr<std::shared_ptr<BlockAllocator>> create(int32_t numBlocks);

  int32_t numBlocks() const { return static_cast<int32_t>(refs.size()); }
  int32_t numFree() const { return static_cast<int32_t>(freeList.size()); }
  int32_t numUsed() const { return numBlocks() - numFree(); }
  /// Takes `n` blocks (count 1 each), all or nothing.
  StatusOr<std::vector<int32_t>> allocate(int32_t n);
  /// Adds a reference to a used block.
  Status retain(int32_t block);
  /// Drops a reference; the block is free again at zero.
  Status release(int32_t block);
  /// Reference count of `block` (0 when free or out of range).
  int32_t refCount(int32_t block) const;

  /// Use create().
  explicit BlockAllocator(int32_t numBlocks);

private:
  std::vector<int32_t> refs;
  std::vector<int32_t> freeList;
};

//===----------------------------------------------------------------------===//
// Sequences and block tables
//===----------------------------------------------------------------------===//

/// Caller-chosen sequence id.
using SeqId = int64_t;

/// "Copy block src onto block dst" (K and V, every layer sharing the table).
struct BlockCopy {
  int32_t src = 0;
  int32_t dst = 0;
  bool operator==(const BlockCopy &o) const {
    return src == o.src && dst == o.dst;
  }
};

/// Result of KVCacheManager::append.
struct AppendResult {
  /// `[n]` slots (block * blockSize + row) of the new tokens, the per-sequence
  /// row of `tok.cache_write`'s slots.
  std::vector<int32_t> slots;
  /// Copy-on-write copies to perform before writing the new tokens and before
  /// the next mutating call on the manager (see applyBlockCopies).
  std::vector<BlockCopy> copies;
};

/// `[batch, maxBlocks]` block table and `[batch]` lens for a batch.
struct BatchBlockTables {
  int64_t batch = 0;
  int64_t maxBlocks = 0;
  /// Row-major `[batch, maxBlocks]`; entries past a sequence's blocks hold the
  /// pad value (0 by default: a valid block id, never read by
  /// `tok.paged_attention`, which reads blocks < ceil(lens[b] / blockSize)).
  std::vector<int32_t> table;
  /// `[batch]` rows held per sequence (`length(id)`).
  std::vector<int32_t> lens;
};

/// `[batch, seqLen]` slots for `tok.cache_write`.
struct BatchSlots {
  int64_t batch = 0;
  int64_t seqLen = 0;
  /// Row-major; shorter rows are padded with -1 (skipped by cache_write).
  std::vector<int32_t> slots;
};

/// Packs per-sequence slot lists into a `[B, S]` tensor, S = longest row.
BatchSlots buildBatchSlots(const std::vector<std::vector<int32_t>> &perSeq);

/// Incremental StreamingLLM eviction done by append (window == 0: none).
struct WindowEviction {
  int64_t window = 0;
  int64_t sinks = 0;
};

/// Move head `head` of the row at `srcSlot` to `dstSlot` (K and V).
struct RowMove {
  int32_t head = 0;
  int32_t srcSlot = 0;
  int32_t dstSlot = 0;
};

/// What KVCacheManager::compact changed and the data moves it needs.
struct CompactionPlan {
  /// Row moves from the old blocks into the new ones; perform them before the
  /// next mutating call on the manager (see applyRowMoves).
  std::vector<RowMove> moves;
  /// Freshly allocated blocks (zero them for deterministic padding rows).
  std::vector<int32_t> newBlocks;
  /// Rows head h holds after compaction (its kept count).
  std::vector<int64_t> headLengths;
  /// Rows of the sequence after compaction (max of headLengths).
  int64_t rows = 0;
};

/// Block tables of a set of sequences over one BlockAllocator.
///
/// Fork shares every block by reference count. Only the last block of a
/// sequence can be partially filled; appending into a shared partial block
/// first copies it (AppendResult::copies), so shared blocks are never written.
///
/// Window eviction (WindowEviction): on append(id, n), with q0 = numTokens(id)
/// before the append (the position of the first new query), positions
/// p < q0 - window + 1 that are not sinks (p >= sinks) are never attended
/// again; every block all of whose rows hold such positions is released and
/// removed from the table. Blocks always hold increasing positions, every block
/// but the last is full, and the rows that stay are the sink blocks followed
/// by a tail of consecutive positions, so the table stays dense (no holes) and
/// row-space masks equal position-space masks: call `tok.paged_attention` with
/// the same `window` and `sinks` and it masks the extra rows that block
/// granularity keeps. positions(id) maps rows to original positions.
///
/// Per-head compaction (compact) gives head h rows `[0, headLengths[h])`; when
/// the lengths differ, rows `[headLengths[h], CompactionPlan::rows)` of head h
/// are padding that a kernel must mask per head (`tok.paged_attention` with
/// per-head lens `[B, Hkv]` over this shared table does; equal per-head
/// lengths need nothing more). The blocks stay shared by every head, so a
/// short head frees nothing: HeadKVCacheManager (HeadKVCache.h) gives every
/// head its own blocks. Later appends continue at row `length(id)` for every
/// head.
class KVCacheManager {
public:
  /// A manager over `allocator` with `blockSize` rows per block.
  static StatusOr<KVCacheManager>
  create(std::shared_ptr<BlockAllocator> allocator, int32_t blockSize,
         WindowEviction eviction = {});

  int32_t blockSize() const { return bs; }
  const WindowEviction &eviction() const { return evict; }
  const BlockAllocator &allocator() const { return *alloc; }
  int32_t numFreeBlocks() const { return alloc->numFree(); }

  /// Registers an empty sequence.
  Status addSequence(SeqId id);
  /// Appends `n` tokens; returns their slots and any copy-on-write copies.
  /// Fails with "out of KV blocks: need N, have M" leaving state unchanged.
  StatusOr<AppendResult> append(SeqId id, int64_t n);
  /// Releases the sequence's blocks and forgets it.
  Status free(SeqId id);
  /// Makes `child` a copy of `parent` sharing all of its blocks.
  Status fork(SeqId parent, SeqId child);

  /// Blocks append(id, n) would take from the free list (new + copies).
  StatusOr<int64_t> blocksNeeded(SeqId id, int64_t n) const;
  /// Free blocks append(id, n) can use: the free list plus blocks its window
  /// eviction returns.
  StatusOr<int64_t> blocksAvailable(SeqId id, int64_t n) const;

  bool contains(SeqId id) const { return seqs.count(id) != 0; }
  size_t numSequences() const { return seqs.size(); }
  /// Ids of all sequences, ascending.
  std::vector<SeqId> sequenceIds() const;
  /// Rows held (the `lens` value).
  StatusOr<int64_t> length(SeqId id) const;
  /// Tokens appended so far: the position of the next token.
  StatusOr<int64_t> numTokens(SeqId id) const;
  /// The sequence's block table (physical block per 'blockSize' rows).
  StatusOr<std::vector<int32_t>> blockTable(SeqId id) const;
  /// Original position of every row for `head` (-1 for padding rows);
  /// head = -1 is allowed unless per-head compaction made heads differ.
  StatusOr<std::vector<int64_t>> positions(SeqId id, int32_t head = -1) const;
  /// Per-head row counts set by the last compaction (empty if none).
  StatusOr<std::vector<int64_t>> headLengths(SeqId id) const;

  /// `[B, maxBlocks]` table and `[B]` lens for `ids` (maxBlocks = 0: the
  /// largest block count in the batch); rows are padded with `pad`.
  StatusOr<BatchBlockTables> batchTables(const std::vector<SeqId> &ids,
                                         int64_t maxBlocks = 0,
                                         int32_t pad = 0) const;

  /// Rewrites the sequence so head h's row r holds its r-th kept position
  /// (`kept[h]`: strictly increasing positions the sequence holds). Allocates
  /// fresh blocks for the result and releases the old ones; the returned moves
  /// must be performed before the next mutating call. Not available with
  /// window eviction.
  StatusOr<CompactionPlan>
  compact(SeqId id, const std::vector<std::vector<int64_t>> &kept);

private:
  struct Sequence {
    std::vector<int32_t> blocks;
    /// Row -> position (-1 for rows whose position differs per head).
    std::vector<int64_t> pos;
    int64_t tokens = 0;
    /// After a compaction whose kept sets differ per head: positions of rows
    /// [0, headPos[h].size()) of head h; rows up to prefixRows are padding.
    std::vector<std::vector<int64_t>> headPos;
    int64_t prefixRows = 0;
    std::vector<int64_t> headLens;
  };
  struct AppendPlan {
    std::vector<size_t> evicted; // indices into blocks
    int64_t keptRows = 0;        // rows after eviction
    bool copyLast = false;
    int64_t newBlocks = 0;
    int64_t reclaimed = 0; // evicted blocks that become free
  };

  KVCacheManager(std::shared_ptr<BlockAllocator> allocator, int32_t blockSize,
                 WindowEviction eviction);
  StatusOr<const Sequence *> find(SeqId id) const;
  AppendPlan planAppend(const Sequence &seq, int64_t n) const;
  std::vector<int64_t> headPositions(const Sequence &seq, int32_t head) const;

  std::shared_ptr<BlockAllocator> alloc;
  int32_t bs = 0;
  WindowEviction evict;
  std::unordered_map<SeqId, Sequence> seqs;
};

/// Performs block copies on every host pool of the layers sharing a table.
Status applyBlockCopies(const std::vector<HostKVPool *> &pools,
                        const std::vector<BlockCopy> &copies);
/// Performs row moves (see CompactionPlan) on every host pool.
Status applyRowMoves(const std::vector<HostKVPool *> &pools,
                     const std::vector<RowMove> &moves);

} // namespace tokamak::rt

#endif // TOKAMAK_RUNTIME_KVCACHE_H
