//===- tokamak-run.cpp - Run compiled functions ---------------------------===//
//
// Part of the Tokamak project. DESIGN §7:
//   tokamak-run INPUT [--function=NAME] [--device=cpu|cuda]
//               [--input=@a.npy | --input="2x3xf32=1 2 3 4 5 6"]...
//               [--output=@o.npy]... [--benchmark=N]
// INPUT is an artifact (loaded by the runtime alone) or a .mlir file (compiled
// in process by the JIT plugin, libTokamakJit.so, loaded only then).
//
//===----------------------------------------------------------------------===//

#include "tokamak/Compiler/JitPlugin.h"
#include "tokamak/runtime/Artifact.h"
#include "tokamak/runtime/Executable.h"
#include "tokamak/runtime/Npy.h"
#include "tokamak/runtime/TensorText.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <memory>
#include <string>
#include <string_view>
#include <unistd.h>
#include <vector>

using namespace tokamak::rt;

namespace {

struct Options {
  std::string input;
  std::string function;
  std::string device = "cpu";
  std::vector<std::string> inputs;
  std::vector<std::string> outputs;
  int64_t benchmark = 0;
};

const char *kUsage =
    "usage: tokamak-run INPUT [--function=NAME] [--device=cpu|cuda]\n"
    "                   [--input=@a.npy | --input=\"2x3xf32=1 2 3 4 5 6\"]...\n"
    "                   [--output=@o.npy]... [--benchmark=N]\n"
    "INPUT: a .mlir file (JIT) or a compiled artifact\n";

/// Prints the tool's one error message and returns exit code 1.
int fail(const std::string &message) {
  std::fprintf(stderr, "tokamak-run: error: %s\n", message.c_str());
  return 1;
}

/// Parses a positive decimal count.
bool parseCount(std::string_view text, int64_t &value) {
  if (text.empty() || text.size() > 12)
    return false;
  value = 0;
  for (char c : text) {
    if (c < '0' || c > '9')
      return false;
    value = value * 10 + (c - '0');
  }
  return value > 0;
}

Status parseArguments(int argc, char **argv, Options &options) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    auto value = [&](std::string_view flag, std::string &out) {
      if (arg.substr(0, flag.size()) != flag)
        return false;
      out = std::string(arg.substr(flag.size()));
      return true;
    };
    std::string text;
    if (value("--function=", options.function) ||
        value("--device=", options.device))
      continue;
    if (value("--input=", text)) {
      options.inputs.push_back(text);
      continue;
    }
    if (value("--output=", text)) {
      options.outputs.push_back(text);
      continue;
    }
    if (value("--benchmark=", text)) {
      if (!parseCount(text, options.benchmark))
        return Status::error("--benchmark expects a positive count, got '" +
                             text + "'");
      continue;
    }
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    }
    if (arg.substr(0, 1) == "-" && arg != "-")
      return Status::error("unknown option '" + std::string(arg) + "'");
    if (!options.input.empty())
      return Status::error("more than one input file ('" + options.input +
                           "' and '" + std::string(arg) + "')");
    options.input = std::string(arg);
  }
  if (options.input.empty())
    return Status::error("no input file given\n" + std::string(kUsage));
  if (options.device != "cpu" && options.device != "cuda")
    return Status::error("unknown device '" + options.device +
                         "' (expected cpu or cuda)");
  for (const std::string &out : options.outputs)
    if (out.size() < 2 || out[0] != '@')
      return Status::error("--output expects @FILE.npy, got '" + out + "'");
  return Status::success();
}

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

/// Picks the function to run: --function, else @main, else the only one.
StatusOr<const FunctionSignature *> selectFunction(const ModuleMetadata &md,
                                                   const std::string &name) {
  std::string available;
  for (const FunctionSignature &fn : md.functions)
    available += (available.empty() ? "@" : ", @") + fn.name;
  if (!name.empty()) {
    if (const FunctionSignature *fn = md.lookupFunction(name))
      return fn;
    return Status::error("no function @" + name + " (available: " +
                         (available.empty() ? "none" : available) + ")");
  }
  if (const FunctionSignature *fn = md.lookupFunction("main"))
    return fn;
  if (md.functions.size() == 1)
    return &md.functions.front();
  if (md.functions.empty())
    return Status::error("the module has no public function to run");
  return Status::error("several functions and no @main; choose one with "
                       "--function (available: " +
                       available + ")");
}

/// Reads one --input value for the function's input `index`.
StatusOr<HostTensor> loadInput(const std::string &text,
                               const TensorSignature &expected, size_t index) {
  std::string where = "input " + std::to_string(index);
  if (!text.empty() && text[0] == '@') {
    StatusOr<HostTensor> tensor = readNpy(text.substr(1));
    if (!tensor.ok())
      return tensor.status().withContext(where);
    StatusOr<HostTensor> coerced = coerceTo(std::move(*tensor), expected.dtype);
    if (!coerced.ok())
      return coerced.status().withContext(where);
    return coerced;
  }
  StatusOr<HostTensor> tensor = parseTensorText(text);
  if (!tensor.ok())
    return tensor.status().withContext(where);
  return tensor;
}

double nowMs() {
  using namespace std::chrono;
  return duration<double, std::milli>(steady_clock::now().time_since_epoch())
      .count();
}

int run(const Options &options) {
  if (options.device == "cuda")
    return fail("--device=cuda: the cuda device is not available yet in this "
                "build; use --device=cpu");

  StatusOr<std::unique_ptr<Executable>> executable =
      endsWith(options.input, ".mlir")
          ? compileWithPlugin(options.input)
          : StatusOr<std::unique_ptr<Executable>>(
                [&]() -> StatusOr<std::unique_ptr<Executable>> {
                  auto loaded = SharedLibraryExecutable::load(options.input);
                  if (!loaded.ok())
                    return loaded.status();
                  return std::unique_ptr<Executable>(std::move(*loaded));
                }());
  if (!executable.ok())
    return fail(executable.status().message());

  StatusOr<const FunctionSignature *> fn =
      selectFunction((*executable)->metadata(), options.function);
  if (!fn.ok())
    return fail(fn.status().message());
  const FunctionSignature &signature = **fn;

  if (options.inputs.size() != signature.inputs.size())
    return fail("@" + signature.name + " takes " +
                std::to_string(signature.inputs.size()) + " inputs, got " +
                std::to_string(options.inputs.size()) + " --input flags");
  if (options.outputs.size() > signature.results.size())
    return fail("@" + signature.name + " has " +
                std::to_string(signature.results.size()) + " results, got " +
                std::to_string(options.outputs.size()) + " --output flags");

  std::vector<HostTensor> inputs;
  for (size_t i = 0; i < options.inputs.size(); ++i) {
    StatusOr<HostTensor> tensor =
        loadInput(options.inputs[i], signature.inputs[i], i);
    if (!tensor.ok())
      return fail(tensor.status().message());
    inputs.push_back(std::move(*tensor));
  }

  StatusOr<std::vector<HostTensor>> results =
      invoke(**executable, signature.name, inputs);
  if (!results.ok())
    return fail(results.status().message());

  if (options.benchmark > 0) {
    std::vector<double> times;
    for (int64_t i = 0; i < options.benchmark; ++i) {
      double start = nowMs();
      StatusOr<std::vector<HostTensor>> again =
          invoke(**executable, signature.name, inputs);
      times.push_back(nowMs() - start);
      if (!again.ok())
        return fail(again.status().message());
    }
    std::sort(times.begin(), times.end());
    std::printf("@%s: %lld runs, min %.3f ms, median %.3f ms\n",
                signature.name.c_str(), static_cast<long long>(times.size()),
                times.front(), times[times.size() / 2]);
  }

  for (size_t j = 0; j < results->size(); ++j) {
    const HostTensor &result = (*results)[j];
    if (j < options.outputs.size()) {
      if (Status status = writeNpy(options.outputs[j].substr(1), result);
          !status.ok())
        return fail(status.message());
      continue;
    }
    std::printf("result[%zu]: %s\n", j, formatTensorText(result).c_str());
  }
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  Options options;
  if (Status status = parseArguments(argc, argv, options); !status.ok())
    return fail(status.message());
  return run(options);
}
