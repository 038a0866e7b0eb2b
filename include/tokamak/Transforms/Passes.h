//===- Passes.h - Tokamak cross-dialect passes ------------------*- C++ -*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_TRANSFORMS_PASSES_H
#define TOKAMAK_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace tokamak {

#define GEN_PASS_DECL
#include "tokamak/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "tokamak/Transforms/Passes.h.inc"

/// The symbol of the packed entry point of function `name`.
std::string getEntryPointName(llvm::StringRef name);

} // namespace tokamak

#endif // TOKAMAK_TRANSFORMS_PASSES_H
