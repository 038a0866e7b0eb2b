//===- LoadExecutable.cpp - Executables for tokamak-run -------------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#include "LoadExecutable.h"

#include "tokamak/Compiler/JitPlugin.h"
#include "tokamak/runtime/Artifact.h"

#include <cstdlib>
#include <dlfcn.h>
#include <optional>
#include <string_view>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

using namespace tokamak;
using namespace tokamak::run;
using rt::Executable;
using rt::Status;
using rt::StatusOr;

namespace {

bool endsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() &&
         text.substr(text.size() - suffix.size()) == suffix;
}

/// The directory of this executable.
std::string executableDir() {
  std::vector<char> buffer(4096);
  ssize_t n = ::readlink("/proc/self/exe", buffer.data(), buffer.size() - 1);
  if (n <= 0)
    return ".";
  std::string path(buffer.data(), static_cast<size_t>(n));
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

/// The JIT plugin next to this executable (loaded once; it stays loaded for
/// the life of the process, since JIT-compiled code lives in it), or an
/// error that names `why` it was needed.
StatusOr<void *> loadPlugin(const std::string &why) {
  static void *handle = nullptr;
  if (handle)
    return handle;
  std::string dir = executableDir();
  std::string plugin;
  for (const char *candidate :
       {"/../lib/libTokamakJit.so", "/libTokamakJit.so"})
    if (::access((dir + candidate).c_str(), R_OK) == 0) {
      plugin = dir + candidate;
      break;
    }
  if (plugin.empty())
    return Status::error(why +
                         " needs the JIT plugin libTokamakJit.so beside "
                         "tokamak-run or in ../lib; this is a runtime-only "
                         "installation, so compile it with tokamak-compile "
                         "and run the artifact");
  handle = ::dlopen(plugin.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle)
    return Status::error("cannot load the JIT plugin: " +
                         std::string(::dlerror()));
  return handle;
}

/// Compiles a .mlir file through the JIT plugin next to this executable,
/// for the GPU when `device` is "cuda". The plugin reads the target from
/// TOKAMAK_JIT_TARGET and TOKAMAK_JIT_CUDA_ARCH (lib/JitPlugin).
StatusOr<std::unique_ptr<Executable>>
compileWithPlugin(const std::string &path, const std::string &device,
                  const std::string &cudaArch) {
  StatusOr<void *> handle = loadPlugin("running .mlir files ('" + path + "')");
  if (!handle.ok())
    return handle.status();
  bool cuda = device == "cuda";
  ::setenv("TOKAMAK_JIT_TARGET", cuda ? "cuda" : "cpu", 1);
  if (cuda && !cudaArch.empty())
    ::setenv("TOKAMAK_JIT_CUDA_ARCH", cudaArch.c_str(), 1);
  auto compile = reinterpret_cast<TokamakJitCompileFn>(
      ::dlsym(*handle, TOKAMAK_JIT_COMPILE_SYMBOL));
  if (!compile)
    return Status::error("the JIT plugin has no " TOKAMAK_JIT_COMPILE_SYMBOL);
  char *error = nullptr;
  Executable *executable = compile(path.c_str(), &error);
  if (!executable) {
    std::string message = error ? error : "jit compilation failed";
    std::free(error);
    return Status::error(message);
  }
  std::unique_ptr<Executable> compiled(executable);
  rt::TargetDevice wanted =
      cuda ? rt::TargetDevice::CUDA : rt::TargetDevice::CPU;
  if (compiled->metadata().target.device != wanted)
    return Status::error(
        std::string("the JIT plugin compiled '") + path + "' for " +
        rt::targetDeviceName(compiled->metadata().target.device) +
        " instead of " + rt::targetDeviceName(wanted) +
        " (the plugin is older than tokamak-run)");
  return compiled;
}

} // namespace

bool tokamak::run::isDirectory(const std::string &path) {
  struct stat info;
  return ::stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode);
}

Status tokamak::run::compileModelWithPlugin(const std::string &modelDir,
                                            const std::string &artifactPath) {
  StatusOr<void *> handle =
      loadPlugin("running a model directory ('" + modelDir + "')");
  if (!handle.ok())
    return handle.status();
  auto compile = reinterpret_cast<TokamakCompileModelFn>(
      ::dlsym(*handle, TOKAMAK_COMPILE_MODEL_SYMBOL));
  if (!compile)
    return Status::error("the JIT plugin has no " TOKAMAK_COMPILE_MODEL_SYMBOL);
  char *error = nullptr;
  if (compile(modelDir.c_str(), artifactPath.c_str(), &error) == 0)
    return Status::success();
  std::string message = error ? error : "model compilation failed";
  std::free(error);
  return Status::error(message);
}

StatusOr<std::unique_ptr<Executable>>
tokamak::run::loadExecutable(const std::string &path, const std::string &device,
                             const std::string &cudaArch) {
  if (isDirectory(path))
    return Status::error("'" + path +
                         "' is a directory without config.json, not a model "
                         "directory, an artifact or a .mlir file");
  if (endsWith(path, ".mlir"))
    return compileWithPlugin(path, device, cudaArch);
  std::optional<rt::TargetDevice> expected;
  if (!device.empty())
    expected =
        device == "cuda" ? rt::TargetDevice::CUDA : rt::TargetDevice::CPU;
  StatusOr<std::unique_ptr<rt::SharedLibraryExecutable>> loaded =
      rt::SharedLibraryExecutable::load(path, expected);
  if (!loaded.ok())
    return loaded.status();
  return std::unique_ptr<Executable>(std::move(*loaded));
}
