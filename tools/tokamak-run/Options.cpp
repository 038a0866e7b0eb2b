//===- Options.cpp - tokamak-run command line -----------------------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#include "Options.h"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string_view>

using namespace tokamak;
using namespace tokamak::run;
using rt::Status;

const char *const tokamak::run::kUsage =
    "usage: tokamak-run INPUT [--function=NAME] [--device=cpu|cuda]\n"
    "                   [--cuda-arch=sm_80|sm_86|sm_89|sm_90a]\n"
    "                   [--input=@a.npy | --input=\"2x3xf32=1 2 3 4 5 6\"]...\n"
    "                   [--output=@o.npy]... [--benchmark=N]\n"
    "       tokamak-run MODEL (--prompt-ids=1,2,3 | --prompt=\"text\")\n"
    "                   --max-new-tokens=N\n"
    "                   [--kv-policy=full|window=W,sinks=S|snapkv=BUDGET\n"
    "                                |h2o=B[,recent=R][;GROUPS:POLICY]...]\n"
    "                   [--kv-layout=shared|per-head]\n"
    "                   [--kv-groups=by-window|per-layer]\n"
    "                   [--temperature=T] [--top-k=K] [--top-p=P] [--seed=S]\n"
    "                   [--dump-logits=@l.npy] [--dump-hidden=@h.npy]\n"
    "                   [--ignore-eos] [--weights=DIR]\n"
    "                   [--num-blocks=N] [--block-size=B]\n"
    "                   [--no-cache] [--cache-dir=DIR]\n"
    "INPUT: a .mlir file (JIT) or a compiled artifact\n"
    "--device: where to run; an artifact runs where it was compiled for\n"
    "       (the default), a .mlir file on the cpu unless --device=cuda\n"
    "--cuda-arch: the GPU a .mlir file is compiled for with --device=cuda\n"
    "MODEL: a Hugging Face model directory (config.json + *.safetensors,\n"
    "       compiled through the JIT with an on-disk cache), an artifact\n"
    "       compiled from one (weights from --weights=MODEL_DIR), or a .mlir\n"
    "       file or artifact in the session ABI (docs/Session.md) with\n"
    "       weights DIR/w0.npy, DIR/w1.npy, ... (default: weights/ beside "
    "MODEL)\n"
    "--kv-layout, --kv-groups: how a decoder model directory is compiled:\n"
    "       per-head gives every kv head its own block table over one-head\n"
    "       blocks (full_heads, per-head snapkv); per-layer makes every\n"
    "       attention layer a cache group (its own block table and policy)\n";

int tokamak::run::fail(const std::string &message) {
  std::fprintf(stderr, "tokamak-run: error: %s\n", message.c_str());
  return 1;
}

namespace {

/// Parses a decimal integer in [0, maximum] (no sign, no spaces).
bool parseInteger(std::string_view text, uint64_t maximum, uint64_t &value) {
  if (text.empty() || text.size() > 20)
    return false;
  value = 0;
  for (char c : text) {
    if (c < '0' || c > '9')
      return false;
    uint64_t digit = static_cast<uint64_t>(c - '0');
    if (value > (maximum - digit) / 10)
      return false;
    value = value * 10 + digit;
  }
  return true;
}

/// Parses a positive count up to `maximum`.
Status parseCount(std::string_view flag, std::string_view text, int64_t maximum,
                  int64_t &out) {
  uint64_t value = 0;
  if (!parseInteger(text, static_cast<uint64_t>(maximum), value) || value == 0)
    return Status::error(std::string(flag) +
                         " expects a positive count, got '" +
                         std::string(text) + "'");
  out = static_cast<int64_t>(value);
  return Status::success();
}

/// Parses a finite number (strtod syntax, the whole text). A number too
/// small for a double rounds to it (strtod's result), as inline tensors do;
/// one too large is an error.
bool parseNumber(const std::string &text, double &value) {
  if (text.empty() || std::isspace(static_cast<unsigned char>(text[0])))
    return false;
  char *end = nullptr;
  errno = 0;
  value = std::strtod(text.c_str(), &end);
  bool underflow =
      errno == ERANGE && std::fabs(value) <= std::numeric_limits<double>::min();
  return (errno == 0 || underflow) && end == text.c_str() + text.size() &&
         std::isfinite(value);
}

/// Parses `--prompt-ids`: comma-separated non-negative int32 token ids.
Status parsePromptIds(const std::string &text, std::vector<int32_t> &ids) {
  if (text.empty())
    return Status::error("--prompt-ids expects comma-separated token ids, "
                         "got an empty list");
  size_t begin = 0;
  while (true) {
    size_t comma = text.find(',', begin);
    std::string item = text.substr(
        begin, comma == std::string::npos ? std::string::npos : comma - begin);
    uint64_t value = 0;
    if (!item.empty() && item[0] == '-' &&
        parseInteger(std::string_view(item).substr(1),
                     std::numeric_limits<uint64_t>::max(), value))
      return Status::error("--prompt-ids: token ids must be non-negative, "
                           "got " +
                           item);
    if (!parseInteger(item, std::numeric_limits<uint64_t>::max(), value))
      return Status::error("--prompt-ids: '" + item +
                           "' is not a token id (expected a non-negative "
                           "integer) in '" +
                           text + "'");
    if (value > static_cast<uint64_t>(std::numeric_limits<int32_t>::max()))
      return Status::error("--prompt-ids: token id " + item +
                           " does not fit in 32 bits");
    ids.push_back(static_cast<int32_t>(value));
    if (comma == std::string::npos)
      return Status::success();
    begin = comma + 1;
  }
}

/// Flags taking a value; given bare ("--seed") they get a clear message.
const char *const kValueFlags[] = {
    "--function",       "--device",     "--cuda-arch",   "--input",
    "--output",         "--benchmark",  "--prompt-ids",  "--prompt",
    "--max-new-tokens", "--kv-policy",  "--temperature", "--top-k",
    "--top-p",          "--seed",       "--dump-logits", "--weights",
    "--num-blocks",     "--block-size", "--dump-hidden", "--cache-dir",
    "--kv-layout",      "--kv-groups"};

/// Flags without a value.
bool parseSwitch(std::string_view name, Options &options) {
  if (name == "--no-cache")
    options.noCache = true;
  else if (name == "--ignore-eos")
    options.ignoreEos = true;
  else
    return false;
  options.generate = true;
  if (options.firstGenerateFlag.empty())
    options.firstGenerateFlag = std::string(name);
  return true;
}

/// Parses one generation flag `name`=`text`; false if `name` is not one.
bool parseGenerateFlag(std::string_view name, const std::string &text,
                       Options &options, Status &status) {
  std::string flag(name);
  if (name == "--prompt-ids") {
    options.hasPromptIds = true;
    options.promptIds.clear();
    status = parsePromptIds(text, options.promptIds);
  } else if (name == "--prompt") {
    options.hasPrompt = true;
    options.prompt = text;
  } else if (name == "--max-new-tokens") {
    options.hasMaxNewTokens = true;
    // 0 is allowed: the prompt alone (--dump-hidden, encoder models).
    uint64_t value = 0;
    if (!parseInteger(text, 1 << 24, value))
      status = Status::error("--max-new-tokens expects a count in [0, " +
                             std::to_string(1 << 24) + "], got '" + text + "'");
    options.maxNewTokens = static_cast<int64_t>(value);
  } else if (name == "--kv-policy") {
    // DEFAULT[;G:POLICY|;A-B:POLICY]...: policies of cache groups (a model
    // whose layers have different windows has one group per window).
    rt::StatusOr<rt::ModelKVPolicy> policy =
        rt::ModelKVPolicy::parse(text, "GROUP");
    if (policy.ok()) {
      options.kvPolicy = policy->defaults;
      options.kvGroupPolicies = policy->overrides;
    } else {
      status = policy.status();
    }
  } else if (name == "--kv-layout") {
    if (text != "shared" && text != "per-head")
      status = Status::error("--kv-layout expects shared or per-head, got '" +
                             text + "'");
    options.kvLayout = text;
  } else if (name == "--kv-groups") {
    if (text != "by-window" && text != "per-layer")
      status = Status::error(
          "--kv-groups expects by-window or per-layer, got '" + text + "'");
    options.kvGroups = text;
  } else if (name == "--temperature") {
    double value = 0;
    if (!parseNumber(text, value) || value < 0)
      status = Status::error("--temperature expects a number >= 0, got '" +
                             text + "'");
    else if (value > std::numeric_limits<float>::max())
      status = Status::error("--temperature=" + text +
                             " is out of range: the sampler's temperature is "
                             "an f32, at most 3.4e38");
    options.temperature = static_cast<float>(value);
  } else if (name == "--top-k") {
    uint64_t value = 0;
    if (!parseInteger(text, std::numeric_limits<int32_t>::max(), value))
      status = Status::error("--top-k expects a count >= 0 (0: no limit), "
                             "got '" +
                             text + "'");
    options.topK = static_cast<int32_t>(value);
  } else if (name == "--top-p") {
    double value = 0;
    if (!parseNumber(text, value) || !(value > 0 && value <= 1))
      status = Status::error("--top-p expects a number in (0, 1], got '" +
                             text + "'");
    options.topP = static_cast<float>(value);
  } else if (name == "--seed") {
    if (!parseInteger(text, std::numeric_limits<uint64_t>::max(), options.seed))
      status = Status::error("--seed expects a non-negative 64-bit integer, "
                             "got '" +
                             text + "'");
  } else if (name == "--dump-logits") {
    if (text.size() < 2 || text[0] != '@')
      status =
          Status::error("--dump-logits expects @FILE.npy, got '" + text + "'");
    else
      options.dumpLogits = text.substr(1);
  } else if (name == "--dump-hidden") {
    if (text.size() < 2 || text[0] != '@')
      status =
          Status::error("--dump-hidden expects @FILE.npy, got '" + text + "'");
    else
      options.dumpHidden = text.substr(1);
  } else if (name == "--cache-dir") {
    if (text.empty())
      status = Status::error("--cache-dir expects a directory");
    options.cacheDir = text;
  } else if (name == "--weights") {
    if (text.empty())
      status = Status::error("--weights expects a directory");
    options.weights = text;
  } else if (name == "--num-blocks" || name == "--block-size") {
    int64_t value = 0;
    status = parseCount(flag, text, std::numeric_limits<int32_t>::max(), value);
    (name == "--num-blocks" ? options.numBlocks : options.blockSize) =
        static_cast<int32_t>(value);
  } else {
    return false;
  }
  options.generate = true;
  if (options.firstGenerateFlag.empty())
    options.firstGenerateFlag = flag;
  return true;
}

/// Parses one function-mode flag; false if `name` is not one.
bool parseFunctionFlag(std::string_view name, const std::string &text,
                       Options &options, Status &status) {
  if (name == "--function") {
    options.function = text;
  } else if (name == "--input") {
    options.inputs.push_back(text);
  } else if (name == "--output") {
    if (text.size() < 2 || text[0] != '@')
      status = Status::error("--output expects @FILE.npy, got '" + text + "'");
    options.outputs.push_back(text);
  } else if (name == "--benchmark") {
    status =
        parseCount("--benchmark", text,
                   std::numeric_limits<int64_t>::max() / 10, options.benchmark);
  } else {
    return false;
  }
  if (options.firstFunctionFlag.empty())
    options.firstFunctionFlag = std::string(name);
  return true;
}

/// The checks that need the whole command line.
Status checkCombination(const Options &options) {
  if (options.input.empty())
    return Status::error("no input file given\n" + std::string(kUsage));
  if (!options.device.empty() && options.device != "cpu" &&
      options.device != "cuda")
    return Status::error("unknown device '" + options.device +
                         "' (expected cpu or cuda)");
  if (!options.cudaArch.empty()) {
    std::string_view arch = options.cudaArch;
    if (arch.size() > 3 && arch.back() == 'a')
      arch.remove_suffix(1);
    if (arch.size() <= 3 || arch.size() > 7 || arch.substr(0, 3) != "sm_" ||
        arch.find_first_not_of("0123456789", 3) != std::string_view::npos)
      return Status::error("--cuda-arch expects an architecture such as "
                           "sm_80 or sm_90a, got '" +
                           options.cudaArch + "'");
    if (options.device != "cuda")
      return Status::error("--cuda-arch=" + options.cudaArch +
                           " needs --device=cuda");
  }
  if (!options.generate)
    return Status::success();
  if (!options.firstFunctionFlag.empty())
    return Status::error(options.firstGenerateFlag + " and " +
                         options.firstFunctionFlag +
                         " cannot be combined: " + options.firstFunctionFlag +
                         " belongs to function mode, " +
                         options.firstGenerateFlag + " to generation mode");
  if (options.hasPrompt && options.hasPromptIds)
    return Status::error("--prompt and --prompt-ids cannot be combined: give "
                         "the prompt as text or as token ids");
  if (!options.hasPromptIds && !options.hasPrompt)
    return Status::error("generation needs a prompt: --prompt-ids=ID,ID,... "
                         "or --prompt=\"text\"");
  if (options.hasPrompt && options.prompt.empty())
    return Status::error("--prompt: the text is empty");
  if (!options.hasMaxNewTokens && options.dumpHidden.empty())
    return Status::error("generation needs --max-new-tokens=N");
  if (options.maxNewTokens == 0 && options.dumpHidden.empty())
    return Status::error("--max-new-tokens=0 generates nothing; it is only "
                         "useful with --dump-hidden");
  return Status::success();
}

} // namespace

Status tokamak::run::parseArguments(int argc, char **argv, Options &options) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    }
    if (arg.substr(0, 2) == "--") {
      size_t eq = arg.find('=');
      std::string_view name = arg.substr(0, eq);
      if (eq == std::string_view::npos) {
        if (parseSwitch(name, options))
          continue;
        for (const char *flag : kValueFlags)
          if (name == flag)
            return Status::error(std::string(name) + " expects a value (" +
                                 std::string(name) + "=...)");
        return Status::error("unknown option '" + std::string(arg) + "'");
      }
      std::string text(arg.substr(eq + 1));
      Status status = Status::success();
      if (name == "--device")
        options.device = text;
      else if (name == "--cuda-arch")
        options.cudaArch = text;
      else if (!parseGenerateFlag(name, text, options, status) &&
               !parseFunctionFlag(name, text, options, status))
        return Status::error("unknown option '" + std::string(arg) + "'");
      if (status.failed())
        return status;
      continue;
    }
    if (arg.substr(0, 1) == "-" && arg != "-")
      return Status::error("unknown option '" + std::string(arg) + "'");
    if (!options.input.empty())
      return Status::error("more than one input file ('" + options.input +
                           "' and '" + std::string(arg) + "')");
    options.input = std::string(arg);
  }
  return checkCombination(options);
}
