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

extern "C" {
/// Parses, verifies and JIT-compiles the module at `path` for the host CPU.
/// On success returns a new executable (delete it to release the code); on
/// failure returns null and sets `*error` to a malloc'ed message the caller
/// frees.
using TokamakJitCompileFn = tokamak::rt::Executable *(*)(const char *path,
                                                         char **error);
}

#endif // TOKAMAK_COMPILER_JITPLUGIN_H
