//===- tokamak-bench-model.cpp - Times a model through rt::Session --------===//
//
// Part of the Tokamak project. Compiles a Hugging Face model directory the
// way tokamak-run does (the frontend through the JIT plugin, into the same
// on-disk compile cache: tools/tokamak-run/ModelDirectory.cpp), maps its
// safetensors, builds an rt::Session and times the phases of generation.
// Prints one JSON object per line, flushed as written:
//
//   {"kind":"compiled","compile_seconds":...,"cache_hit":...}
//   {"kind":"model","architecture":...,"dtype":...,"weight_bytes":...,
//    "streamed_bytes":...,"threads":...,"batched_decode":true}
//   {"kind":"warmup","seconds":...}
//   {"kind":"result","phase":"prefill","batch":1,"tokens":512,
//    "seconds":...,"tokens_per_s":...,"streamed_bytes":...}
//   {"kind":"result","phase":"decode","batch":8,"steps":128,"tokens":1024,
//    "seconds":...,"tokens_per_s":...,"ms_per_step":...,
//    "streamed_bytes":...,"gbs":...}
//   {"kind":"error","phase":...,"message":...}
//
// Usage:
//
//   tokamak-bench-model MODEL_DIR [--prompt-tokens=512] [--decode-tokens=128]
//       [--decode-prompt-tokens=16] [--batch=1,8] [--threads=N]
//       [--cache-dir=DIR | --no-cache] [--repeat=N] [--compile-only]
//
// Phases (bench/README.md, "The model rows"):
//
//   - warm-up: one sequence of --decode-prompt-tokens tokens prefilled and
//     decoded once, untimed, so every weight page is mapped and the OpenMP
//     threads exist before anything is timed;
//   - prefill: one sequence of --prompt-tokens random tokens through one
//     Session::prefill call;
//   - decode, per --batch B: B sequences, each prefilled (untimed) with its
//     own --decode-prompt-tokens random tokens, then --decode-tokens steps
//     of one Session::decode call advancing all B sequences by one token
//     (greedy tokens from the latest logits). tokens = B x steps.
//
// --repeat=N runs each timed phase N times on fresh sequences and reports
// the fastest. "streamed_bytes" is what one forward pass must read of the
// weights: every weight argument, less the embedding table unless the head
// is tied to it (a decode step gathers one row of it); gbs is that times the
// steps over the decode time. K/V cache and state traffic are not counted.
// Threads: --threads sets OMP_NUM_THREADS for the compiled code's OpenMP
// runtime (default: the environment's).
//
//===----------------------------------------------------------------------===//

#include "LoadExecutable.h"
#include "ModelDirectory.h"

#include "tokamak/runtime/Executable.h"
#include "tokamak/runtime/ModelABI.h"
#include "tokamak/runtime/Sampling.h"
#include "tokamak/runtime/Session.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

using namespace tokamak;
using namespace tokamak::rt;

namespace {

/// Rows per K/V block when the model leaves it open.
constexpr int32_t kBlockSize = 16;

struct BenchOptions {
  std::string modelDir;
  int64_t promptTokens = 512;
  int64_t decodeTokens = 128;
  int64_t decodePromptTokens = 16;
  std::vector<int64_t> batches = {1, 8};
  int64_t threads = 0;
  std::string cacheDir;
  bool noCache = false;
  int64_t repeat = 1;
  bool compileOnly = false;
};

const char *const kUsage =
    "usage: tokamak-bench-model MODEL_DIR [--prompt-tokens=N] "
    "[--decode-tokens=N]\n"
    "           [--decode-prompt-tokens=N] [--batch=B[,B...]] [--threads=N]\n"
    "           [--cache-dir=DIR | --no-cache] [--repeat=N] "
    "[--compile-only]\n";

std::string jsonString(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\t':
      out += "\\t";
      break;
    default:
      if (static_cast<unsigned char>(c) < 0x20) {
        char buffer[8];
        std::snprintf(buffer, sizeof(buffer), "\\u%04x", c);
        out += buffer;
      } else {
        out += c;
      }
    }
  }
  return out + "\"";
}

std::string jsonNumber(double value) {
  if (!std::isfinite(value))
    return "null";
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.6g", value);
  return buffer;
}

/// Writes one JSON line from already-encoded "key":value fields.
void emit(const std::vector<std::pair<std::string, std::string>> &fields) {
  std::string line = "{";
  for (size_t i = 0; i < fields.size(); ++i)
    line +=
        (i ? "," : "") + jsonString(fields[i].first) + ":" + fields[i].second;
  std::printf("%s}\n", line.c_str());
  std::fflush(stdout);
}

int emitError(const std::string &phase, const std::string &message) {
  emit({{"kind", jsonString("error")},
        {"phase", jsonString(phase)},
        {"message", jsonString(message)}});
  return 1;
}

bool parseCount(std::string_view text, int64_t minimum, int64_t &value) {
  if (text.empty() || text.size() > 12)
    return false;
  int64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9')
      return false;
    v = v * 10 + (c - '0');
  }
  if (v < minimum)
    return false;
  value = v;
  return true;
}

Status parseArguments(int argc, char **argv, BenchOptions &options) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    size_t eq = arg.find('=');
    std::string_view name = arg.substr(0, eq);
    std::string_view value =
        eq == std::string_view::npos ? std::string_view() : arg.substr(eq + 1);
    auto bad = [&] {
      return Status::error("bad value for " + std::string(name) + ": '" +
                           std::string(value) + "'");
    };
    if (name == "--prompt-tokens") {
      if (!parseCount(value, 0, options.promptTokens))
        return bad();
    } else if (name == "--decode-tokens") {
      if (!parseCount(value, 0, options.decodeTokens))
        return bad();
    } else if (name == "--decode-prompt-tokens") {
      if (!parseCount(value, 1, options.decodePromptTokens))
        return bad();
    } else if (name == "--threads") {
      if (!parseCount(value, 1, options.threads))
        return bad();
    } else if (name == "--repeat") {
      if (!parseCount(value, 1, options.repeat))
        return bad();
    } else if (name == "--batch") {
      options.batches.clear();
      std::string_view rest = value;
      while (true) {
        size_t comma = rest.find(',');
        int64_t batch = 0;
        if (!parseCount(rest.substr(0, comma), 1, batch) || batch > 4096)
          return bad();
        options.batches.push_back(batch);
        if (comma == std::string_view::npos)
          break;
        rest = rest.substr(comma + 1);
      }
    } else if (name == "--cache-dir" && !value.empty()) {
      options.cacheDir = std::string(value);
    } else if (arg == "--no-cache") {
      options.noCache = true;
    } else if (arg == "--compile-only") {
      options.compileOnly = true;
    } else if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    } else if (!arg.empty() && arg[0] != '-' && options.modelDir.empty()) {
      options.modelDir = std::string(arg);
    } else {
      return Status::error("unknown argument '" + std::string(arg) + "'");
    }
  }
  if (options.modelDir.empty())
    return Status::error("no model directory given");
  if (options.noCache && !options.cacheDir.empty())
    return Status::error("--no-cache and --cache-dir exclude each other");
  return Status::success();
}

double nowSeconds() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

/// Deterministic token ids in [0, vocab) (a 64-bit LCG).
std::vector<int32_t> randomTokens(int64_t count, int64_t vocab, uint64_t seed) {
  std::vector<int32_t> tokens(static_cast<size_t>(count));
  uint64_t state = seed * 0x9e3779b97f4a7c15ull + 1;
  for (int32_t &t : tokens) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    t = static_cast<int32_t>((state >> 33) % static_cast<uint64_t>(vocab));
  }
  return tokens;
}

/// Bytes of the weights one forward pass reads: all of them, less the
/// embedding table when the head is not tied to it.
uint64_t streamedBytes(const ModelInfo &model,
                       const std::vector<HostTensor> &weights,
                       std::string &excluded) {
  bool hasHead = false;
  for (const std::string &name : model.weights)
    if (name == "lm_head.weight")
      hasHead = true;
  uint64_t bytes = 0;
  for (size_t i = 0; i < weights.size(); ++i) {
    const std::string &name = model.weights[i];
    const HostTensor &w = weights[i];
    bool embedding = name.find("embed") != std::string::npos && w.rank() == 2 &&
                     w.shape()[0] == model.vocabSize;
    if (embedding && hasHead) {
      excluded = name;
      continue;
    }
    bytes += w.byteSize();
  }
  return bytes;
}

/// Counts NaN/inf in the logits.
int64_t countNonFinite(const HostTensor &logits) {
  int64_t n = 0;
  const float *data = logits.data<float>();
  for (int64_t i = 0; i < logits.numel(); ++i)
    n += std::isfinite(data[i]) ? 0 : 1;
  return n;
}

/// K/V pool dims the model leaves open: 16-row blocks and enough blocks for
/// the largest phase (one table serves every sequence of a phase).
void choosePools(const Executable &executable, size_t numWeights,
                 const BenchOptions &options, ModelABIOptions &abi) {
  const FunctionSignature *fn =
      executable.metadata().lookupFunction(abi.decodeFunction);
  if (!fn || fn->results.empty())
    return;
  size_t numStates = fn->results.size() - 1;
  if (fn->inputs.size() < kNumModelArgs + 2 + numStates + numWeights)
    return;
  const TensorSignature &key = fn->inputs[kNumModelArgs];
  if (key.shape.size() != 4)
    return;
  int64_t rows = key.shape[1] == kDynamicDim ? kBlockSize : key.shape[1];
  if (key.shape[1] == kDynamicDim)
    abi.blockSize = kBlockSize;
  if (key.shape[0] != kDynamicDim)
    return;
  auto blocks = [&](int64_t tokens) { return (tokens + rows - 1) / rows; };
  int64_t needed = blocks(std::max(options.promptTokens, int64_t(1)));
  int64_t perDecodeSeq =
      blocks(options.decodePromptTokens + options.decodeTokens + 1);
  for (int64_t batch : options.batches)
    needed = std::max(needed, batch * perDecodeSeq);
  abi.numBlocks = static_cast<int32_t>(
      std::min<int64_t>(needed + 1, std::numeric_limits<int32_t>::max()));
}

/// Frees every sequence of the session.
void freeAll(Session &session) {
  for (SeqId id : session.sequenceIds())
    (void)session.freeSequence(id);
}

/// One timed prefill of `tokens` prompt tokens; seconds or an error.
StatusOr<double> timePrefill(Session &session, int64_t tokens, int64_t vocab,
                             uint64_t seed, int64_t &nonFinite) {
  freeAll(session);
  std::vector<int32_t> prompt = randomTokens(tokens, vocab, seed);
  if (Status s = session.addSequence(0); s.failed())
    return s;
  double start = nowSeconds();
  StatusOr<HostTensor> logits = session.prefill({0}, {prompt});
  double seconds = nowSeconds() - start;
  if (!logits.ok())
    return logits.status();
  nonFinite = countNonFinite(*logits);
  return seconds;
}

/// `batch` sequences prefilled (untimed), then `steps` timed decode calls
/// over all of them; seconds or an error.
StatusOr<double> timeDecode(Session &session, int64_t batch, int64_t steps,
                            int64_t promptTokens, int64_t vocab, uint64_t seed,
                            int64_t &nonFinite) {
  freeAll(session);
  std::vector<SeqId> ids;
  std::vector<std::vector<int32_t>> prompts;
  for (int64_t b = 0; b < batch; ++b) {
    ids.push_back(b);
    prompts.push_back(randomTokens(promptTokens, vocab, seed + 7919 * b));
    if (Status s = session.addSequence(b); s.failed())
      return s;
  }
  if (StatusOr<HostTensor> first = session.prefill(ids, prompts); !first.ok())
    return first.status().withContext("prefill of the decode prompts");
  Sampler greedy(SamplingParams{});
  double start = nowSeconds();
  for (int64_t step = 0; step < steps; ++step) {
    StatusOr<std::vector<int32_t>> next = session.sample(ids, greedy);
    if (!next.ok())
      return next.status();
    StatusOr<HostTensor> logits = session.decode(ids, *next);
    if (!logits.ok())
      return logits.status().withContext("decode step " + std::to_string(step));
    if (step + 1 == steps)
      nonFinite = countNonFinite(*logits);
  }
  return nowSeconds() - start;
}

} // namespace

int main(int argc, char **argv) {
  BenchOptions options;
  if (Status s = parseArguments(argc, argv, options); s.failed()) {
    std::fprintf(stderr, "tokamak-bench-model: error: %s\n%s",
                 s.message().c_str(), kUsage);
    return 1;
  }
  // Before the compiled code's OpenMP runtime starts (it is loaded with the
  // artifact).
  if (options.threads > 0)
    ::setenv("OMP_NUM_THREADS", std::to_string(options.threads).c_str(), 1);
  const char *envThreads = std::getenv("OMP_NUM_THREADS");

  // Compile (or load from the cache) exactly as tokamak-run does.
  run::Options runOptions;
  runOptions.input = options.modelDir;
  runOptions.cacheDir = options.cacheDir;
  runOptions.noCache = options.noCache;
  StatusOr<run::LoadedModel> loaded = run::loadModelDirectory(runOptions);
  if (!loaded.ok())
    return emitError("compile", loaded.status().message());
  emit({{"kind", jsonString("compiled")},
        {"compile_seconds", jsonNumber(loaded->compileSeconds)},
        {"cache_hit", loaded->cacheHit ? "true" : "false"}});
  if (options.compileOnly)
    return 0;

  std::shared_ptr<Executable> executable = std::move(loaded->executable);
  const std::optional<ModelInfo> &model = executable->metadata().model;
  if (!model || !model->generates)
    return emitError("load", "'" + options.modelDir +
                                 "' is not a decoder model (no session ABI)");
  StatusOr<std::vector<HostTensor>> weights =
      run::readModelWeights(*model, options.modelDir);
  if (!weights.ok())
    return emitError("load", weights.status().message());
  uint64_t weightBytes = 0;
  for (const HostTensor &w : *weights)
    weightBytes += w.byteSize();
  std::string excluded;
  uint64_t streamed = streamedBytes(*model, *weights, excluded);

  // Resolve the entries now: the JIT compiles on the first lookup.
  for (const FunctionSignature &fn : executable->metadata().functions)
    (void)executable->lookupEntry(fn.entry);

  SessionOptions sessionOptions;
  choosePools(*executable, weights->size(), options, sessionOptions.abi);
  StatusOr<std::unique_ptr<Session>> created =
      Session::create(executable, std::move(*weights), sessionOptions);
  if (!created.ok())
    return emitError("session", created.status().message());
  Session &session = **created;
  const int64_t vocab = model->vocabSize;

  emit({{"kind", jsonString("model")},
        {"architecture", jsonString(model->architecture)},
        {"dtype", jsonString(model->dtype)},
        {"vocab", std::to_string(vocab)},
        {"hidden", std::to_string(model->hiddenSize)},
        {"weights", std::to_string(model->weights.size())},
        {"weight_bytes", std::to_string(weightBytes)},
        {"streamed_bytes", std::to_string(streamed)},
        {"excluded_from_streamed", jsonString(excluded)},
        {"kv_layers", std::to_string(session.abi().numKVLayers())},
        {"states", std::to_string(session.abi().states.size())},
        {"threads", jsonString(envThreads ? envThreads : "")},
        // Session::decode advances every sequence of a batch in one @decode
        // call.
        {"batched_decode", "true"}});

  // Warm-up: map every weight page, start the threads.
  {
    int64_t nonFinite = 0;
    double start = nowSeconds();
    StatusOr<double> warm =
        timeDecode(session, 1, 1, options.decodePromptTokens, vocab,
                   /*seed=*/99, nonFinite);
    if (!warm.ok())
      return emitError("warmup", warm.status().message());
    emit({{"kind", jsonString("warmup")},
          {"seconds", jsonNumber(nowSeconds() - start)}});
  }

  int status = 0;
  if (options.promptTokens > 0) {
    double best = std::numeric_limits<double>::infinity();
    int64_t nonFinite = 0;
    Status failed = Status::success();
    for (int64_t r = 0; r < options.repeat; ++r) {
      StatusOr<double> seconds =
          timePrefill(session, options.promptTokens, vocab, 1 + r, nonFinite);
      if (!seconds.ok()) {
        failed = seconds.status();
        break;
      }
      best = std::min(best, *seconds);
    }
    if (failed.failed()) {
      status = emitError("prefill", failed.message());
    } else {
      emit({{"kind", jsonString("result")},
            {"phase", jsonString("prefill")},
            {"batch", "1"},
            {"tokens", std::to_string(options.promptTokens)},
            {"seconds", jsonNumber(best)},
            {"tokens_per_s", jsonNumber(options.promptTokens / best)},
            {"streamed_bytes", std::to_string(streamed)},
            {"repeat", std::to_string(options.repeat)},
            {"nonfinite_logits", std::to_string(nonFinite)}});
    }
  }

  if (options.decodeTokens > 0) {
    for (int64_t batch : options.batches) {
      double best = std::numeric_limits<double>::infinity();
      int64_t nonFinite = 0;
      Status failed = Status::success();
      for (int64_t r = 0; r < options.repeat; ++r) {
        StatusOr<double> seconds =
            timeDecode(session, batch, options.decodeTokens,
                       options.decodePromptTokens, vocab, 1000 + r, nonFinite);
        if (!seconds.ok()) {
          failed = seconds.status();
          break;
        }
        best = std::min(best, *seconds);
      }
      std::string phase = "decode b" + std::to_string(batch);
      if (failed.failed()) {
        status = emitError(phase, failed.message());
        continue;
      }
      double steps = static_cast<double>(options.decodeTokens);
      emit({{"kind", jsonString("result")},
            {"phase", jsonString("decode")},
            {"batch", std::to_string(batch)},
            {"steps", std::to_string(options.decodeTokens)},
            {"context", std::to_string(options.decodePromptTokens)},
            {"tokens", std::to_string(batch * options.decodeTokens)},
            {"seconds", jsonNumber(best)},
            {"tokens_per_s", jsonNumber(batch * steps / best)},
            {"ms_per_step", jsonNumber(1e3 * best / steps)},
            {"streamed_bytes", std::to_string(streamed)},
            {"gbs",
             jsonNumber(static_cast<double>(streamed) * steps / best / 1e9)},
            {"repeat", std::to_string(options.repeat)},
            {"nonfinite_logits", std::to_string(nonFinite)}});
    }
  }
  freeAll(session);
  return status;
}
