//===- Passes.h - CUDA tensor-core passes -----------------------*- C++ -*-===//
//
// Part of the Tokamak project. The pass that replaces eligible tok ops with
// hand-structured mma.sync kernels (DESIGN §5, cuda), and its patterns.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_CODEGEN_CUDA_TENSORCORES_PASSES_H
#define TOKAMAK_CODEGEN_CUDA_TENSORCORES_PASSES_H

#include "mlir/Pass/Pass.h"

#include <string>

namespace mlir {
class DialectRegistry;
class RewritePatternSet;
} // namespace mlir

namespace tokamak::cuda {

#define GEN_PASS_DECL
#include "tokamak/Codegen/CUDA/TensorCores/Passes.h.inc"

/// The GPU architectures the tensor-core kernels target (mma.sync
/// m16n8k16 needs sm_80 or newer).
enum class CudaArch { Sm80, Sm86, Sm89, Sm90, Sm90a };

/// Parses `sm_80`, `sm_86`, `sm_89`, `sm_90` or `sm_90a`.
std::optional<CudaArch> parseCudaArch(llvm::StringRef name);

/// Adds the patterns that rewrite eligible `tok.attention` and `tok.linear`
/// ops into tensor-core kernels for `arch` (ineligible ops do not match).
void populateCudaTensorCorePatterns(mlir::RewritePatternSet &patterns,
                                    CudaArch arch);

/// Registers the interfaces the kernels need from upstream ops: the memory
/// effects of `nvgpu.device_async_copy` (reads its source, writes its
/// destination), of the cp.async group ops and `gpu.barrier` (fences) and
/// of `nvvm.mma.sync` (none), without which buffer deallocation rejects the
/// functions that launch the kernels.
void registerTensorCoreInterfaces(mlir::DialectRegistry &registry);

#define GEN_PASS_REGISTRATION
#include "tokamak/Codegen/CUDA/TensorCores/Passes.h.inc"

} // namespace tokamak::cuda

#endif // TOKAMAK_CODEGEN_CUDA_TENSORCORES_PASSES_H
