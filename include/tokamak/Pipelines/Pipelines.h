//===- Pipelines.h - Tokamak compilation pipelines --------------*- C++ -*-===//
//
// Part of the Tokamak project. The phases of DESIGN §5 and the pipelines
// that take a module from one phase to the next.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_PIPELINES_PIPELINES_H
#define TOKAMAK_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassOptions.h"
#include "mlir/Support/LLVM.h"
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
  PassOptions::Option<Phase> compileTo{
      *this, "compile-to", llvm::cl::desc("Last phase to run"),
      llvm::cl::init(Phase::LLVM),
      llvm::cl::values(
          clEnumValN(Phase::Input, "input", "the parsed and verified input"),
          clEnumValN(Phase::TokOpt, "tok-opt", "canonicalized tok ops"),
          clEnumValN(Phase::Tiling, "tiling", "tiled linalg/scf on tensors"),
          clEnumValN(Phase::Fusion, "fusion", "producers fused into tiles"),
          clEnumValN(Phase::Bufferize, "bufferize",
                     "memrefs with entry points"),
          clEnumValN(Phase::LLVM, "llvm", "the LLVM dialect"))};
  PassOptions::Option<bool> readOnlyInputs{
      *this, "read-only-inputs",
      llvm::cl::desc("Never write into the buffers of public function "
                     "arguments unless marked bufferization.writable"),
      llvm::cl::init(true)};
  PassOptions::Option<std::string> cpu{
      *this, "cpu",
      llvm::cl::desc("LLVM x86-64 CPU name to generate code for (host: this "
                     "machine); the kernels read its vector width, "
                     "registers, caches and ISA extensions"),
      llvm::cl::init("host")};
  PassOptions::Option<std::string> cpuFeatures{
      *this, "cpu-features",
      llvm::cl::desc("LLVM feature string applied on top of the CPU's"),
      llvm::cl::init("")};
  PassOptions::Option<int64_t> numThreads{
      *this, "num-threads",
      llvm::cl::desc("Threads the parallel loops are balanced for (0: the "
                     "host's OpenMP default)"),
      llvm::cl::init(0)};
};

/// Adds the passes that take a module from the input phase to
/// `options.compileTo` on the CPU target that `options.cpu` and
/// `options.cpuFeatures` name. Fails, with `error` set, when the target
/// cannot be resolved (an unknown CPU).
mlir::LogicalResult buildCpuPipeline(mlir::OpPassManager &pm,
                                     const CpuPipelineOptions &options,
                                     std::string &error);

/// Options of the CUDA pipeline (docs/Codegen.md, "CUDA").
struct CudaPipelineOptions : mlir::PassPipelineOptions<CudaPipelineOptions> {
  PassOptions::Option<Phase> compileTo{
      *this, "compile-to", llvm::cl::desc("Last phase to run"),
      llvm::cl::init(Phase::LLVM),
      llvm::cl::values(
          clEnumValN(Phase::Input, "input", "the parsed and verified input"),
          clEnumValN(Phase::TokOpt, "tok-opt", "canonicalized tok ops"),
          clEnumValN(Phase::Tiling, "tiling", "linalg/scf on tensors"),
          clEnumValN(Phase::Fusion, "fusion", "producers fused into tiles"),
          clEnumValN(Phase::Bufferize, "bufferize",
                     "device buffers, gpu.launch and entry points"),
          clEnumValN(Phase::LLVM, "llvm",
                     "host code in the LLVM dialect, kernels in gpu.binary"))};
  PassOptions::Option<bool> readOnlyInputs{
      *this, "read-only-inputs",
      llvm::cl::desc("Never write into the buffers of public function "
                     "arguments unless marked bufferization.writable"),
      llvm::cl::init(true)};
  PassOptions::Option<std::string> cudaArch{
      *this, "cuda-arch",
      llvm::cl::desc("CUDA architecture: sm_80, sm_86, sm_89 or sm_90a"),
      llvm::cl::init("sm_90a")};
  PassOptions::Option<std::string> binaryFormat{
      *this, "binary-format",
      llvm::cl::desc("What gpu.binary holds: isa (PTX), fatbin (cubin and "
                     "PTX, needs ptxas), or auto (fatbin when ptxas is "
                     "found, else isa)"),
      llvm::cl::init("auto")};
  PassOptions::Option<bool> tensorCores{
      *this, "tensor-cores",
      llvm::cl::desc("Run tok-cuda-tensor-cores after tok-opt: eligible "
                     "f16/bf16 attention and linear ops become mma.sync "
                     "kernels (every supported architecture is sm_80 or "
                     "newer)"),
      llvm::cl::init(true)};
  PassOptions::Option<int64_t> blockSize{
      *this, "block-size",
      llvm::cl::desc("Threads per block of the SIMT kernels"),
      llvm::cl::init(256)};
  PassOptions::Option<unsigned> optLevel{
      *this, "opt-level", llvm::cl::desc("NVPTX optimization level (0-3)"),
      llvm::cl::init(3)};
};

/// Adds the passes that take a module from the input phase to
/// `options.compileTo` for the CUDA architecture `options.cudaArch`.
/// Fails, with `error` set, on an unknown architecture or binary format.
mlir::LogicalResult buildCudaPipeline(mlir::OpPassManager &pm,
                                      const CudaPipelineOptions &options,
                                      std::string &error);

/// Registers `tokamak-cpu-pipeline` and `tokamak-cuda-pipeline` with the
/// global pass registry.
void registerTokamakPipelines();

} // namespace tokamak

#endif // TOKAMAK_PIPELINES_PIPELINES_H
