//===- JitPlugin.cpp - The JIT as a plugin of tokamak-run -----------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#include "tokamak/Compiler/JitPlugin.h"
#include "tokamak/Compiler/Compiler.h"
#include "tokamak/Frontend/Frontend.h"
#include "tokamak/runtime/Executable.h"

#include <cstdlib>
#include <cstring>

/// The options of a JIT compile: the host's CPU, unless TOKAMAK_JIT_CPU
/// (and TOKAMAK_JIT_CPU_FEATURES) name another one the host can run, which
/// is how the numerics suite runs AVX2 code on an AVX-512 host
/// (`lit -Djit_cpu=x86-64-v3`). The loader still refuses code that needs
/// features the host lacks. TOKAMAK_JIT_TARGET=cuda (what `tokamak-run
/// --device=cuda` sets) compiles for the GPU, for TOKAMAK_JIT_CUDA_ARCH
/// (default sm_90a); the kernels' host code calls the runtime's mgpu*
/// functions in this process (docs/Codegen.md, "Host ABI").
static llvm::Expected<tokamak::CompileOptions> jitOptions() {
  tokamak::CompileOptions options;
  if (const char *cpu = std::getenv("TOKAMAK_JIT_CPU"))
    options.cpu = cpu;
  if (const char *features = std::getenv("TOKAMAK_JIT_CPU_FEATURES"))
    options.cpuFeatures = features;
  if (const char *target = std::getenv("TOKAMAK_JIT_TARGET")) {
    if (std::strcmp(target, "cuda") == 0)
      options.target = tokamak::Target::CUDA;
    else if (std::strcmp(target, "cpu") != 0 && *target)
      return llvm::createStringError(
          llvm::inconvertibleErrorCode(),
          "TOKAMAK_JIT_TARGET must be cpu or cuda, got '" +
              std::string(target) + "'");
  }
  if (const char *arch = std::getenv("TOKAMAK_JIT_CUDA_ARCH"); arch && *arch)
    options.cudaArch = arch;
  return options;
}

extern "C" __attribute__((visibility("default"))) tokamak::rt::Executable *
tokamak_jit_compile_file(const char *path, char **error) {
  auto fail = [&](llvm::Error err) -> tokamak::rt::Executable * {
    *error = strdup(llvm::toString(std::move(err)).c_str());
    return nullptr;
  };
  tokamak::Compiler compiler;
  auto module = compiler.parseFile(path);
  if (!module)
    return fail(module.takeError());
  auto options = jitOptions();
  if (!options)
    return fail(options.takeError());
  auto executable = compiler.jit(**module, *options);
  if (!executable)
    return fail(executable.takeError());
  return executable->release();
}

extern "C" __attribute__((visibility("default"))) int
tokamak_compile_model(const char *modelDir, const char *artifactPath,
                      char **error) {
  auto fail = [&](llvm::Error err) {
    *error = strdup(llvm::toString(std::move(err)).c_str());
    return 1;
  };
  tokamak::Compiler compiler;
  // TOKAMAK_SNAPKV_OBS and TOKAMAK_SNAPKV_BUDGET (set by tokamak-run for
  // --kv-policy=snapkv, and part of its cache key): also export
  // @prefill_stats with this stats window and the compiled selection for
  // budgets up to this.
  tokamak::frontend::ImportOptions importOptions;
  if (const char *obs = std::getenv("TOKAMAK_SNAPKV_OBS"); obs && *obs)
    importOptions.snapkvObs = std::strtoll(obs, nullptr, 10);
  if (const char *budget = std::getenv("TOKAMAK_SNAPKV_BUDGET");
      budget && *budget)
    importOptions.snapkvBudget = std::strtoll(budget, nullptr, 10);
  // TOKAMAK_KV_LAYOUT / TOKAMAK_KV_GROUPS (tokamak-run --kv-layout,
  // --kv-groups; also part of its cache key).
  auto parseEnv = [&](const char *name, auto parse, auto &into) -> int {
    const char *text = std::getenv(name);
    if (!text || !*text)
      return 0;
    auto parsed = parse(text);
    if (!parsed.ok())
      return fail(llvm::createStringError(llvm::inconvertibleErrorCode(),
                                          parsed.status().message()));
    into = *parsed;
    return 0;
  };
  if (parseEnv("TOKAMAK_KV_LAYOUT", tokamak::frontend::parseKVLayout,
               importOptions.kvLayout) ||
      parseEnv("TOKAMAK_KV_GROUPS", tokamak::frontend::parseKVGroups,
               importOptions.kvGroups))
    return 1;
  // TOKAMAK_H2O=1 (set by tokamak-run for --kv-policy=h2o, also in its
  // cache key): also export @prefill_h2o and @decode_stats.
  const char *h2o = std::getenv("TOKAMAK_H2O");
  importOptions.h2o = h2o && std::strcmp(h2o, "1") == 0;
  auto module = compiler.importModel(modelDir, importOptions);
  if (!module)
    return fail(module.takeError());
  auto options = jitOptions();
  if (!options)
    return fail(options.takeError());
  if (llvm::Error err = compiler.emitArtifact(**module, *options, artifactPath))
    return fail(std::move(err));
  return 0;
}
