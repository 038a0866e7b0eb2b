//===- CudaTarget.h - CUDA architectures Tokamak generates code for -*- C++
//-*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_CODEGEN_CUDA_CUDATARGET_H
#define TOKAMAK_CODEGEN_CUDA_CUDATARGET_H

#include "mlir/Support/LLVM.h"
#include "llvm/ADT/StringRef.h"

#include <string>

namespace tokamak::cuda {

/// A CUDA architecture: the NVVM chip and the PTX ISA version its code
/// needs.
struct CudaTarget {
  /// `sm_80`, `sm_86`, `sm_89`, `sm_90` or `sm_90a`.
  std::string chip;
  /// The LLVM NVPTX feature selecting the PTX version (`+ptx80`).
  std::string features;
};

/// The architectures `--cuda-arch` accepts, comma separated, for messages.
llvm::StringRef getSupportedCudaArchs();

/// The target of `arch`, or failure with `error` naming the architecture
/// and the supported ones.
mlir::FailureOr<CudaTarget> resolveCudaTarget(llvm::StringRef arch,
                                              std::string &error);

/// Whether `ptxas` of a CUDA toolkit is available to assemble PTX into
/// cubins (`$CUDA_PATH`, `/usr/local/cuda`, or the PATH), and its path.
std::string findPtxas();

/// The CUDA toolkit directory holding `nvvm/libdevice/libdevice.10.bc`
/// (the math functions kernels call). The first of `CUDA_PATH`,
/// `CUDA_HOME` and `CUDA_ROOT` that is set is the only place looked at;
/// without them, `/usr/local/cuda`, `/usr/lib/nvidia-cuda-toolkit`, then
/// the toolkit of the `ptxas` on the PATH. Fails with `error` saying where
/// it looked.
mlir::FailureOr<std::string> findCudaToolkit(std::string &error);

} // namespace tokamak::cuda

#endif // TOKAMAK_CODEGEN_CUDA_CUDATARGET_H
