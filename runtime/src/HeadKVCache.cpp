//===- HeadKVCache.cpp - Paged KV cache with one block table per head -----===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#include "tokamak/runtime/HeadKVCache.h"

#include <algorithm>
#include <numeric>

using namespace tokamak::rt;

/// Appends `src` to `dst`.
template <typename T>
static void appendAll(std::vector<T> &dst, const std::vector<T> &src) {
  dst.insert(dst.end(), src.begin(), src.end());
}

HeadKVCacheManager::HeadKVCacheManager(
    std::shared_ptr<BlockAllocator> allocator, int32_t blockSize,
    std::vector<KVCacheManager> heads)
    : alloc(std::move(allocator)), bs(blockSize), heads(std::move(heads)) {}

StatusOr<HeadKVCacheManager>
HeadKVCacheManager::create(std::shared_ptr<BlockAllocator> allocator,
                           int32_t blockSize, int32_t numKVHeads,
                           std::vector<WindowEviction> evictions) {
  if (!allocator)
    return Status::errorOf("null block allocator");
  if (numKVHeads <= 0)
    return Status::errorOf("expected a positive kv head count, got ",
                           numKVHeads);
  if (!evictions.empty() && evictions.size() != static_cast<size_t>(numKVHeads))
    return Status::errorOf("expected one window eviction per kv head (",
                           numKVHeads, "), got ", evictions.size());
  std::vector<KVCacheManager> heads;
  for (int32_t h = 0; h < numKVHeads; ++h) {
    StatusOr<KVCacheManager> head = KVCacheManager::create(
        allocator, blockSize,
        evictions.empty() ? WindowEviction{} : evictions[size_t(h)]);
    if (!head.ok())
      return head.status();
    heads.push_back(std::move(*head));
  }
  return HeadKVCacheManager(std::move(allocator), blockSize, std::move(heads));
}

StatusOr<HeadKVCacheManager>
HeadKVCacheManager::forPolicy(std::shared_ptr<BlockAllocator> allocator,
                              int32_t blockSize, int32_t numKVHeads,
                              const KVPolicy &policy) {
  for (int32_t h : policy.fullHeads)
    if (h < 0 || h >= numKVHeads)
      return Status::errorOf("kv policy '", policy.str(), "': full head ", h,
                             " is not a kv head (the model has ", numKVHeads,
                             ")");
  std::vector<WindowEviction> evictions(size_t(std::max(numKVHeads, 0)));
  if (policy.kind == KVPolicyKind::Window)
    for (int32_t h = 0; h < numKVHeads; ++h)
      if (!policy.keepsAll(h))
        evictions[size_t(h)] = {policy.window, policy.sinks};
  return create(std::move(allocator), blockSize, numKVHeads,
                std::move(evictions));
}

Status HeadKVCacheManager::addSequence(SeqId id) {
  if (contains(id))
    return Status::errorOf("sequence ", id, " already exists");
  for (KVCacheManager &head : heads)
    if (Status s = head.addSequence(id); s.failed())
      return s;
  return Status::success();
}

Status HeadKVCacheManager::free(SeqId id) {
  if (!contains(id))
    return Status::errorOf("unknown sequence ", id,
                           " (never added or already freed)");
  for (KVCacheManager &head : heads)
    if (Status s = head.free(id); s.failed())
      return s;
  return Status::success();
}

Status HeadKVCacheManager::fork(SeqId parent, SeqId child) {
  if (!contains(parent))
    return Status::errorOf("unknown sequence ", parent,
                           " (never added or already freed)");
  if (contains(child))
    return Status::errorOf("sequence ", child, " already exists");
  for (KVCacheManager &head : heads)
    if (Status s = head.fork(parent, child); s.failed())
      return s;
  return Status::success();
}

StatusOr<int64_t> HeadKVCacheManager::blocksNeeded(SeqId id, int64_t n) const {
  int64_t total = 0;
  for (const KVCacheManager &head : heads) {
    StatusOr<int64_t> needed = head.blocksNeeded(id, n);
    if (!needed.ok())
      return needed.status();
    total += *needed;
  }
  return total;
}

StatusOr<int64_t> HeadKVCacheManager::blocksAvailable(SeqId id,
                                                      int64_t n) const {
  int64_t total = alloc->numFree();
  for (const KVCacheManager &head : heads) {
    StatusOr<int64_t> available = head.blocksAvailable(id, n);
    if (!available.ok())
      return available.status();
    total += *available - alloc->numFree();
  }
  return total;
}

StatusOr<HeadAppendResult> HeadKVCacheManager::append(SeqId id, int64_t n) {
  // Check the whole append first, then run the heads that return at least
  // as many blocks as they take (window eviction) before the others, so that
  // every head fits whenever the total does.
  StatusOr<int64_t> needed = blocksNeeded(id, n);
  if (!needed.ok())
    return needed.status();
  StatusOr<int64_t> available = blocksAvailable(id, n);
  if (!available.ok())
    return available.status();
  if (*needed > *available)
    return Status::errorOf("out of KV blocks: need ", *needed, ", have ",
                           *available, " (sequence ", id, ", appending ", n,
                           " tokens to ", heads.size(), " kv heads)");
  std::vector<size_t> order(heads.size());
  std::iota(order.begin(), order.end(), size_t(0));
  std::vector<int64_t> surplus(heads.size());
  for (size_t h = 0; h < heads.size(); ++h)
    surplus[h] = (*heads[h].blocksAvailable(id, n) - alloc->numFree()) -
                 *heads[h].blocksNeeded(id, n);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return (surplus[a] >= 0) > (surplus[b] >= 0);
  });
  HeadAppendResult result;
  result.slots.resize(heads.size());
  for (size_t h : order) {
    StatusOr<AppendResult> one = heads[h].append(id, n);
    if (!one.ok())
      return one.status(); // Unreachable: the plan above fits.
    result.slots[h] = std::move(one->slots);
    appendAll(result.copies, one->copies);
  }
  return result;
}

StatusOr<int64_t> HeadKVCacheManager::numTokens(SeqId id) const {
  return heads.front().numTokens(id);
}

StatusOr<std::vector<int64_t>> HeadKVCacheManager::lengths(SeqId id) const {
  std::vector<int64_t> out;
  for (const KVCacheManager &head : heads) {
    StatusOr<int64_t> rows = head.length(id);
    if (!rows.ok())
      return rows.status();
    out.push_back(*rows);
  }
  return out;
}

StatusOr<int64_t> HeadKVCacheManager::blocksHeld(SeqId id) const {
  int64_t total = 0;
  for (const KVCacheManager &head : heads) {
    StatusOr<std::vector<int32_t>> table = head.blockTable(id);
    if (!table.ok())
      return table.status();
    total += static_cast<int64_t>(table->size());
  }
  return total;
}

StatusOr<HeadBatchTables>
HeadKVCacheManager::batchTables(const std::vector<SeqId> &ids,
                                int64_t maxBlocks, int32_t pad) const {
  if (maxBlocks < 0)
    return Status::errorOf("expected a non-negative max block count, got ",
                           maxBlocks);
  std::vector<BatchBlockTables> perHead;
  int64_t widest = 0;
  for (const KVCacheManager &head : heads) {
    StatusOr<BatchBlockTables> tables = head.batchTables(ids, 0, pad);
    if (!tables.ok())
      return tables.status();
    widest = std::max(widest, tables->maxBlocks);
    perHead.push_back(std::move(*tables));
  }
  if (maxBlocks == 0)
    maxBlocks = widest;
  else if (widest > maxBlocks)
    return Status::errorOf("a sequence of the batch holds ", widest,
                           " blocks in one kv head, more than max blocks ",
                           maxBlocks);
  HeadBatchTables out;
  out.batch = static_cast<int64_t>(ids.size());
  out.heads = static_cast<int64_t>(heads.size());
  out.maxBlocks = maxBlocks;
  out.table.assign(size_t(out.batch * out.heads * maxBlocks), pad);
  out.lens.assign(size_t(out.batch * out.heads), 0);
  for (int64_t b = 0; b < out.batch; ++b)
    for (int64_t h = 0; h < out.heads; ++h) {
      const BatchBlockTables &t = perHead[size_t(h)];
      auto row = t.table.begin() + b * t.maxBlocks;
      std::copy(row, row + t.maxBlocks,
                out.table.begin() + (b * out.heads + h) * maxBlocks);
      out.lens[size_t(b * out.heads + h)] = t.lens[size_t(b)];
    }
  return out;
}

StatusOr<CompactionPlan> HeadKVCacheManager::compact(SeqId id,
                                                     const KeepPlan &kept) {
  if (!contains(id))
    return Status::errorOf("unknown sequence ", id,
                           " (never added or already freed)");
  if (kept.size() != heads.size())
    return Status::errorOf("expected one kept list per kv head (", heads.size(),
                           ") of sequence ", id, ", got ", kept.size());
  for (size_t h = 0; h < heads.size(); ++h)
    if (heads[h].eviction().window > 0)
      return Status::errorOf("cannot compact kv head ", h, " of sequence ", id,
                             ": it evicts by window");
  // Check every head's kept list against its positions before changing any.
  for (size_t h = 0; h < heads.size(); ++h) {
    StatusOr<std::vector<int64_t>> held = heads[h].positions(id);
    if (!held.ok())
      return held.status();
    const std::vector<int64_t> &keep = kept[h];
    for (size_t i = 0; i < keep.size(); ++i)
      if ((i > 0 && keep[i] <= keep[i - 1]) ||
          !std::binary_search(held->begin(), held->end(), keep[i]))
        return Status::errorOf("kv head ", h, " of sequence ", id,
                               ": kept positions must be strictly increasing "
                               "positions the head holds, got ",
                               keep[i]);
  }
  // Every head's moves read its old blocks after all heads were compacted,
  // so the old blocks stay allocated (one extra reference each) until every
  // head took its new ones: the free list must hold all new blocks at once.
  int64_t newBlocks = 0;
  for (const std::vector<int64_t> &keep : kept)
    newBlocks += (int64_t(keep.size()) + bs - 1) / bs;
  if (newBlocks > alloc->numFree())
    return Status::errorOf("out of KV blocks: need ", newBlocks, ", have ",
                           alloc->numFree(), " (compacting sequence ", id, ")");
  std::vector<int32_t> held;
  for (const KVCacheManager &head : heads) {
    StatusOr<std::vector<int32_t>> table = head.blockTable(id);
    for (int32_t block : *table) {
      (void)alloc->retain(block);
      held.push_back(block);
    }
  }
  CompactionPlan plan;
  for (size_t h = 0; h < heads.size(); ++h) {
    StatusOr<CompactionPlan> one = heads[h].compact(id, {kept[h]});
    if (!one.ok()) {
      // Unreachable: checked above.
      for (int32_t block : held)
        (void)alloc->release(block);
      return one.status();
    }
    // Moves of one-head blocks address head 0 of their slots.
    appendAll(plan.moves, one->moves);
    appendAll(plan.newBlocks, one->newBlocks);
    plan.headLengths.push_back(one->rows);
    plan.rows = std::max(plan.rows, one->rows);
  }
  for (int32_t block : held)
    (void)alloc->release(block);
  return plan;
}

StatusOr<std::vector<int64_t>>
tokamak::rt::compactHeadsHost(HeadKVCacheManager &manager,
                              const std::vector<HostKVPool *> &pools, SeqId id,
                              const KeepPlan &kept) {
  for (const HostKVPool *pool : pools) {
    if (!pool)
      return Status::errorOf("null kv pool");
    const KVPoolShape &s = pool->shape();
    if (s.blockSize != manager.blockSize() ||
        s.numBlocks < manager.allocator().numBlocks() || s.numKVHeads != 1)
      return Status::errorOf("kv pool [", s.numBlocks, ", ", s.blockSize, ", ",
                             s.numKVHeads, ", ", s.headDim,
                             "] is not a pool of one-head blocks of the "
                             "manager (block size ",
                             manager.blockSize(), ", ",
                             manager.allocator().numBlocks(), " blocks)");
  }
  StatusOr<CompactionPlan> plan = manager.compact(id, kept);
  if (!plan.ok())
    return plan.status();
  for (HostKVPool *pool : pools)
    for (int32_t b : plan->newBlocks)
      (void)pool->zeroBlock(b);
  if (Status s = applyRowMoves(pools, plan->moves); s.failed())
    return s;
  return plan->headLengths;
}
