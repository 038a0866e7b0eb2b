//===- Basics.cpp - Lower the tok basics ops -----------------------------===//
//
// Part of the Tokamak project. Lowers linear, norms, rope, glu, activation and embedding.
//
//===----------------------------------------------------------------------===//

#include "PopulatePatterns.h"
#include "Utils.h"

#include "dialects/Tok/IR/TokOps.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;

void tokamak::detail::populateBasicPatterns(RewritePatternSet &patterns) {}
