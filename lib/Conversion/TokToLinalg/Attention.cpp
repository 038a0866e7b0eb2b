//===- Attention.cpp - Lower the tok attention ops -----------------------------===//
//
// Part of the Tokamak project. Lowers attention, paged_attention, cache_write and lse_merge.
//
//===----------------------------------------------------------------------===//

#include "PopulatePatterns.h"
#include "Utils.h"

#include "dialects/Tok/IR/TokOps.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;

void tokamak::detail::populateAttentionPatterns(RewritePatternSet &patterns) {}
