//===- BasicOps.cpp - Verifiers of the building-block ops -----------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#include "dialects/Tok/IR/TokOps.h"
#include "dialects/Tok/IR/Verification.h"

using namespace mlir;
using namespace mlir::tok;

LogicalResult LinearOp::verify() { return success(); }
LogicalResult RmsNormOp::verify() { return success(); }
LogicalResult LayerNormOp::verify() { return success(); }
LogicalResult RopeOp::verify() { return success(); }
LogicalResult GluOp::verify() { return success(); }
LogicalResult ActivationOp::verify() { return success(); }
LogicalResult EmbeddingOp::verify() { return success(); }
