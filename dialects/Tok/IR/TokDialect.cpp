//===- TokDialect.cpp - The tok dialect -----------------------------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#include "dialects/Tok/IR/TokDialect.h"
#include "dialects/Tok/IR/TokOps.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::tok;

#include "dialects/Tok/IR/TokDialect.cpp.inc"

void TokDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/Tok/IR/TokOps.cpp.inc"
      >();
}
