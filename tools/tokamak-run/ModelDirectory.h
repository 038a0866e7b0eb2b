//===- ModelDirectory.h - Hugging Face model directories --------*- C++ -*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_TOOLS_TOKAMAK_RUN_MODELDIRECTORY_H
#define TOKAMAK_TOOLS_TOKAMAK_RUN_MODELDIRECTORY_H

#include "Options.h"

#include "tokamak/runtime/Executable.h"
#include "tokamak/runtime/SafeTensors.h"
#include "tokamak/runtime/Status.h"

#include <memory>
#include <string>
#include <vector>

namespace tokamak::run {

/// Whether `path` is a directory holding a config.json.
bool isModelDirectory(const std::string &path);

struct LoadedModel {
  std::unique_ptr<rt::Executable> executable;
  /// Whether the compile cache held the artifact already.
  bool cacheHit = false;
  /// Seconds spent compiling, or loading the cached artifact.
  double compileSeconds = 0;
};

/// Compiles `options.input`, a model directory, through the on-disk cache
/// (or a private file with --no-cache) and loads the artifact.
rt::StatusOr<LoadedModel> loadModelDirectory(const Options &options);

/// Views of the memory-mapped tensors of `dir` that `model` names, in its
/// order (never copies).
rt::StatusOr<std::vector<rt::HostTensor>>
readModelWeights(const rt::ModelInfo &model, const std::string &dir);

} // namespace tokamak::run

#endif // TOKAMAK_TOOLS_TOKAMAK_RUN_MODELDIRECTORY_H
