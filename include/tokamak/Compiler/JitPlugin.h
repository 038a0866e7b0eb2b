//===- JitPlugin.h - The C entry of the JIT plugin --------------*- C++ -*-===//
//
// Part of the Tokamak project. tokamak-run links only the runtime; for .mlir
// inputs it dlopens libTokamakJit.so and calls this function, so running an
// artifact never loads LLVM or MLIR. This header has no LLVM/MLIR includes.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_COMPILER_JITPLUGIN_H
#define TOKAMAK_COMPILER_JITPLUGIN_H

namespace tokamak::rt {
class Executable;
} // namespace tokamak::rt

/// The symbol tokamak-run looks up in the plugin.
#define TOKAMAK_JIT_COMPILE_SYMBOL "tokamak_jit_compile_file"
/// The symbol that compiles a model directory to an artifact.
#define TOKAMAK_COMPILE_MODEL_SYMBOL "tokamak_compile_model"

extern "C" {
/// Parses, verifies and JIT-compiles the module at `path` for the host CPU.
/// On success returns a new executable (delete it to release the code); on
/// failure returns null and sets `*error` to a malloc'ed message the caller
/// frees.
using TokamakJitCompileFn = tokamak::rt::Executable *(*)(const char *path,
                                                         char **error);
/// Imports the Hugging Face model directory `modelDir` and compiles it for
/// the host CPU into the artifact `artifactPath` (written atomically: nothing
/// is left there on failure). Returns 0, or 1 with `*error` set as above.
using TokamakCompileModelFn = int (*)(const char *modelDir,
                                      const char *artifactPath, char **error);
}

#endif // TOKAMAK_COMPILER_JITPLUGIN_H
