//===- SessionInputsTest.cpp - Host-built tables checked at the boundary --===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//
//
// Issue 13, item 1: slots, block tables and lengths that a host builds by
// hand (tokamak-run --input to a session-ABI @decode) index the K/V pools;
// out of range they wrote and read out of bounds. checkSessionInputs refuses
// them before the call, naming the input, the index and the value.
//
//===----------------------------------------------------------------------===//

#include "tokamak/runtime/ModelABI.h"

#include "gtest/gtest.h"

#include <cstring>

using namespace tokamak::rt;

namespace {

/// @decode of test/Integration/Decode/attention-full.mlir: 24 blocks of 4
/// rows, one K/V head of dim 8, vocabulary 32, one weight.
FunctionSignature decodeSignature(const std::string &name = "decode") {
  FunctionSignature fn;
  fn.name = name;
  fn.entry = "_tok_entry_" + name;
  fn.inputs = {{DType::i32, {kDynamicDim, 1}},
               {DType::i32, {kDynamicDim, 1}},
               {DType::i32, {kDynamicDim}},
               {DType::i32, {kDynamicDim, 1}},
               {DType::i32, {kDynamicDim, kDynamicDim}},
               {DType::i32, {kDynamicDim}},
               {DType::f32, {24, 4, 1, 8}},
               {DType::f32, {24, 4, 1, 8}},
               {DType::f32, {32, 16}}};
  fn.results = {{DType::f32, {kDynamicDim, 32}}};
  return fn;
}

HostTensor i32(std::vector<int64_t> shape, const std::vector<int32_t> &values) {
  HostTensor tensor = std::move(*HostTensor::create(DType::i32, shape));
  EXPECT_EQ(static_cast<size_t>(tensor.numel()), values.size());
  std::memcpy(tensor.rawData(), values.data(), values.size() * 4);
  return tensor;
}

HostTensor f32(std::vector<int64_t> shape) {
  return std::move(*HostTensor::create(DType::f32, std::move(shape)));
}

/// Two sequences decoding one token each: sequence 0 holds 5 rows (blocks
/// 0 and 1 of its table), sequence 1 holds 1 row (block 2).
struct DecodeInputs {
  std::vector<int32_t> tokens = {3, 7};
  std::vector<int32_t> positions = {4, 0};
  std::vector<int32_t> starts = {0, 1, 2};
  std::vector<int32_t> slots = {4, 8};
  std::vector<int32_t> table = {0, 1, 2, -1};
  std::vector<int32_t> lens = {5, 1};

  std::vector<HostTensor> tensors() const {
    std::vector<HostTensor> inputs;
    int64_t n = static_cast<int64_t>(tokens.size());
    int64_t seqs = static_cast<int64_t>(lens.size());
    inputs.push_back(i32({n, 1}, tokens));
    inputs.push_back(i32({n, 1}, positions));
    inputs.push_back(i32({static_cast<int64_t>(starts.size())}, starts));
    inputs.push_back(i32({n, 1}, slots));
    inputs.push_back(
        i32({seqs, static_cast<int64_t>(table.size()) / seqs}, table));
    inputs.push_back(i32({seqs}, lens));
    inputs.push_back(f32({24, 4, 1, 8}));
    inputs.push_back(f32({24, 4, 1, 8}));
    inputs.push_back(f32({32, 16}));
    return inputs;
  }
};

std::string check(const DecodeInputs &inputs,
                  const FunctionSignature &fn = decodeSignature()) {
  Status status = checkSessionInputs(fn, inputs.tensors());
  return status.ok() ? "ok" : status.message();
}

TEST(SessionInputsTest, AcceptsValidTables) {
  EXPECT_EQ(check(DecodeInputs()), "ok");
  // -1 skips the write; the last row of the pools is 95.
  DecodeInputs edge;
  edge.slots = {-1, 95};
  edge.table = {23, 0, 23, 7};
  edge.lens = {8, 4};
  EXPECT_EQ(check(edge), "ok");
  // Entries past a sequence's length are not read: anything goes there.
  DecodeInputs unused;
  unused.table = {0, 99, -5, 1000};
  unused.lens = {4, 0};
  EXPECT_EQ(check(unused), "ok");
}

TEST(SessionInputsTest, RefusesSlotsOutsideThePools) {
  // 100000 crashed with SIGSEGV; 96, one past the last row, corrupted the
  // heap.
  DecodeInputs far;
  far.slots = {4, 100000};
  EXPECT_EQ(check(far), "input 3 (slots) of @decode: slot 100000 at index 1 "
                        "is outside the K/V pools' 96 rows (-1 skips the "
                        "write)");
  DecodeInputs pastEnd;
  pastEnd.slots = {96, 8};
  EXPECT_EQ(check(pastEnd), "input 3 (slots) of @decode: slot 96 at index 0 "
                            "is outside the K/V pools' 96 rows (-1 skips the "
                            "write)");
  DecodeInputs negative;
  negative.slots = {-2, 8};
  EXPECT_EQ(check(negative), "input 3 (slots) of @decode: slot -2 at index 0 "
                             "is outside the K/V pools' 96 rows (-1 skips "
                             "the write)");
}

TEST(SessionInputsTest, RefusesBlocksOutsideThePools) {
  DecodeInputs past;
  past.table = {0, 24, 2, -1};
  EXPECT_EQ(check(past), "input 4 (block_table) of @decode: block 24 at [0, "
                         "1] is outside the K/V pools' 24 blocks");
  DecodeInputs negative;
  negative.table = {0, 1, -1, -1};
  EXPECT_EQ(check(negative), "input 4 (block_table) of @decode: block -1 at "
                             "[1, 0] is outside the K/V pools' 24 blocks");
}

TEST(SessionInputsTest, RefusesLengthsBeyondTheTable) {
  // Two table entries of 4 rows hold at most 8.
  DecodeInputs longer;
  longer.lens = {9, 1};
  EXPECT_EQ(check(longer), "input 5 (lens) of @decode: length 9 of sequence "
                           "0 is outside [0, 8] (2 blocks of 4 rows)");
  DecodeInputs negative;
  negative.lens = {5, -1};
  EXPECT_EQ(check(negative), "input 5 (lens) of @decode: length -1 of "
                             "sequence 1 is outside [0, 8] (2 blocks of 4 "
                             "rows)");
}

TEST(SessionInputsTest, RefusesTokensPositionsAndStarts) {
  DecodeInputs vocab;
  vocab.tokens = {3, 32};
  EXPECT_EQ(check(vocab), "input 0 (tokens) of @decode: token 32 at index 1 "
                          "is outside the vocabulary [0, 32)");
  DecodeInputs negativeToken;
  negativeToken.tokens = {-1, 3};
  EXPECT_EQ(check(negativeToken), "input 0 (tokens) of @decode: token -1 at "
                                  "index 0 is outside the vocabulary [0, 32)");
  DecodeInputs position;
  position.positions = {4, -7};
  EXPECT_EQ(check(position), "input 1 (positions) of @decode: position -7 at "
                             "index 1 is negative");
  DecodeInputs starts;
  starts.starts = {0, 1, 3};
  EXPECT_EQ(check(starts), "input 2 (seq_starts) of @decode: expected offsets "
                           "rising from 0 to the token count 2, got 3 at "
                           "index 2");
  DecodeInputs falling;
  falling.starts = {0, 2, 1};
  EXPECT_EQ(check(falling), "input 2 (seq_starts) of @decode: expected "
                            "offsets rising from 0 to the token count 2, got "
                            "1 at index 2");
  DecodeInputs rows;
  rows.lens = {5, 1, 1};
  rows.table = {0, 1, 2, -1, -1, -1};
  EXPECT_EQ(check(rows), "@decode: 3 sequences (lens 3xi32) need seq_starts "
                         "of 4 and block_table rows of 3, got 3xi32 and "
                         "3x2xi32");
}

TEST(SessionInputsTest, IgnoresOtherFunctions) {
  // Only the session ABI's @prefill and @decode have these meanings.
  DecodeInputs bad;
  bad.slots = {100000, 100000};
  EXPECT_EQ(check(bad, decodeSignature("main")), "ok");
  EXPECT_NE(check(bad, decodeSignature("prefill")), "ok");
  // Inputs of the wrong types are invoke()'s to name.
  std::vector<HostTensor> inputs = bad.tensors();
  inputs[3] = f32({2, 1});
  EXPECT_TRUE(checkSessionInputs(decodeSignature(), inputs).ok());
}

} // namespace

namespace {

/// decodeSignature with a second cache group (its own slots, table and lens
/// and a pool of 6 blocks) after the first group's pools.
FunctionSignature groupedSignature() {
  FunctionSignature fn = decodeSignature();
  std::vector<TensorSignature> group = {
      {DType::i32, {kDynamicDim, 1}},
      {DType::i32, {kDynamicDim, kDynamicDim}},
      {DType::i32, {kDynamicDim}},
      {DType::f32, {6, 4, 1, 8}},
      {DType::f32, {6, 4, 1, 8}}};
  fn.inputs.insert(fn.inputs.begin() + 8, group.begin(), group.end());
  return fn;
}

std::vector<HostTensor> groupedInputs(const std::vector<int32_t> &slots,
                                      const std::vector<int32_t> &table,
                                      const std::vector<int32_t> &lens) {
  std::vector<HostTensor> inputs = DecodeInputs().tensors();
  std::vector<HostTensor> group;
  group.push_back(i32({2, 1}, slots));
  group.push_back(i32({2, static_cast<int64_t>(table.size()) / 2}, table));
  group.push_back(i32({2}, lens));
  group.push_back(f32({6, 4, 1, 8}));
  group.push_back(f32({6, 4, 1, 8}));
  inputs.insert(inputs.begin() + 8, std::make_move_iterator(group.begin()),
                std::make_move_iterator(group.end()));
  return inputs;
}

} // namespace

TEST(SessionInputsTest, ChecksEveryCacheGroup) {
  FunctionSignature fn = groupedSignature();
  EXPECT_FALSE(
      checkSessionInputs(fn, groupedInputs({4, 8}, {0, 1, 2, -1}, {5, 1}))
          .failed());
  // Slot 24 is inside group 0's 96 rows but outside group 1's 24.
  Status slot =
      checkSessionInputs(fn, groupedInputs({4, 24}, {0, 1, 2, -1}, {5, 1}));
  EXPECT_EQ(slot.message(),
            "input 8 (slots of a cache group) of @decode: slot 24 at index 1 "
            "is outside the K/V pools' 24 rows (-1 skips the write)");
  Status block =
      checkSessionInputs(fn, groupedInputs({4, 8}, {0, 6, 2, -1}, {5, 1}));
  EXPECT_EQ(block.message(),
            "input 9 (block_table of a cache group) of @decode: block 6 at "
            "[0, 1] is outside the K/V pools' 6 blocks");
  Status len =
      checkSessionInputs(fn, groupedInputs({4, 8}, {0, 1, 2, -1}, {9, 1}));
  EXPECT_EQ(len.message(),
            "input 10 (lens of a cache group) of @decode: length 9 of "
            "sequence 0 is outside [0, 8] (2 blocks of 4 rows)");
}
