//===- tokamak-bench.cpp - Times Tokamak's compiled kernels ---------------===//
//
// Part of the Tokamak project. Compiles benchmark modules through the
// embedding API (tokamak::Compiler::jit), makes random inputs, warms up and
// times calls through rt::invoke, and prints one JSON object per line:
//
//   {"event":"compiled","case":..., "compile_ms":...}
//   {"event":"warmup","case":..., "ms":...}
//   {"event":"result","case":..., "min_ms":..., "median_ms":..., ...}
//   {"event":"error","case":..., "stage":"parse|compile|inputs|run", ...}
//
// Each line is flushed as it is written, so a caller that kills a slow run
// still knows how far it got. Usage:
//
//   tokamak-bench --spec=CASES.json        # "-" reads stdin
//   tokamak-bench FILE.mlir [--function=NAME] --input=SHAPE[,INIT]...
//
// CASES.json: {"cases": [{"name", "file", "function",
//   "inputs": [{"type": "1x8x2048x64xf32", "init": "normal"}]}], ...} plus
// optional "target_seconds", "cap_seconds", "single_call_seconds",
// "max_iters", "dump_dir", "rotate_mib" (the same names as the flags).
// INIT is one of normal[:STD], uniform:LO:HI, fill:V, arange, randperm (a
// permutation of 0..numel-1), blocklist:F and blockcount:F (the block lists
// of block-sparse attention, [..., Nqb, MaxSel] and [..., Nqb]: query block
// qb lists min(ceil((qb + 1) / F), MaxSel) key blocks, qb itself then
// distinct random earlier ones, padded with -1), recentlist:N (decode block
// lists [..., MaxSel], MaxSel <= N: block N - 1, the newest, then MaxSel - 1
// distinct random earlier ones). --dump-dir writes the inputs
// and the first call's results as .npy files (run.py --check compares them with
// the PyTorch peers).
//
// Timing: one warm-up call; a call over --single-call-seconds (10) is the
// only sample; over --cap-seconds (2) it is followed by one timed call;
// otherwise ~--target-seconds (1) of timed calls (at most --max-iters).
// With --rotate-mib=M, calls cycle through copies of the inputs that hold at
// least M MiB together (at most 16 copies), so inputs come from DRAM.
// Threads: the compiled code's OpenMP runtime reads OMP_NUM_THREADS.
//
//===----------------------------------------------------------------------===//

#include "tokamak/Compiler/Compiler.h"
#include "tokamak/runtime/Executable.h"
#include "tokamak/runtime/Npy.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#ifdef TOKAMAK_BENCH_HAVE_OPENMP
#include <omp.h>
#endif

using namespace tokamak;

namespace {

/// One input: its type ("1x8x?x64xf32" with every dim given) and how to fill
/// it.
struct InputSpec {
  std::string type;
  std::string init = "normal";
};

/// One benchmark: a function of a module file and its inputs.
struct CaseSpec {
  std::string name;
  std::string file;
  std::string function;
  std::vector<InputSpec> inputs;
};

/// How long to time.
struct TimingOptions {
  double targetSeconds = 1.0;
  double capSeconds = 2.0;
  double singleCallSeconds = 10.0;
  int64_t maxIters = 1000;
  /// When set, the inputs and the warm-up call's results are written there
  /// as <case>.in<i>.npy and <case>.out<j>.npy (for run.py --check).
  std::string dumpDir;
  /// Calls cycle through copies of the inputs until they hold at least this
  /// many bytes (at most kMaxInputSets copies), so memory-bound kernels
  /// stream from DRAM instead of re-reading a warm last-level cache.
  double rotateBytes = 0;
  /// The CPU and features to generate code for (empty: the host's), so that
  /// AVX2 code can be timed on an AVX-512 host (--cpu=znver3).
  std::string cpu, cpuFeatures;
};

/// The most input copies --rotate-mib makes.
constexpr int64_t kMaxInputSets = 16;

double nowMs() {
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

/// "2", "0.5": seconds as %g writes them.
std::string formatSeconds(double seconds) {
  char text[32];
  std::snprintf(text, sizeof(text), "%g", seconds);
  return text;
}

/// Writes one JSON object as a line and flushes it.
void emit(llvm::json::Object object) {
  llvm::outs() << llvm::json::Value(std::move(object)) << "\n";
  llvm::outs().flush();
}

void emitError(const std::string &caseName, llvm::StringRef stage,
               const std::string &message) {
  emit(llvm::json::Object{{"event", "error"},
                          {"case", caseName},
                          {"stage", stage},
                          {"message", message}});
}

/// xoshiro256** seeded through splitmix64: fast, deterministic inputs.
class Random {
public:
  explicit Random(uint64_t seed) {
    for (uint64_t &word : state) {
      seed += 0x9e3779b97f4a7c15ull;
      uint64_t z = seed;
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
      word = z ^ (z >> 31);
    }
  }
  uint64_t next() {
    uint64_t result = rotl(state[1] * 5, 7) * 9;
    uint64_t t = state[1] << 17;
    state[2] ^= state[0];
    state[3] ^= state[1];
    state[1] ^= state[2];
    state[0] ^= state[3];
    state[2] ^= t;
    state[3] = rotl(state[3], 45);
    return result;
  }
  /// Uniform in [0, 1).
  double uniform() { return (next() >> 11) * 0x1.0p-53; }
  /// Standard normal (Box-Muller).
  double normal() {
    double u1 = uniform(), u2 = uniform();
    return std::sqrt(-2.0 * std::log(1.0 - u1)) *
           std::cos(6.283185307179586 * u2);
  }

private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t state[4];
};

/// Parses "1x8x2048x64xf32" into a shape and dtype.
rt::Status parseType(const std::string &type, std::vector<int64_t> &shape,
                     rt::DType &dtype) {
  llvm::SmallVector<llvm::StringRef> parts;
  llvm::StringRef(type).split(parts, 'x');
  auto parsed = rt::parseDType(std::string(parts.back()));
  if (!parsed.ok())
    return parsed.status();
  dtype = *parsed;
  shape.clear();
  for (llvm::StringRef dim : llvm::ArrayRef(parts).drop_back()) {
    int64_t value;
    if (dim.getAsInteger(10, value) || value < 0)
      return rt::Status::error("bad dimension '" + dim.str() + "' in '" + type +
                               "' (benchmark inputs need every dim)");
    shape.push_back(value);
  }
  return rt::Status::success();
}

/// Stores `value` as element `i` of `tensor`.
void store(rt::HostTensor &tensor, int64_t i, double value) {
  switch (tensor.dtype()) {
  case rt::DType::f32:
    tensor.data<float>()[i] = static_cast<float>(value);
    break;
  case rt::DType::f64:
    tensor.data<double>()[i] = value;
    break;
  case rt::DType::f16:
    tensor.data<uint16_t>()[i] = rt::f32ToF16(static_cast<float>(value));
    break;
  case rt::DType::bf16:
    tensor.data<uint16_t>()[i] = rt::f32ToBF16(static_cast<float>(value));
    break;
  case rt::DType::i32:
    tensor.data<int32_t>()[i] = static_cast<int32_t>(value);
    break;
  case rt::DType::i64:
    tensor.data<int64_t>()[i] = static_cast<int64_t>(value);
    break;
  default:
    tensor.data<uint8_t>()[i] = static_cast<uint8_t>(value);
    break;
  }
}

/// Makes the input `spec` describes, filled from `random`.
rt::StatusOr<rt::HostTensor> makeInput(const InputSpec &spec, Random &random) {
  std::vector<int64_t> shape;
  rt::DType dtype;
  if (rt::Status status = parseType(spec.type, shape, dtype); !status.ok())
    return status;
  auto tensor = rt::HostTensor::create(dtype, shape);
  if (!tensor.ok())
    return tensor.status();
  llvm::SmallVector<llvm::StringRef> args;
  llvm::StringRef(spec.init).split(args, ':');
  auto number = [&](size_t i, double fallback) {
    double value = fallback;
    if (i < args.size())
      (void)args[i].getAsDouble(value);
    return value;
  };
  for (llvm::StringRef arg : llvm::ArrayRef(args).drop_front())
    if (double value; arg.getAsDouble(value))
      return rt::Status::error("bad number '" + arg.str() + "' in init '" +
                               spec.init + "'");
  int64_t n = tensor->numel();
  llvm::StringRef kind = args.front();
  if (kind == "normal") {
    double stddev = number(1, 1.0);
    for (int64_t i = 0; i < n; ++i)
      store(*tensor, i, stddev * random.normal());
  } else if (kind == "uniform") {
    double lo = number(1, -1.0), hi = number(2, 1.0);
    for (int64_t i = 0; i < n; ++i)
      store(*tensor, i, lo + (hi - lo) * random.uniform());
  } else if (kind == "fill") {
    double value = number(1, 0.0);
    for (int64_t i = 0; i < n; ++i)
      store(*tensor, i, value);
  } else if (kind == "arange" || kind == "randperm") {
    std::vector<int64_t> values(n);
    for (int64_t i = 0; i < n; ++i)
      values[i] = i;
    if (kind == "randperm")
      for (int64_t i = n - 1; i > 0; --i)
        std::swap(values[i], values[random.next() % (i + 1)]);
    for (int64_t i = 0; i < n; ++i)
      store(*tensor, i, static_cast<double>(values[i]));
  } else if (kind == "blocklist" || kind == "blockcount") {
    bool lists = kind == "blocklist";
    int64_t fraction = std::max<int64_t>(1, number(1, 8.0));
    if (shape.size() < (lists ? 2u : 1u))
      return rt::Status::error("init '" + spec.init + "' needs rank " +
                               (lists ? "2" : "1") + " or more");
    int64_t maxSel = lists ? shape.back() : 0;
    int64_t numBlocks = shape[shape.size() - (lists ? 2 : 1)];
    auto countOf = [&](int64_t qb) { return (qb + fraction) / fraction; };
    std::vector<int64_t> pool;
    for (int64_t i = 0; i < n; i += lists ? maxSel : 1) {
      int64_t qb = (lists ? i / maxSel : i) % std::max<int64_t>(numBlocks, 1);
      if (!lists) {
        store(*tensor, i, static_cast<double>(countOf(qb)));
        continue;
      }
      int64_t count = std::min(countOf(qb), maxSel);
      // qb, then count - 1 distinct blocks of [0, qb) (partial shuffle).
      pool.resize(qb);
      for (int64_t j = 0; j < qb; ++j)
        pool[j] = j;
      for (int64_t s = 0; s < maxSel; ++s) {
        int64_t id = -1;
        if (s == 0 && count > 0) {
          id = qb;
        } else if (s < count) {
          int64_t left = qb - (s - 1);
          std::swap(pool[s - 1], pool[s - 1 + random.next() % left]);
          id = pool[s - 1];
        }
        store(*tensor, i + s, static_cast<double>(id));
      }
    }
  } else if (kind == "recentlist") {
    int64_t numBlocks = static_cast<int64_t>(number(1, 0.0));
    int64_t maxSel = shape.empty() ? 0 : shape.back();
    if (shape.empty() || maxSel < 1 || maxSel > numBlocks)
      return rt::Status::error("init '" + spec.init +
                               "' needs rank 1 or more and a last dim in [1, " +
                               std::to_string(numBlocks) + "]");
    std::vector<int64_t> pool(numBlocks - 1);
    for (int64_t i = 0; i < n; i += maxSel) {
      for (int64_t j = 0; j < numBlocks - 1; ++j)
        pool[j] = j;
      store(*tensor, i, static_cast<double>(numBlocks - 1));
      // MaxSel - 1 distinct blocks of [0, N - 1) (partial shuffle).
      for (int64_t s = 1; s < maxSel; ++s) {
        int64_t left = numBlocks - 1 - (s - 1);
        std::swap(pool[s - 1], pool[s - 1 + random.next() % left]);
        store(*tensor, i + s, static_cast<double>(pool[s - 1]));
      }
    }
  } else {
    return rt::Status::error("unknown init '" + spec.init +
                             "' (expected normal[:STD], uniform:LO:HI, "
                             "fill:V, arange, randperm, blocklist:F, "
                             "blockcount:F or recentlist:N)");
  }
  return tensor;
}

/// The number of NaN/inf elements among the floating-point `tensors`.
int64_t countNonFinite(const std::vector<rt::HostTensor> &tensors) {
  int64_t count = 0;
  for (const rt::HostTensor &t : tensors) {
    if (t.dtype() == rt::DType::f32) {
      for (int64_t i = 0; i < t.numel(); ++i)
        count += !std::isfinite(t.data<float>()[i]);
    } else if (t.dtype() == rt::DType::f16) {
      for (int64_t i = 0; i < t.numel(); ++i)
        count += !std::isfinite(rt::f16ToF32(t.data<uint16_t>()[i]));
    } else if (t.dtype() == rt::DType::bf16) {
      for (int64_t i = 0; i < t.numel(); ++i)
        count += !std::isfinite(rt::bf16ToF32(t.data<uint16_t>()[i]));
    }
  }
  return count;
}

/// The OpenMP thread count the compiled code will use.
int64_t threadCount() {
#ifdef TOKAMAK_BENCH_HAVE_OPENMP
  return omp_get_max_threads();
#else
  const char *env = std::getenv("OMP_NUM_THREADS");
  return env && std::atoi(env) > 0 ? std::atoi(env) : 0;
#endif
}

/// Compiles, runs and times one case; reports through emit(). Returns false
/// when the case failed.
bool runCase(const CaseSpec &spec, const TimingOptions &timing, uint64_t seed) {
  const std::string &name = spec.name;
  Compiler compiler;
  double start = nowMs();
  auto module = compiler.parseFile(spec.file);
  if (!module) {
    emitError(name, "parse", llvm::toString(module.takeError()));
    return false;
  }
  CompileOptions options;
  options.cpu = timing.cpu;
  options.cpuFeatures = timing.cpuFeatures;
  auto executable = compiler.jit(**module, options);
  if (!executable) {
    emitError(name, "compile", llvm::toString(executable.takeError()));
    return false;
  }
  double compileMs = nowMs() - start;
  emit(llvm::json::Object{
      {"event", "compiled"}, {"case", name}, {"compile_ms", compileMs}});

  Random random(seed);
  std::vector<rt::HostTensor> inputs;
  llvm::json::Array types;
  for (const InputSpec &input : spec.inputs) {
    auto tensor = makeInput(input, random);
    if (!tensor.ok()) {
      emitError(name, "inputs", tensor.status().message());
      return false;
    }
    types.push_back(tensor->typeString());
    inputs.push_back(std::move(*tensor));
  }
  size_t setBytes = 0;
  for (const rt::HostTensor &input : inputs)
    setBytes += input.byteSize();
  int64_t setCount = std::clamp<int64_t>(
      static_cast<int64_t>(
          std::ceil(timing.rotateBytes / std::max<size_t>(setBytes, 1))),
      1, kMaxInputSets);
  std::vector<std::vector<rt::HostTensor>> inputSets;
  for (int64_t set = 1; set < setCount; ++set) {
    std::vector<rt::HostTensor> copy;
    for (const rt::HostTensor &input : inputs) {
      auto clone = input.clone();
      if (!clone.ok()) {
        emitError(name, "inputs", clone.status().message());
        return false;
      }
      copy.push_back(std::move(*clone));
    }
    inputSets.push_back(std::move(copy));
  }
  // Call i reads input set i % setCount (set 0 is `inputs`).
  int64_t callIndex = 0;
  auto nextInputs = [&]() -> const std::vector<rt::HostTensor> & {
    int64_t set = callIndex++ % setCount;
    return set == 0 ? inputs : inputSets[set - 1];
  };

  std::string function = spec.function;
  if (function.empty()) {
    const auto &functions = (*executable)->metadata().functions;
    if (functions.size() != 1) {
      emitError(name, "run",
                "the module has " + std::to_string(functions.size()) +
                    " public functions; name one with --function");
      return false;
    }
    function = functions.front().name;
  }

  // Warm-up: the first call also faults in the result buffers.
  double callStart = nowMs();
  auto warm = rt::invoke(**executable, function, nextInputs());
  double warmMs = nowMs() - callStart;
  if (!warm.ok()) {
    emitError(name, "run", warm.status().message());
    return false;
  }
  int64_t nonFinite = countNonFinite(*warm);
  if (!timing.dumpDir.empty()) {
    auto write = [&](const char *kind, size_t i, const rt::HostTensor &t) {
      std::string path =
          timing.dumpDir + "/" + name + "." + kind + std::to_string(i) + ".npy";
      rt::Status status = rt::writeNpy(path, t);
      if (!status.ok())
        emitError(name, "dump", status.message());
      return status.ok();
    };
    for (size_t i = 0; i < inputs.size(); ++i)
      if (!write("in", i, inputs[i]))
        return false;
    for (size_t i = 0; i < warm->size(); ++i)
      if (!write("out", i, (*warm)[i]))
        return false;
  }
  llvm::json::Array resultTypes;
  for (const rt::HostTensor &result : *warm)
    resultTypes.push_back(result.typeString());
  warm->clear();
  emit(llvm::json::Object{{"event", "warmup"}, {"case", name}, {"ms", warmMs}});

  std::vector<double> samples;
  std::string note;
  int64_t iters;
  if (warmMs > timing.singleCallSeconds * 1e3) {
    samples.push_back(warmMs);
    iters = 0;
    note = "1 call only (no warm-up): a call takes over " +
           formatSeconds(timing.singleCallSeconds) + " s";
  } else {
    if (warmMs > timing.capSeconds * 1e3) {
      iters = 1;
      note = "capped: 1 warm-up + 1 timed call (a call takes over " +
             formatSeconds(timing.capSeconds) + " s)";
    } else {
      // The first call can be far slower than the rest (lazy JIT symbols,
      // thread pool start, first-touch page faults): estimate from a second
      // call, and from up to three more while they are short.
      double estimate = warmMs;
      for (int i = 0; i < 4 && (i == 0 || estimate < 50.0); ++i) {
        callStart = nowMs();
        auto again = rt::invoke(**executable, function, nextInputs());
        estimate = i == 0 ? nowMs() - callStart
                          : std::min(estimate, nowMs() - callStart);
        if (!again.ok()) {
          emitError(name, "run", again.status().message());
          return false;
        }
      }
      iters = static_cast<int64_t>(timing.targetSeconds * 1e3 /
                                   std::max(estimate, 1e-3));
      iters = std::clamp<int64_t>(iters, 1, timing.maxIters);
    }
    for (int64_t i = 0; i < iters; ++i) {
      callStart = nowMs();
      auto results = rt::invoke(**executable, function, nextInputs());
      samples.push_back(nowMs() - callStart);
      if (!results.ok()) {
        emitError(name, "run", results.status().message());
        return false;
      }
    }
  }
  std::vector<double> sorted = samples;
  std::sort(sorted.begin(), sorted.end());
  double median =
      sorted.size() % 2
          ? sorted[sorted.size() / 2]
          : 0.5 * (sorted[sorted.size() / 2 - 1] + sorted[sorted.size() / 2]);
  emit(llvm::json::Object{{"event", "result"},
                          {"case", name},
                          {"file", spec.file},
                          {"function", function},
                          {"inputs", std::move(types)},
                          {"results", std::move(resultTypes)},
                          {"threads", threadCount()},
                          {"compile_ms", compileMs},
                          {"warmup_ms", warmMs},
                          {"iters", static_cast<int64_t>(samples.size())},
                          {"min_ms", sorted.front()},
                          {"median_ms", median},
                          {"nonfinite_outputs", nonFinite},
                          {"input_sets", setCount},
                          {"note", note}});
  return true;
}

const char *kUsage =
    "usage: tokamak-bench --spec=CASES.json [--target-seconds=S]\n"
    "                     [--cap-seconds=S] [--single-call-seconds=S] "
    "[--max-iters=N]\n"
    "                     [--dump-dir=DIR] [--rotate-mib=M]\n"
    "                     [--cpu=NAME] [--cpu-features=+a,-b]\n"
    "       tokamak-bench FILE.mlir [--function=NAME] "
    "--input=TYPE[,INIT]... [timing flags]\n"
    "TYPE: 1x8x2048x64xf32 (every dim given); INIT: normal[:STD], "
    "uniform:LO:HI, fill:V,\narange, randperm. Prints one JSON object per "
    "line (see the file header).\n";

int fail(const std::string &message) {
  llvm::errs() << "tokamak-bench: error: " << message << "\n";
  return 1;
}

/// Reads the cases and timing options of a spec file.
bool readSpec(const std::string &path, std::vector<CaseSpec> &cases,
              TimingOptions &timing, std::string &error) {
  auto buffer = llvm::MemoryBuffer::getFileOrSTDIN(path);
  if (!buffer) {
    error = "cannot read '" + path + "': " + buffer.getError().message();
    return false;
  }
  auto parsed = llvm::json::parse((*buffer)->getBuffer());
  if (!parsed) {
    error = "bad JSON in '" + path + "': " + llvm::toString(parsed.takeError());
    return false;
  }
  const llvm::json::Object *root = parsed->getAsObject();
  const llvm::json::Array *list = root ? root->getArray("cases") : nullptr;
  if (!list) {
    error = "'" + path + "' has no \"cases\" array";
    return false;
  }
  if (auto v = root->getNumber("target_seconds"))
    timing.targetSeconds = *v;
  if (auto v = root->getNumber("cap_seconds"))
    timing.capSeconds = *v;
  if (auto v = root->getNumber("single_call_seconds"))
    timing.singleCallSeconds = *v;
  if (auto v = root->getInteger("max_iters"))
    timing.maxIters = *v;
  if (auto v = root->getString("cpu"))
    timing.cpu = v->str();
  if (auto v = root->getString("cpu_features"))
    timing.cpuFeatures = v->str();
  if (auto v = root->getString("dump_dir"))
    timing.dumpDir = v->str();
  if (auto v = root->getNumber("rotate_mib"))
    timing.rotateBytes = *v * (1 << 20);
  for (const llvm::json::Value &item : *list) {
    const llvm::json::Object *object = item.getAsObject();
    if (!object || !object->getString("file")) {
      error = "every case needs a \"file\"";
      return false;
    }
    CaseSpec spec;
    spec.file = object->getString("file")->str();
    spec.name = object->getString("name")
                    ? object->getString("name")->str()
                    : llvm::sys::path::stem(spec.file).str();
    if (auto function = object->getString("function"))
      spec.function = function->str();
    if (const llvm::json::Array *inputs = object->getArray("inputs"))
      for (const llvm::json::Value &in : *inputs) {
        const llvm::json::Object *input = in.getAsObject();
        if (!input || !input->getString("type")) {
          error = "case '" + spec.name + "': every input needs a \"type\"";
          return false;
        }
        InputSpec inputSpec;
        inputSpec.type = input->getString("type")->str();
        if (auto init = input->getString("init"))
          inputSpec.init = init->str();
        spec.inputs.push_back(inputSpec);
      }
    cases.push_back(std::move(spec));
  }
  return true;
}

} // namespace

int main(int argc, char **argv) {
  TimingOptions timing;
  std::vector<CaseSpec> cases;
  std::string specPath;
  CaseSpec single;
  for (int i = 1; i < argc; ++i) {
    llvm::StringRef arg = argv[i];
    auto number = [&](llvm::StringRef flag, double &out) {
      if (!arg.consume_front(flag))
        return false;
      if (arg.getAsDouble(out) || out <= 0) {
        std::exit(fail(("bad value '" + arg + "' for " + flag).str()));
      }
      return true;
    };
    double value;
    if (arg.consume_front("--spec=")) {
      specPath = arg.str();
    } else if (arg.consume_front("--cpu=")) {
      timing.cpu = arg.str();
    } else if (arg.consume_front("--cpu-features=")) {
      timing.cpuFeatures = arg.str();
    } else if (arg.consume_front("--dump-dir=")) {
      timing.dumpDir = arg.str();
    } else if (arg.consume_front("--function=")) {
      single.function = arg.str();
    } else if (arg.consume_front("--input=")) {
      auto [type, init] = arg.split(',');
      single.inputs.push_back(
          {type.str(), init.empty() ? "normal" : init.str()});
    } else if (number("--target-seconds=", value)) {
      timing.targetSeconds = value;
    } else if (number("--cap-seconds=", value)) {
      timing.capSeconds = value;
    } else if (number("--single-call-seconds=", value)) {
      timing.singleCallSeconds = value;
    } else if (number("--rotate-mib=", value)) {
      timing.rotateBytes = value * (1 << 20);
    } else if (number("--max-iters=", value)) {
      timing.maxIters = static_cast<int64_t>(value);
    } else if (arg == "--help" || arg == "-h") {
      llvm::outs() << kUsage;
      return 0;
    } else if (arg.starts_with("-")) {
      return fail(("unknown option '" + arg + "'\n" + kUsage).str());
    } else if (!single.file.empty()) {
      return fail("more than one module given");
    } else {
      single.file = arg.str();
    }
  }
  if (!specPath.empty()) {
    if (!single.file.empty())
      return fail("give either --spec or a module, not both");
    std::string error;
    if (!readSpec(specPath, cases, timing, error))
      return fail(error);
  } else if (!single.file.empty()) {
    single.name = llvm::sys::path::stem(single.file).str();
    cases.push_back(single);
  } else {
    return fail(std::string("no --spec or module given\n") + kUsage);
  }

  bool ok = true;
  for (size_t i = 0; i < cases.size(); ++i)
    ok &= runCase(cases[i], timing, /*seed=*/0x70ca4a + i);
  return ok ? 0 : 2;
}
