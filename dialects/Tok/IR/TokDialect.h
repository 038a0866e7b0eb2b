//===- TokDialect.h - The tok dialect ---------------------------*- C++ -*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_DIALECT_TOK_IR_TOKDIALECT_H
#define TOKAMAK_DIALECT_TOK_IR_TOKDIALECT_H

#include "mlir/IR/Dialect.h"

#include "dialects/Tok/IR/TokDialect.h.inc"

#endif // TOKAMAK_DIALECT_TOK_IR_TOKDIALECT_H
