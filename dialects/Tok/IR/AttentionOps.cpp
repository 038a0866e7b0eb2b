//===- AttentionOps.cpp - Verifiers of the attention ops ------------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#include "dialects/Tok/IR/TokOps.h"
#include "dialects/Tok/IR/Verification.h"

using namespace mlir;
using namespace mlir::tok;

LogicalResult AttentionOp::verify() { return success(); }
LogicalResult AttentionOp::verifyRegions() { return success(); }
LogicalResult PagedAttentionOp::verify() { return success(); }
LogicalResult CacheWriteOp::verify() { return success(); }
LogicalResult LseMergeOp::verify() { return success(); }
