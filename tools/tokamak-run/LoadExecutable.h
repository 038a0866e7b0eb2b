//===- LoadExecutable.h - Executables for tokamak-run -----------*- C++ -*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//
//
// tokamak-run links only the runtime: an artifact is loaded by the runtime
// alone, and a .mlir file is compiled in process by the JIT plugin
// (libTokamakJit.so beside the tool or in ../lib), dlopened only then.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_TOOLS_TOKAMAK_RUN_LOADEXECUTABLE_H
#define TOKAMAK_TOOLS_TOKAMAK_RUN_LOADEXECUTABLE_H

#include "tokamak/runtime/Executable.h"
#include "tokamak/runtime/Status.h"

#include <memory>
#include <string>

namespace tokamak::run {

/// The executable of `path`: an artifact, or a .mlir file through the JIT
/// plugin. A model directory (config.json + *.safetensors) is refused with a
/// message saying that model import is not available yet.
rt::StatusOr<std::unique_ptr<rt::Executable>>
loadExecutable(const std::string &path);

/// True if `path` names an existing directory.
bool isDirectory(const std::string &path);

/// Imports and compiles a Hugging Face model directory into the artifact
/// `artifactPath` through the JIT plugin.
rt::Status compileModelWithPlugin(const std::string &modelDir,
                                  const std::string &artifactPath);

} // namespace tokamak::run

#endif // TOKAMAK_TOOLS_TOKAMAK_RUN_LOADEXECUTABLE_H
