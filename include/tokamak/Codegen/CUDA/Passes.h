//===- Passes.h - CUDA code generation passes -------------------*- C++ -*-===//
//
// Part of the Tokamak project. The passes that map bufferized host code to
// CUDA kernels, device buffers and launches (DESIGN §5, docs/Codegen.md).
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_CODEGEN_CUDA_PASSES_H
#define TOKAMAK_CODEGEN_CUDA_PASSES_H

#include "mlir/Pass/Pass.h"

namespace tokamak::cuda {

#define GEN_PASS_DECL
#include "tokamak/Codegen/CUDA/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "tokamak/Codegen/CUDA/Passes.h.inc"

} // namespace tokamak::cuda

#endif // TOKAMAK_CODEGEN_CUDA_PASSES_H
