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
/// plugin. `device` ("cpu", "cuda" or empty) is --device: an artifact
/// compiled for another device is refused before it loads; a .mlir file is
/// compiled for the GPU (`cudaArch`, or the compiler's default when empty)
/// with "cuda", else for the host.
rt::StatusOr<std::unique_ptr<rt::Executable>>
loadExecutable(const std::string &path, const std::string &device = "",
               const std::string &cudaArch = "");

/// True if `path` names an existing directory.
bool isDirectory(const std::string &path);

/// Imports and compiles a Hugging Face model directory into the artifact
/// `artifactPath` through the JIT plugin.
rt::Status compileModelWithPlugin(const std::string &modelDir,
                                  const std::string &artifactPath);

} // namespace tokamak::run

#endif // TOKAMAK_TOOLS_TOKAMAK_RUN_LOADEXECUTABLE_H
