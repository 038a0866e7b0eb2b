//===- Passes.td - tok dialect passes ----------------------*- tablegen -*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_DIALECT_TOK_TRANSFORMS_PASSES_TD
#define TOKAMAK_DIALECT_TOK_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

#endif // TOKAMAK_DIALECT_TOK_TRANSFORMS_PASSES_TD
