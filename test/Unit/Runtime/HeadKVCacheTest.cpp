//===- HeadKVCacheTest.cpp - Block tables per kv head ---------------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#include "tokamak/runtime/HeadKVCache.h"
#include "StatusTestUtils.h"

#include "gtest/gtest.h"

#include <cstring>

using namespace tokamak::rt;

namespace {

HeadKVCacheManager makeHeads(int32_t blocks, int32_t blockSize, int32_t heads,
                             const char *policy) {
  return *HeadKVCacheManager::forPolicy(*BlockAllocator::create(blocks),
                                        blockSize, heads,
                                        *KVPolicy::parse(policy));
}

/// Appends `n` tokens one at a time (decode steps).
void decodeSteps(HeadKVCacheManager &m, SeqId id, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    ASSERT_OK(m.append(id, 1));
}

// RazorAttention: head 0 keeps everything, the others keep 4 sinks and a
// window of 8. After 64 decode steps with blocks of 4 rows the full head
// holds 16 blocks and every other head its sink block plus the two blocks
// of the window (positions 56..63): 25 one-head blocks, where the full cache
// takes 64 (16 blocks x 4 heads) and the shared layout, whose blocks hold
// every head, cannot free a block that head 0 still reads.
TEST(HeadKVCacheTest, RetrievalHeadsKeepAllOthersEvictTheirOwnBlocks) {
  HeadKVCacheManager full = makeHeads(100, 4, 4, "full");
  HeadKVCacheManager razor =
      makeHeads(100, 4, 4, "window=8,sinks=4,full_heads=0");
  for (HeadKVCacheManager *m : {&full, &razor}) {
    ASSERT_OK(m->addSequence(7));
    decodeSteps(*m, 7, 64);
  }
  EXPECT_EQ(full.numUsedBlocks(), 64);
  EXPECT_EQ(razor.numUsedBlocks(), 25);
  EXPECT_EQ(*razor.blocksHeld(7), 25);
  EXPECT_EQ(*razor.lengths(7), (std::vector<int64_t>{64, 12, 12, 12}));
  EXPECT_EQ(*razor.numTokens(7), 64);
  std::vector<int64_t> kept = {0, 1, 2, 3};
  for (int64_t p = 56; p < 64; ++p)
    kept.push_back(p);
  EXPECT_EQ(*razor.head(2).positions(7), kept);
  // Freeing the sequence returns every block.
  ASSERT_OK(razor.free(7));
  EXPECT_EQ(razor.numUsedBlocks(), 0);
}

// Batch tables are [B, Hkv, MaxBlocks] and lens [B, Hkv]; slots are per head
// and point into each head's own blocks.
TEST(HeadKVCacheTest, BatchTablesAndSlotsPerHead) {
  HeadKVCacheManager m = makeHeads(40, 4, 2, "window=4,sinks=0,full_heads=1");
  ASSERT_OK(m.addSequence(1));
  ASSERT_OK(m.addSequence(2));
  decodeSteps(m, 1, 10);
  StatusOr<HeadAppendResult> appended = m.append(2, 3);
  ASSERT_OK(appended);
  ASSERT_EQ(appended->slots.size(), 2u);
  for (int32_t h = 0; h < 2; ++h) {
    std::vector<int32_t> table = *m.head(h).blockTable(2);
    ASSERT_EQ(appended->slots[size_t(h)].size(), 3u);
    for (int32_t r = 0; r < 3; ++r)
      EXPECT_EQ(appended->slots[size_t(h)][size_t(r)], table[0] * 4 + r);
  }
  StatusOr<HeadBatchTables> t = m.batchTables({1, 2}, 5, -1);
  ASSERT_OK(t);
  EXPECT_EQ(t->batch, 2);
  EXPECT_EQ(t->heads, 2);
  EXPECT_EQ(t->maxBlocks, 5);
  // Sequence 1: head 0 evicted blocks [0..3] (q0 = 9, threshold 6: block
  // [4..7] stays), head 1 keeps all 10 rows.
  EXPECT_EQ(t->lens, (std::vector<int32_t>{6, 10, 3, 3}));
  for (int64_t b = 0; b < 2; ++b)
    for (int32_t h = 0; h < 2; ++h) {
      std::vector<int32_t> table = *m.head(h).blockTable(b == 0 ? 1 : 2);
      for (int64_t j = 0; j < 5; ++j)
        EXPECT_EQ(t->table[size_t((b * 2 + h) * 5 + j)],
                  j < int64_t(table.size()) ? table[size_t(j)] : -1);
    }
  EXPECT_ERROR(m.batchTables({1}, 2),
               "a sequence of the batch holds 3 blocks in one kv head, "
               "more than max blocks 2");
}

// Compaction per head gives each head only the blocks its kept rows need,
// and moves the rows of one-head pools so that row r holds the r-th kept
// position.
TEST(HeadKVCacheTest, CompactionFreesBlocksPerHead) {
  HeadKVCacheManager m = makeHeads(32, 4, 2, "full");
  KVPoolShape shape;
  shape.numBlocks = 32;
  shape.blockSize = 4;
  shape.numKVHeads = 1;
  shape.headDim = 1;
  HostKVPool pool = *HostKVPool::create(shape);
  ASSERT_OK(m.addSequence(3));
  StatusOr<HeadAppendResult> appended = m.append(3, 32);
  ASSERT_OK(appended);
  // K of head h, position p = 100 h + p (V: its negative).
  for (int32_t h = 0; h < 2; ++h)
    for (int32_t p = 0; p < 32; ++p) {
      int32_t slot = appended->slots[size_t(h)][size_t(p)];
      float k = float(100 * h + p), v = -k;
      std::memcpy(pool.keyAt(slot / 4, slot % 4, 0), &k, sizeof(float));
      std::memcpy(pool.valueAt(slot / 4, slot % 4, 0), &v, sizeof(float));
    }
  EXPECT_EQ(m.numUsedBlocks(), 16);
  std::vector<int64_t> all(32);
  for (int64_t p = 0; p < 32; ++p)
    all[size_t(p)] = p;
  KeepPlan keep = {all, {0, 1, 9, 20, 31}};
  StatusOr<std::vector<int64_t>> lens = compactHeadsHost(m, {&pool}, 3, keep);
  ASSERT_OK(lens);
  EXPECT_EQ(*lens, (std::vector<int64_t>{32, 5}));
  EXPECT_EQ(*m.lengths(3), (std::vector<int64_t>{32, 5}));
  EXPECT_EQ(m.numUsedBlocks(), 8 + 2);
  // Head 0 kept every row, in fresh blocks.
  std::vector<int32_t> table0 = *m.head(0).blockTable(3);
  ASSERT_EQ(table0.size(), 8u);
  for (int32_t r = 0; r < 32; ++r) {
    float k;
    std::memcpy(&k, pool.keyAt(table0[size_t(r / 4)], r % 4, 0), sizeof(k));
    EXPECT_EQ(k, float(r)) << "row " << r;
  }
  std::vector<int32_t> table = *m.head(1).blockTable(3);
  ASSERT_EQ(table.size(), 2u);
  for (size_t r = 0; r < keep[1].size(); ++r) {
    float k, v;
    std::memcpy(&k, pool.keyAt(table[r / 4], int32_t(r % 4), 0), sizeof(k));
    std::memcpy(&v, pool.valueAt(table[r / 4], int32_t(r % 4), 0), sizeof(v));
    EXPECT_EQ(k, float(100 + keep[1][r]));
    EXPECT_EQ(v, -float(100 + keep[1][r]));
  }
  // Appends continue after each head's own rows.
  StatusOr<HeadAppendResult> next = m.append(3, 1);
  ASSERT_OK(next);
  EXPECT_EQ(*m.lengths(3), (std::vector<int64_t>{33, 6}));
  EXPECT_EQ(next->slots[1][0], table[1] * 4 + 1);
  EXPECT_EQ(*m.numTokens(3), 33);
}

// Forks share every head's blocks; appending to a shared partial block
// copies it per head.
TEST(HeadKVCacheTest, ForkSharesBlocksPerHead) {
  HeadKVCacheManager m = makeHeads(16, 4, 2, "full");
  ASSERT_OK(m.addSequence(1));
  ASSERT_OK(m.append(1, 6));
  EXPECT_EQ(m.numUsedBlocks(), 4);
  ASSERT_OK(m.fork(1, 2));
  EXPECT_EQ(m.numUsedBlocks(), 4);
  StatusOr<HeadAppendResult> appended = m.append(2, 1);
  ASSERT_OK(appended);
  EXPECT_EQ(appended->copies.size(), 2u);
  EXPECT_EQ(m.numUsedBlocks(), 6);
  EXPECT_ERROR(m.fork(1, 2), "sequence 2 already exists");
}

// Errors leave everything unchanged.
TEST(HeadKVCacheTest, ErrorsChangeNothing) {
  HeadKVCacheManager m = makeHeads(5, 4, 2, "full");
  ASSERT_OK(m.addSequence(1));
  ASSERT_OK(m.append(1, 8));
  EXPECT_ERROR(m.append(1, 1), "out of KV blocks: need 2, have 1 (sequence 1, "
                               "appending 1 tokens to 2 kv heads)");
  EXPECT_EQ(*m.lengths(1), (std::vector<int64_t>{8, 8}));
  EXPECT_EQ(m.numUsedBlocks(), 4);
  EXPECT_ERROR(m.compact(1, {{0, 1}}),
               "expected one kept list per kv head (2) of sequence 1, "
               "got 1");
  EXPECT_ERROR(m.compact(1, {{0, 1}, {3, 2}}),
               "kv head 1 of sequence 1: kept positions must be "
               "strictly increasing positions the head holds, got 2");
  EXPECT_ERROR(m.compact(1, {{0, 1}, {8}}),
               "kv head 1 of sequence 1: kept positions must be "
               "strictly increasing positions the head holds, got 8");
  EXPECT_EQ(m.numUsedBlocks(), 4);
  EXPECT_ERROR(m.append(9, 1),
               "unknown sequence 9 (never added or already freed)");

  HeadKVCacheManager w = makeHeads(8, 4, 2, "window=4,full_heads=1");
  ASSERT_OK(w.addSequence(1));
  ASSERT_OK(w.append(1, 2));
  EXPECT_ERROR(w.compact(1, {{0}, {0}}),
               "cannot compact kv head 0 of sequence 1: it evicts by "
               "window");
  EXPECT_ERROR(
      HeadKVCacheManager::forPolicy(*BlockAllocator::create(4), 4, 2,
                                    *KVPolicy::parse("window=4,full_heads=2")),
      "kv policy 'window=4,sinks=0,full_heads=2': full head 2 is not a kv "
      "head (the model has 2)");
}

} // namespace
