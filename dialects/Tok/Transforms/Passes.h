//===- Passes.h - tok dialect passes ----------------------------*- C++ -*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_DIALECT_TOK_TRANSFORMS_PASSES_H
#define TOKAMAK_DIALECT_TOK_TRANSFORMS_PASSES_H

#include "mlir/Pass/Pass.h"

namespace mlir::tok {

#define GEN_PASS_DECL
#include "dialects/Tok/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "dialects/Tok/Transforms/Passes.h.inc"

} // namespace mlir::tok

#endif // TOKAMAK_DIALECT_TOK_TRANSFORMS_PASSES_H
