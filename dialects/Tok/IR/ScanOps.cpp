//===- ScanOps.cpp - Verifiers of the scan ops ----------------------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#include "dialects/Tok/IR/TokOps.h"
#include "dialects/Tok/IR/Verification.h"

using namespace mlir;
using namespace mlir::tok;

LogicalResult SelectiveScanOp::verify() { return success(); }
LogicalResult LinearScanOp::verify() { return success(); }
LogicalResult AssocScanOp::verify() { return success(); }
LogicalResult AssocScanOp::verifyRegions() { return success(); }
