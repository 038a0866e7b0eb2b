//===- Generate.cpp - Generation mode of tokamak-run ----------------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//
//
// Runs a model in the session ABI (docs/Session.md) through rt::Session:
// prefill of the prompt, then sample and decode one token at a time. Prints
//
//   generated: 5 17 3 ...
//   timing: prefill 0.412 ms (5 tokens), decode 5819.6 tokens/s (7 tokens in
//           1.203 ms)
//
// and, with --dump-logits, writes the logits that chose each new token.
//
//===----------------------------------------------------------------------===//

#include "Generate.h"

#include "LoadExecutable.h"
#include "ModelDirectory.h"

#include "tokamak/runtime/Npy.h"
#include "tokamak/runtime/OutputFiles.h"
#include "tokamak/runtime/Session.h"
#include "tokamak/runtime/SnapKVSelect.h"
#include "tokamak/runtime/Tokenizer.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <limits>
#include <string>
#include <tuple>
#include <vector>

using namespace tokamak;
using namespace tokamak::run;
using namespace tokamak::rt;

namespace {

/// Rows per K/V block when the model leaves it open and --block-size is not
/// given.
constexpr int32_t kDefaultBlockSize = 16;

/// The K/V pool dims of the decode signature, located as ModelABI::derive
/// locates them (the pools follow the six leading arguments; states are the
/// results after the logits), so that open dims get defaults and flags that
/// contradict fixed dims get a message in terms of the flags.
struct PoolDims {
  bool present = false;
  int64_t blocks = kDynamicDim;
  int64_t rows = kDynamicDim;
  /// Block tables per sequence: the kv head count in the per-head layout
  /// (blocks hold one head), else 1.
  int64_t tablesPerSeq = 1;
  /// Every K and V pool argument.
  std::vector<TensorSignature> signatures;
};

PoolDims findPools(const ModuleMetadata &metadata, const std::string &decode,
                   size_t numWeights) {
  const FunctionSignature *fn = metadata.lookupFunction(decode);
  if (!fn || fn->results.empty())
    return {};
  size_t numStates = fn->results.size() - 1;
  if (fn->inputs.size() < kNumModelArgs + 2 + numStates + numWeights)
    return {};
  const TensorSignature &key = fn->inputs[kNumModelArgs];
  if (key.shape.size() != 4)
    return {};
  PoolDims dims{true, key.shape[0], key.shape[1], 1, {}};
  const TensorSignature &table = fn->inputs[kArgBlockTable];
  if (table.shape.size() == 3 && table.shape[1] > 0)
    dims.tablesPerSeq = table.shape[1];
  size_t poolArgs = fn->inputs.size() - kNumModelArgs - numStates - numWeights;
  for (size_t i = 0; i < poolArgs; ++i)
    if (fn->inputs[kNumModelArgs + i].shape.size() == 4)
      dims.signatures.push_back(fn->inputs[kNumModelArgs + i]);
  return dims;
}

/// The directory holding `path` ("." for a bare name).
std::string parentDir(const std::string &path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos)
    return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

/// The weights: --weights=DIR, else `weights/` beside the model, else none.
StatusOr<std::vector<HostTensor>> loadWeights(const Options &options) {
  std::string dir = options.weights;
  if (dir.empty()) {
    dir = parentDir(options.input) + "/weights";
    if (!isDirectory(dir))
      return std::vector<HostTensor>();
  }
  StatusOr<std::vector<HostTensor>> weights = Session::readNpyWeights(dir);
  if (!weights.ok())
    return weights.status().withContext("weights");
  if (weights->empty())
    return Status::error("weights: no " + dir +
                         "/w0.npy (the weights are DIR/w0.npy, DIR/w1.npy, "
                         "... in argument order)");
  return weights;
}

/// Picks the pool dims: fixed by the model, else the flags, else defaults
/// (16 rows per block; enough blocks for the whole generation).
Status choosePoolDims(const Options &options, const PoolDims &pools,
                      ModelABIOptions &abi) {
  if (!pools.present)
    return Status::success();
  auto check = [](const char *flag, int32_t given, int64_t fixed) {
    if (given == 0 || fixed == kDynamicDim || given == fixed)
      return Status::success();
    return Status::error(std::string(flag) + "=" + std::to_string(given) +
                         ": the model's K/V pools have a fixed " +
                         std::to_string(fixed));
  };
  if (Status s = check("--num-blocks", options.numBlocks, pools.blocks);
      s.failed())
    return s;
  if (Status s = check("--block-size", options.blockSize, pools.rows);
      s.failed())
    return s;
  int64_t rows = pools.rows != kDynamicDim ? pools.rows
                 : options.blockSize       ? options.blockSize
                                           : kDefaultBlockSize;
  abi.blockSize = static_cast<int32_t>(rows);
  if (pools.blocks == kDynamicDim) {
    int64_t needed = static_cast<int64_t>(options.promptIds.size()) +
                     options.maxNewTokens - 1;
    // SnapKV compacts into fresh blocks before it frees the prompt's (in
    // any cache group whose policy is snapkv).
    int64_t kept = 0;
    std::vector<const KVPolicy *> snapkv = {&options.kvPolicy};
    for (const ModelKVPolicy::Override &range : options.kvGroupPolicies)
      snapkv.push_back(&range.policy);
    // Full heads are copied whole (compaction moves every head).
    for (const KVPolicy *policy : snapkv)
      if (policy->kind == KVPolicyKind::SnapKV)
        kept = std::max(kept, policy->fullHeads.empty()
                                  ? policy->budget + policy->obsWindow
                                  : int64_t(options.promptIds.size()));
    if (kept > 0)
      needed += (std::min<int64_t>(kept, int64_t(options.promptIds.size())) +
                 rows - 1) /
                rows * rows;
    // So does h2o, into B + R rows, whenever the cache outgrows them.
    if (options.kvPolicy.kind == KVPolicyKind::H2O)
      needed +=
          (std::min<int64_t>(options.kvPolicy.budget + options.kvPolicy.recent,
                             needed) +
           rows - 1) /
          rows * rows;
    // The per-head layout: every kv head has its own blocks.
    int64_t blocks = options.numBlocks
                         ? options.numBlocks
                         : (needed + rows - 1) / rows * pools.tablesPerSeq;
    if (blocks > std::numeric_limits<int32_t>::max())
      return Status::error("the generation needs " + std::to_string(blocks) +
                           " K/V blocks; give --block-size or --num-blocks");
    abi.numBlocks = static_cast<int32_t>(blocks);
  }
  // The pools are allocated (and zeroed) whole: more than the machine's
  // memory is refused here, in terms of the flags.
  int64_t poolBlocks =
      pools.blocks != kDynamicDim ? pools.blocks : int64_t(abi.numBlocks);
  uint64_t bytes = 0;
  for (const TensorSignature &pool : pools.signatures) {
    uint64_t perRow = dtypeSize(pool.dtype);
    for (size_t d = 2; d < pool.shape.size(); ++d)
      perRow *= static_cast<uint64_t>(std::max<int64_t>(pool.shape[d], 1));
    uint64_t poolRows = uint64_t(poolBlocks) * uint64_t(rows);
    if (perRow != 0 && poolRows > (UINT64_MAX / 2 - bytes) / perRow) {
      bytes = UINT64_MAX / 2;
      break;
    }
    bytes += poolRows * perRow;
  }
  std::string flags =
      (options.numBlocks ? " (--num-blocks=" + std::to_string(options.numBlocks)
                         : std::string(" (")) +
      (options.blockSize ? " --block-size=" + std::to_string(options.blockSize)
                         : std::string()) +
      ")";
  if (Status fits = checkFitsInMemory(
          bytes, "the K/V cache of " + std::to_string(poolBlocks) +
                     " blocks of " + std::to_string(rows) + " rows" +
                     (flags == " ()" ? std::string() : flags));
      fits.failed())
    return fits;
  return Status::success();
}

/// Checks the prompt against the model: ids inside the vocabulary and, with
/// the full policy (which keeps every row), enough K/V blocks for the prompt
/// and every new token but the last (which is sampled, never fed).
Status checkRequest(const Options &options, const Session &session,
                    bool openBlocks) {
  const ModelABI &abi = session.abi();
  if (abi.vocab != kDynamicDim)
    for (int32_t id : options.promptIds)
      if (id >= abi.vocab)
        return Status::error("--prompt-ids: token id " + std::to_string(id) +
                             " is outside the model's vocabulary [0, " +
                             std::to_string(abi.vocab) + ")");
  if (abi.numKVLayers() == 0)
    return Status::success();
  int64_t prompt = static_cast<int64_t>(options.promptIds.size());
  int64_t rows = prompt + options.maxNewTokens - 1;
  // A window at least as long as the whole run never evicts: it needs the
  // rows the full policy needs, which is checked now rather than when the
  // pools run out mid-generation. Each cache group has its own pools.
  for (size_t g = 0; g < std::max<size_t>(1, abi.numGroups()); ++g) {
    const KVPolicy &policy =
        abi.numGroups() > 0 ? session.groupPolicy(g) : options.kvPolicy;
    bool keepsAll =
        policy.kind == KVPolicyKind::Full ||
        (policy.kind == KVPolicyKind::Window && policy.isLossless(rows));
    if (!keepsAll || abi.numGroups() == 0)
      continue;
    int32_t blockSize = abi.groupBlockSize(g);
    int64_t tableBlocks = (rows + blockSize - 1) / blockSize;
    // The per-head layout: one-head blocks, a table per kv head.
    int64_t blocks = tableBlocks * std::max<int64_t>(abi.headTables, 1);
    std::string need = "out of KV blocks: the prompt (" +
                       std::to_string(prompt) + " tokens) and " +
                       std::to_string(options.maxNewTokens) +
                       " new tokens need " + std::to_string(rows) +
                       " cache rows, " + std::to_string(blocks) +
                       " blocks of " + std::to_string(blockSize) + ", ";
    std::string window =
        policy.kind == KVPolicyKind::Window
            ? " (--kv-policy=" + policy.str() +
                  " keeps every row of this run: the window is not shorter)"
            : "";
    std::string group = abi.numGroups() > 1
                            ? " of cache group " + std::to_string(g)
                            : std::string();
    if (blocks > abi.groupNumBlocks(g))
      return Status::error(need + "but the model's K/V pools" + group +
                           " hold " + std::to_string(abi.groupNumBlocks(g)) +
                           (openBlocks ? " (raise --num-blocks)" : "") +
                           window);
    int64_t maxBlocks = abi.groups[g].maxBlocks;
    if (maxBlocks != kDynamicDim && tableBlocks > maxBlocks)
      return Status::error(need + "but the model's block table" + group +
                           " holds " + std::to_string(maxBlocks) + window);
  }
  return Status::success();
}

/// With open pool dims and no --num-blocks, gives each cache group whose
/// policy evicts by window the blocks it holds at most during this run (the
/// manager replayed on a scratch allocator), so its pools take less memory
/// than a full group's.
void sizeWindowedGroups(const Options &options, const ModuleMetadata &metadata,
                        size_t numWeights, bool openBlocks,
                        SessionOptions &session) {
  if (!openBlocks || options.numBlocks != 0 || session.abi.numBlocks <= 0)
    return;
  StatusOr<ModelABI> abi = ModelABI::derive(metadata, numWeights, session.abi);
  if (!abi.ok() || abi->numGroups() < 2 || abi->headTables)
    return;
  std::vector<KVPolicy> policies(abi->numGroups(), session.kvPolicy);
  for (const ModelKVPolicy::Override &range : session.groupPolicies)
    for (int64_t g = range.first; g <= range.last; ++g)
      if (g >= 0 && g < int64_t(policies.size()))
        policies[size_t(g)] = range.policy;
  session.abi.groupNumBlocks.assign(abi->numGroups(), 0);
  for (size_t g = 0; g < abi->numGroups(); ++g) {
    WindowEviction eviction = policies[g].eviction();
    if (eviction.window <= 0)
      continue;
    StatusOr<std::shared_ptr<BlockAllocator>> scratch =
        BlockAllocator::create(session.abi.numBlocks);
    if (!scratch.ok())
      continue;
    StatusOr<KVCacheManager> manager =
        KVCacheManager::create(*scratch, abi->groupBlockSize(g), eviction);
    if (!manager.ok() || manager->addSequence(0).failed())
      continue;
    int32_t peak = 0;
    bool ok = manager->append(0, int64_t(options.promptIds.size())).ok();
    peak = (*scratch)->numUsed();
    for (int64_t i = 1; ok && i < options.maxNewTokens; ++i) {
      ok = manager->append(0, 1).ok();
      peak = std::max(peak, (*scratch)->numUsed());
    }
    if (ok && peak > 0)
      session.abi.groupNumBlocks[g] = peak;
  }
}

double nowMs() {
  using namespace std::chrono;
  return duration<double, std::milli>(steady_clock::now().time_since_epoch())
      .count();
}

std::string formatSeconds(double seconds) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.2f s", seconds);
  return buffer;
}

/// The final hidden states of the prompt through the model's hidden
/// function, written to `path` (the temporary file of --dump-hidden).
Status dumpHidden(Executable &executable, const ModelInfo &model,
                  const std::vector<int32_t> &prompt,
                  const std::vector<HostTensor> &weights,
                  const std::string &path) {
  if (model.hiddenFunction.empty())
    return Status::error("--dump-hidden: the model has no hidden-state "
                         "function");
  int64_t n = static_cast<int64_t>(prompt.size());
  if (model.maxPositions > 0 && n > model.maxPositions)
    return Status::error("--dump-hidden: the prompt has " + std::to_string(n) +
                         " tokens but model_type " + model.architecture +
                         " has " + std::to_string(model.maxPositions) +
                         " positions (max_position_embeddings)");
  std::vector<HostTensor> inputs;
  StatusOr<HostTensor> tokens = HostTensor::create(DType::i32, {1, n});
  StatusOr<HostTensor> positions = HostTensor::create(DType::i32, {1, n});
  if (!tokens.ok())
    return tokens.status();
  if (!positions.ok())
    return positions.status();
  for (int64_t i = 0; i < n; ++i) {
    tokens->data<int32_t>()[i] = prompt[static_cast<size_t>(i)];
    positions->data<int32_t>()[i] = static_cast<int32_t>(i);
  }
  inputs.push_back(std::move(*tokens));
  inputs.push_back(std::move(*positions));
  // Views of the weights: the session owns them afterwards.
  for (const HostTensor &w : weights)
    inputs.push_back(HostTensor::wrap(w.dtype(), w.shape(),
                                      const_cast<void *>(w.rawData())));
  StatusOr<std::vector<HostTensor>> hidden =
      invoke(executable, model.hiddenFunction, inputs);
  if (!hidden.ok())
    return hidden.status().withContext("--dump-hidden");
  if (Status s = writeNpyTo(path, hidden->front()); s.failed())
    return s.withContext("--dump-hidden");
  return Status::success();
}

} // namespace

int tokamak::run::generate(const Options &options,
                           std::unique_ptr<Executable> executable,
                           const ModelRun &run) {
  const std::optional<ModelInfo> &model = executable->metadata().model;
  if (model && !model->generates && options.maxNewTokens > 0)
    return fail("model_type " + model->architecture +
                " is an encoder: use --dump-hidden with --max-new-tokens=0");
  // The output paths are checked before anything runs; the files appear
  // together at the end, or not at all.
  OutputFiles outputFiles;
  std::string hiddenTemp, logitsTemp;
  for (auto [flag, path, temp] :
       {std::tuple("--dump-hidden", &options.dumpHidden, &hiddenTemp),
        std::tuple("--dump-logits", &options.dumpLogits, &logitsTemp)}) {
    if (path->empty())
      continue;
    StatusOr<std::string> staged = outputFiles.add(*path);
    if (!staged.ok())
      return fail(std::string(flag) + ": " + staged.status().message());
    *temp = *staged;
  }
  // A model compiled from a directory reads its weights (and tokenizer)
  // from one: the input itself, or --weights for an artifact.
  std::string modelDir = run.modelDir.empty() ? options.weights : run.modelDir;
  if (model && modelDir.empty())
    return fail("'" + options.input +
                "' was compiled from a model directory: pass "
                "--weights=MODEL_DIR (the directory holding its "
                "*.safetensors)");
  StatusOr<std::vector<HostTensor>> weights =
      model ? readModelWeights(*model, modelDir) : loadWeights(options);
  if (!weights.ok())
    return fail(weights.status().message());
  bool noWeights = weights->empty();

  // The prompt: token ids, or text through the model's tokenizer (which,
  // when present, also prints the generated text).
  std::unique_ptr<Tokenizer> tokenizer;
  if (model) {
    StatusOr<std::unique_ptr<Tokenizer>> loaded =
        Tokenizer::loadFromDirectory(modelDir);
    if (loaded.ok())
      tokenizer = std::move(*loaded);
    else if (options.hasPrompt)
      return fail("--prompt: " + loaded.status().message());
  } else if (options.hasPrompt) {
    return fail("--prompt needs a tokenizer: run a Hugging Face model "
                "directory (or an artifact compiled from one with "
                "--weights=MODEL_DIR), or give --prompt-ids");
  }
  std::vector<int32_t> prompt = options.promptIds;
  if (options.hasPrompt) {
    StatusOr<std::vector<int32_t>> ids = tokenizer->encode(options.prompt);
    if (!ids.ok())
      return fail("--prompt: " + ids.status().message());
    if (ids->empty())
      return fail("--prompt: the text has no tokens");
    prompt = std::move(*ids);
  }
  if (model)
    for (int32_t id : prompt)
      if (id >= model->vocabSize)
        return fail("token id " + std::to_string(id) +
                    " is outside the model's vocabulary [0, " +
                    std::to_string(model->vocabSize) + ")");

  // Resolve the entries now: the JIT compiles on the first lookup, which
  // the prefill time would otherwise include.
  for (const FunctionSignature &fn : executable->metadata().functions)
    (void)executable->lookupEntry(fn.entry);

  if (!options.dumpHidden.empty()) {
    if (!model)
      return fail("--dump-hidden needs a model compiled from a model "
                  "directory");
    if (Status s =
            dumpHidden(*executable, *model, prompt, *weights, hiddenTemp);
        s.failed())
      return fail(s.message());
    if (options.maxNewTokens == 0) {
      if (Status s = outputFiles.commit(); s.failed())
        return fail(s.message());
      return 0;
    }
  }

  Options request = options;
  request.promptIds = prompt;
  SessionOptions sessionOptions;
  sessionOptions.kvPolicy = options.kvPolicy;
  sessionOptions.groupPolicies = options.kvGroupPolicies;
  PoolDims pools =
      findPools(executable->metadata(), sessionOptions.abi.decodeFunction,
                weights->size());
  if (Status s = choosePoolDims(request, pools, sessionOptions.abi); s.failed())
    return fail(s.message());
  sizeWindowedGroups(request, executable->metadata(), weights->size(),
                     pools.blocks == kDynamicDim, sessionOptions);

  StatusOr<std::unique_ptr<Session>> created =
      Session::create(std::shared_ptr<Executable>(std::move(executable)),
                      std::move(*weights), sessionOptions);
  if (!created.ok())
    return fail(created.status().message() +
                (noWeights ? " (no weights were given: pass --weights=DIR "
                             "holding w0.npy, w1.npy, ...)"
                           : ""));
  Session &session = **created;
  if (Status s = checkRequest(request, session, pools.blocks == kDynamicDim);
      s.failed())
    return fail(s.message());

  const SeqId id = 0;
  if (Status s = session.addSequence(id); s.failed())
    return fail(s.message());
  double start = nowMs();
  StatusOr<HostTensor> first = session.prefill({id}, {prompt});
  if (!first.ok())
    return fail(first.status().message());
  double prefillMs = nowMs() - start;
  bool snapkv = options.kvPolicy.kind == KVPolicyKind::SnapKV;
  for (const ModelKVPolicy::Override &range : options.kvGroupPolicies)
    snapkv |= range.policy.kind == KVPolicyKind::SnapKV;
  if (snapkv) {
    // The most rows a snapkv cache group (its longest kv head) kept.
    int64_t kept = 0;
    for (size_t g = 0; g < session.numGroups(); ++g)
      if (session.groupPolicy(g).kind == KVPolicyKind::SnapKV)
        if (StatusOr<int64_t> rows = session.groupCacheRows(id, g); rows.ok())
          kept = std::max(kept, *rows);
    // The selection runs in the model (@snapkv_select_*) when it was compiled
    // for the budget, else in the runtime's C++ (SnapKVSelect.h).
    bool compiled = true;
    SnapKVPooling pooling = SnapKVPooling::Avg;
    for (size_t g = 0; g < session.numGroups(); ++g)
      if (const KVPolicy &policy = session.groupPolicy(g);
          policy.kind == KVPolicyKind::SnapKV) {
        pooling = policy.pooling;
        compiled &= snapkvCompiledBudget(session.executable(),
                                         policy.pooling) >= policy.budget;
      }
    std::fprintf(stderr,
                 "snapkv: kept %lld of %lld prompt positions (selection: "
                 "%s%s)\n",
                 static_cast<long long>(kept),
                 static_cast<long long>(prompt.size()), compiled ? "@" : "C++",
                 compiled ? snapkvSelectFunction(pooling) : "");
  } else if (options.kvPolicy.kind == KVPolicyKind::H2O) {
    StatusOr<int64_t> rows = session.cacheRows(id);
    if (rows.ok())
      std::fprintf(stderr, "%s: kept %lld of %lld prompt positions\n", "h2o",
                   static_cast<long long>(*rows),
                   static_cast<long long>(prompt.size()));
  }
  const int64_t vocab = first->shape()[1];

  SamplingParams params;
  params.temperature = options.temperature;
  params.topK = options.topK;
  params.topP = options.topP;
  params.seed = options.seed;
  Sampler sampler(params);
  if (sampler.status().failed())
    return fail(sampler.status().message());

  // Text streams token by token; generation from a text prompt ends at the
  // model's end-of-sequence token unless --ignore-eos.
  std::optional<Tokenizer::Stream> stream;
  if (tokenizer) {
    stream.emplace(*tokenizer);
    if (options.hasPrompt) {
      std::fputs(options.prompt.c_str(), stdout);
      std::fflush(stdout);
    }
  }
  bool stopAtEos = options.hasPrompt && !options.ignoreEos && model;
  auto isEos = [&](int32_t token) {
    return stopAtEos &&
           std::find(model->eosTokenIds.begin(), model->eosTokenIds.end(),
                     token) != model->eosTokenIds.end();
  };

  const int64_t total = options.maxNewTokens;
  std::vector<int32_t> generated;
  std::vector<float> chosen;
  if (!options.dumpLogits.empty()) {
    // Every row is kept until the end: refuse a dump larger than memory
    // before generating.
    uint64_t bytes = uint64_t(total) * uint64_t(vocab) * sizeof(float);
    if (Status s = checkFitsInMemory(
            bytes, "--dump-logits of " + std::to_string(total) + " rows of " +
                       std::to_string(vocab) + " logits");
        s.failed())
      return fail(s.message());
    chosen.reserve(size_t(total) * size_t(vocab));
  }
  start = nowMs();
  for (int64_t step = 0; step < total; ++step) {
    auto where = [&] {
      return "after " + std::to_string(generated.size()) + " of " +
             std::to_string(total) + " new tokens";
    };
    if (!options.dumpLogits.empty()) {
      StatusOr<std::vector<float>> row = session.logits(id);
      if (!row.ok())
        return fail(row.status().withContext(where()).message());
      chosen.insert(chosen.end(), row->begin(), row->end());
    }
    StatusOr<std::vector<int32_t>> next = session.sample({id}, sampler);
    if (!next.ok())
      return fail(next.status().withContext(where()).message());
    generated.push_back(next->front());
    if (stream) {
      StatusOr<std::string> piece = stream->push(next->front());
      if (!piece.ok())
        return fail(piece.status().withContext(where()).message());
      std::fputs(piece->c_str(), stdout);
      std::fflush(stdout);
    }
    if (step + 1 == total || isEos(next->front()))
      break;
    StatusOr<HostTensor> logits = session.decode({id}, *next);
    if (!logits.ok())
      return fail(logits.status().withContext(where()).message());
  }
  double decodeMs = nowMs() - start;
  if (stream) {
    StatusOr<std::string> rest = stream->finish();
    if (rest.ok())
      std::fputs(rest->c_str(), stdout);
    std::fputs("\n", stdout);
  }

  if (!options.dumpLogits.empty()) {
    int64_t rows = static_cast<int64_t>(chosen.size()) / vocab;
    StatusOr<HostTensor> dump = HostTensor::create(DType::f32, {rows, vocab});
    if (!dump.ok())
      return fail(dump.status().withContext("--dump-logits").message());
    std::copy(chosen.begin(), chosen.end(), dump->data<float>());
    if (Status s = writeNpyTo(logitsTemp, *dump); s.failed())
      return fail(s.withContext("--dump-logits: cannot write '" +
                                options.dumpLogits + "'")
                      .message());
  }
  if (Status s = outputFiles.commit(); s.failed())
    return fail(s.message());

  std::string line = "generated:";
  for (int32_t token : generated)
    line += " " + std::to_string(token);
  std::printf("%s\n", line.c_str());
  int64_t decoded = static_cast<int64_t>(generated.size()) - 1;
  std::printf("timing: prefill %.3f ms (%zu tokens), ", prefillMs,
              prompt.size());
  if (decoded > 0 && decodeMs > 0)
    std::printf("decode %.1f tokens/s (%lld tokens in %.3f ms)\n",
                1000.0 * static_cast<double>(decoded) / decodeMs,
                static_cast<long long>(decoded), decodeMs);
  else
    std::printf("decode 0 tokens\n");
  // Blocks in use per cache group, when the model has several groups,
  // --kv-policy names one, or blocks hold one kv head (the per-head layout).
  if (session.numGroups() > 1 || !options.kvGroupPolicies.empty() ||
      session.abi().headTables) {
    std::string blocks =
        "kv blocks in use: " + std::to_string(session.numUsedBlocks()) + " (";
    for (size_t g = 0; g < session.numGroups(); ++g)
      blocks += (g ? ", " : "") + std::string("group ") + std::to_string(g) +
                " " + session.groupPolicy(g).str() + ": " +
                std::to_string(session.numUsedBlocks(g)) + " of " +
                std::to_string(session.abi().groupNumBlocks(g));
    std::printf("%s)%s\n", blocks.c_str(),
                session.abi().headTables ? " (one kv head per block)" : "");
  }
  if (run.compiled) {
    std::string compile =
        run.cacheHit ? "cache hit (" + formatSeconds(run.compileSeconds) + ")"
                     : "compile " + formatSeconds(run.compileSeconds);
    std::printf("summary: %zu prompt tokens, prefill %.1f tokens/s, decode "
                "%.1f tokens/s, %s\n",
                prompt.size(),
                prefillMs > 0
                    ? 1000.0 * static_cast<double>(prompt.size()) / prefillMs
                    : 0.0,
                decoded > 0 && decodeMs > 0
                    ? 1000.0 * static_cast<double>(decoded) / decodeMs
                    : 0.0,
                compile.c_str());
  }
  return 0;
}
