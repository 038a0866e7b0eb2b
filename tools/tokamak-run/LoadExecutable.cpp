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

/// Compiles a .mlir file through the JIT plugin next to this executable.
StatusOr<std::unique_ptr<Executable>>
compileWithPlugin(const std::string &path) {
  std::string dir = executableDir();
  std::string plugin;
  for (const char *candidate :
       {"/../lib/libTokamakJit.so", "/libTokamakJit.so"})
    if (::access((dir + candidate).c_str(), R_OK) == 0) {
      plugin = dir + candidate;
      break;
    }
  if (plugin.empty())
    return Status::error(
        "running .mlir files needs the JIT plugin libTokamakJit.so beside "
        "tokamak-run or in ../lib; this is a runtime-only installation, so "
        "compile '" +
        path + "' with tokamak-compile and run the artifact");
  void *handle = ::dlopen(plugin.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle)
    return Status::error("cannot load the JIT plugin: " +
                         std::string(::dlerror()));
  auto compile = reinterpret_cast<TokamakJitCompileFn>(
      ::dlsym(handle, TOKAMAK_JIT_COMPILE_SYMBOL));
  if (!compile)
    return Status::error(plugin + ": no " TOKAMAK_JIT_COMPILE_SYMBOL);
  // The plugin stays loaded for the life of the process: the executable's
  // code lives in it.
  char *error = nullptr;
  Executable *executable = compile(path.c_str(), &error);
  if (!executable) {
    std::string message = error ? error : "jit compilation failed";
    std::free(error);
    return Status::error(message);
  }
  return std::unique_ptr<Executable>(executable);
}

} // namespace

bool tokamak::run::isDirectory(const std::string &path) {
  struct stat info;
  return ::stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode);
}

StatusOr<std::unique_ptr<Executable>>
tokamak::run::loadExecutable(const std::string &path) {
  if (isDirectory(path)) {
    std::string config = path + "/config.json";
    if (::access(config.c_str(), F_OK) == 0)
      return Status::error(
          "'" + path +
          "' is a model directory (config.json + *.safetensors); model "
          "import is not available yet: compile the model to an artifact "
          "(tokamak-compile MODEL.mlir -o model.so) and run that");
    return Status::error("'" + path +
                         "' is a directory, not an artifact or a .mlir file");
  }
  if (endsWith(path, ".mlir"))
    return compileWithPlugin(path);
  StatusOr<std::unique_ptr<rt::SharedLibraryExecutable>> loaded =
      rt::SharedLibraryExecutable::load(path);
  if (!loaded.ok())
    return loaded.status();
  return std::unique_ptr<Executable>(std::move(*loaded));
}
