//===- InitAllDialects.h - Register every dialect Tokamak uses --*- C++ -*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_INITALLDIALECTS_H
#define TOKAMAK_INITALLDIALECTS_H

#include "dialects/Tok/IR/TokDialect.h"
#include "mlir/IR/DialectRegistry.h"

namespace tokamak {

/// Adds the Tokamak dialects to `registry`.
inline void registerTokamakDialects(mlir::DialectRegistry &registry) {
  registry.insert<mlir::tok::TokDialect>();
}

} // namespace tokamak

#endif // TOKAMAK_INITALLDIALECTS_H
