//===- MixerOps.cpp - Verifiers of the token-mixer ops --------------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#include "dialects/Tok/IR/TokOps.h"
#include "dialects/Tok/IR/Verification.h"

using namespace mlir;
using namespace mlir::tok;

LogicalResult Conv1dOp::verify() { return success(); }
LogicalResult Pool2dOp::verify() { return success(); }
