//===- decode-check.cpp - Decode a model through rt::Session and check it -===//
//
// Part of the Tokamak project.
//
//   tokamak-decode-check MODEL.mlir --weights=DIR --out=DIR
//                        [--kv-policy=full|window=W,sinks=S] [--num-blocks=N]
//                        [--seed=S]
//
// JIT-compiles MODEL.mlir (which exports @prefill and @decode following the
// model ABI of docs/Session.md, and @forward(tokens [1, L], positions [1, L],
// weights...) -> logits [1, L, V], the same model on one whole sequence),
// creates an rt::Session over it with the weights DIR/w<i>.npy, and runs a
// fixed scenario: a packed ragged prefill of three prompts, batched decode
// steps with seeded sampling, a fork, a freed sequence whose blocks a new one
// reuses, and a prompt continued on a sequence that already holds tokens.
// Every logit row the session returns is compared with @forward's row for
// the same position (relative to the largest reference logit, at most 1e-4)
// and written to the output directory for decode_ref.py to compare with
// PyTorch. Prints a summary and "OK", or exits with 1.
//
//===----------------------------------------------------------------------===//

#include "tokamak/Compiler/Compiler.h"
#include "tokamak/runtime/Npy.h"
#include "tokamak/runtime/Session.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <sys/stat.h>
#include <vector>

using namespace tokamak;
using rt::SeqId;

namespace {

/// What the session produced for one sequence.
struct Track {
  std::vector<int32_t> tokens;
  /// Positions whose logits the session returned, and those logits.
  std::vector<int32_t> rows;
  std::vector<float> logits;
  bool freed = false;
};

struct Options {
  std::string module, weights, out, policy = "full";
  int32_t numBlocks = 0;
  uint64_t seed = 7;
};

int fail(const std::string &message) {
  llvm::errs() << "tokamak-decode-check: " << message << "\n";
  return 1;
}

/// A deterministic prompt for sequence `id`.
std::vector<int32_t> prompt(SeqId id, int64_t length, int64_t vocab) {
  std::vector<int32_t> tokens;
  for (int64_t i = 0; i < length; ++i)
    tokens.push_back(static_cast<int32_t>((7 * id + 5 * i + 1) % vocab));
  return tokens;
}

class Scenario {
public:
  Scenario(rt::Session &session) : session(session) {}

  bool prefill(const std::vector<SeqId> &ids,
               const std::vector<std::vector<int32_t>> &tokens) {
    rt::StatusOr<rt::HostTensor> logits = session.prefill(ids, tokens);
    if (!logits.ok())
      return error(logits.status());
    for (size_t i = 0; i < ids.size(); ++i) {
      Track &t = tracks[ids[i]];
      t.tokens.insert(t.tokens.end(), tokens[i].begin(), tokens[i].end());
      record(t, *logits, i);
    }
    return true;
  }

  bool decode(const std::vector<SeqId> &ids,
              const std::vector<int32_t> &tokens) {
    rt::StatusOr<rt::HostTensor> logits = session.decode(ids, tokens);
    if (!logits.ok())
      return error(logits.status());
    for (size_t i = 0; i < ids.size(); ++i) {
      Track &t = tracks[ids[i]];
      t.tokens.push_back(tokens[i]);
      record(t, *logits, i);
    }
    return true;
  }

  bool error(const rt::Status &status) {
    llvm::errs() << "tokamak-decode-check: " << status.message() << "\n";
    return false;
  }

  std::vector<SeqId> live() const {
    std::vector<SeqId> ids;
    for (const auto &[id, track] : tracks)
      if (!track.freed)
        ids.push_back(id);
    return ids;
  }

  rt::Session &session;
  std::map<SeqId, Track> tracks;

private:
  static void record(Track &t, const rt::HostTensor &logits, size_t row) {
    int64_t vocab = logits.shape()[1];
    const float *begin = logits.data<float>() + int64_t(row) * vocab;
    t.rows.push_back(static_cast<int32_t>(t.tokens.size()) - 1);
    t.logits.insert(t.logits.end(), begin, begin + vocab);
  }
};

/// Runs the scenario; false on an unexpected error.
bool runScenario(Scenario &s, uint64_t seed) {
  rt::Session &session = s.session;
  int64_t vocab = session.abi().vocab;
  for (SeqId id : {0, 1, 2})
    if (rt::Status st = session.addSequence(id); st.failed())
      return s.error(st);
  llvm::outs() << "prefill 0 1 2: 5 11 3 tokens\n";
  if (!s.prefill({0, 1, 2}, {prompt(0, 5, vocab), prompt(1, 11, vocab),
                             prompt(2, 3, vocab)}))
    return false;

  rt::SamplingParams params;
  params.temperature = 0.8f;
  params.topK = 8;
  params.topP = 0.95f;
  params.seed = seed;
  rt::Sampler sampler(params);
  for (int step = 1; step <= 12; ++step) {
    if (step == 3) {
      llvm::outs() << "fork 1 -> 4\n";
      if (rt::Status st = session.forkSequence(1, 4); st.failed())
        return s.error(st);
      s.tracks[4] = s.tracks[1];
    }
    if (step == 5) {
      std::vector<int32_t> freedBlocks = *session.blockTable(2);
      llvm::outs() << "free 2\n";
      if (rt::Status st = session.freeSequence(2); st.failed())
        return s.error(st);
      s.tracks[2].freed = true;
      if (rt::Status st = session.addSequence(3); st.failed())
        return s.error(st);
      llvm::outs() << "prefill 3: 7 tokens\n";
      if (!s.prefill({3}, {prompt(3, 7, vocab)}))
        return false;
      if (session.abi().numKVLayers() > 0) {
        std::vector<int32_t> table = *session.blockTable(3);
        bool reused = std::any_of(table.begin(), table.end(), [&](int32_t b) {
          return std::count(freedBlocks.begin(), freedBlocks.end(), b) > 0;
        });
        llvm::outs() << "sequence 3 reuses the blocks of sequence 2: "
                     << (reused ? "yes" : "no") << "\n";
      }
    }
    if (step == 7) {
      llvm::outs() << "prefill 0: 3 tokens (continuation)\n";
      if (!s.prefill({0}, {prompt(9, 3, vocab)}))
        return false;
    }
    std::vector<SeqId> ids = s.live();
    rt::StatusOr<std::vector<int32_t>> next = session.sample(ids, sampler);
    if (!next.ok())
      return s.error(next.status());
    if (!s.decode(ids, *next))
      return false;
  }
  rt::StatusOr<rt::HostTensor> bad = session.decode({0, 2}, {1, 1});
  llvm::outs() << "error (expected): "
               << (bad.ok() ? std::string("none") : bad.status().message())
               << "\n";
  return !bad.ok();
}

/// Compares every recorded row with @forward; prints one line per sequence.
bool checkAgainstForward(Scenario &s, const std::vector<rt::HostTensor> &w,
                         const std::string &outDir) {
  bool ok = true;
  for (const auto &[id, track] : s.tracks) {
    int64_t length = static_cast<int64_t>(track.tokens.size());
    std::vector<rt::HostTensor> inputs;
    for (int i = 0; i < 2; ++i) {
      rt::StatusOr<rt::HostTensor> t =
          rt::HostTensor::create(rt::DType::i32, {1, length});
      if (!t.ok())
        return s.error(t.status());
      for (int64_t p = 0; p < length; ++p)
        t->data<int32_t>()[p] =
            i == 0 ? track.tokens[size_t(p)] : static_cast<int32_t>(p);
      inputs.push_back(std::move(*t));
    }
    for (const rt::HostTensor &weight : w)
      inputs.push_back(
          rt::HostTensor::wrap(weight.dtype(), weight.shape(),
                               const_cast<void *>(weight.rawData())));
    rt::StatusOr<std::vector<rt::HostTensor>> results =
        rt::invoke(s.session.executable(), "forward", inputs);
    if (!results.ok())
      return s.error(results.status());
    const rt::HostTensor &ref = (*results)[0];
    int64_t vocab = ref.shape()[2];
    double maxErr = 0, scale = 0;
    for (size_t r = 0; r < track.rows.size(); ++r) {
      const float *want = ref.data<float>() + track.rows[r] * vocab;
      const float *got = track.logits.data() + int64_t(r) * vocab;
      for (int64_t v = 0; v < vocab; ++v) {
        scale = std::max(scale, std::abs(double(want[v])));
        maxErr = std::max(maxErr, std::abs(double(got[v]) - want[v]));
      }
    }
    double rel = scale > 0 ? maxErr / scale : maxErr;
    bool good = rel <= 1e-4;
    ok &= good;
    llvm::outs() << "sequence " << id << ": " << length << " tokens, ";
    if (track.freed)
      llvm::outs() << "freed, ";
    else
      llvm::outs() << *s.session.cacheRows(id) << " cache rows, ";
    llvm::outs() << track.rows.size() << " logit rows, max rel err vs @forward "
                 << llvm::format("%.3e", rel) << (good ? "" : " FAILED")
                 << "\n";

    // The session's rows for decode_ref.py.
    std::string prefix = outDir + "/seq" + std::to_string(id);
    auto tokens = rt::HostTensor::create(rt::DType::i32, {length});
    auto rows = rt::HostTensor::create(
        rt::DType::i32, {static_cast<int64_t>(track.rows.size())});
    auto logits = rt::HostTensor::create(
        rt::DType::f32, {static_cast<int64_t>(track.rows.size()), vocab});
    if (!tokens.ok() || !rows.ok() || !logits.ok())
      return s.error(rt::Status::error("out of memory"));
    std::copy(track.tokens.begin(), track.tokens.end(),
              tokens->data<int32_t>());
    std::copy(track.rows.begin(), track.rows.end(), rows->data<int32_t>());
    std::copy(track.logits.begin(), track.logits.end(), logits->data<float>());
    for (auto [suffix, tensor] :
         {std::pair{"_tokens.npy", &*tokens}, std::pair{"_rows.npy", &*rows},
          std::pair{"_logits.npy", &*logits}})
      if (rt::Status st = rt::writeNpy(prefix + suffix, *tensor); st.failed())
        return s.error(st);
  }
  return ok;
}

} // namespace

int main(int argc, char **argv) {
  Options opts;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](const char *flag) -> const char * {
      size_t n = std::strlen(flag);
      return arg.compare(0, n, flag) == 0 ? argv[i] + n : nullptr;
    };
    if (const char *v = value("--weights="))
      opts.weights = v;
    else if (const char *v = value("--out="))
      opts.out = v;
    else if (const char *v = value("--kv-policy="))
      opts.policy = v;
    else if (const char *v = value("--num-blocks="))
      opts.numBlocks = std::atoi(v);
    else if (const char *v = value("--seed="))
      opts.seed = std::strtoull(v, nullptr, 10);
    else if (!arg.empty() && arg[0] != '-' && opts.module.empty())
      opts.module = arg;
    else
      return fail("unknown argument '" + arg + "'");
  }
  if (opts.module.empty() || opts.weights.empty() || opts.out.empty())
    return fail("usage: tokamak-decode-check MODEL.mlir --weights=DIR "
                "--out=DIR [--kv-policy=SPEC] [--num-blocks=N] [--seed=S]");
  for (size_t slash = opts.out.find('/', 1);;
       slash = opts.out.find('/', slash + 1)) {
    ::mkdir(opts.out.substr(0, slash).c_str(), 0777);
    if (slash == std::string::npos)
      break;
  }

  Compiler compiler;
  auto module = compiler.parseFile(opts.module);
  if (!module)
    return fail(llvm::toString(module.takeError()));
  auto jit = compiler.jit(**module, CompileOptions());
  if (!jit)
    return fail(llvm::toString(jit.takeError()));

  // DEFAULT[;GROUPS:POLICY]...: the policies of the model's cache groups.
  rt::StatusOr<rt::ModelKVPolicy> policy =
      rt::ModelKVPolicy::parse(opts.policy, "GROUP");
  if (!policy.ok())
    return fail(policy.status().message());
  rt::SessionOptions sessionOptions;
  sessionOptions.kvPolicy = policy->defaults;
  sessionOptions.groupPolicies = policy->overrides;
  sessionOptions.abi.numBlocks = opts.numBlocks;
  auto weights = rt::Session::readNpyWeights(opts.weights);
  auto forwardWeights = rt::Session::readNpyWeights(opts.weights);
  if (!weights.ok() || !forwardWeights.ok())
    return fail(weights.status().message());
  auto session =
      rt::Session::create(std::shared_ptr<rt::Executable>(std::move(*jit)),
                          std::move(*weights), sessionOptions);
  if (!session.ok())
    return fail(session.status().message());
  const rt::ModelABI &abi = (*session)->abi();
  llvm::outs() << "model: " << abi.numKVLayers() << " attention layers";
  if (abi.numKVLayers() > 0)
    llvm::outs() << " (" << abi.numBlocks() << " blocks of " << abi.blockSize()
                 << " rows)";
  llvm::outs() << ", " << abi.states.size() << " recurrent states, "
               << abi.weights.size() << " weights, vocab " << abi.vocab
               << ", kv policy " << policy->str() << "\n";

  Scenario scenario(**session);
  if (!runScenario(scenario, opts.seed))
    return 1;
  if (abi.numGroups() == 1)
    llvm::outs() << "kv blocks in use: " << (*session)->numUsedBlocks()
                 << " of " << abi.numBlocks()
                 << (abi.headTables ? " (one kv head per block)" : "") << "\n";
  for (size_t g = 0; abi.numGroups() > 1 && g < abi.numGroups(); ++g)
    llvm::outs() << "kv blocks in use, cache group " << g << " ("
                 << abi.groups[g].numLayers << " layers, "
                 << (*session)->groupPolicy(g).str()
                 << "): " << (*session)->numUsedBlocks(g) << " of "
                 << abi.groupNumBlocks(g) << "\n";
  if (!checkAgainstForward(scenario, *forwardWeights, opts.out)) {
    llvm::outs() << "FAILED\n";
    return 1;
  }
  llvm::outs() << "OK\n";
  return 0;
}
