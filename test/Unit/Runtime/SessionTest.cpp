//===- SessionTest.cpp - Batched decoding through rt::Session -------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//
//
// A fake model written in C++ implements the model ABI of ModelABI.h over
// raw memref descriptors: it stores (token, position) in the K and V rows at
// the slots it is given, reads every row of a sequence back through the
// block table and returns logits[v] = bias[v] + (rows holding token v), plus
// a running token sum (its recurrent state) in logits[0]. The tests drive
// it through rt::Session and check what the session passed and stored.
//
//===----------------------------------------------------------------------===//

#include "tokamak/runtime/Session.h"
#include "StatusTestUtils.h"

#include "tokamak/runtime/Npy.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>
#include <tuple>
#include <unistd.h>
#include <utility>
#include <vector>

using namespace tokamak::rt;

namespace {

//===----------------------------------------------------------------------===//
// The fake model
//===----------------------------------------------------------------------===//

/// Shapes and functions of the fake model.
struct FakeConfig {
  int64_t numBlocks = 8; ///< kDynamicDim: `?` in the signature
  int64_t blockSize = 4;
  int64_t maxBlocks = kDynamicDim;
  int64_t vocab = 16;
  bool withState = false;
  bool withPrefill = true;
  /// > 0: the per-head layout with this many kv heads (slots [X, Hkv, Y],
  /// tables [N, Hkv, MaxBlocks], lens [N, Hkv], one-head blocks).
  int64_t heads = 0;
  /// > 0: a second cache group (slots, table and lens of its own) with one
  /// attention layer over a pool of this many blocks.
  int64_t group1Blocks = 0;
  /// > 0: also @prefill_stats with this observation window, whose stats
  /// `[1, Hkv, T]` vote each token's id for its position in kv head 0, and
  /// 16 - id in kv head 1 (the per-head layout).
  int64_t snapkvObs = 0;
  /// Also @prefill_h2o (stats [1, 1, T]: each token's id) and @decode_stats
  /// (stats [B, 1, MaxBlocks * BlockSize]: the id of the token each cache
  /// row holds, 0 past the length).
  bool h2o = false;
};

/// What the fake model saw.
struct FakeLog {
  std::vector<std::string> calls;
  std::vector<int64_t> tokenShape;
  std::vector<int32_t> tokens, positions, seqStarts, slots, table, lens;
  std::vector<int64_t> tableShape;
  /// Cache group 1's arguments.
  std::vector<int32_t> slots1, table1, lens1;
};

FakeConfig gConfig;
FakeLog gLog;
/// Whether the running call is @prefill_stats or @prefill_h2o, and whether
/// it is @decode_stats.
bool gStats = false;
bool gDecodeStats = false;

struct Memref {
  void *data = nullptr;
  std::vector<int64_t> sizes;
  int64_t numel() const {
    int64_t n = 1;
    for (int64_t s : sizes)
      n *= s;
    return n;
  }
  template <typename T> T *as() const { return static_cast<T *>(data); }
  template <typename T> std::vector<T> copy() const {
    return std::vector<T>(as<T>(), as<T>() + numel());
  }
};

/// Input `i`, a rank-`rank` descriptor (the runtime passes offset 0).
Memref readArg(void **args, size_t i, size_t rank) {
  const int64_t *words = static_cast<const int64_t *>(args[i]);
  Memref m;
  std::memcpy(&m.data, &words[1], sizeof(void *));
  m.data = static_cast<char *>(m.data) + words[2] * 4;
  m.sizes.assign(words + 3, words + 3 + rank);
  return m;
}

/// Fills result descriptor `i` with a fresh malloc'ed f32 buffer.
float *writeResult(void **args, size_t i, const std::vector<int64_t> &sizes) {
  int64_t numel = 1;
  for (int64_t s : sizes)
    numel *= s;
  float *data = static_cast<float *>(std::malloc(size_t(numel + 1) * 4));
  int64_t *words = static_cast<int64_t *>(args[i]);
  std::memcpy(&words[0], &data, sizeof(void *));
  std::memcpy(&words[1], &data, sizeof(void *));
  words[2] = 0;
  int64_t stride = 1;
  for (size_t d = sizes.size(); d-- > 0;) {
    words[3 + d] = sizes[d];
    words[3 + sizes.size() + d] = stride;
    stride *= sizes[d];
  }
  return data;
}

void runFake(void **args) {
  const FakeConfig &c = gConfig;
  Memref tokens = readArg(args, 0, 2), positions = readArg(args, 1, 2);
  bool perHead = c.heads > 0;
  int64_t heads = perHead ? c.heads : 1;
  Memref starts = readArg(args, 2, 1),
         slots = readArg(args, 3, perHead ? 3 : 2);
  Memref table = readArg(args, 4, perHead ? 3 : 2),
         lens = readArg(args, 5, perHead ? 2 : 1);
  Memref keys = readArg(args, 6, 4), values = readArg(args, 7, 4);
  size_t next = 8;
  Memref slots1, table1, lens1, keys1, values1;
  bool grouped = c.group1Blocks > 0;
  if (grouped) {
    slots1 = readArg(args, 8, 2);
    table1 = readArg(args, 9, 2);
    lens1 = readArg(args, 10, 1);
    keys1 = readArg(args, 11, 4);
    values1 = readArg(args, 12, 4);
    next = 13;
    gLog.slots1 = slots1.copy<int32_t>();
    gLog.table1 = table1.copy<int32_t>();
    gLog.lens1 = lens1.copy<int32_t>();
  }
  Memref state;
  if (c.withState)
    state = readArg(args, next++, 2);
  Memref bias = readArg(args, next++, 1);
  size_t numInputs = next;

  gLog.tokenShape = tokens.sizes;
  gLog.tokens = tokens.copy<int32_t>();
  gLog.positions = positions.copy<int32_t>();
  gLog.seqStarts = starts.copy<int32_t>();
  gLog.slots = slots.copy<int32_t>();
  gLog.table = table.copy<int32_t>();
  gLog.tableShape = table.sizes;
  gLog.lens = lens.copy<int32_t>();

  // K and V rows are [Hkv = 1, D = 2] = (token, position); per head, the
  // slot of token t = x * Y + y (tokens [X, Y]) is slots[x, h, y].
  int64_t ys = tokens.sizes[1];
  for (int64_t t = 0; t < tokens.numel(); ++t)
    for (int64_t h = 0; h < heads; ++h) {
      int32_t slot =
          slots.as<int32_t>()[(t / ys) * heads * ys + h * ys + t % ys];
      if (slot < 0)
        continue;
      for (float *pool : {keys.as<float>(), values.as<float>()}) {
        pool[slot * 2] = float(tokens.as<int32_t>()[t]);
        pool[slot * 2 + 1] = float(positions.as<int32_t>()[t]);
      }
    }
  // Cache group 1 stores the same rows through its own slots.
  if (grouped)
    for (int64_t t = 0; t < tokens.numel(); ++t) {
      int32_t slot = slots1.as<int32_t>()[t];
      if (slot < 0)
        continue;
      for (float *pool : {keys1.as<float>(), values1.as<float>()}) {
        pool[slot * 2] = float(tokens.as<int32_t>()[t]);
        pool[slot * 2 + 1] = float(positions.as<int32_t>()[t]);
      }
    }
  int64_t n = lens.sizes[0], vocab = c.vocab, width = table.sizes.back();
  float *logits = writeResult(args, numInputs, {n, vocab});
  float *newState =
      c.withState ? writeResult(args, numInputs + 1, {n, 1}) : nullptr;
  if (gStats) {
    int64_t numel = tokens.numel();
    float *stats = writeResult(args, numInputs + 1, {1, heads, numel});
    for (int64_t h = 0; h < heads; ++h)
      for (int64_t t = 0; t < numel; ++t)
        stats[h * numel + t] = h == 0 ? float(tokens.as<int32_t>()[t])
                                      : float(16 - tokens.as<int32_t>()[t]);
  }
  float *rowStats = gDecodeStats ? writeResult(args, numInputs + 1,
                                               {n, 1, width * c.blockSize})
                                 : nullptr;
  for (int64_t i = 0; i < n; ++i) {
    if (rowStats)
      for (int64_t r = 0; r < width * c.blockSize; ++r) {
        float &stat = rowStats[i * width * c.blockSize + r];
        stat = 0.0f;
        if (r < lens.as<int32_t>()[i]) {
          int32_t block = table.as<int32_t>()[i * width + r / c.blockSize];
          stat = keys.as<float>()[(block * c.blockSize + r % c.blockSize) * 2];
        }
      }
    for (int64_t v = 0; v < vocab; ++v)
      logits[i * vocab + v] = bias.as<float>()[v];
    // Every row of every head counts its token once.
    for (int64_t h = 0; h < heads; ++h)
      for (int32_t r = 0; r < lens.as<int32_t>()[i * heads + h]; ++r) {
        int32_t block =
            table.as<int32_t>()[(i * heads + h) * width + r / c.blockSize];
        const float *row =
            keys.as<float>() + (block * c.blockSize + r % c.blockSize) * 2;
        logits[i * vocab + int64_t(row[0])] += 1.0f;
      }
    // Group 1's rows count 100 each, so the logits tell the groups apart.
    if (grouped)
      for (int32_t r = 0; r < lens1.as<int32_t>()[i]; ++r) {
        int32_t block =
            table1.as<int32_t>()[i * table1.sizes[1] + r / c.blockSize];
        const float *row =
            keys1.as<float>() + (block * c.blockSize + r % c.blockSize) * 2;
        logits[i * vocab + int64_t(row[0])] += 100.0f;
      }
    if (newState) {
      float sum = state.as<float>()[i];
      for (int32_t t = starts.as<int32_t>()[i]; t < starts.as<int32_t>()[i + 1];
           ++t)
        sum += float(tokens.as<int32_t>()[t]);
      newState[i] = sum;
      logits[i * vocab] += sum;
    }
  }
}

void fakePrefill(void **args) {
  gLog.calls.push_back("prefill");
  runFake(args);
}
void fakePrefillStats(void **args) {
  gLog.calls.push_back("prefill_stats");
  gStats = true;
  runFake(args);
  gStats = false;
}
void fakeDecode(void **args) {
  gLog.calls.push_back("decode");
  runFake(args);
}
void fakePrefillH2O(void **args) {
  gLog.calls.push_back("prefill_h2o");
  gStats = true;
  runFake(args);
  gStats = false;
}
void fakeDecodeStats(void **args) {
  gLog.calls.push_back("decode_stats");
  gDecodeStats = true;
  runFake(args);
  gDecodeStats = false;
}

/// The fake model as an Executable.
class FakeModel : public Executable {
public:
  explicit FakeModel(const FakeConfig &config) {
    gConfig = config;
    gLog = FakeLog();
    if (config.withPrefill)
      meta.functions.push_back(signature("prefill", true));
    meta.functions.push_back(signature("decode", false));
    if (config.snapkvObs > 0) {
      FunctionSignature stats = signature("prefill_stats", true);
      stats.results.push_back(
          {DType::f32, {1, std::max<int64_t>(config.heads, 1), -1}});
      meta.functions.push_back(stats);
      meta.model = ModelInfo();
      meta.model->snapkvObs = config.snapkvObs;
    }
    if (config.h2o) {
      FunctionSignature prefill = signature("prefill_h2o", true);
      prefill.results.push_back({DType::f32, {1, 1, -1}});
      meta.functions.push_back(prefill);
      FunctionSignature decode = signature("decode_stats", false);
      decode.results.push_back({DType::f32, {-1, 1, -1}});
      meta.functions.push_back(decode);
      if (!meta.model)
        meta.model = ModelInfo();
      meta.model->h2o = true;
    }
  }
  const ModuleMetadata &metadata() const override { return meta; }
  void *lookupEntry(const std::string &symbol) override {
    if (symbol == "_tok_entry_prefill")
      return reinterpret_cast<void *>(&fakePrefill);
    if (symbol == "_tok_entry_decode")
      return reinterpret_cast<void *>(&fakeDecode);
    if (symbol == "_tok_entry_prefill_stats")
      return reinterpret_cast<void *>(&fakePrefillStats);
    if (symbol == "_tok_entry_prefill_h2o")
      return reinterpret_cast<void *>(&fakePrefillH2O);
    if (symbol == "_tok_entry_decode_stats")
      return reinterpret_cast<void *>(&fakeDecodeStats);
    return nullptr;
  }
  ModuleMetadata meta;

private:
  static FunctionSignature signature(const std::string &name, bool packed) {
    const FakeConfig &c = gConfig;
    FunctionSignature fn;
    fn.name = name;
    fn.entry = "_tok_entry_" + name;
    std::vector<int64_t> tokens =
        packed ? std::vector<int64_t>{1, -1} : std::vector<int64_t>{-1, 1};
    fn.inputs = {{DType::i32, tokens},
                 {DType::i32, tokens},
                 {DType::i32, {-1}},
                 {DType::i32, tokens},
                 {DType::i32, {-1, c.maxBlocks}},
                 {DType::i32, {-1}}};
    if (c.heads > 0) {
      fn.inputs[3] = {DType::i32, packed
                                      ? std::vector<int64_t>{1, c.heads, -1}
                                      : std::vector<int64_t>{-1, c.heads, 1}};
      fn.inputs[4] = {DType::i32, {-1, c.heads, c.maxBlocks}};
      fn.inputs[5] = {DType::i32, {-1, c.heads}};
    }
    std::vector<int64_t> pool = {c.numBlocks, c.blockSize, 1, 2};
    fn.inputs.push_back({DType::f32, pool});
    fn.inputs.push_back({DType::f32, pool});
    if (c.group1Blocks > 0) {
      fn.inputs.push_back({DType::i32, tokens});
      fn.inputs.push_back({DType::i32, {-1, -1}});
      fn.inputs.push_back({DType::i32, {-1}});
      std::vector<int64_t> pool1 = {c.group1Blocks, c.blockSize, 1, 2};
      fn.inputs.push_back({DType::f32, pool1});
      fn.inputs.push_back({DType::f32, pool1});
    }
    if (c.withState)
      fn.inputs.push_back({DType::f32, {-1, 1}});
    fn.inputs.push_back({DType::f32, {c.vocab}});
    fn.results.push_back({DType::f32, {-1, c.vocab}});
    if (c.withState)
      fn.results.push_back({DType::f32, {-1, 1}});
    return fn;
  }
};

HostTensor zeros(std::vector<int64_t> shape) {
  return std::move(*HostTensor::create(DType::f32, std::move(shape)));
}

std::unique_ptr<Session> makeSession(const FakeConfig &config,
                                     SessionOptions options = {}) {
  auto model = std::make_shared<FakeModel>(config);
  std::vector<HostTensor> weights;
  weights.push_back(zeros({config.vocab}));
  StatusOr<std::unique_ptr<Session>> session =
      Session::create(model, std::move(weights), std::move(options));
  EXPECT_TRUE(session.ok()) << session.status().message();
  return session.ok() ? std::move(*session) : nullptr;
}

/// (token, position) of every cache row of `id`, read through its table.
std::vector<std::pair<int, int>> cachedRows(const Session &session, SeqId id) {
  std::vector<int32_t> table = *session.blockTable(id);
  int64_t rows = *session.cacheRows(id);
  int32_t bs = session.abi().blockSize();
  const float *keys = reinterpret_cast<const float *>(session.kvPool(0).keys());
  std::vector<std::pair<int, int>> out;
  for (int64_t r = 0; r < rows; ++r) {
    const float *row = keys + (table[size_t(r / bs)] * bs + r % bs) * 2;
    out.emplace_back(int(row[0]), int(row[1]));
  }
  return out;
}

/// The (token, position) pairs of `tokens` starting at position `first`.
std::vector<std::pair<int, int>> history(const std::vector<int32_t> &tokens,
                                         int first = 0) {
  std::vector<std::pair<int, int>> out;
  for (size_t i = 0; i < tokens.size(); ++i)
    out.emplace_back(tokens[i], first + int(i));
  return out;
}

/// Logits the fake returns for a sequence holding `tokens`.
std::vector<float> countLogits(const std::vector<int32_t> &tokens,
                               int64_t vocab, float state = 0) {
  std::vector<float> out(size_t(vocab), 0.0f);
  for (int32_t t : tokens)
    out[size_t(t)] += 1.0f;
  out[0] += state;
  return out;
}

std::vector<float> row(const HostTensor &logits, int64_t b) {
  int64_t vocab = logits.shape()[1];
  return std::vector<float>(logits.data<float>() + b * vocab,
                            logits.data<float>() + (b + 1) * vocab);
}

//===----------------------------------------------------------------------===//
// The model ABI
//===----------------------------------------------------------------------===//

TEST(ModelABITest, DerivesTheLayout) {
  FakeConfig config;
  config.withState = true;
  FakeModel model(config);
  StatusOr<ModelABI> abi = ModelABI::derive(model.metadata(), 1);
  ASSERT_OK(abi);
  EXPECT_TRUE(abi->hasPrefill);
  ASSERT_EQ(abi->numKVLayers(), 1u);
  EXPECT_EQ(abi->kvLayers[0].numBlocks, 8);
  EXPECT_EQ(abi->kvLayers[0].blockSize, 4);
  EXPECT_EQ(abi->kvLayers[0].numKVHeads, 1);
  EXPECT_EQ(abi->kvLayers[0].headDim, 2);
  ASSERT_EQ(abi->states.size(), 1u);
  EXPECT_EQ(abi->states[0].shape, (std::vector<int64_t>{1}));
  ASSERT_EQ(abi->weights.size(), 1u);
  EXPECT_EQ(abi->weights[0].str(), "16xf32");
  EXPECT_EQ(abi->vocab, 16);
  EXPECT_EQ(abi->maxBlocks, kDynamicDim);
  EXPECT_EQ(abi->keyArg(0), 6u);
  EXPECT_EQ(abi->stateArg(0), 8u);
  EXPECT_EQ(abi->weightArg(0), 9u);
  EXPECT_EQ(abi->numInputs(), 10u);
}

TEST(ModelABITest, DynamicPoolDimsComeFromTheOptions) {
  FakeConfig config;
  config.numBlocks = kDynamicDim;
  FakeModel model(config);
  EXPECT_ERROR(ModelABI::derive(model.metadata(), 1),
               "@decode: argument 6 (?x4x1x2xf32) has a dynamic number of "
               "blocks; set numBlocks");
  ModelABIOptions options;
  options.numBlocks = 5;
  StatusOr<ModelABI> abi = ModelABI::derive(model.metadata(), 1, options);
  ASSERT_OK(abi);
  EXPECT_EQ(abi->numBlocks(), 5);
  options.blockSize = 8;
  EXPECT_ERROR(ModelABI::derive(model.metadata(), 1, options),
               "@decode: argument 6 (?x4x1x2xf32) has block size 4 but "
               "blockSize is 8");
}

TEST(ModelABITest, Errors) {
  FakeConfig config;
  FakeModel model(config);
  ModelABIOptions options;
  options.decodeFunction = "step";
  EXPECT_ERROR(ModelABI::derive(model.metadata(), 1, options),
               "the model exports no @step function");
  // Two weights leave one argument between the leading six and them.
  EXPECT_ERROR(
      ModelABI::derive(model.metadata(), 2),
      "@decode returns 0 recurrent states after the logits, so of its 1 "
      "arguments between the leading 6 and the 2 weights the last 0 are "
      "states and the rest K/V cache pairs, but an odd number is left");
  EXPECT_ERROR(ModelABI::derive(model.metadata(), 20),
               "@decode takes 9 arguments, fewer than the 6 leading ones "
               "plus 20 weights");

  FakeModel badLens(config);
  badLens.meta.functions[1].inputs[kArgLens] = {DType::i64, {-1}};
  EXPECT_ERROR(ModelABI::derive(badLens.metadata(), 1),
               "@decode: argument 5 (lens) must be a 1-d i32 tensor, got "
               "?xi64");
  FakeModel badTokens(config);
  badTokens.meta.functions[1].inputs[kArgTokens] = {DType::i32, {-1, 4}};
  EXPECT_ERROR(ModelABI::derive(badTokens.metadata(), 1),
               "@decode: argument 0 (tokens) must be [B, 1], got ?x4xi32");
  FakeModel badLogits(config);
  badLogits.meta.functions[1].results[0] = {DType::f16, {-1, 16}};
  EXPECT_ERROR(ModelABI::derive(badLogits.metadata(), 1),
               "@decode: result 0 (the logits) must be a 2-d f32 tensor "
               "[N, Vocab], got ?x16xf16");
  FakeModel badPool(config);
  badPool.meta.functions[1].inputs[7] = {DType::f32, {8, 2, 1, 2}};
  EXPECT_ERROR(ModelABI::derive(badPool.metadata(), 1),
               "@decode: the K and V caches of attention layer 0 (arguments "
               "6 and 7) disagree on blocks, rows per block, kv heads or "
               "element type: 8x4x1x2xf32 vs 8x2x1x2xf32");
  FakeModel disagree(config);
  disagree.meta.functions[0].inputs[8] = {DType::f32, {17}};
  disagree.meta.functions[0].results[0] = {DType::f32, {-1, 17}};
  EXPECT_ERROR(ModelABI::derive(disagree.metadata(), 1),
               "@prefill and @decode disagree on argument 8: 17xf32 vs "
               "16xf32");

  FakeConfig stateful;
  stateful.withState = true;
  FakeModel badState(stateful);
  badState.meta.functions[1].results[1] = {DType::f32, {-1, 2}};
  EXPECT_ERROR(ModelABI::derive(badState.metadata(), 1),
               "@decode: recurrent state 0 (argument 8, ?x1xf32) and its new "
               "value (result 1, ?x2xf32) must be [N, ...] with the same "
               "static dims after N");
}

//===----------------------------------------------------------------------===//
// Sessions
//===----------------------------------------------------------------------===//

TEST(SessionTest, CreateChecksWeightsAndPolicies) {
  FakeConfig config;
  auto model = std::make_shared<FakeModel>(config);
  std::vector<HostTensor> weights;
  weights.push_back(zeros({15}));
  EXPECT_ERROR(Session::create(model, std::move(weights)),
               "weight 0 (argument 8 of @decode): expected 16xf32, got "
               "15xf32");
  EXPECT_ERROR(Session::create(nullptr, {}), "session: no executable");

  for (auto [spec, message] :
       {std::pair{"snapkv=8",
                  "kv policy 'snapkv=8,obs=32,kernel=7,pool=avg': the model "
                  "exports no attention stats with a 32-query window "
                  "(@prefill_stats: tokamak-run compiles it for a model "
                  "directory with a snapkv policy, tokamak-compile "
                  "--snapkv-obs=O into an artifact)"},
        std::pair{"window=8,sinks=1,full_heads=0",
                  "kv policy 'window=8,sinks=1,full_heads=0': full_heads need "
                  "the per-head layout (block tables [N, Hkv, MaxBlocks] over "
                  "one-head blocks); this model shares one table across "
                  "heads"}}) {
    SessionOptions options;
    options.kvPolicy = *KVPolicy::parse(spec);
    std::vector<HostTensor> w;
    w.push_back(zeros({16}));
    EXPECT_ERROR(Session::create(model, std::move(w), options), message);
  }
}

TEST(SessionTest, PrefillPacksRaggedPromptsIntoOneCall) {
  FakeConfig config;
  auto session = makeSession(config);
  ASSERT_TRUE(session);
  for (SeqId id : {10, 20, 30})
    ASSERT_OK(session->addSequence(id));
  std::vector<std::vector<int32_t>> prompts = {
      {3, 4}, {5, 6, 7, 8, 9}, {1, 1, 2}};
  StatusOr<HostTensor> logits = session->prefill({10, 20, 30}, prompts);
  ASSERT_OK(logits);

  EXPECT_EQ(gLog.calls, (std::vector<std::string>{"prefill"}));
  EXPECT_EQ(gLog.tokenShape, (std::vector<int64_t>{1, 10}));
  EXPECT_EQ(gLog.tokens, (std::vector<int32_t>{3, 4, 5, 6, 7, 8, 9, 1, 1, 2}));
  EXPECT_EQ(gLog.positions,
            (std::vector<int32_t>{0, 1, 0, 1, 2, 3, 4, 0, 1, 2}));
  EXPECT_EQ(gLog.seqStarts, (std::vector<int32_t>{0, 2, 7, 10}));
  EXPECT_EQ(gLog.lens, (std::vector<int32_t>{2, 5, 3}));
  // A fresh allocator hands out 0, 1, 2, ...: sequence 20 takes two blocks.
  EXPECT_EQ(gLog.tableShape, (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(gLog.slots,
            (std::vector<int32_t>{0, 1, 4, 5, 6, 7, 8, 12, 13, 14}));

  ASSERT_EQ(logits->shape(), (std::vector<int64_t>{3, 16}));
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(row(*logits, int64_t(i)), countLogits(prompts[i], 16));
    EXPECT_EQ(cachedRows(*session, SeqId(10 * (i + 1))), history(prompts[i]));
    EXPECT_EQ(*session->numTokens(SeqId(10 * (i + 1))),
              int64_t(prompts[i].size()));
  }
  EXPECT_EQ(*session->logits(20), countLogits(prompts[1], 16));
  EXPECT_EQ(session->numFreeBlocks(), 8 - 4);
}

TEST(SessionTest, DecodeBatchesSequencesOfDifferentLengths) {
  FakeConfig config;
  auto session = makeSession(config);
  ASSERT_TRUE(session);
  ASSERT_OK(session->addSequence(1));
  ASSERT_OK(session->addSequence(2));
  std::vector<int32_t> a = {2, 3, 4, 5, 6}, b = {7};
  ASSERT_OK(session->prefill({1, 2}, {a, b}));
  for (int step = 0; step < 6; ++step) {
    int32_t ta = 8 + step % 3, tb = 11 + step % 4;
    StatusOr<HostTensor> logits = session->decode({2, 1}, {tb, ta});
    ASSERT_OK(logits);
    a.push_back(ta);
    b.push_back(tb);
    EXPECT_EQ(gLog.calls.back(), "decode");
    EXPECT_EQ(gLog.tokenShape, (std::vector<int64_t>{2, 1}));
    EXPECT_EQ(gLog.positions, (std::vector<int32_t>{int32_t(b.size()) - 1,
                                                    int32_t(a.size()) - 1}));
    EXPECT_EQ(gLog.seqStarts, (std::vector<int32_t>{0, 1, 2}));
    EXPECT_EQ(gLog.lens,
              (std::vector<int32_t>{int32_t(b.size()), int32_t(a.size())}));
    EXPECT_EQ(row(*logits, 0), countLogits(b, 16));
    EXPECT_EQ(row(*logits, 1), countLogits(a, 16));
  }
  EXPECT_EQ(cachedRows(*session, 1), history(a));
  EXPECT_EQ(cachedRows(*session, 2), history(b));
}

TEST(SessionTest, ErrorsLeaveEverythingUnchanged) {
  FakeConfig config;
  config.numBlocks = 4;
  auto session = makeSession(config);
  ASSERT_TRUE(session);
  ASSERT_OK(session->addSequence(1));
  ASSERT_OK(session->addSequence(2));
  ASSERT_OK(session->prefill({1}, {{1, 2, 3, 4, 5, 6}}));
  size_t calls = gLog.calls.size();

  EXPECT_ERROR(session->addSequence(1), "sequence 1 already exists");
  EXPECT_ERROR(session->decode({1, 7}, {1, 2}), "decode: unknown sequence 7");
  EXPECT_ERROR(session->decode({1, 1}, {1, 2}),
               "decode: sequence 1 appears twice");
  EXPECT_ERROR(session->decode({1, 2}, {1}),
               "decode: expected one token per sequence (2), got 1");
  EXPECT_ERROR(session->decode({}, {}), "decode: no sequences");
  EXPECT_ERROR(session->decode({1}, {16}),
               "decode: token 16 of sequence 1 is outside the vocabulary "
               "[0, 16)");
  EXPECT_ERROR(session->prefill({2}, {{}}),
               "prefill: no tokens for sequence 2");
  EXPECT_ERROR(session->prefill({2}, {{1}, {2}}),
               "prefill: 1 sequences but 2 token lists");
  EXPECT_ERROR(session->prefill({2}, {{-1}}),
               "prefill: token -1 of sequence 2 is outside the vocabulary "
               "[0, 16)");
  // Sequence 1 holds 2 blocks; 2 are free, and 9 tokens need 3.
  EXPECT_ERROR(session->prefill({2}, {std::vector<int32_t>(9, 1)}),
               "prefill: out of KV blocks: need 3, have 2 (sequences 2)");
  EXPECT_ERROR(session->decode({9}, {1}), "decode: unknown sequence 9");
  EXPECT_ERROR(session->freeSequence(9), "unknown sequence 9");
  EXPECT_ERROR(session->forkSequence(9, 10), "unknown sequence 9");
  EXPECT_ERROR(session->forkSequence(1, 2),
               "cannot fork sequence 1 onto sequence 2, which already exists");
  EXPECT_ERROR(session->numTokens(9), "unknown sequence 9");

  EXPECT_EQ(gLog.calls.size(), calls);
  EXPECT_EQ(session->numFreeBlocks(), 2);
  EXPECT_EQ(*session->numTokens(1), 6);
  EXPECT_EQ(*session->numTokens(2), 0);
  EXPECT_EQ(cachedRows(*session, 1), history({1, 2, 3, 4, 5, 6}));
  // What fits still runs.
  ASSERT_OK(session->prefill({2}, {std::vector<int32_t>(8, 1)}));
  EXPECT_ERROR(session->decode({1, 2}, {1, 1}),
               "decode: out of KV blocks: need 1, have 0 (sequences 1, 2)");
  ASSERT_OK(session->decode({1}, {1}));
}

TEST(SessionTest, StaticBlockTableWidth) {
  FakeConfig config;
  config.maxBlocks = 2;
  auto session = makeSession(config);
  ASSERT_TRUE(session);
  ASSERT_OK(session->addSequence(1));
  ASSERT_OK(session->prefill({1}, {{1, 2, 3}}));
  EXPECT_EQ(gLog.tableShape, (std::vector<int64_t>{1, 2}));
  EXPECT_ERROR(session->prefill({1}, {{1, 2, 3, 4, 5, 6}}),
               "prefill: sequence 1 would need 3 blocks of 4 rows, but the "
               "model's block table holds 2");
  ASSERT_OK(session->prefill({1}, {{1, 2, 3, 4, 5}}));
  EXPECT_EQ(*session->numTokens(1), 8);
}

TEST(SessionTest, StaticBatchIsRefusedBeforeAnythingChanges) {
  auto model = std::make_shared<FakeModel>(FakeConfig());
  model->meta.functions[1].inputs[kArgTokens] = {DType::i32, {4, 1}};
  std::vector<HostTensor> weights;
  weights.push_back(zeros({16}));
  auto session = Session::create(model, std::move(weights));
  ASSERT_OK(session);
  ASSERT_OK((*session)->addSequence(1));
  EXPECT_ERROR((*session)->decode({1}, {1}),
               "decode: argument 0 of @decode: expected 4x1xi32, got 1x1xi32 "
               "(batch and token dims must be dynamic: the session passes no "
               "padding)");
  EXPECT_EQ(*(*session)->numTokens(1), 0);
  EXPECT_EQ((*session)->numFreeBlocks(), 8);
}

TEST(SessionTest, ForkSharesBlocksCopyOnWrite) {
  FakeConfig config;
  auto session = makeSession(config);
  ASSERT_TRUE(session);
  ASSERT_OK(session->addSequence(1));
  std::vector<int32_t> parent = {1, 2, 3, 4, 5, 6};
  ASSERT_OK(session->prefill({1}, {parent}));
  ASSERT_OK(session->forkSequence(1, 2));
  EXPECT_EQ(*session->logits(2), *session->logits(1));
  EXPECT_EQ(*session->blockTable(2), *session->blockTable(1));
  EXPECT_EQ(session->numFreeBlocks(), 6);
  std::vector<int32_t> child = parent;
  // Both append into the shared partial block: one of them copies it.
  ASSERT_OK(session->decode({1, 2}, {7, 9}));
  parent.push_back(7);
  child.push_back(9);
  EXPECT_EQ(session->numFreeBlocks(), 5);
  ASSERT_OK(session->prefill({2}, {{10, 11, 12}}));
  child.insert(child.end(), {10, 11, 12});
  EXPECT_EQ(cachedRows(*session, 1), history(parent));
  EXPECT_EQ(cachedRows(*session, 2), history(child));
  EXPECT_EQ(*session->logits(2), countLogits(child, 16));
  // Freeing returns the blocks only once no sequence uses them.
  ASSERT_OK(session->freeSequence(1));
  EXPECT_EQ(session->numFreeBlocks(), 5);
  ASSERT_OK(session->freeSequence(2));
  EXPECT_EQ(session->numFreeBlocks(), 8);
  EXPECT_FALSE(session->contains(2));
}

TEST(SessionTest, FreedBlocksAreReused) {
  FakeConfig config;
  config.numBlocks = 3;
  auto session = makeSession(config);
  ASSERT_TRUE(session);
  ASSERT_OK(session->addSequence(1));
  ASSERT_OK(session->addSequence(2));
  ASSERT_OK(session->prefill({1, 2}, {{1, 2, 3, 4, 5}, {6, 7}}));
  std::vector<int32_t> freed = *session->blockTable(1);
  ASSERT_OK(session->freeSequence(1));
  ASSERT_OK(session->addSequence(3));
  ASSERT_OK(session->prefill({3}, {{8, 9, 10, 11, 12, 13, 14}}));
  std::vector<int32_t> table = *session->blockTable(3);
  std::sort(table.begin(), table.end());
  std::sort(freed.begin(), freed.end());
  EXPECT_EQ(table, freed);
  EXPECT_EQ(cachedRows(*session, 3), history({8, 9, 10, 11, 12, 13, 14}));
  EXPECT_EQ(cachedRows(*session, 2), history({6, 7}));
}

TEST(SessionTest, WindowPolicyEvictsBlocks) {
  FakeConfig config;
  config.numBlocks = 5;
  SessionOptions options;
  options.kvPolicy = *KVPolicy::parse("window=6,sinks=2");
  auto session = makeSession(config, options);
  ASSERT_TRUE(session);
  ASSERT_OK(session->addSequence(1));
  ASSERT_OK(session->prefill({1}, {{1, 2, 3, 4, 5}}));
  std::vector<int32_t> tokens = {1, 2, 3, 4, 5};
  // 40 tokens in a pool of 20 rows: the sink block and a window's tail stay.
  for (int32_t i = 0; i < 35; ++i) {
    int32_t t = 1 + i % 15;
    ASSERT_OK(session->decode({1}, {t}));
    tokens.push_back(t);
  }
  EXPECT_EQ(*session->numTokens(1), 40);
  std::vector<std::pair<int, int>> rows = cachedRows(*session, 1);
  ASSERT_GE(rows.size(), 8u);
  EXPECT_LE(rows.size(), 4u + 6 + 4);
  // Rows: the first block (positions 0-3), then consecutive positions up to
  // the last token, covering the window.
  for (int r = 0; r < 4; ++r)
    EXPECT_EQ(rows[size_t(r)], std::make_pair(int(tokens[size_t(r)]), r));
  int first = rows[4].second;
  EXPECT_LE(first, 40 - 6);
  for (size_t r = 4; r < rows.size(); ++r)
    EXPECT_EQ(rows[r], std::make_pair(int(tokens[size_t(first) + r - 4]),
                                      first + int(r) - 4));
  EXPECT_EQ(rows.back().second, 39);
  EXPECT_EQ(gLog.positions, (std::vector<int32_t>{39}));
  EXPECT_EQ(gLog.lens, (std::vector<int32_t>{int32_t(rows.size())}));
  EXPECT_ERROR(session->compact(1, {{0, 1}}),
               "compact: not available with the window policy");
}

TEST(SessionTest, RecurrentStatePrefillsOneSequencePerCall) {
  FakeConfig config;
  config.withState = true;
  auto session = makeSession(config);
  ASSERT_TRUE(session);
  ASSERT_OK(session->addSequence(1));
  ASSERT_OK(session->addSequence(2));
  StatusOr<HostTensor> logits = session->prefill({1, 2}, {{1, 2, 3}, {4, 5}});
  ASSERT_OK(logits);
  EXPECT_EQ(gLog.calls, (std::vector<std::string>{"prefill", "prefill"}));
  EXPECT_EQ(row(*logits, 0), countLogits({1, 2, 3}, 16, 6));
  EXPECT_EQ(row(*logits, 1), countLogits({4, 5}, 16, 9));
  ASSERT_OK(session->forkSequence(2, 3));
  logits = session->decode({1, 2, 3}, {1, 2, 3});
  ASSERT_OK(logits);
  EXPECT_EQ(row(*logits, 0), countLogits({1, 2, 3, 1}, 16, 7));
  EXPECT_EQ(row(*logits, 1), countLogits({4, 5, 2}, 16, 11));
  EXPECT_EQ(row(*logits, 2), countLogits({4, 5, 3}, 16, 12));
}

TEST(SessionTest, WithoutPrefillPromptsRunThroughDecode) {
  FakeConfig config;
  config.withPrefill = false;
  auto session = makeSession(config);
  ASSERT_TRUE(session);
  EXPECT_FALSE(session->abi().hasPrefill);
  ASSERT_OK(session->addSequence(1));
  ASSERT_OK(session->addSequence(2));
  StatusOr<HostTensor> logits = session->prefill({1, 2}, {{1, 2, 3}, {4}});
  ASSERT_OK(logits);
  // Three steps: both sequences, then sequence 1 alone.
  EXPECT_EQ(gLog.calls,
            (std::vector<std::string>{"decode", "decode", "decode"}));
  EXPECT_EQ(gLog.tokens, (std::vector<int32_t>{3}));
  EXPECT_EQ(row(*logits, 0), countLogits({1, 2, 3}, 16));
  EXPECT_EQ(row(*logits, 1), countLogits({4}, 16));
  EXPECT_EQ(cachedRows(*session, 1), history({1, 2, 3}));
}

TEST(SessionTest, ContinuingSequencesRunThroughDecode) {
  FakeConfig config;
  auto session = makeSession(config);
  ASSERT_TRUE(session);
  ASSERT_OK(session->addSequence(1));
  ASSERT_OK(session->addSequence(2));
  ASSERT_OK(session->prefill({1}, {{1, 2}}));
  gLog.calls.clear();
  // Sequence 2 is empty (packed prefill), sequence 1 continues (decode).
  StatusOr<HostTensor> logits = session->prefill({1, 2}, {{3, 4}, {5, 6, 7}});
  ASSERT_OK(logits);
  EXPECT_EQ(gLog.calls,
            (std::vector<std::string>{"prefill", "decode", "decode"}));
  EXPECT_EQ(row(*logits, 0), countLogits({1, 2, 3, 4}, 16));
  EXPECT_EQ(row(*logits, 1), countLogits({5, 6, 7}, 16));
  EXPECT_EQ(cachedRows(*session, 1), history({1, 2, 3, 4}));
}

TEST(SessionTest, SamplingAndGeneration) {
  FakeConfig config;
  auto session = makeSession(config);
  ASSERT_TRUE(session);
  ASSERT_OK(session->addSequence(1));
  ASSERT_OK(session->addSequence(2));
  Sampler greedy{SamplingParams()};
  EXPECT_ERROR(session->sample({1}, greedy),
               "sample: sequence 1 has no logits yet");
  ASSERT_OK(session->prefill({1, 2}, {{3, 3, 5}, {7}}));
  EXPECT_EQ(*session->sample({1, 2}, greedy), (std::vector<int32_t>{3, 7}));

  // Greedy generation: the fake's most frequent token keeps winning.
  ASSERT_OK(session->addSequence(3));
  std::vector<HostTensor> stepLogits;
  StatusOr<std::vector<std::vector<int32_t>>> out =
      session->generate({3}, {{4, 4, 9}}, 3, greedy, &stepLogits);
  ASSERT_OK(out);
  EXPECT_EQ(*out, (std::vector<std::vector<int32_t>>{{4, 4, 4}}));
  ASSERT_EQ(stepLogits.size(), 1u);
  EXPECT_EQ(stepLogits[0].shape(), (std::vector<int64_t>{3, 16}));
  EXPECT_EQ(row(stepLogits[0], 2), countLogits({4, 4, 9, 4, 4}, 16));
  EXPECT_EQ(*session->numTokens(3), 5);

  // Seeded sampling repeats itself.
  SamplingParams params;
  params.temperature = 1.0f;
  params.seed = 42;
  std::vector<int32_t> first, second;
  for (std::vector<int32_t> *draws : {&first, &second}) {
    Sampler sampler(params);
    for (int i = 0; i < 8; ++i)
      draws->push_back((*session->sample({1, 2}, sampler))[0]);
  }
  EXPECT_EQ(first, second);

  HostTensor bad = zeros({2});
  EXPECT_ERROR(Session::sampleRows(bad, greedy),
               "sample: expected f32 logits [B, Vocab], got 2xf32");
  HostTensor allMasked = zeros({1, 4});
  for (int i = 0; i < 4; ++i)
    allMasked.data<float>()[i] = -INFINITY;
  EXPECT_ERROR(Session::sampleRows(allMasked, greedy),
               "sample: row 0: no logit is above -inf");
  params.temperature = -1.0f;
  Sampler invalid(params);
  EXPECT_FALSE(Session::sampleRows(zeros({1, 4}), invalid).ok());
}

TEST(SessionTest, NaNLogitsAreReportedAsNaN) {
  // Issue 13: NaN logits were reported as "no logit is above -inf".
  Sampler greedy{SamplingParams()};
  HostTensor logits = zeros({2, 4});
  logits.data<float>()[6] = NAN;
  EXPECT_ERROR(Session::sampleRows(logits, greedy),
               "sample: row 1: the logits hold NaN (first at token 2 of 4): "
               "the model produced NaN");
  // Through a session, whose model computes them (a NaN bias weight).
  auto model = std::make_shared<FakeModel>(FakeConfig());
  std::vector<HostTensor> weights;
  weights.push_back(zeros({16}));
  weights[0].data<float>()[5] = NAN;
  StatusOr<std::unique_ptr<Session>> session =
      Session::create(model, std::move(weights));
  ASSERT_OK(session);
  ASSERT_OK((*session)->addSequence(1));
  ASSERT_OK((*session)->prefill({1}, {{1, 2}}));
  EXPECT_ERROR((*session)->sample({1}, greedy),
               "sample: sequence 1: the logits hold NaN (first at token 5 of "
               "16): the model produced NaN");
}

TEST(SessionTest, NamesMissingWeights) {
  // Issue 13: a missing w3.npy was reported as an ABI arity puzzle.
  std::string dir = "/tmp/tok-session-gap-" + std::to_string(::getpid());
  ASSERT_EQ(std::system(("rm -rf " + dir + " && mkdir -p " + dir).c_str()), 0);
  for (int i : {0, 1, 2, 4, 5})
    ASSERT_OK(writeNpy(dir + "/w" + std::to_string(i) + ".npy", zeros({1})));
  EXPECT_ERROR(Session::readNpyWeights(dir),
               dir + "/w3.npy is missing, but " + dir +
                   "/w5.npy exists (the weights are w0.npy, w1.npy, ... "
                   "without gaps)");
  ASSERT_EQ(std::system(("rm -rf " + dir).c_str()), 0);

  // The last one missing: the count says so.
  auto model = std::make_shared<FakeModel>(FakeConfig());
  EXPECT_ERROR(Session::create(model, {}),
               "the model takes 1 weight, but 0 were given");
  std::vector<HostTensor> two;
  two.push_back(zeros({16}));
  two.push_back(zeros({16}));
  EXPECT_ERROR(Session::create(model, std::move(two)),
               "the model takes 1 weight, but 2 were given");
}

//===----------------------------------------------------------------------===//
// Cache groups
//===----------------------------------------------------------------------===//

TEST(ModelABITest, DerivesCacheGroups) {
  FakeConfig config;
  config.withState = true;
  config.group1Blocks = 6;
  FakeModel model(config);
  StatusOr<ModelABI> abi = ModelABI::derive(model.metadata(), 1);
  ASSERT_OK(abi.status());
  ASSERT_EQ(abi->numKVLayers(), 2u);
  ASSERT_EQ(abi->numGroups(), 2u);
  EXPECT_EQ(abi->groups[0].firstLayer, 0u);
  EXPECT_EQ(abi->groups[0].numLayers, 1u);
  EXPECT_EQ(abi->groups[1].firstLayer, 1u);
  EXPECT_EQ(abi->groups[1].slotsArg, 8u);
  EXPECT_EQ(abi->groups[1].tableArg, 9u);
  EXPECT_EQ(abi->groups[1].lensArg, 10u);
  EXPECT_EQ(abi->groupOf(1), 1u);
  EXPECT_EQ(abi->keyArg(0), 6u);
  EXPECT_EQ(abi->keyArg(1), 11u);
  EXPECT_EQ(abi->stateArg(0), 13u);
  EXPECT_EQ(abi->weightArg(0), 14u);
  EXPECT_EQ(abi->groupNumBlocks(0), 8);
  EXPECT_EQ(abi->groupNumBlocks(1), 6);

  // A group without layers, and groups in the per-head layout.
  for (FunctionSignature &fn : model.meta.functions) {
    std::vector<TensorSignature> header(fn.inputs.begin() + 8,
                                        fn.inputs.begin() + 11);
    fn.inputs.insert(fn.inputs.begin() + 6, header.begin(), header.end());
  }
  EXPECT_ERROR(ModelABI::derive(model.metadata(), 1),
               "@decode: cache group 0 holds no attention layer (arguments 6 "
               "to 8 start the next group right away)");
  // Groups in the per-head layout: per-head slots, tables and lens with
  // the leading ones' kv head count.
  FakeConfig perHead;
  perHead.heads = 2;
  perHead.group1Blocks = 6;
  FakeModel headModel(perHead);
  for (FunctionSignature &fn : headModel.meta.functions)
    for (size_t i = 0; i < 3; ++i)
      fn.inputs[8 + i] = fn.inputs[3 + i];
  StatusOr<ModelABI> headAbi = ModelABI::derive(headModel.metadata(), 1);
  ASSERT_OK(headAbi.status());
  EXPECT_EQ(headAbi->headTables, 2);
  ASSERT_EQ(headAbi->numGroups(), 2u);
  EXPECT_EQ(headAbi->groups[1].firstLayer, 1u);
  EXPECT_EQ(headAbi->groupNumBlocks(1), 6);
  for (FunctionSignature &fn : headModel.meta.functions)
    fn.inputs[9].shape[1] = 3;
  EXPECT_ERROR(ModelABI::derive(headModel.metadata(), 1),
               "@decode: arguments 8 to 10 (cache group 1) must be per-head "
               "slots, block table and lens with 2 kv heads, as the leading "
               "ones, got ?x2x1xi32, ?x3x?xi32 and ?x2xi32");
}

TEST(SessionTest, CacheGroupPolicies) {
  FakeConfig config;
  config.group1Blocks = 4;
  auto model = std::make_shared<FakeModel>(config);
  for (auto [range, spec, message] :
       {std::tuple{std::pair{2, 2}, "full",
                   "kv policy for cache groups 2: the model has 2 cache "
                   "groups (0 to 1)"},
        std::tuple{std::pair{0, 3}, "full",
                   "kv policy for cache groups 0-3: the model has 2 cache "
                   "groups (0 to 1)"},
        std::tuple{std::pair{1, 1}, "snapkv=8",
                   "kv policy 'snapkv=8,obs=32,kernel=7,pool=avg': the model "
                   "exports no attention stats with a 32-query window "
                   "(@prefill_stats: tokamak-run compiles it for a model "
                   "directory with a snapkv policy, tokamak-compile "
                   "--snapkv-obs=O into an artifact)"},
        std::tuple{std::pair{1, 1}, "snapkv=8,full_heads=0",
                   "kv policy 'snapkv=8,obs=32,kernel=7,pool=avg,full_heads=0'"
                   ": snapkv with full_heads needs the per-head layout (one "
                   "block table per kv head); this model shares one table "
                   "across heads"}}) {
    SessionOptions options;
    options.groupPolicies.push_back(
        {range.first, range.second, *KVPolicy::parse(spec)});
    std::vector<HostTensor> w;
    w.push_back(zeros({16}));
    EXPECT_ERROR(Session::create(model, std::move(w), options), message);
  }
  // The policies parse from one spec; the default covers the other groups.
  StatusOr<ModelKVPolicy> spec =
      ModelKVPolicy::parse("full;1:window=6,sinks=2");
  ASSERT_OK(spec.status());
  SessionOptions options;
  options.kvPolicy = spec->defaults;
  options.groupPolicies = spec->overrides;
  auto session = makeSession(config, options);
  ASSERT_TRUE(session);
  EXPECT_EQ(session->numGroups(), 2u);
  EXPECT_EQ(session->groupPolicy(0).str(), "full");
  EXPECT_EQ(session->groupPolicy(1).str(), "window=6,sinks=2");
}

TEST(SessionTest, CacheGroupsPackRaggedPromptsAndDecodeBatches) {
  FakeConfig config;
  config.group1Blocks = 8;
  auto session = makeSession(config);
  ASSERT_TRUE(session);
  ASSERT_OK(session->addSequence(1));
  ASSERT_OK(session->addSequence(2));
  StatusOr<HostTensor> logits =
      session->prefill({1, 2}, {{1, 2, 3}, {4, 5, 6, 7, 8}});
  ASSERT_OK(logits.status());
  EXPECT_EQ(gLog.calls, (std::vector<std::string>{"prefill"}));
  // Both groups keep everything, so their allocators hand out the same
  // blocks: group 1 gets the same slots, table and lens as group 0.
  EXPECT_EQ(gLog.slots1, gLog.slots);
  EXPECT_EQ(gLog.table1, gLog.table);
  EXPECT_EQ(gLog.lens1, (std::vector<int32_t>{3, 5}));
  std::vector<float> first = countLogits({1, 2, 3}, 16);
  for (float &v : first)
    v *= 101.0f;
  EXPECT_EQ(row(*logits, 0), first);
  logits = session->decode({2, 1}, {9, 10});
  ASSERT_OK(logits.status());
  EXPECT_EQ(gLog.slots1, gLog.slots);
  EXPECT_EQ(gLog.table1, gLog.table);
  EXPECT_EQ(gLog.lens1, (std::vector<int32_t>{6, 4}));
  std::vector<float> second = countLogits({4, 5, 6, 7, 8, 9}, 16);
  for (float &v : second)
    v *= 101.0f;
  EXPECT_EQ(row(*logits, 0), second);
  EXPECT_EQ(session->numUsedBlocks(0), session->numUsedBlocks(1));
  EXPECT_EQ(session->numUsedBlocks(), 2 * session->numUsedBlocks(0));
}

TEST(SessionTest, WindowedCacheGroupFreesBlocksWhileTheFullGroupKeepsThem) {
  FakeConfig config;
  config.numBlocks = 12;   // group 0: 48 rows
  config.group1Blocks = 4; // group 1: 16 rows
  SessionOptions options;
  options.groupPolicies.push_back({1, 1, *KVPolicy::parse("window=6,sinks=2")});
  auto session = makeSession(config, options);
  ASSERT_TRUE(session);
  ASSERT_OK(session->addSequence(1));
  ASSERT_OK(session->prefill({1}, {{1, 2, 3, 4, 5}}));
  EXPECT_EQ(gLog.slots1, (std::vector<int32_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(gLog.lens1, (std::vector<int32_t>{5}));
  std::vector<int32_t> tokens = {1, 2, 3, 4, 5};
  std::vector<float> last;
  for (int32_t i = 0; i < 35; ++i) {
    int32_t t = 1 + i % 15;
    StatusOr<HostTensor> logits = session->decode({1}, {t});
    ASSERT_OK(logits.status());
    last = row(*logits, 0);
    tokens.push_back(t);
  }
  // Group 0 keeps all 40 rows (10 blocks); group 1 keeps the sink block and
  // the window's tail.
  EXPECT_EQ(gLog.lens, (std::vector<int32_t>{40}));
  EXPECT_EQ(*session->groupCacheRows(1, 0), 40);
  int64_t rows1 = *session->groupCacheRows(1, 1);
  EXPECT_EQ(gLog.lens1, (std::vector<int32_t>{int32_t(rows1)}));
  EXPECT_GE(rows1, 2 + 6);
  EXPECT_LE(rows1, 4 + 6 + 4);
  EXPECT_EQ(session->numUsedBlocks(0), 10);
  EXPECT_EQ(session->numUsedBlocks(1), (rows1 + 3) / 4);
  EXPECT_LE(session->numUsedBlocks(1), 4);
  EXPECT_EQ(session->numUsedBlocks(),
            session->numUsedBlocks(0) + session->numUsedBlocks(1));
  EXPECT_EQ(*session->cacheRows(1), 40);

  // Group 1's rows, read through its own table: positions 0-3, then
  // consecutive positions up to 39 covering the window.
  std::vector<int32_t> table1 = *session->groupBlockTable(1, 1);
  EXPECT_EQ(gLog.table1, table1);
  const float *keys1 =
      reinterpret_cast<const float *>(session->kvPool(1).keys());
  std::vector<int32_t> kept;
  for (int64_t r = 0; r < rows1; ++r) {
    const float *row = keys1 + (table1[size_t(r / 4)] * 4 + r % 4) * 2;
    int position = int(row[1]);
    EXPECT_EQ(int(row[0]), tokens[size_t(position)]);
    if (r < 4)
      EXPECT_EQ(position, r);
    else
      EXPECT_EQ(position, int(40 - rows1 + r));
    kept.push_back(int32_t(row[0]));
  }
  // The logits see every token in group 0 and group 1's rows.
  std::vector<float> expected = countLogits(tokens, 16);
  for (int32_t t : kept)
    expected[size_t(t)] += 100.0f;
  EXPECT_EQ(last, expected);

  // Forks share both groups' blocks; freeing gives them all back.
  ASSERT_OK(session->forkSequence(1, 2));
  EXPECT_EQ(*session->groupBlockTable(2, 1), table1);
  ASSERT_OK(session->freeSequence(1));
  ASSERT_OK(session->freeSequence(2));
  EXPECT_EQ(session->numUsedBlocks(0), 0);
  EXPECT_EQ(session->numUsedBlocks(1), 0);

  // Without the window, group 1's pool of 16 rows runs out at token 17.
  FakeConfig small = config;
  auto full = makeSession(small);
  ASSERT_TRUE(full);
  ASSERT_OK(full->addSequence(1));
  ASSERT_OK(full->prefill({1}, {std::vector<int32_t>(16, 3)}));
  EXPECT_ERROR(full->decode({1}, {3}),
               "decode: out of KV blocks in cache group 1: need 1, have 0 "
               "(sequences 1)");
  EXPECT_EQ(*full->numTokens(1), 16);
}

TEST(SessionTest, CompactKeepsChosenPositions) {
  FakeConfig config;
  auto session = makeSession(config);
  ASSERT_TRUE(session);
  ASSERT_OK(session->addSequence(1));
  ASSERT_OK(session->prefill({1}, {{1, 2, 3, 4, 5, 6, 7, 8, 9}}));
  EXPECT_ERROR(session->compact(1, {{0}, {1}}),
               "compact: expected a keep set per KV head (1), got 2");
  ASSERT_OK(session->compact(1, {{0, 2, 7, 8}}));
  EXPECT_EQ(*session->cacheRows(1), 4);
  EXPECT_EQ(*session->numTokens(1), 9);
  EXPECT_EQ(cachedRows(*session, 1),
            (std::vector<std::pair<int, int>>{{1, 0}, {3, 2}, {8, 7}, {9, 8}}));
  StatusOr<HostTensor> logits = session->decode({1}, {4});
  ASSERT_OK(logits);
  EXPECT_EQ(gLog.positions, (std::vector<int32_t>{9}));
  EXPECT_EQ(gLog.lens, (std::vector<int32_t>{5}));
  EXPECT_EQ(row(*logits, 0), countLogits({1, 3, 8, 9, 4}, 16));
}

// The snapkv policy: prompts longer than it keeps go through @prefill_stats,
// whose votes (here each token's id) choose the kept prefix positions; the
// last obs positions stay, and decode goes on over the compacted cache.
TEST(SessionTest, SnapKVPolicySelectsFromPrefillStats) {
  FakeConfig config;
  config.snapkvObs = 3;
  SessionOptions options;
  options.kvPolicy = *KVPolicy::parse("snapkv=2,obs=3,kernel=1");
  auto session = makeSession(config, options);
  ASSERT_TRUE(session);
  ASSERT_OK(session->addSequence(1));
  ASSERT_OK(session->addSequence(2));
  // Sequence 1: prefix votes 5 1 4 2 9 keep positions 0 and 4; sequence 2 is
  // short enough to keep everything.
  ASSERT_OK(session->prefill({1, 2}, {{5, 1, 4, 2, 9, 3, 7, 6}, {1, 2, 3}}));
  EXPECT_EQ(gLog.calls, (std::vector<std::string>{"prefill_stats"}));
  EXPECT_EQ(cachedRows(*session, 1),
            (std::vector<std::pair<int, int>>{
                {5, 0}, {9, 4}, {3, 5}, {7, 6}, {6, 7}}));
  EXPECT_EQ(cachedRows(*session, 2), history({1, 2, 3}));
  EXPECT_EQ(*session->numTokens(1), 8);
  StatusOr<HostTensor> logits = session->decode({1, 2}, {4, 4});
  ASSERT_OK(logits);
  EXPECT_EQ(gLog.positions, (std::vector<int32_t>{8, 3}));
  EXPECT_EQ(gLog.lens, (std::vector<int32_t>{6, 4}));
  EXPECT_EQ(row(*logits, 0), countLogits({5, 9, 3, 7, 6, 4}, 16));
  // Prompts the budget covers run plain @prefill.
  ASSERT_OK(session->addSequence(3));
  gLog.calls.clear();
  ASSERT_OK(session->prefill({3}, {{1, 2, 3, 4, 5}}));
  EXPECT_EQ(gLog.calls, (std::vector<std::string>{"prefill"}));
  EXPECT_EQ(cachedRows(*session, 3), history({1, 2, 3, 4, 5}));

  // A module whose stats have another window is refused.
  FakeConfig other = config;
  other.snapkvObs = 4;
  std::vector<HostTensor> w;
  w.push_back(zeros({16}));
  EXPECT_ERROR(Session::create(std::make_shared<FakeModel>(other), std::move(w),
                               options),
               "kv policy 'snapkv=2,obs=3,kernel=1,pool=avg': the model "
               "exports no attention stats with a 3-query window "
               "(@prefill_stats: tokamak-run compiles it for a model "
               "directory with a snapkv policy, tokamak-compile "
               "--snapkv-obs=O into an artifact) (it has one for obs=4)");
}

// The h2o policy: every call's stats (here each row's token id, once per
// query that sees it) accumulate per cached position; after each call a
// cache over B + R rows keeps its R newest rows and the B heaviest others,
// which carry their scores into the next selection.
TEST(SessionTest, H2OPolicyAccumulatesAndEvicts) {
  FakeConfig config;
  config.h2o = true;
  config.numBlocks = 16;
  SessionOptions options;
  options.kvPolicy = *KVPolicy::parse("h2o=2,recent=2");
  auto session = makeSession(config, options);
  ASSERT_TRUE(session);
  ASSERT_OK(session->addSequence(1));
  ASSERT_OK(session->addSequence(2));
  // Sequence 1 (6 > 4 rows): positions 4, 5 are recent, the heavy hitters
  // of positions 0-3 (scores 5 1 9 2) are 2 and 0. Sequence 2 fits.
  ASSERT_OK(session->prefill({1, 2}, {{5, 1, 9, 2, 7, 3}, {1, 2, 3}}));
  EXPECT_EQ(gLog.calls, (std::vector<std::string>{"prefill_h2o"}));
  EXPECT_EQ(cachedRows(*session, 1),
            (std::vector<std::pair<int, int>>{{5, 0}, {9, 2}, {7, 4}, {3, 5}}));
  EXPECT_EQ(cachedRows(*session, 2), history({1, 2, 3}));
  // Decode: the query sees 5 rows; scores become 10 18 14 6 4 (positions
  // 0 2 4 5 6): 5 and 6 are recent, 2 and 4 the heavy hitters. Sequence 2
  // reaches 4 rows and keeps them.
  StatusOr<HostTensor> logits = session->decode({1, 2}, {4, 4});
  ASSERT_OK(logits);
  EXPECT_EQ(gLog.calls.back(), "decode_stats");
  EXPECT_EQ(gLog.lens, (std::vector<int32_t>{5, 4}));
  EXPECT_EQ(row(*logits, 0), countLogits({5, 9, 7, 3, 4}, 16));
  EXPECT_EQ(cachedRows(*session, 1),
            (std::vector<std::pair<int, int>>{{9, 2}, {7, 4}, {3, 5}, {4, 6}}));
  EXPECT_EQ(cachedRows(*session, 2), history({1, 2, 3, 4}));
  EXPECT_EQ(*session->numTokens(1), 7);
  // Scores 27 21 9 8 1 (positions 2 4 5 6 7): 6 and 7 recent, 2 and 4 heavy.
  ASSERT_OK(session->decode({1}, {1}));
  EXPECT_EQ(cachedRows(*session, 1),
            (std::vector<std::pair<int, int>>{{9, 2}, {7, 4}, {4, 6}, {1, 7}}));
  EXPECT_EQ(*session->cacheRows(1), 4);

  // A fork carries the scores: both evict alike on the same token.
  ASSERT_OK(session->forkSequence(1, 3));
  ASSERT_OK(session->decode({1, 3}, {2, 2}));
  EXPECT_EQ(cachedRows(*session, 1), cachedRows(*session, 3));
  EXPECT_EQ(*session->cacheRows(3), 4);
}

TEST(SessionTest, H2OPolicyRefusals) {
  SessionOptions options;
  options.kvPolicy = *KVPolicy::parse("h2o=4");
  auto refused = [&](const FakeConfig &config) {
    std::vector<HostTensor> w;
    w.push_back(zeros({config.vocab}));
    StatusOr<std::unique_ptr<Session>> s = Session::create(
        std::make_shared<FakeModel>(config), std::move(w), options);
    return s.ok() ? std::string() : s.status().message();
  };
  FakeConfig plain;
  EXPECT_EQ(refused(plain),
            "kv policy 'h2o=4,recent=4': the model exports no @prefill_h2o "
            "and @decode_stats (every layer's attention stats: tokamak-run "
            "compiles them for a model directory with an h2o policy, "
            "tokamak-compile --h2o into an artifact)");
  FakeConfig groups;
  groups.h2o = true;
  groups.group1Blocks = 8;
  EXPECT_EQ(refused(groups),
            "kv policy 'h2o=4,recent=4': h2o needs the shared layout with one "
            "cache group (one block table for every layer and head, which the "
            "accumulated attention of all of them selects rows for); this "
            "model has 2 cache groups");
  FakeConfig heads;
  heads.h2o = true;
  heads.heads = 2;
  EXPECT_EQ(refused(heads),
            "kv policy 'h2o=4,recent=4': h2o needs the shared layout with one "
            "cache group (one block table for every layer and head, which the "
            "accumulated attention of all of them selects rows for); this "
            "model has per-head block tables");
}

//===----------------------------------------------------------------------===//
// The per-head layout
//===----------------------------------------------------------------------===//

/// countLogits over several token lists (one per kv head's rows).
std::vector<float> countHeads(const std::vector<std::vector<int32_t>> &heads,
                              int64_t vocab) {
  std::vector<float> out(size_t(vocab), 0.0f);
  for (const std::vector<int32_t> &tokens : heads)
    for (int32_t t : tokens)
      out[size_t(t)] += 1.0f;
  return out;
}

// SnapKV in the per-head layout: every kv head keeps the top-budget
// positions of its own votes (head 0 votes the token ids, head 1 16 - id)
// and the observation window.
TEST(SessionTest, SnapKVSelectsPerKVHead) {
  FakeConfig config;
  config.heads = 2;
  config.numBlocks = 16;
  config.snapkvObs = 3;
  SessionOptions options;
  options.kvPolicy = *KVPolicy::parse("snapkv=2,obs=3,kernel=1");
  auto session = makeSession(config, options);
  ASSERT_TRUE(session);
  ASSERT_OK(session->addSequence(1));
  // Prefix 5 1 4 2 9: head 0 keeps positions 0 and 4 (votes 5, 9), head 1
  // positions 1 and 3 (votes 15, 14); both keep the window 5, 6, 7.
  ASSERT_OK(session->prefill({1}, {{5, 1, 4, 2, 9, 3, 7, 6}}));
  EXPECT_EQ(gLog.calls, (std::vector<std::string>{"prefill_stats"}));
  EXPECT_EQ(*session->headCacheRows(1), (std::vector<int64_t>{5, 5}));
  // Two one-head blocks of 4 rows per head.
  EXPECT_EQ(session->numUsedBlocks(), 4);
  StatusOr<HostTensor> logits = session->decode({1}, {4});
  ASSERT_OK(logits);
  EXPECT_EQ(gLog.positions, (std::vector<int32_t>{8}));
  EXPECT_EQ(gLog.lens, (std::vector<int32_t>{6, 6}));
  EXPECT_EQ(row(*logits, 0),
            countHeads({{5, 9, 3, 7, 6, 4}, {1, 2, 3, 7, 6, 4}}, 16));
}

// Slots [X, Hkv, Y], tables [N, Hkv, MaxBlocks] and lens [N, Hkv] reach the
// model; every head holds every token under the full policy.
TEST(SessionTest, PerHeadLayoutPassesTablesAndLensPerHead) {
  FakeConfig config;
  config.heads = 2;
  config.numBlocks = 16;
  std::unique_ptr<Session> session = makeSession(config);
  ASSERT_TRUE(session);
  EXPECT_EQ(session->abi().headTables, 2);
  ASSERT_OK(session->addSequence(1));
  ASSERT_OK(session->addSequence(2));
  std::vector<int32_t> a = {3, 4, 5}, b = {7, 7, 1, 2, 9};
  StatusOr<HostTensor> logits = session->prefill({1, 2}, {a, b});
  ASSERT_OK(logits);
  EXPECT_EQ(gLog.tableShape, (std::vector<int64_t>{2, 2, 2}));
  EXPECT_EQ(gLog.lens, (std::vector<int32_t>{3, 3, 5, 5}));
  EXPECT_EQ(row(*logits, 0), countHeads({a, a}, 16));
  EXPECT_EQ(row(*logits, 1), countHeads({b, b}, 16));
  // Five one-head blocks per head pair: 1 + 1 for a, 2 + 2 for b.
  EXPECT_EQ(session->numUsedBlocks(), 6);
  logits = session->decode({1, 2}, {6, 6});
  ASSERT_OK(logits);
  EXPECT_EQ(gLog.lens, (std::vector<int32_t>{4, 4, 6, 6}));
  a.push_back(6);
  b.push_back(6);
  EXPECT_EQ(row(*logits, 0), countHeads({a, a}, 16));
  EXPECT_EQ(row(*logits, 1), countHeads({b, b}, 16));
  EXPECT_EQ(*session->headCacheRows(2), (std::vector<int64_t>{6, 6}));
}

// RazorAttention: head 0 keeps every token, head 1 a window of 4 (no sinks)
// and gives its blocks back; the full policy keeps twice the tokens.
TEST(SessionTest, FullHeadsPolicyFreesTheOtherHeadsBlocks) {
  FakeConfig config;
  config.heads = 2;
  config.numBlocks = 32;
  SessionOptions razor;
  razor.kvPolicy = *KVPolicy::parse("window=4,full_heads=0");
  std::unique_ptr<Session> full = makeSession(config);
  std::unique_ptr<Session> evicting = makeSession(config, razor);
  ASSERT_TRUE(full && evicting);
  std::vector<int32_t> tokens;
  for (Session *s : {full.get(), evicting.get()})
    ASSERT_OK(s->addSequence(5));
  std::vector<float> last;
  for (int32_t t = 0; t < 20; ++t) {
    tokens.push_back(t % 16);
    ASSERT_OK(full->decode({5}, {t % 16}));
    StatusOr<HostTensor> logits = evicting->decode({5}, {t % 16});
    ASSERT_OK(logits);
    last = row(*logits, 0);
  }
  EXPECT_EQ(full->numUsedBlocks(), 10);
  // Head 0: 5 blocks; head 1: the blocks of positions 16..19 (q0 = 19,
  // threshold 16).
  EXPECT_EQ(evicting->numUsedBlocks(), 6);
  EXPECT_EQ(*evicting->headCacheRows(5), (std::vector<int64_t>{20, 4}));
  std::vector<int32_t> window(tokens.end() - 4, tokens.end());
  EXPECT_EQ(last, countHeads({tokens, window}, 16));
  EXPECT_EQ(evicting->blockTable(5, 0)->size(), 5u);
  EXPECT_EQ(evicting->blockTable(5, 1)->size(), 1u);
  EXPECT_ERROR(evicting->blockTable(5, 2), "kv head 2 out of range [0, 2)");
}

// Compaction per head keeps a different number of rows per head and frees
// the blocks the shorter head no longer needs.
TEST(SessionTest, PerHeadCompactionFreesBlocks) {
  FakeConfig config;
  config.heads = 2;
  config.numBlocks = 16;
  std::unique_ptr<Session> session = makeSession(config);
  ASSERT_TRUE(session);
  ASSERT_OK(session->addSequence(1));
  std::vector<int32_t> prompt = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  StatusOr<HostTensor> first = session->prefill({1}, {prompt});
  ASSERT_OK(first);
  EXPECT_EQ(row(*first, 0), countHeads({prompt, prompt}, 16));
  EXPECT_EQ(session->numUsedBlocks(), 6);
  std::vector<int64_t> all(12);
  for (int64_t p = 0; p < 12; ++p)
    all[size_t(p)] = p;
  ASSERT_OK(session->compact(1, {all, {0, 5, 11}}));
  EXPECT_EQ(session->numUsedBlocks(), 4);
  EXPECT_EQ(*session->headCacheRows(1), (std::vector<int64_t>{12, 3}));
  StatusOr<HostTensor> logits = session->decode({1}, {13 % 16});
  ASSERT_OK(logits);
  std::vector<int32_t> head0 = prompt, head1 = {1, 6, 12, 13};
  head0.push_back(13);
  EXPECT_EQ(row(*logits, 0), countHeads({head0, head1}, 16));
  EXPECT_EQ(gLog.positions, (std::vector<int32_t>{12}));
}

TEST(SessionTest, ReadsNpyWeights) {
  std::string dir = "/tmp/tok-session-test-" + std::to_string(::getpid());
  ASSERT_EQ(std::system(("rm -rf " + dir + " && mkdir -p " + dir).c_str()), 0);
  HostTensor bias = zeros({16});
  bias.data<float>()[3] = 2.0f;
  ASSERT_OK(writeNpy(dir + "/w0.npy", bias));
  StatusOr<std::vector<HostTensor>> weights = Session::readNpyWeights(dir);
  ASSERT_OK(weights);
  ASSERT_EQ(weights->size(), 1u);
  auto session = Session::create(std::make_shared<FakeModel>(FakeConfig()),
                                 std::move(*weights));
  ASSERT_OK(session);
  ASSERT_OK((*session)->addSequence(1));
  StatusOr<HostTensor> logits = (*session)->prefill({1}, {{1}});
  ASSERT_OK(logits);
  EXPECT_EQ(logits->data<float>()[3], 2.0f);
  EXPECT_FALSE(Session::readNpyWeights(dir + "/missing").ok());
  ASSERT_EQ(std::system(("rm -rf " + dir).c_str()), 0);
}

} // namespace
