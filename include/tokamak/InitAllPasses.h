//===- InitAllPasses.h - Register every Tokamak pass ------------*- C++ -*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_INITALLPASSES_H
#define TOKAMAK_INITALLPASSES_H

#include "dialects/Tok/Transforms/Passes.h"
#include "tokamak/Codegen/CPU/Passes.h"
#include "tokamak/Codegen/CUDA/Passes.h"
#include "tokamak/Codegen/CUDA/TensorCores/Passes.h"
#include "tokamak/Conversion/Passes.h"
#include "tokamak/Pipelines/Pipelines.h"
#include "tokamak/Transforms/Passes.h"

namespace tokamak {

/// Registers the Tokamak passes and pipelines with the global registry.
inline void registerTokamakPasses() {
  mlir::tok::registerTokTransformsPasses();
  cpu::registerTokamakCpuPasses();
  cuda::registerTokamakCudaPasses();
  cuda::registerTokamakCudaTensorCoresPasses();
  registerTokamakConversionPasses();
  registerTokamakTransformsPasses();
  registerTokamakPipelines();
}

} // namespace tokamak

#endif // TOKAMAK_INITALLPASSES_H
