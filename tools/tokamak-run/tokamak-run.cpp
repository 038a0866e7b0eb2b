//===- tokamak-run.cpp - Run compiled functions and models ----------------===//
//
// Part of the Tokamak project. DESIGN §7:
//   tokamak-run INPUT [--function=NAME] [--device=cpu|cuda]
//               [--cuda-arch=sm_80|sm_86|sm_89|sm_90a]
//               [--input=@a.npy | --input="2x3xf32=1 2 3 4 5 6"]...
//               [--output=@o.npy]... [--benchmark=N]
//   tokamak-run MODEL --prompt-ids=1,2,3 [--prompt="text"] --max-new-tokens=N
//               [--kv-policy=full|window=W,sinks=S|snapkv=BUDGET|h2o=B]
//               [--temperature=T] [--seed=S] [--dump-logits=@l.npy]
// INPUT is an artifact (loaded by the runtime alone) or a .mlir file (compiled
// in process by the JIT plugin, libTokamakJit.so, loaded only then). MODEL is
// either, in the session ABI of docs/Session.md. Options.cpp parses the
// command line, RunFunction.cpp runs one function, Generate.cpp generates.
//
//===----------------------------------------------------------------------===//

#include "Generate.h"
#include "LoadExecutable.h"
#include "ModelDirectory.h"
#include "Options.h"
#include "RunFunction.h"

#include <exception>
#include <new>

using namespace tokamak;
using namespace tokamak::run;

namespace {

int runTool(int argc, char **argv) {
  Options options;
  if (rt::Status status = parseArguments(argc, argv, options); status.failed())
    return fail(status.message());
  if (isModelDirectory(options.input)) {
    if (options.device == "cuda")
      return fail("--device=cuda: running a model directory on the GPU is "
                  "not supported yet; use --device=cpu");
    if (!options.generate)
      return fail("'" + options.input +
                  "' is a model directory: give a prompt "
                  "(--prompt=\"text\" or --prompt-ids=1,2,3) and "
                  "--max-new-tokens=N");
    rt::StatusOr<LoadedModel> loaded = loadModelDirectory(options);
    if (!loaded.ok())
      return fail(loaded.status().message());
    ModelRun run;
    run.modelDir = options.input;
    run.compiled = true;
    run.cacheHit = loaded->cacheHit;
    run.compileSeconds = loaded->compileSeconds;
    return generate(options, std::move(loaded->executable), run);
  }
  if (!options.kvLayout.empty() || !options.kvGroups.empty())
    return fail("--kv-layout and --kv-groups apply to a model directory; '" +
                options.input +
                "' has the layout it was compiled with (tokamak-compile "
                "MODEL_DIR --kv-layout=... --kv-groups=...)");
  rt::StatusOr<std::unique_ptr<rt::Executable>> executable =
      loadExecutable(options.input, options.device, options.cudaArch);
  if (!executable.ok())
    return fail(executable.status().message());
  if (options.generate)
    return generate(options, std::move(*executable));
  return runFunction(options, std::move(*executable));
}

} // namespace

int main(int argc, char **argv) {
  // Every error is one message and exit code 1, an allocation that fails
  // somewhere unchecked included: never an abort.
  try {
    return runTool(argc, argv);
  } catch (const std::bad_alloc &) {
    return fail("out of memory");
  } catch (const std::exception &error) {
    return fail(std::string("internal error: ") + error.what());
  }
}
