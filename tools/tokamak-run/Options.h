//===- Options.h - tokamak-run command line ---------------------*- C++ -*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//
//
// The command line of tokamak-run (DESIGN §7). Two modes share the INPUT and
// --device:
//
//   function mode    tokamak-run INPUT [--function=NAME] [--input=...]...
//                    [--output=@o.npy]... [--benchmark=N]
//   generation mode  tokamak-run MODEL --prompt-ids=1,2,3 --max-new-tokens=N
//                    [--kv-policy=SPEC] [--temperature=T] [--top-k=K]
//                    [--top-p=P] [--seed=S] [--dump-logits=@l.npy]
//                    [--weights=DIR] [--num-blocks=N] [--block-size=B]
//                    [--kv-layout=shared|per-head]
//                    [--kv-groups=by-window|per-layer]
//
// Any generation flag selects generation mode; mixing the flags of the two
// modes is an error. parseArguments checks each value on its own; what needs
// the model (vocabulary, pool sizes) is checked once it is loaded.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_TOOLS_TOKAMAK_RUN_OPTIONS_H
#define TOKAMAK_TOOLS_TOKAMAK_RUN_OPTIONS_H

#include "tokamak/runtime/KVPolicy.h"
#include "tokamak/runtime/Status.h"

#include <cstdint>
#include <string>
#include <vector>

namespace tokamak::run {

/// Everything on the command line, checked value by value.
struct Options {
  /// The artifact, .mlir file or model directory.
  std::string input;
  /// "cpu", "cuda", or empty: an artifact runs on the device it was
  /// compiled for, a .mlir file on the cpu.
  std::string device;
  /// --cuda-arch: for .mlir files with --device=cuda; empty: the
  /// compiler's default.
  std::string cudaArch;

  // Function mode.
  std::string function;
  std::vector<std::string> inputs;
  /// `@FILE.npy` each.
  std::vector<std::string> outputs;
  int64_t benchmark = 0;

  // Generation mode.
  bool generate = false;
  std::vector<int32_t> promptIds;
  bool hasPromptIds = false;
  bool hasPrompt = false;
  /// --prompt's text, tokenized with the model directory's tokenizer.
  std::string prompt;
  bool hasMaxNewTokens = false;
  int64_t maxNewTokens = 0;
  rt::KVPolicy kvPolicy;
  /// --kv-policy's `GROUPS:POLICY` clauses: policies of cache groups.
  std::vector<rt::ModelKVPolicy::Override> kvGroupPolicies;
  /// --kv-layout (shared | per-head) and --kv-groups (by-window |
  /// per-layer): how a model directory is compiled; empty: the default.
  std::string kvLayout;
  std::string kvGroups;
  float temperature = 0.0f;
  int32_t topK = 0;
  float topP = 1.0f;
  uint64_t seed = 0;
  /// The .npy path (without the '@'), or empty.
  std::string dumpLogits;
  /// --dump-hidden: the final hidden states of the prompt, or empty.
  std::string dumpHidden;
  /// Keep generating after an end-of-sequence token of the model.
  bool ignoreEos = false;
  /// Model directories: compile through the on-disk cache unless
  /// --no-cache; --cache-dir overrides $XDG_CACHE_HOME/tokamak.
  bool noCache = false;
  std::string cacheDir;
  /// Empty: `weights/` beside MODEL when it exists, else no weights.
  std::string weights;
  /// 0: from the model (or, where it leaves them open, a default).
  int32_t numBlocks = 0;
  int32_t blockSize = 0;

  /// The first flag of each mode that was given (for conflict messages).
  std::string firstFunctionFlag;
  std::string firstGenerateFlag;
};

/// The usage text printed by --help.
extern const char *const kUsage;

/// Parses argv into `options`; errors name the flag and the bad value.
rt::Status parseArguments(int argc, char **argv, Options &options);

/// Prints "tokamak-run: error: MESSAGE" to stderr and returns exit code 1.
int fail(const std::string &message);

} // namespace tokamak::run

#endif // TOKAMAK_TOOLS_TOKAMAK_RUN_OPTIONS_H
