//===- Generate.h - Generation mode of tokamak-run --------------*- C++ -*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_TOOLS_TOKAMAK_RUN_GENERATE_H
#define TOKAMAK_TOOLS_TOKAMAK_RUN_GENERATE_H

#include "Options.h"

#include "tokamak/runtime/Executable.h"

#include <memory>
#include <string>

namespace tokamak::run {

/// Generation mode: runs the session-ABI model `executable` on the prompt
/// and prints the generated token ids and timings; returns the exit code.
/// How a model directory was compiled (empty for other inputs).
struct ModelRun {
  /// The model directory the input is (its weights and tokenizer).
  std::string modelDir;
  bool compiled = false;
  bool cacheHit = false;
  double compileSeconds = 0;
};

int generate(const Options &options, std::unique_ptr<rt::Executable> executable,
             const ModelRun &run = ModelRun());

} // namespace tokamak::run

#endif // TOKAMAK_TOOLS_TOKAMAK_RUN_GENERATE_H
