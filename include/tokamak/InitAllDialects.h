//===- InitAllDialects.h - Register every dialect Tokamak uses --*- C++ -*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_INITALLDIALECTS_H
#define TOKAMAK_INITALLDIALECTS_H

#include "dialects/Tok/IR/TokDialect.h"
#include "mlir/IR/DialectRegistry.h"
#include "tokamak/Codegen/CUDA/TensorCores/Passes.h"

namespace tokamak {

/// Adds the Tokamak dialects to `registry`, and the interfaces Tokamak's
/// passes need from upstream ops (the tensor-core kernels' cp.async effects).
inline void registerTokamakDialects(mlir::DialectRegistry &registry) {
  registry.insert<mlir::tok::TokDialect>();
  cuda::registerTensorCoreInterfaces(registry);
}

} // namespace tokamak

#endif // TOKAMAK_INITALLDIALECTS_H
