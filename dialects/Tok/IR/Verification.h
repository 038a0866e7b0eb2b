//===- Verification.h - Shared helpers of the tok verifiers -----*- C++ -*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_DIALECT_TOK_IR_VERIFICATION_H
#define TOKAMAK_DIALECT_TOK_IR_VERIFICATION_H

#include "mlir/IR/Operation.h"

namespace mlir::tok {} // namespace mlir::tok

#endif // TOKAMAK_DIALECT_TOK_IR_VERIFICATION_H
