//===- Scans.cpp - Lower the tok scans ops -----------------------------===//
//
// Part of the Tokamak project. Lowers selective_scan, linear_scan and assoc_scan.
//
//===----------------------------------------------------------------------===//

#include "PopulatePatterns.h"
#include "Utils.h"

#include "dialects/Tok/IR/TokOps.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;

void tokamak::detail::populateScanPatterns(RewritePatternSet &patterns) {}
