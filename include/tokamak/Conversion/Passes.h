//===- Passes.h - Tokamak conversion passes ---------------------*- C++ -*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_CONVERSION_PASSES_H
#define TOKAMAK_CONVERSION_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"

namespace tokamak {

#define GEN_PASS_DECL
#include "tokamak/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "tokamak/Conversion/Passes.h.inc"

} // namespace tokamak

#endif // TOKAMAK_CONVERSION_PASSES_H
