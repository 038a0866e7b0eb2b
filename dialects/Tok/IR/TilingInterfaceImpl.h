//===- TilingInterfaceImpl.h - TilingInterface for the tok ops --*- C++ -*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_DIALECT_TOK_IR_TILINGINTERFACEIMPL_H
#define TOKAMAK_DIALECT_TOK_IR_TILINGINTERFACEIMPL_H

namespace mlir {
class MLIRContext;
namespace tok {

/// Attaches `TilingInterface` and `ReifyRankedShapedTypeOpInterface` to the
/// tok compute ops. Called when the tok dialect is loaded, so every context
/// with the dialect has them.
void attachTilingInterfaceModels(MLIRContext *ctx);

} // namespace tok
} // namespace mlir

#endif // TOKAMAK_DIALECT_TOK_IR_TILINGINTERFACEIMPL_H
