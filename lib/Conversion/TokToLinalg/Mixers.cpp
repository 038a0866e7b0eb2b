//===- Mixers.cpp - Lower the tok mixers ops -----------------------------===//
//
// Part of the Tokamak project. Lowers conv1d and pool2d.
//
//===----------------------------------------------------------------------===//

#include "PopulatePatterns.h"
#include "Utils.h"

#include "dialects/Tok/IR/TokOps.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;

void tokamak::detail::populateMixerPatterns(RewritePatternSet &patterns) {}
