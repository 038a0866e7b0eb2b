//===- KVCache.cpp - Paged KV cache: blocks, tables, sequences ------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#include "tokamak/runtime/KVCache.h"
#include "tokamak/runtime/Tensor.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <sstream>

using namespace tokamak::rt;

//===----------------------------------------------------------------------===//
// Element types and host pools
//===----------------------------------------------------------------------===//

StatusOr<HostKVPool> HostKVPool::create(const KVPoolShape &shape) {
  KVPoolShape s = shape;
  if (s.valueHeadDim == 0)
    s.valueHeadDim = s.headDim;
  if (s.dtype != DType::f32 && s.dtype != DType::f16 && s.dtype != DType::bf16)
    return Status::errorOf("expected an f32, f16 or bf16 kv pool, got ",
                           dtypeName(s.dtype));
  if (s.numBlocks <= 0 || s.blockSize <= 0 || s.numKVHeads <= 0 ||
      s.headDim <= 0 || s.valueHeadDim <= 0)
    return Status::errorOf(
        "expected positive kv pool dims, got blocks=", s.numBlocks,
        " block_size=", s.blockSize, " kv_heads=", s.numKVHeads,
        " head_dim=", s.headDim, " value_head_dim=", s.valueHeadDim);
  // Every factor is below 2^31, so three products fit in 64 bits only if we
  // check; cap one array at 2^46 bytes (64 TiB).
  const uint64_t limit = uint64_t(1) << 46;
  uint64_t rows = uint64_t(s.numBlocks) * uint64_t(s.blockSize);
  uint64_t kElems = rows * uint64_t(s.numKVHeads);
  if (kElems > limit || kElems * uint64_t(s.headDim) > limit / 4 ||
      kElems * uint64_t(s.valueHeadDim) > limit / 4)
    return Status::errorOf("kv pool of ", s.numBlocks, " blocks of ",
                           s.blockSize, " rows is too large");
  uint64_t keyBytes = kElems * s.headDim * dtypeSize(s.dtype);
  uint64_t valueBytes = kElems * s.valueHeadDim * dtypeSize(s.dtype);
  std::string what = "a kv pool of " + std::to_string(s.numBlocks) +
                     " blocks of " + std::to_string(s.blockSize) + " rows";
  if (Status fits = checkFitsInMemory(keyBytes + valueBytes, what);
      fits.failed())
    return fits;
  HostKVPool pool;
  pool.shp = s;
  try {
    pool.keyBytes.assign(keyBytes, 0);
    pool.valueBytes.assign(valueBytes, 0);
  } catch (const std::bad_alloc &) {
    return Status::errorOf("out of memory allocating ", what, " (",
                           keyBytes + valueBytes, " bytes)");
  }
  return pool;
}

size_t HostKVPool::keyHeadBytes() const {
  return size_t(shp.headDim) * dtypeSize(shp.dtype);
}

size_t HostKVPool::valueHeadBytes() const {
  return size_t(shp.valueHeadDim) * dtypeSize(shp.dtype);
}

size_t HostKVPool::keyBlockBytes() const {
  return size_t(shp.blockSize) * shp.numKVHeads * keyHeadBytes();
}

size_t HostKVPool::valueBlockBytes() const {
  return size_t(shp.blockSize) * shp.numKVHeads * valueHeadBytes();
}

uint8_t *HostKVPool::keyAt(int32_t block, int32_t row, int32_t head) {
  size_t index = (size_t(block) * shp.blockSize + row) * shp.numKVHeads + head;
  return keyBytes.data() + index * keyHeadBytes();
}

uint8_t *HostKVPool::valueAt(int32_t block, int32_t row, int32_t head) {
  size_t index = (size_t(block) * shp.blockSize + row) * shp.numKVHeads + head;
  return valueBytes.data() + index * valueHeadBytes();
}

Status HostKVPool::copyBlock(int32_t src, int32_t dst) {
  if (src < 0 || src >= shp.numBlocks || dst < 0 || dst >= shp.numBlocks)
    return Status::errorOf("block copy ", src, " -> ", dst,
                           " out of range [0, ", shp.numBlocks, ")");
  if (src == dst)
    return {};
  std::memcpy(keyAt(dst, 0, 0), keyAt(src, 0, 0), keyBlockBytes());
  std::memcpy(valueAt(dst, 0, 0), valueAt(src, 0, 0), valueBlockBytes());
  return {};
}

Status HostKVPool::zeroBlock(int32_t block) {
  if (block < 0 || block >= shp.numBlocks)
    return Status::errorOf("block ", block, " out of range [0, ", shp.numBlocks,
                           ")");
  std::memset(keyAt(block, 0, 0), 0, keyBlockBytes());
  std::memset(valueAt(block, 0, 0), 0, valueBlockBytes());
  return {};
}

//===----------------------------------------------------------------------===//
// Block allocator
//===----------------------------------------------------------------------===//

BlockAllocator::BlockAllocator(int32_t numBlocks)
    : refs(size_t(std::max(numBlocks, 0)), 0) {
  freeList.reserve(refs.size());
  for (int32_t b = static_cast<int32_t>(refs.size()) - 1; b >= 0; --b)
    freeList.push_back(b);
}

StatusOr<std::shared_ptr<BlockAllocator>>
BlockAllocator::create(int32_t numBlocks) {
  if (numBlocks < 0)
    return Status::errorOf("expected a non-negative block count, got ",
                           numBlocks);
  try {
    return std::make_shared<BlockAllocator>(numBlocks);
  } catch (const std::bad_alloc &) {
    return Status::errorOf("out of memory allocating the free list of ",
                           numBlocks, " blocks");
  }
}

StatusOr<std::vector<int32_t>> BlockAllocator::allocate(int32_t n) {
  if (n < 0)
    return Status::errorOf("expected a non-negative block count, got ", n);
  if (n > numFree())
    return Status::errorOf("out of KV blocks: need ", n, ", have ", numFree());
  std::vector<int32_t> blocks(freeList.end() - n, freeList.end());
  std::reverse(blocks.begin(), blocks.end());
  freeList.resize(freeList.size() - n);
  for (int32_t b : blocks)
    refs[b] = 1;
  return blocks;
}

Status BlockAllocator::retain(int32_t block) {
  if (block < 0 || block >= numBlocks())
    return Status::errorOf("block ", block, " out of range [0, ", numBlocks(),
                           ")");
  if (refs[block] == 0)
    return Status::errorOf("cannot retain free block ", block);
  ++refs[block];
  return {};
}

Status BlockAllocator::release(int32_t block) {
  if (block < 0 || block >= numBlocks())
    return Status::errorOf("block ", block, " out of range [0, ", numBlocks(),
                           ")");
  if (refs[block] == 0)
    return Status::errorOf("block ", block, " is already free");
  if (--refs[block] == 0)
    freeList.push_back(block);
  return {};
}

int32_t BlockAllocator::refCount(int32_t block) const {
  if (block < 0 || block >= numBlocks())
    return 0;
  return refs[block];
}

//===----------------------------------------------------------------------===//
// Batch helpers
//===----------------------------------------------------------------------===//

BatchSlots
tokamak::rt::buildBatchSlots(const std::vector<std::vector<int32_t>> &perSeq) {
  BatchSlots out;
  out.batch = static_cast<int64_t>(perSeq.size());
  for (const auto &row : perSeq)
    out.seqLen = std::max<int64_t>(out.seqLen, row.size());
  out.slots.assign(size_t(out.batch * out.seqLen), -1);
  for (size_t b = 0; b < perSeq.size(); ++b)
    std::copy(perSeq[b].begin(), perSeq[b].end(),
              out.slots.begin() + b * out.seqLen);
  return out;
}

Status tokamak::rt::applyBlockCopies(const std::vector<HostKVPool *> &pools,
                                     const std::vector<BlockCopy> &copies) {
  for (HostKVPool *pool : pools) {
    if (!pool)
      return Status::errorOf("null kv pool");
    for (const BlockCopy &c : copies)
      if (Status s = pool->copyBlock(c.src, c.dst); !s.ok())
        return s;
  }
  return {};
}

Status tokamak::rt::applyRowMoves(const std::vector<HostKVPool *> &pools,
                                  const std::vector<RowMove> &moves) {
  for (HostKVPool *pool : pools) {
    if (!pool)
      return Status::errorOf("null kv pool");
    const KVPoolShape &s = pool->shape();
    int64_t slots = int64_t(s.numBlocks) * s.blockSize;
    for (const RowMove &m : moves) {
      if (m.head < 0 || m.head >= s.numKVHeads || m.srcSlot < 0 ||
          m.srcSlot >= slots || m.dstSlot < 0 || m.dstSlot >= slots)
        return Status::errorOf("row move head ", m.head, " slot ", m.srcSlot,
                               " -> ", m.dstSlot, " out of range (",
                               s.numKVHeads, " heads, ", slots, " slots)");
      int32_t sb = m.srcSlot / s.blockSize, sr = m.srcSlot % s.blockSize;
      int32_t db = m.dstSlot / s.blockSize, dr = m.dstSlot % s.blockSize;
      std::memmove(pool->keyAt(db, dr, m.head), pool->keyAt(sb, sr, m.head),
                   pool->keyHeadBytes());
      std::memmove(pool->valueAt(db, dr, m.head), pool->valueAt(sb, sr, m.head),
                   pool->valueHeadBytes());
    }
  }
  return {};
}

//===----------------------------------------------------------------------===//
// KVCacheManager
//===----------------------------------------------------------------------===//

namespace {
/// Blocks needed to hold `rows` rows.
int64_t blocksFor(int64_t rows, int32_t bs) { return (rows + bs - 1) / bs; }
/// Appends larger than this cannot fit any cache whose slots are i32.
constexpr int64_t kMaxAppend = int64_t(1) << 40;
} // namespace

KVCacheManager::KVCacheManager(std::shared_ptr<BlockAllocator> allocator,
                               int32_t blockSize, WindowEviction eviction)
    : alloc(std::move(allocator)), bs(blockSize), evict(eviction) {}

StatusOr<KVCacheManager>
KVCacheManager::create(std::shared_ptr<BlockAllocator> allocator,
                       int32_t blockSize, WindowEviction eviction) {
  if (!allocator)
    return Status::errorOf("null block allocator");
  if (blockSize <= 0)
    return Status::errorOf("expected a positive block size, got ", blockSize);
  if (int64_t(allocator->numBlocks()) * blockSize >
      std::numeric_limits<int32_t>::max())
    return Status::errorOf("slots of ", allocator->numBlocks(), " blocks of ",
                           blockSize, " rows do not fit in i32");
  if (eviction.window < 0 || eviction.sinks < 0)
    return Status::errorOf("expected non-negative window and sinks, got ",
                           eviction.window, " and ", eviction.sinks);
  if (eviction.window == 0 && eviction.sinks != 0)
    return Status::errorOf("sinks = ", eviction.sinks, " need a window");
  return KVCacheManager(std::move(allocator), blockSize, eviction);
}

StatusOr<const KVCacheManager::Sequence *>
KVCacheManager::find(SeqId id) const {
  auto it = seqs.find(id);
  if (it == seqs.end())
    return Status::errorOf("unknown sequence ", id,
                           " (never added or already freed)");
  return &it->second;
}

Status KVCacheManager::addSequence(SeqId id) {
  if (contains(id))
    return Status::errorOf("sequence ", id, " already exists");
  seqs.emplace(id, Sequence());
  return {};
}

KVCacheManager::AppendPlan KVCacheManager::planAppend(const Sequence &seq,
                                                      int64_t n) const {
  AppendPlan plan;
  int64_t rows = static_cast<int64_t>(seq.pos.size());
  plan.keptRows = rows;
  if (n <= 0)
    return plan;
  size_t numBlocks = seq.blocks.size();
  if (evict.window > 0 && seq.headPos.empty()) {
    // Positions below `threshold` that are not sinks are never attended
    // again. Positions increase along the rows, so the evictable blocks are
    // one contiguous range.
    int64_t threshold = seq.tokens - evict.window + 1;
    for (size_t i = 0; i < numBlocks; ++i) {
      int64_t first = int64_t(i) * bs;
      int64_t last = std::min<int64_t>(first + bs, rows) - 1;
      if (seq.pos[first] < evict.sinks || seq.pos[last] >= threshold)
        continue;
      plan.evicted.push_back(i);
      plan.keptRows -= last - first + 1;
      if (alloc->refCount(seq.blocks[i]) == 1)
        ++plan.reclaimed;
    }
  }
  int64_t keptBlocks = int64_t(numBlocks - plan.evicted.size());
  if (plan.keptRows % bs != 0) {
    // The last kept block is the sequence's last block (only a full range
    // of blocks before it, or the whole tail, is ever evicted).
    plan.copyLast = alloc->refCount(seq.blocks.back()) > 1;
  }
  plan.newBlocks = blocksFor(plan.keptRows + n, bs) - keptBlocks;
  return plan;
}

StatusOr<int64_t> KVCacheManager::blocksNeeded(SeqId id, int64_t n) const {
  auto seq = find(id);
  if (!seq.ok())
    return seq.status();
  if (n < 0 || n > kMaxAppend)
    return Status::errorOf("cannot append ", n, " tokens");
  AppendPlan plan = planAppend(**seq, n);
  return plan.newBlocks + (plan.copyLast ? 1 : 0);
}

StatusOr<int64_t> KVCacheManager::blocksAvailable(SeqId id, int64_t n) const {
  auto seq = find(id);
  if (!seq.ok())
    return seq.status();
  if (n < 0 || n > kMaxAppend)
    return Status::errorOf("cannot append ", n, " tokens");
  return alloc->numFree() + planAppend(**seq, n).reclaimed;
}

StatusOr<AppendResult> KVCacheManager::append(SeqId id, int64_t n) {
  auto it = seqs.find(id);
  if (it == seqs.end())
    return Status::errorOf("unknown sequence ", id,
                           " (never added or already freed)");
  if (n < 0)
    return Status::errorOf("cannot append ", n, " tokens to sequence ", id);
  AppendResult result;
  if (n == 0)
    return result;
  Sequence &seq = it->second;
  if (n > kMaxAppend)
    return Status::errorOf("out of KV blocks: need ", n / bs, ", have ",
                           alloc->numFree(), " (sequence ", id, ", appending ",
                           n, " tokens)");
  AppendPlan plan = planAppend(seq, n);
  int64_t need = plan.newBlocks + (plan.copyLast ? 1 : 0);
  int64_t have = alloc->numFree() + plan.reclaimed;
  if (need > have)
    return Status::errorOf("out of KV blocks: need ", need, ", have ", have,
                           " (sequence ", id, ", appending ", n, " tokens)");

  // From here on nothing fails.
  if (!plan.evicted.empty()) {
    size_t first = plan.evicted.front(), count = plan.evicted.size();
    for (size_t i = first; i < first + count; ++i)
      (void)alloc->release(seq.blocks[i]);
    seq.blocks.erase(seq.blocks.begin() + first,
                     seq.blocks.begin() + first + count);
    size_t rowBegin = first * bs;
    size_t rowEnd = std::min(seq.pos.size(), (first + count) * bs);
    seq.pos.erase(seq.pos.begin() + rowBegin, seq.pos.begin() + rowEnd);
  }
  if (plan.copyLast) {
    int32_t src = seq.blocks.back();
    int32_t dst = (*alloc->allocate(1)).front();
    result.copies.push_back({src, dst});
    (void)alloc->release(src);
    seq.blocks.back() = dst;
  }
  std::vector<int32_t> fresh =
      *alloc->allocate(static_cast<int32_t>(plan.newBlocks));
  seq.blocks.insert(seq.blocks.end(), fresh.begin(), fresh.end());

  int64_t row = static_cast<int64_t>(seq.pos.size());
  result.slots.reserve(size_t(n));
  for (int64_t i = 0; i < n; ++i, ++row) {
    result.slots.push_back(
        static_cast<int32_t>(seq.blocks[size_t(row / bs)] * bs + row % bs));
    seq.pos.push_back(seq.tokens++);
  }
  return result;
}

Status KVCacheManager::free(SeqId id) {
  auto it = seqs.find(id);
  if (it == seqs.end())
    return Status::errorOf("unknown sequence ", id,
                           " (never added or already freed)");
  for (int32_t b : it->second.blocks)
    (void)alloc->release(b);
  seqs.erase(it);
  return {};
}

Status KVCacheManager::fork(SeqId parent, SeqId child) {
  auto src = find(parent);
  if (!src.ok())
    return src.status();
  if (contains(child))
    return Status::errorOf("cannot fork sequence ", parent,
                           " onto existing sequence ", child);
  Sequence copy = **src;
  for (int32_t b : copy.blocks)
    (void)alloc->retain(b);
  seqs.emplace(child, std::move(copy));
  return {};
}

std::vector<SeqId> KVCacheManager::sequenceIds() const {
  std::vector<SeqId> ids;
  ids.reserve(seqs.size());
  for (const auto &entry : seqs)
    ids.push_back(entry.first);
  std::sort(ids.begin(), ids.end());
  return ids;
}

StatusOr<int64_t> KVCacheManager::length(SeqId id) const {
  auto seq = find(id);
  if (!seq.ok())
    return seq.status();
  return static_cast<int64_t>((*seq)->pos.size());
}

StatusOr<int64_t> KVCacheManager::numTokens(SeqId id) const {
  auto seq = find(id);
  if (!seq.ok())
    return seq.status();
  return (*seq)->tokens;
}

StatusOr<std::vector<int32_t>> KVCacheManager::blockTable(SeqId id) const {
  auto seq = find(id);
  if (!seq.ok())
    return seq.status();
  return (*seq)->blocks;
}

std::vector<int64_t> KVCacheManager::headPositions(const Sequence &seq,
                                                   int32_t head) const {
  std::vector<int64_t> out = seq.pos;
  const std::vector<int64_t> &prefix = seq.headPos[size_t(head)];
  for (int64_t r = 0; r < seq.prefixRows; ++r)
    out[size_t(r)] = r < int64_t(prefix.size()) ? prefix[size_t(r)] : -1;
  return out;
}

StatusOr<std::vector<int64_t>> KVCacheManager::positions(SeqId id,
                                                         int32_t head) const {
  auto found = find(id);
  if (!found.ok())
    return found.status();
  const Sequence &seq = **found;
  int64_t heads = static_cast<int64_t>(seq.headLens.size());
  if (head < -1 || (heads > 0 && head >= heads))
    return Status::errorOf("head ", head, " out of range for sequence ", id,
                           " with ", heads, " compacted heads");
  if (seq.headPos.empty())
    return seq.pos;
  if (head == -1)
    return Status::errorOf(
        "heads of sequence ", id,
        " hold different positions after compaction; pass a head");
  return headPositions(seq, head);
}

StatusOr<std::vector<int64_t>> KVCacheManager::headLengths(SeqId id) const {
  auto seq = find(id);
  if (!seq.ok())
    return seq.status();
  return (*seq)->headLens;
}

StatusOr<BatchBlockTables>
KVCacheManager::batchTables(const std::vector<SeqId> &ids, int64_t maxBlocks,
                            int32_t pad) const {
  if (maxBlocks < 0)
    return Status::errorOf("expected a non-negative max block count, got ",
                           maxBlocks);
  std::vector<const Sequence *> batch;
  int64_t widest = 0;
  for (SeqId id : ids) {
    auto seq = find(id);
    if (!seq.ok())
      return seq.status();
    batch.push_back(*seq);
    widest = std::max<int64_t>(widest, (*seq)->blocks.size());
  }
  if (maxBlocks == 0)
    maxBlocks = widest;
  else if (widest > maxBlocks)
    return Status::errorOf("a sequence of the batch holds ", widest,
                           " blocks, more than max blocks ", maxBlocks);
  BatchBlockTables out;
  out.batch = static_cast<int64_t>(ids.size());
  out.maxBlocks = maxBlocks;
  out.table.assign(size_t(out.batch * maxBlocks), pad);
  for (size_t b = 0; b < batch.size(); ++b) {
    std::copy(batch[b]->blocks.begin(), batch[b]->blocks.end(),
              out.table.begin() + b * maxBlocks);
    // Rows fit in i32: every row lives in a slot, and slots are i32.
    out.lens.push_back(static_cast<int32_t>(batch[b]->pos.size()));
  }
  return out;
}

StatusOr<CompactionPlan>
KVCacheManager::compact(SeqId id,
                        const std::vector<std::vector<int64_t>> &kept) {
  auto it = seqs.find(id);
  if (it == seqs.end())
    return Status::errorOf("unknown sequence ", id,
                           " (never added or already freed)");
  if (evict.window > 0)
    return Status::errorOf("cannot compact sequence ", id,
                           " of a manager with window eviction");
  Sequence &seq = it->second;
  int64_t heads = static_cast<int64_t>(kept.size());
  int64_t expected = static_cast<int64_t>(seq.headLens.size());
  if (heads == 0 || (expected != 0 && heads != expected))
    return Status::errorOf(
        "expected one kept list per kv head of sequence ", id,
        expected ? " (" + std::to_string(expected) + ")" : "", ", got ", heads);

  // Source row of every kept position, per head.
  CompactionPlan plan;
  std::vector<std::vector<int64_t>> srcRows(static_cast<size_t>(heads));
  for (int64_t h = 0; h < heads; ++h) {
    std::vector<int64_t> held =
        seq.headPos.empty() ? seq.pos : headPositions(seq, int32_t(h));
    // (position, row) of valid rows; positions increase along valid rows.
    std::vector<std::pair<int64_t, int64_t>> index;
    for (size_t r = 0; r < held.size(); ++r)
      if (held[r] >= 0)
        index.emplace_back(held[r], int64_t(r));
    const std::vector<int64_t> &list = kept[size_t(h)];
    for (size_t i = 0; i < list.size(); ++i) {
      if (i > 0 && list[i] <= list[i - 1])
        return Status::errorOf("kept positions of head ", h,
                               " must increase strictly, got ", list[i - 1],
                               " then ", list[i]);
      auto pos = std::lower_bound(index.begin(), index.end(),
                                  std::make_pair(list[i], int64_t(-1)));
      if (pos == index.end() || pos->first != list[i])
        return Status::errorOf("sequence ", id, " head ", h,
                               " does not hold position ", list[i]);
      srcRows[size_t(h)].push_back(pos->second);
    }
    plan.headLengths.push_back(static_cast<int64_t>(list.size()));
  }
  plan.rows =
      *std::max_element(plan.headLengths.begin(), plan.headLengths.end());
  int64_t need = blocksFor(plan.rows, bs);
  if (need > alloc->numFree())
    return Status::errorOf("out of KV blocks: need ", need, ", have ",
                           alloc->numFree(), " (compacting sequence ", id, ")");

  plan.newBlocks = *alloc->allocate(static_cast<int32_t>(need));
  for (int64_t h = 0; h < heads; ++h) {
    const std::vector<int64_t> &rows = srcRows[size_t(h)];
    for (size_t r = 0; r < rows.size(); ++r) {
      int64_t src = rows[r];
      int32_t srcSlot = seq.blocks[size_t(src / bs)] * bs + int32_t(src % bs);
      int32_t dstSlot = plan.newBlocks[r / bs] * bs + int32_t(r % bs);
      plan.moves.push_back({int32_t(h), srcSlot, dstSlot});
    }
  }
  for (int32_t b : seq.blocks)
    (void)alloc->release(b);
  seq.blocks = plan.newBlocks;
  seq.headLens = plan.headLengths;
  bool same = std::all_of(kept.begin(), kept.end(),
                          [&](const auto &list) { return list == kept[0]; });
  if (same) {
    seq.pos = kept[0];
    seq.headPos.clear();
    seq.prefixRows = 0;
  } else {
    seq.pos.assign(size_t(plan.rows), -1);
    seq.headPos = kept;
    seq.prefixRows = plan.rows;
  }
  return plan;
}
