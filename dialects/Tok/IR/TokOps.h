//===- TokOps.h - tok dialect operations ------------------------*- C++ -*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_DIALECT_TOK_IR_TOKOPS_H
#define TOKAMAK_DIALECT_TOK_IR_TOKOPS_H

#include "dialects/Tok/IR/TokDialect.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/TilingInterface.h"

#include "dialects/Tok/IR/TokEnums.h.inc"

#define GET_OP_CLASSES
#include "dialects/Tok/IR/TokOps.h.inc"

#endif // TOKAMAK_DIALECT_TOK_IR_TOKOPS_H
