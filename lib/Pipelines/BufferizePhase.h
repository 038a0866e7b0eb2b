//===- BufferizePhase.h - Bufferization shared by the pipelines -*- C++ -*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_LIB_PIPELINES_BUFFERIZEPHASE_H
#define TOKAMAK_LIB_PIPELINES_BUFFERIZEPHASE_H

namespace mlir {
class OpPassManager;
} // namespace mlir

namespace tokamak {

/// Adds the target-neutral start of the bufferize phase that the CPU and the
/// CUDA pipelines share: inputs marked read-only (when `readOnlyInputs`),
/// one-shot bufferization of the whole module with identity layouts at
/// function boundaries, ownership-based buffer deallocation, the
/// bufferization ops lowered to memref, and the packed entry points of
/// docs/Artifacts.md.
void addBufferizePasses(mlir::OpPassManager &pm, bool readOnlyInputs);

} // namespace tokamak

#endif // TOKAMAK_LIB_PIPELINES_BUFFERIZEPHASE_H
