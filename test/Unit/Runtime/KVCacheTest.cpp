//===- KVCacheTest.cpp - Block allocator, block tables, copy-on-write -----===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#include "tokamak/runtime/KVCache.h"
#include "StatusTestUtils.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>
#include <random>
#include <set>

using namespace tokamak::rt;

namespace {

KVCacheManager makeManager(int32_t blocks, int32_t blockSize,
                           WindowEviction eviction = {}) {
  return *KVCacheManager::create(*BlockAllocator::create(blocks), blockSize,
                                 eviction);
}

//===----------------------------------------------------------------------===//
// Allocator, pools, layout
//===----------------------------------------------------------------------===//

TEST(BlockAllocatorTest, AllocateRetainRelease) {
  auto alloc = *BlockAllocator::create(4);
  EXPECT_EQ(alloc->numFree(), 4);
  auto blocks = alloc->allocate(3);
  ASSERT_OK(blocks);
  EXPECT_EQ(*blocks, (std::vector<int32_t>{0, 1, 2}));
  EXPECT_EQ(alloc->refCount(1), 1);
  EXPECT_OK(alloc->retain(1));
  EXPECT_EQ(alloc->refCount(1), 2);
  EXPECT_OK(alloc->release(1));
  EXPECT_OK(alloc->release(1));
  EXPECT_EQ(alloc->refCount(1), 0);
  EXPECT_EQ(alloc->numFree(), 2);
  EXPECT_EQ((*alloc->allocate(1)).front(), 1); // LIFO reuse
}

TEST(BlockAllocatorTest, MisuseIsAnError) {
  EXPECT_ERROR(BlockAllocator::create(-1),
               "expected a non-negative block count, got -1");
  auto alloc = *BlockAllocator::create(2);
  EXPECT_ERROR(alloc->allocate(3), "out of KV blocks: need 3, have 2");
  EXPECT_EQ(alloc->numFree(), 2);
  EXPECT_ERROR(alloc->release(0), "block 0 is already free");
  EXPECT_ERROR(alloc->retain(1), "cannot retain free block 1");
  EXPECT_ERROR(alloc->release(2), "block 2 out of range [0, 2)");
  EXPECT_EQ(alloc->refCount(7), 0);
}

TEST(HostKVPoolTest, ShapesAndErrors) {
  auto pool = HostKVPool::create({8, 4, 2, 16, 0, DType::bf16});
  ASSERT_OK(pool);
  EXPECT_EQ(pool->shape().valueHeadDim, 16);
  EXPECT_EQ(pool->keyHeadBytes(), 32u);
  EXPECT_EQ(pool->keyBlockBytes(), 4u * 2 * 32);
  EXPECT_EQ(pool->keyAt(1, 2, 1) - pool->keys(), (((1 * 4) + 2) * 2 + 1) * 32);
  EXPECT_ERROR(HostKVPool::create({8, 0, 2, 16, 0, DType::f16}),
               "expected positive kv pool dims, got blocks=8 block_size=0 "
               "kv_heads=2 head_dim=16 value_head_dim=16");
  EXPECT_ERROR(HostKVPool::create({8, 4, 2, 16, 0, DType::i32}),
               "expected an f32, f16 or bf16 kv pool, got i32");
  EXPECT_ERROR(pool->copyBlock(0, 8), "block copy 0 -> 8 out of range [0, 8)");
}

TEST(KVCacheManagerTest, CreateErrors) {
  auto alloc = *BlockAllocator::create(4);
  EXPECT_ERROR(KVCacheManager::create(nullptr, 4), "null block allocator");
  EXPECT_ERROR(KVCacheManager::create(alloc, 0),
               "expected a positive block size, got 0");
  EXPECT_ERROR(KVCacheManager::create(alloc, 4, {0, 2}),
               "sinks = 2 need a window");
  auto big = *BlockAllocator::create(1 << 20);
  EXPECT_ERROR(KVCacheManager::create(big, 1 << 12),
               "slots of 1048576 blocks of 4096 rows do not fit in i32");
}

TEST(KVCacheManagerTest, SlotsFollowTheBlockTable) {
  KVCacheManager kv = makeManager(8, 4);
  ASSERT_OK(kv.addSequence(1));
  auto a = kv.append(1, 6);
  ASSERT_OK(a);
  EXPECT_EQ(a->slots, (std::vector<int32_t>{0, 1, 2, 3, 4, 5}));
  EXPECT_TRUE(a->copies.empty());
  auto b = kv.append(1, 3);
  ASSERT_OK(b);
  EXPECT_EQ(b->slots, (std::vector<int32_t>{6, 7, 8}));
  EXPECT_EQ(*kv.blockTable(1), (std::vector<int32_t>{0, 1, 2}));
  EXPECT_EQ(*kv.length(1), 9);
  EXPECT_EQ(*kv.numTokens(1), 9);
  ASSERT_OK(kv.addSequence(2));
  EXPECT_EQ(kv.append(2, 2)->slots, (std::vector<int32_t>{12, 13}));
  EXPECT_EQ(kv.numFreeBlocks(), 4);
  EXPECT_TRUE(kv.append(2, 0)->slots.empty());
  EXPECT_EQ(*kv.positions(1),
            (std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8}));
}

TEST(KVCacheManagerTest, BatchTablesAndSlots) {
  KVCacheManager kv = makeManager(8, 4);
  ASSERT_OK(kv.addSequence(1));
  ASSERT_OK(kv.addSequence(2));
  ASSERT_OK(kv.append(1, 9));
  ASSERT_OK(kv.append(2, 2));
  auto t = kv.batchTables({2, 1});
  ASSERT_OK(t);
  EXPECT_EQ(t->batch, 2);
  EXPECT_EQ(t->maxBlocks, 3);
  EXPECT_EQ(t->table, (std::vector<int32_t>{3, 0, 0, 0, 1, 2}));
  EXPECT_EQ(t->lens, (std::vector<int32_t>{2, 9}));
  auto padded = kv.batchTables({2}, 4, -1);
  ASSERT_OK(padded);
  EXPECT_EQ(padded->table, (std::vector<int32_t>{3, -1, -1, -1}));
  EXPECT_ERROR(kv.batchTables({1}, 2),
               "a sequence of the batch holds 3 blocks, more than max "
               "blocks 2");
  EXPECT_ERROR(kv.batchTables({1, 5}),
               "unknown sequence 5 (never added or already freed)");

  BatchSlots slots = buildBatchSlots({{6, 7, 8}, {13}});
  EXPECT_EQ(slots.batch, 2);
  EXPECT_EQ(slots.seqLen, 3);
  EXPECT_EQ(slots.slots, (std::vector<int32_t>{6, 7, 8, 13, -1, -1}));
}

TEST(KVCacheManagerTest, MisuseIsAnError) {
  KVCacheManager kv = makeManager(8, 4);
  EXPECT_ERROR(kv.append(3, 1),
               "unknown sequence 3 (never added or already freed)");
  ASSERT_OK(kv.addSequence(3));
  EXPECT_ERROR(kv.addSequence(3), "sequence 3 already exists");
  EXPECT_ERROR(kv.append(3, -2), "cannot append -2 tokens to sequence 3");
  ASSERT_OK(kv.append(3, 5));
  ASSERT_OK(kv.addSequence(4));
  EXPECT_ERROR(kv.fork(3, 4),
               "cannot fork sequence 3 onto existing sequence 4");
  EXPECT_ERROR(kv.fork(3, 3),
               "cannot fork sequence 3 onto existing sequence 3");
  ASSERT_OK(kv.free(3));
  EXPECT_ERROR(kv.free(3), "unknown sequence 3 (never added or already freed)");
  EXPECT_ERROR(kv.append(3, 1),
               "unknown sequence 3 (never added or already freed)");
  EXPECT_ERROR(kv.fork(3, 9),
               "unknown sequence 3 (never added or already freed)");
  EXPECT_ERROR(kv.length(3),
               "unknown sequence 3 (never added or already freed)");
  EXPECT_FALSE(kv.contains(9));
  EXPECT_EQ(kv.numFreeBlocks(), 8);
  // A freed id can be added again.
  EXPECT_OK(kv.addSequence(3));
}

TEST(KVCacheManagerTest, OutOfBlocksLeavesStateUnchanged) {
  KVCacheManager kv = makeManager(4, 4);
  ASSERT_OK(kv.addSequence(1));
  ASSERT_OK(kv.append(1, 10));
  EXPECT_EQ(*kv.blocksNeeded(1, 7), 2);
  EXPECT_EQ(*kv.blocksAvailable(1, 7), 1);
  EXPECT_ERROR(kv.append(1, 7),
               "out of KV blocks: need 2, have 1 (sequence 1, appending 7 "
               "tokens)");
  EXPECT_EQ(*kv.length(1), 10);
  EXPECT_EQ(*kv.blockTable(1), (std::vector<int32_t>{0, 1, 2}));
  EXPECT_EQ(kv.numFreeBlocks(), 1);
  EXPECT_OK(kv.append(1, 6));
  EXPECT_EQ(kv.numFreeBlocks(), 0);
  EXPECT_ERROR(kv.append(1, int64_t(1) << 50),
               "out of KV blocks: need 281474976710656, have 0 (sequence 1, "
               "appending 1125899906842624 tokens)");
}

//===----------------------------------------------------------------------===//
// Copy-on-write with real data
//===----------------------------------------------------------------------===//

/// Writes a value identifying (tag, layer, head, channel) for K and V of the
/// row at `slot`.
void writeRow(HostKVPool &pool, int32_t layer, int32_t slot, float tag) {
  const KVPoolShape &s = pool.shape();
  for (int32_t h = 0; h < s.numKVHeads; ++h) {
    auto *k = reinterpret_cast<float *>(
        pool.keyAt(slot / s.blockSize, slot % s.blockSize, h));
    auto *v = reinterpret_cast<float *>(
        pool.valueAt(slot / s.blockSize, slot % s.blockSize, h));
    for (int32_t d = 0; d < s.headDim; ++d)
      k[d] = tag * 1000 + layer * 100 + h * 10 + d;
    for (int32_t d = 0; d < s.valueHeadDim; ++d)
      v[d] = -(tag * 1000 + layer * 100 + h * 10 + d);
  }
}

/// Checks that row r of `id` (read through its block table, as
/// tok.paged_attention does) holds `tags[r]` in every layer.
void expectRows(KVCacheManager &kv, std::vector<HostKVPool> &pools, SeqId id,
                const std::vector<float> &tags) {
  std::vector<int32_t> table = *kv.blockTable(id);
  ASSERT_EQ(*kv.length(id), int64_t(tags.size()));
  int32_t bs = kv.blockSize();
  for (size_t layer = 0; layer < pools.size(); ++layer) {
    HostKVPool &pool = pools[layer];
    for (size_t r = 0; r < tags.size(); ++r) {
      int32_t block = table[r / bs], row = int32_t(r % bs);
      for (int32_t h = 0; h < pool.shape().numKVHeads; ++h) {
        auto *k = reinterpret_cast<float *>(pool.keyAt(block, row, h));
        auto *v = reinterpret_cast<float *>(pool.valueAt(block, row, h));
        EXPECT_EQ(k[1], tags[r] * 1000 + layer * 100 + h * 10 + 1)
            << "sequence " << id << " row " << r << " layer " << layer;
        EXPECT_EQ(v[0], -(tags[r] * 1000 + layer * 100 + h * 10));
      }
    }
  }
}

TEST(KVCacheManagerTest, ForkCopiesPartialBlockOnWrite) {
  KVCacheManager kv = makeManager(8, 4);
  std::vector<HostKVPool> pools;
  for (int i = 0; i < 2; ++i)
    pools.push_back(*HostKVPool::create({8, 4, 2, 3, 2, DType::f32}));
  std::vector<HostKVPool *> ptrs{&pools[0], &pools[1]};
  auto write = [&](const AppendResult &r, std::vector<float> &tags,
                   float first) {
    ASSERT_OK(applyBlockCopies(ptrs, r.copies));
    for (size_t i = 0; i < r.slots.size(); ++i) {
      for (int32_t layer = 0; layer < 2; ++layer)
        writeRow(pools[layer], layer, r.slots[i], first + float(i));
      tags.push_back(first + float(i));
    }
  };

  std::vector<float> parent, child;
  ASSERT_OK(kv.addSequence(1));
  write(*kv.append(1, 6), parent, 1); // blocks 0 (full) and 1 (2 rows)
  ASSERT_OK(kv.fork(1, 2));
  child = parent;
  EXPECT_EQ(kv.allocator().refCount(0), 2);
  EXPECT_EQ(kv.allocator().refCount(1), 2);
  EXPECT_EQ(kv.numFreeBlocks(), 6);
  EXPECT_EQ(*kv.blocksNeeded(1, 1), 1); // the copy

  // The parent writes into the shared partial block: it gets a copy.
  auto p = kv.append(1, 3);
  ASSERT_OK(p);
  ASSERT_EQ(p->copies.size(), 1u);
  EXPECT_EQ(p->copies[0].src, 1);
  write(*p, parent, 100);
  EXPECT_EQ(kv.allocator().refCount(1), 1); // the child's alone now
  EXPECT_EQ(kv.allocator().refCount(0), 2); // the full block stays shared

  // The child owns block 1 now, so it writes in place.
  auto c = kv.append(2, 2);
  ASSERT_OK(c);
  EXPECT_TRUE(c->copies.empty());
  EXPECT_EQ(c->slots, (std::vector<int32_t>{6, 7}));
  write(*c, child, 200);

  expectRows(kv, pools, 1, parent);
  expectRows(kv, pools, 2, child);
  EXPECT_EQ((*kv.blockTable(1))[0], (*kv.blockTable(2))[0]);

  ASSERT_OK(kv.free(1));
  expectRows(kv, pools, 2, child);
  ASSERT_OK(kv.free(2));
  EXPECT_EQ(kv.numFreeBlocks(), 8);
}

TEST(KVCacheManagerTest, ForkOfFullBlocksNeedsNoCopy) {
  KVCacheManager kv = makeManager(8, 4);
  ASSERT_OK(kv.addSequence(1));
  ASSERT_OK(kv.append(1, 8));
  ASSERT_OK(kv.fork(1, 2));
  ASSERT_OK(kv.fork(2, 3));
  EXPECT_EQ(kv.allocator().refCount(1), 3);
  for (SeqId id : {1, 2, 3}) {
    auto r = kv.append(id, 1);
    ASSERT_OK(r);
    EXPECT_TRUE(r->copies.empty());
  }
  EXPECT_EQ(kv.numFreeBlocks(), 3);
}

//===----------------------------------------------------------------------===//
// Window eviction
//===----------------------------------------------------------------------===//

TEST(KVCacheManagerTest, WindowEvictionReleasesWholeBlocks) {
  KVCacheManager kv = makeManager(16, 4, {6, 2});
  ASSERT_OK(kv.addSequence(1));
  ASSERT_OK(kv.append(1, 20)); // prefill: the first query needs everything
  EXPECT_EQ(kv.numFreeBlocks(), 11);
  // The query at position 20 needs sinks {0, 1} and positions 15..20; blocks
  // 1 (4..7) and 2 (8..11) go, block 3 (12..15) holds 15 and stays.
  auto r = kv.append(1, 1);
  ASSERT_OK(r);
  std::vector<int32_t> table = *kv.blockTable(1);
  ASSERT_EQ(table.size(), 4u);
  EXPECT_EQ((std::vector<int32_t>(table.begin(), table.begin() + 3)),
            (std::vector<int32_t>{0, 3, 4}));
  EXPECT_EQ(r->slots, (std::vector<int32_t>{table[3] * 4}));
  EXPECT_EQ(*kv.length(1), 13);
  EXPECT_EQ(*kv.numTokens(1), 21);
  EXPECT_EQ(*kv.positions(1), (std::vector<int64_t>{0, 1, 2, 3, 12, 13, 14, 15,
                                                    16, 17, 18, 19, 20}));
  EXPECT_EQ(kv.numFreeBlocks(), 12);
}

/// Row-space masks of tok.paged_attention (window/sinks over cache rows)
/// select exactly the position-space StreamingLLM keys, for every query of
/// random prefill chunks and decode steps.
TEST(KVCacheManagerTest, WindowEvictionMatchesPositionMasks) {
  std::mt19937_64 rng(7);
  for (int32_t bs : {1, 3, 4, 16})
    for (int64_t window : {1, 2, 5, 16, 33})
      for (int64_t sinks : {0, 1, 4, 6}) {
        KVCacheManager kv = makeManager(512, bs, {window, sinks});
        ASSERT_OK(kv.addSequence(0));
        for (int step = 0; step < 40; ++step) {
          int64_t n = step < 3 ? int64_t(rng() % 20) + 1 : 1;
          int64_t q0 = *kv.numTokens(0);
          ASSERT_OK(kv.append(0, n));
          std::vector<int64_t> pos = *kv.positions(0);
          int64_t rows = int64_t(pos.size());
          EXPECT_LE(int64_t(kv.blockTable(0)->size()),
                    (window + n + sinks) / bs + 3);
          for (int64_t i = 0; i < n; ++i) {
            int64_t q = q0 + i, r = rows - n + i;
            ASSERT_EQ(pos[r], q);
            std::set<int64_t> rowMask, posMask;
            for (int64_t j = 0; j <= r; ++j)
              if (j > r - window || j < sinks)
                rowMask.insert(pos[j]);
            for (int64_t p = 0; p <= q; ++p)
              if (p > q - window || p < sinks)
                posMask.insert(p);
            ASSERT_EQ(rowMask, posMask) << "bs=" << bs << " window=" << window
                                        << " sinks=" << sinks << " query " << q;
          }
        }
      }
}

//===----------------------------------------------------------------------===//
// Churn against a brute-force model
//===----------------------------------------------------------------------===//

/// What each sequence holds, row by row, and what each slot of the pools
/// holds (a tag per written token), kept without the manager's logic.
struct Model {
  struct Seq {
    std::vector<int64_t> pos;
    std::vector<int32_t> slots;
    std::vector<uint64_t> tags;
    int64_t tokens = 0;
  };
  int32_t bs = 0;
  int32_t numBlocks = 0;
  WindowEviction eviction;
  std::map<SeqId, Seq> seqs;
  std::vector<uint64_t> mem;
  uint64_t nextTag = 1;

  /// Sequences whose rows use `block`.
  int32_t users(int32_t block) const {
    int32_t n = 0;
    for (const auto &[id, seq] : seqs)
      n += std::any_of(seq.slots.begin(), seq.slots.end(),
                       [&](int32_t s) { return s / bs == block; });
    return n;
  }

  /// Drops the rows of blocks whose every row is a non-sink position no query
  /// from position `seq.tokens` on can see; returns the dropped blocks.
  std::set<int32_t> evict(Seq &seq) const {
    std::set<int32_t> dropped;
    if (eviction.window == 0)
      return dropped;
    int64_t threshold = seq.tokens - eviction.window + 1;
    std::map<int32_t, bool> evictable;
    for (size_t r = 0; r < seq.pos.size(); ++r) {
      bool out = seq.pos[r] >= eviction.sinks && seq.pos[r] < threshold;
      auto it = evictable.emplace(seq.slots[r] / bs, out).first;
      it->second = it->second && out;
    }
    Seq kept;
    kept.tokens = seq.tokens;
    for (size_t r = 0; r < seq.pos.size(); ++r) {
      if (evictable[seq.slots[r] / bs]) {
        dropped.insert(seq.slots[r] / bs);
        continue;
      }
      kept.pos.push_back(seq.pos[r]);
      kept.slots.push_back(seq.slots[r]);
      kept.tags.push_back(seq.tags[r]);
    }
    seq = kept;
    return dropped;
  }
};

void verify(const KVCacheManager &kv, const Model &model) {
  ASSERT_EQ(kv.numSequences(), model.seqs.size());
  std::vector<int32_t> refs(model.numBlocks, 0);
  int32_t bs = model.bs;
  for (const auto &[id, seq] : model.seqs) {
    ASSERT_TRUE(kv.contains(id));
    std::vector<int32_t> table = *kv.blockTable(id);
    int64_t rows = int64_t(seq.pos.size());
    ASSERT_EQ(*kv.length(id), rows);
    ASSERT_EQ(*kv.numTokens(id), seq.tokens);
    ASSERT_EQ(*kv.positions(id), seq.pos);
    ASSERT_EQ(int64_t(table.size()), (rows + bs - 1) / bs);
    std::set<int32_t> distinct(table.begin(), table.end());
    ASSERT_EQ(distinct.size(), table.size()) << "a block twice in one table";
    for (int32_t b : table) {
      ASSERT_TRUE(b >= 0 && b < model.numBlocks);
      ++refs[b];
    }
    for (int64_t r = 0; r < rows; ++r) {
      int32_t slot = table[r / bs] * bs + int32_t(r % bs);
      ASSERT_EQ(slot, seq.slots[r]) << "sequence " << id << " row " << r;
      ASSERT_EQ(model.mem[slot], seq.tags[r])
          << "sequence " << id << " row " << r << " was overwritten";
    }
  }
  int32_t free = 0;
  for (int32_t b = 0; b < model.numBlocks; ++b) {
    ASSERT_EQ(kv.allocator().refCount(b), refs[b]) << "block " << b;
    free += refs[b] == 0;
  }
  ASSERT_EQ(kv.numFreeBlocks(), free);
}

void runChurn(int32_t numBlocks, int32_t bs, WindowEviction eviction,
              uint64_t seed, int ops) {
  KVCacheManager kv = makeManager(numBlocks, bs, eviction);
  Model model;
  model.bs = bs;
  model.numBlocks = numBlocks;
  model.eviction = eviction;
  model.mem.assign(size_t(numBlocks) * bs, 0);
  std::mt19937_64 rng(seed);
  auto pick = [&](uint64_t n) { return rng() % n; };
  SeqId nextId = 0;
  auto randomLive = [&]() {
    auto it = model.seqs.begin();
    std::advance(it, pick(model.seqs.size()));
    return it->first;
  };
  int appendsOk = 0, appendsFull = 0, copies = 0, forks = 0;
  for (int op = 0; op < ops; ++op) {
    int kind = int(pick(100));
    // Free more often when the pool runs low so appends keep succeeding.
    if (kind >= 60 && kind < 75 && kv.numFreeBlocks() < numBlocks / 4)
      kind = 80;
    if (model.seqs.empty() || kind < 12) {
      SeqId id = nextId++;
      ASSERT_OK(kv.addSequence(id));
      model.seqs[id];
    } else if (kind < 60) {
      SeqId id = randomLive();
      int64_t n = pick(10) == 0 ? int64_t(pick(60)) : int64_t(pick(7));
      // The model's prediction of success.
      Model::Seq after = model.seqs[id];
      std::set<int32_t> dropped = model.evict(after);
      int64_t rows = int64_t(after.pos.size());
      bool partial = rows % bs != 0 && n > 0;
      bool copy = partial && model.users(after.slots.back() / bs) > 1;
      int64_t fresh = (rows + n + bs - 1) / bs - (rows + bs - 1) / bs;
      int64_t reclaimed = 0;
      for (int32_t b : dropped)
        reclaimed += model.users(b) == 1;
      int64_t need = fresh + (copy ? 1 : 0);
      int64_t have = kv.numFreeBlocks() + (n > 0 ? reclaimed : 0);
      int32_t freeBefore = kv.numFreeBlocks();
      auto r = kv.append(id, n);
      if (need > have) {
        ASSERT_FALSE(r.ok());
        ASSERT_EQ(r.status().message(),
                  "out of KV blocks: need " + std::to_string(need) + ", have " +
                      std::to_string(have) + " (sequence " +
                      std::to_string(id) + ", appending " + std::to_string(n) +
                      " tokens)");
        ++appendsFull;
      } else {
        ASSERT_OK(r);
        ++appendsOk;
        if (n > 0)
          model.seqs[id] = after;
        Model::Seq &seq = model.seqs[id];
        ASSERT_EQ(r->copies.size(), copy ? 1u : 0u);
        for (const BlockCopy &c : r->copies) {
          ASSERT_EQ(c.src, seq.slots.back() / bs);
          std::copy_n(model.mem.begin() + size_t(c.src) * bs, bs,
                      model.mem.begin() + size_t(c.dst) * bs);
          for (int32_t &s : seq.slots)
            if (s / bs == c.src)
              s = c.dst * bs + s % bs;
          ++copies;
        }
        ASSERT_EQ(int64_t(r->slots.size()), n);
        for (int32_t slot : r->slots) {
          int32_t block = slot / bs;
          bool mine = std::any_of(seq.slots.begin(), seq.slots.end(),
                                  [&](int32_t s) { return s / bs == block; });
          ASSERT_EQ(model.users(block), mine ? 1 : 0)
              << "slot " << slot << " lies in a block another sequence uses";
          seq.pos.push_back(seq.tokens++);
          seq.slots.push_back(slot);
          seq.tags.push_back(model.nextTag);
          model.mem[slot] = model.nextTag++;
        }
        ASSERT_EQ(kv.numFreeBlocks(),
                  freeBefore + (n > 0 ? reclaimed : 0) - need);
      }
    } else if (kind < 75) {
      SeqId parent = randomLive(), child = nextId++;
      ASSERT_OK(kv.fork(parent, child));
      model.seqs[child] = model.seqs[parent];
      ++forks;
    } else if (kind < 92) {
      SeqId id = randomLive();
      ASSERT_OK(kv.free(id));
      model.seqs.erase(id);
    } else {
      // Misuse: each fails and changes nothing.
      SeqId live = randomLive();
      SeqId dead = nextId + 1000;
      ASSERT_FALSE(kv.append(dead, 1).ok());
      ASSERT_FALSE(kv.fork(dead, nextId).ok());
      ASSERT_FALSE(kv.fork(live, live).ok());
      ASSERT_FALSE(kv.addSequence(live).ok());
      ASSERT_FALSE(kv.free(dead).ok());
      ASSERT_FALSE(kv.append(live, -1).ok());
    }
    ASSERT_NO_FATAL_FAILURE(verify(kv, model)) << "after op " << op;
  }
  EXPECT_GT(appendsOk, ops / 4);
  EXPECT_GT(appendsFull, ops / 100);
  EXPECT_GT(forks, ops / 20);
  if (bs > 1)
    EXPECT_GT(copies, ops / 200);
  std::printf("churn: %d appends, %d out of blocks, %d forks, %d copies\n",
              appendsOk, appendsFull, forks, copies);
  for (SeqId id : kv.sequenceIds())
    ASSERT_OK(kv.free(id));
  EXPECT_EQ(kv.numFreeBlocks(), numBlocks);
  for (int32_t b = 0; b < numBlocks; ++b)
    EXPECT_EQ(kv.allocator().refCount(b), 0);
}

TEST(KVCacheManagerTest, ChurnFull) { runChurn(48, 4, {}, 1, 12000); }
TEST(KVCacheManagerTest, ChurnBlockSizeOne) { runChurn(96, 1, {}, 2, 10000); }
TEST(KVCacheManagerTest, ChurnWindow) { runChurn(40, 3, {5, 2}, 3, 12000); }
TEST(KVCacheManagerTest, ChurnWindowNoSinks) {
  runChurn(40, 4, {8, 0}, 4, 10000);
}

} // namespace
