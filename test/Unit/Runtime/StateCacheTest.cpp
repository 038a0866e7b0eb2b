//===- StateCacheTest.cpp - Recurrent state slots -------------------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#include "tokamak/runtime/StateCache.h"
#include "StatusTestUtils.h"

#include "gtest/gtest.h"

#include <cstring>

using namespace tokamak::rt;

namespace {

/// A Mamba layer (selective_scan [Dm, N] + conv1d [C, K-1]) and a Gated
/// DeltaNet layer (linear_scan [H, Dk, Dv], bf16 conv state).
StateCache makeCache() {
  return *StateCache::create({{0, "ssm", {6, 4}, DType::f32},
                              {0, "conv", {6, 3}, DType::f32},
                              {1, "linear", {2, 3, 5}, DType::f32},
                              {1, "conv", {4, 3}, DType::bf16}});
}

float *floats(StateCache &cache, SeqId id, size_t state) {
  return reinterpret_cast<float *>(*cache.data(id, state));
}

TEST(StateCacheTest, LayoutAndLookup) {
  StateCache cache = makeCache();
  EXPECT_EQ(cache.numStates(), 4u);
  EXPECT_EQ(*cache.find(1, "conv"), 3u);
  EXPECT_EQ(cache.stateBytes(0), 6u * 4 * 4);
  EXPECT_EQ(cache.stateBytes(3), 4u * 3 * 2);
  EXPECT_EQ(cache.batchShape(2, 8), (std::vector<int64_t>{8, 2, 3, 5}));
  EXPECT_EQ(cache.bytesPerSequence(), 96u + 32 + 72 + 56 + 120 + 8 + 24);
  EXPECT_ERROR(cache.find(2, "ssm"), "no state 'ssm' in layer 2");
  EXPECT_ERROR(StateCache::create(
                   {{0, "a", {2}, DType::f32}, {0, "a", {3}, DType::f32}}),
               "state 'a' of layer 0 declared twice");
  EXPECT_ERROR(StateCache::create({{3, "b", {2, -1}, DType::f32}}),
               "state 'b' of layer 3 has negative dim -1");
  // A kernel of width 1 has an empty conv state.
  auto empty = StateCache::create({{0, "conv", {8, 0}, DType::f32}});
  ASSERT_OK(empty);
  ASSERT_OK(empty->addSequence(1));
  auto gathered = empty->gather(0, {1, 1});
  ASSERT_OK(gathered);
  EXPECT_TRUE(gathered->empty());
}

TEST(StateCacheTest, AllocForkFree) {
  StateCache cache = makeCache();
  ASSERT_OK(cache.addSequence(10));
  for (size_t s = 0; s < cache.numStates(); ++s) {
    const uint8_t *bytes = *cache.data(10, s);
    for (size_t i = 0; i < cache.stateBytes(s); ++i)
      ASSERT_EQ(bytes[i], 0) << "state " << s << " starts non-zero";
  }
  floats(cache, 10, 0)[5] = 2.5f;
  floats(cache, 10, 2)[29] = -1.0f;
  ASSERT_OK(cache.fork(10, 11));
  EXPECT_EQ(floats(cache, 11, 0)[5], 2.5f);
  EXPECT_EQ(floats(cache, 11, 2)[29], -1.0f);
  floats(cache, 11, 0)[5] = 7.0f; // the fork is a copy
  EXPECT_EQ(floats(cache, 10, 0)[5], 2.5f);

  ASSERT_OK(cache.reset(10));
  EXPECT_EQ(floats(cache, 10, 0)[5], 0.0f);
  ASSERT_OK(cache.free(10));
  EXPECT_FALSE(cache.contains(10));
  EXPECT_EQ(cache.numSequences(), 1u);
  ASSERT_OK(cache.addSequence(10)); // a new sequence starts at zero again
  EXPECT_EQ(floats(cache, 10, 2)[29], 0.0f);
}

TEST(StateCacheTest, MisuseIsAnError) {
  StateCache cache = makeCache();
  ASSERT_OK(cache.addSequence(1));
  EXPECT_ERROR(cache.addSequence(1), "sequence 1 already exists");
  EXPECT_ERROR(cache.fork(1, 1), "cannot fork sequence 1 onto existing "
                                 "sequence 1");
  EXPECT_ERROR(cache.fork(2, 3),
               "unknown sequence 2 (never added or already freed)");
  EXPECT_ERROR(cache.data(1, 4), "state 4 out of range (4 states)");
  ASSERT_OK(cache.free(1));
  EXPECT_ERROR(cache.free(1),
               "unknown sequence 1 (never added or already freed)");
  EXPECT_ERROR(cache.data(1, 0),
               "unknown sequence 1 (never added or already freed)");
}

TEST(StateCacheTest, GatherScatter) {
  StateCache cache = makeCache();
  for (SeqId id : {3, 5, 9})
    ASSERT_OK(cache.addSequence(id));
  size_t ssm = *cache.find(0, "ssm");
  size_t n = cache.stateBytes(ssm) / sizeof(float);
  for (SeqId id : {3, 5, 9})
    for (size_t i = 0; i < n; ++i)
      floats(cache, id, ssm)[i] = float(id * 100 + int64_t(i));

  // [B, Dm, N] in batch order, ids may repeat.
  std::vector<SeqId> batch{9, 3, 9};
  auto packed = cache.gather(ssm, batch);
  ASSERT_OK(packed);
  ASSERT_EQ(packed->size(), 3 * cache.stateBytes(ssm));
  const auto *rows = reinterpret_cast<const float *>(packed->data());
  for (size_t b = 0; b < batch.size(); ++b)
    for (size_t i = 0; i < n; ++i)
      ASSERT_EQ(rows[b * n + i], float(batch[b] * 100 + int64_t(i)));

  // A kernel writes h_L back.
  std::vector<float> next(2 * n);
  for (size_t i = 0; i < next.size(); ++i)
    next[i] = -float(i);
  ASSERT_OK(
      cache.scatter(ssm, {5, 3}, next.data(), next.size() * sizeof(float)));
  EXPECT_EQ(floats(cache, 5, ssm)[1], -1.0f);
  EXPECT_EQ(floats(cache, 3, ssm)[1], -float(n + 1));
  EXPECT_EQ(floats(cache, 9, ssm)[1], 901.0f);
  EXPECT_EQ(floats(cache, 5, *cache.find(0, "conv"))[0], 0.0f)
      << "scatter touched another state";

  EXPECT_ERROR(
      cache.scatter(ssm, {5, 5}, next.data(), next.size() * sizeof(float)),
      "sequence 5 appears twice in a state scatter");
  EXPECT_EQ(floats(cache, 5, ssm)[1], -1.0f);
  EXPECT_ERROR(cache.scatter(ssm, {5, 3}, next.data(), 12),
               "expected a buffer of 192 bytes for 2 sequences of state "
               "'ssm' of layer 0, got 12");
  EXPECT_ERROR(cache.gather(ssm, {5, 4}),
               "unknown sequence 4 (never added or already freed)");
  EXPECT_ERROR(cache.gather(9, {5}), "state 9 out of range (4 states)");
  std::vector<uint8_t> small(8);
  EXPECT_ERROR(cache.gather(ssm, {5}, small.data(), small.size()),
               "expected a buffer of 96 bytes for 1 sequences of state 'ssm' "
               "of layer 0, got 8");
}

} // namespace
