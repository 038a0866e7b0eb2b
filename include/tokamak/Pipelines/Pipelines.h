//===- Pipelines.h - Tokamak compilation pipelines --------------*- C++ -*-===//
//
// Part of the Tokamak project. The phases of DESIGN §5 and the pipelines
// that take a module from one phase to the next.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_PIPELINES_PIPELINES_H
#define TOKAMAK_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassOptions.h"
#include "llvm/ADT/StringRef.h"

#include <optional>

namespace mlir {
class OpPassManager;
} // namespace mlir

namespace tokamak {

/// The phases of compilation, in order. `--compile-to=<phase>` stops after
/// the named one.
enum class Phase {
  Input,     ///< The parsed and verified input.
  TokOpt,    ///< Canonicalized tok ops.
  Tiling,    ///< tok ops lowered to tiled linalg/scf on tensors.
  Fusion,    ///< Producers and epilogues fused into their consumers.
  Bufferize, ///< Memrefs, with entry points and explicit deallocation.
  LLVM,      ///< The LLVM dialect, ready for translation.
};

/// The phase spelled `name` (input, tok-opt, tiling, fusion, bufferize,
/// llvm), if any.
std::optional<Phase> parsePhase(llvm::StringRef name);
/// The spelling of `phase`.
llvm::StringRef stringifyPhase(Phase phase);

/// Options of the CPU pipeline.
struct CpuPipelineOptions : mlir::PassPipelineOptions<CpuPipelineOptions> {
  PassOptions::Option<std::string> compileTo{
      *this, "compile-to",
      llvm::cl::desc("Last phase to run: input, tok-opt, tiling, fusion, "
                     "bufferize or llvm"),
      llvm::cl::init("llvm")};
  PassOptions::Option<bool> readOnlyInputs{
      *this, "read-only-inputs",
      llvm::cl::desc("Never write into the buffers of public function "
                     "arguments unless marked bufferization.writable"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> avx512{
      *this, "avx512",
      llvm::cl::desc("The target CPU has AVX-512F (kernels may use its "
                     "instructions directly)"),
      llvm::cl::init(false)};
  PassOptions::Option<bool> nativeBf16{
      *this, "native-bf16",
      llvm::cl::desc("The target CPU converts f32 to bf16 in hardware "
                     "(AVX512-BF16); otherwise the conversions are expanded "
                     "to integer arithmetic instead of compiler-rt calls"),
      llvm::cl::init(false)};
};

/// Adds the passes that take a module from the input phase to `last` on
/// the CPU target; `avx512`: the target CPU has AVX-512F; `nativeBf16`: it
/// has AVX512-BF16 (f32 -> bf16 in hardware).
void buildCpuPipeline(mlir::OpPassManager &pm, Phase last,
                      bool readOnlyInputs = true, bool avx512 = false,
                      bool nativeBf16 = false);

/// Registers `tokamak-cpu-pipeline` with the global pass registry.
void registerTokamakPipelines();

} // namespace tokamak

#endif // TOKAMAK_PIPELINES_PIPELINES_H
