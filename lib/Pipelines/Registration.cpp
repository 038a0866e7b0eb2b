//===- Registration.cpp - Registering the Tokamak pipelines ---------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#include "tokamak/Pipelines/Pipelines.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"

using namespace mlir;

namespace tokamak {

/// Registers the pipeline `name` built by `build` from options `Options`.
/// registerPassPipeline directly (not PassPipelineRegistration) so that an
/// unknown CPU or CUDA architecture is reported as a pipeline error rather
/// than ignored.
template <typename Options>
static void registerPipeline(StringRef name, StringRef description,
                             LogicalResult (*build)(OpPassManager &,
                                                    const Options &,
                                                    std::string &)) {
  registerPassPipeline(
      name, description,
      [name, build](OpPassManager &pm, StringRef text,
                    function_ref<LogicalResult(const Twine &)> errorHandler) {
        std::unique_ptr<Options> options = Options::createFromString(text);
        if (!options)
          return failure();
        std::string error;
        if (failed(build(pm, *options, error)))
          return errorHandler(name + ": " + error);
        return success();
      },
      [](function_ref<void(const detail::PassOptions &)> optHandler) {
        optHandler(Options());
      });
}

void registerTokamakPipelines() {
  registerPipeline<CpuPipelineOptions>(
      "tokamak-cpu-pipeline",
      "Compile tok and upstream ops for a CPU target (DESIGN §5)",
      buildCpuPipeline);
  registerPipeline<CudaPipelineOptions>(
      "tokamak-cuda-pipeline",
      "Compile tok and upstream ops for a CUDA target (DESIGN §5)",
      buildCudaPipeline);
}

} // namespace tokamak
